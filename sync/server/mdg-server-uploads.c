/* mdg-server-uploads.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/rand.h>

#include "mdg-server-config.h"
#include "mdg-server-db-private.h"
#include "mdg-server-uploads.h"

#define PART_SUFFIX ".part"

typedef enum
{
  FILE_READ,
  FILE_OPENED,
  FILE_WRITTEN,
  FILE_CREATED,
  FILE_DELETED,
} FileStep;

/* Whole sentences, so that translators never assemble fragments. */
static gboolean
file_error (FileStep step,
            int errsv,
            GError **error)
{
  int code = g_file_error_from_errno (errsv);

  switch (step)
    {
    case FILE_READ:
      g_set_error (error, G_FILE_ERROR, code, _("The upload file could not be read: %s"), g_strerror (errsv));
      break;
    case FILE_OPENED:
      g_set_error (error, G_FILE_ERROR, code, _("The upload file could not be opened: %s"), g_strerror (errsv));
      break;
    case FILE_CREATED:
      g_set_error (error, G_FILE_ERROR, code, _("The upload file could not be created: %s"), g_strerror (errsv));
      break;
    case FILE_DELETED:
      g_set_error (error, G_FILE_ERROR, code, _("The upload file could not be deleted: %s"), g_strerror (errsv));
      break;
    case FILE_WRITTEN:
    default:
      g_set_error (error, G_FILE_ERROR, code, _("The upload file could not be written: %s"), g_strerror (errsv));
      break;
    }
  return FALSE;
}

void
mdg_server_upload_free (MdgServerUpload *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->resident);
  g_free (self->sha256);
  g_free (self);
}

char *
mdg_server_upload_path (const char *dir,
                        const char *id)
{
  g_autofree char *name = g_strconcat (id, PART_SUFFIX, NULL);

  return g_build_filename (dir, name, NULL);
}

MdgServerUpload *
mdg_server_upload_find (MdgServerDb *db,
                        const char *resident,
                        const char *id,
                        const char *sha256,
                        GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (db,
                                              "SELECT id, resident, sha256, size, done, complete FROM uploads"
                                              " WHERE resident = ?1 AND (?2 IS NULL OR id = ?2)"
                                              " AND (?3 IS NULL OR sha256 = ?3) ORDER BY updated DESC LIMIT 1",
                                              error);
  MdgServerUpload *upload = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  mdg_server_db_bind_text (stmt, 1, resident);
  mdg_server_db_bind_text (stmt, 2, id);
  mdg_server_db_bind_text (stmt, 3, sha256);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      upload = g_new0 (MdgServerUpload, 1);
      upload->id = mdg_server_db_column_text (stmt, 0);
      upload->resident = mdg_server_db_column_text (stmt, 1);
      upload->sha256 = mdg_server_db_column_text (stmt, 2);
      upload->size = sqlite3_column_int64 (stmt, 3);
      upload->done = sqlite3_column_int64 (stmt, 4);
      upload->complete = sqlite3_column_int (stmt, 5) != 0;
    }
  mdg_server_db_finish (db, stmt, rc, error);
  return upload;
}

MdgServerUpload *
mdg_server_upload_create (MdgServerDb *db,
                          const char *dir,
                          const char *resident,
                          const char *sha256,
                          gint64 size,
                          GError **error)
{
  g_autoptr(MdgServerUpload) upload = g_new0 (MdgServerUpload, 1);
  g_autofree char *path = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guchar rnd[16];
  sqlite3_stmt *stmt;
  int fd;

  if (RAND_bytes (rnd, sizeof rnd) != 1)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_FAILED, _("No random bytes."));
      return NULL;
    }
  upload->id = g_compute_checksum_for_data (G_CHECKSUM_SHA256, rnd, sizeof rnd);
  upload->id[32] = '\0';
  upload->resident = g_strdup (resident);
  upload->sha256 = g_strdup (sha256);
  upload->size = size;
  path = mdg_server_upload_path (dir, upload->id);
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      file_error (FILE_CREATED, errno, error);
      return NULL;
    }
  close (fd);
  stmt = mdg_server_db_prepare (db,
                                "INSERT INTO uploads (id, resident, sha256, size, created, updated)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?5)", error);
  if (stmt == NULL)
    {
      g_unlink (path);
      return NULL;
    }
  mdg_server_db_bind_text (stmt, 1, upload->id);
  mdg_server_db_bind_text (stmt, 2, resident);
  mdg_server_db_bind_text (stmt, 3, sha256);
  sqlite3_bind_int64 (stmt, 4, size);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!mdg_server_db_run (db, stmt, error))
    {
      g_unlink (path);
      return NULL;
    }
  return g_steal_pointer (&upload);
}

char *
mdg_server_file_sha256 (const char *path,
                        gint64 *size,
                        GError **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buf = g_malloc (64 * 1024);
  gint64 total = 0;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  ssize_t n;

  if (fd < 0)
    {
      file_error (FILE_READ, errno, error);
      return NULL;
    }
  while ((n = read (fd, buf, 64 * 1024)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      {
        g_checksum_update (sum, buf, n);
        total += n;
      }
  if (n < 0)
    {
      int errsv = errno;

      close (fd);
      file_error (FILE_READ, errsv, error);
      return NULL;
    }
  close (fd);
  if (size != NULL)
    *size = total;
  return g_strdup (g_checksum_get_string (sum));
}

static gboolean
write_at (const char *path,
          gint64 offset,
          GBytes *data,
          GError **error)
{
  gsize len;
  const guchar *p = g_bytes_get_data (data, &len);
  int fd = g_open (path, O_WRONLY | O_CLOEXEC, 0);
  gsize written = 0;

  if (fd < 0)
    return file_error (FILE_OPENED, errno, error);
  /* Bytes past the recorded offset are from a chunk that was cut off. */
  if (ftruncate (fd, offset) != 0)
    goto fail;
  while (written < len)
    {
      ssize_t n = pwrite (fd, p + written, len - written, offset + (off_t) written);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail;
      written += n;
    }
  if (fsync (fd) != 0)
    goto fail;
  close (fd);
  return TRUE;

fail:
  {
    int errsv = errno;

    close (fd);
    return file_error (FILE_WRITTEN, errsv, error);
  }
}

gboolean
mdg_server_upload_write (MdgServerDb *db,
                         const char *dir,
                         MdgServerUpload *upload,
                         GBytes *data,
                         gboolean *hash_mismatch,
                         GError **error)
{
  g_autofree char *path = mdg_server_upload_path (dir, upload->id);
  gint64 done = upload->done + (gint64) g_bytes_get_size (data);
  gboolean complete = FALSE;
  sqlite3_stmt *stmt;

  *hash_mismatch = FALSE;
  if (!write_at (path, upload->done, data, error))
    return FALSE;
  if (done == upload->size)
    {
      g_autofree char *sha256 = mdg_server_file_sha256 (path, NULL, error);

      if (sha256 == NULL)
        return FALSE;
      if (!g_str_equal (sha256, upload->sha256))
        {
          *hash_mismatch = TRUE;
          mdg_server_upload_delete (db, dir, upload->id, NULL);
          g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID,
                       _("The uploaded bytes do not match their SHA-256."));
          return FALSE;
        }
      complete = TRUE;
    }
  stmt = mdg_server_db_prepare (db, "UPDATE uploads SET done = ?, complete = ?, updated = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, done);
  sqlite3_bind_int (stmt, 2, complete);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  mdg_server_db_bind_text (stmt, 4, upload->id);
  if (!mdg_server_db_run (db, stmt, error))
    return FALSE;
  upload->done = done;
  upload->complete = complete;
  return TRUE;
}

gboolean
mdg_server_upload_delete (MdgServerDb *db,
                          const char *dir,
                          const char *id,
                          GError **error)
{
  g_autofree char *path = mdg_server_upload_path (dir, id);

  if (!mdg_server_db_run_texts (db, "DELETE FROM uploads WHERE id = ?", &id, 1, error))
    return FALSE;
  if (g_unlink (path) != 0 && errno != ENOENT)
    return file_error (FILE_DELETED, errno, error);
  return TRUE;
}

gboolean
mdg_server_upload_purge_stale (MdgServerDb *db,
                               const char *dir,
                               gint64 before,
                               guint *n_purged,
                               GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (db, "SELECT id FROM uploads WHERE updated < ?", error);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = NULL;
  const char *name;
  int rc;

  if (n_purged != NULL)
    *n_purged = 0;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, before);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, mdg_server_db_column_text (stmt, 0));
  if (!mdg_server_db_finish (db, stmt, rc, error))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    if (!mdg_server_upload_delete (db, dir, ids->pdata[i], error))
      return FALSE;
  if (n_purged != NULL)
    *n_purged = ids->len;

  /* A part file whose row never committed (a crash in between). */
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *id = NULL;
      g_autofree char *path = NULL;
      gint64 known;

      if (!g_str_has_suffix (name, PART_SUFFIX))
        continue;
      id = g_strndup (name, strlen (name) - strlen (PART_SUFFIX));
      known = mdg_server_db_query_int (db, "SELECT count(*) FROM uploads WHERE id = ?", id, error);
      if (known < 0)
        return FALSE;
      path = g_build_filename (dir, name, NULL);
      if (known == 0)
        {
          GStatBuf st;

          if (g_stat (path, &st) == 0 && st.st_mtime < before)
            g_unlink (path);
        }
    }
  return TRUE;
}
