/* mdg-server-retention.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "mdg-server-audit.h"
#include "mdg-server-db-private.h"
#include "mdg-server-retention.h"
#include "mdg-server-uploads.h"

typedef struct
{
  char *uuid;
  char *resident;
  char *sha256;
  char *file;
} Due;

static void
due_free (gpointer data)
{
  Due *d = data;

  g_free (d->uuid);
  g_free (d->resident);
  g_free (d->sha256);
  g_free (d->file);
  g_free (d);
}

/* RFC 3339 UTC strings of one format compare like the times. */
static GPtrArray *
find_due (MdgServerDb *db,
          const char *cutoff,
          GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (db,
    "SELECT s.uuid, s.resident, s.sha256, s.envelope_file FROM submissions s"
    " WHERE s.purged IS NULL AND s.exported IS NOT NULL"
    " AND s.status IN ('decided', 'rejected', 'notified')"
    " AND (SELECT max(h.time) FROM history h WHERE h.uuid = s.uuid) < ?1", error);
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func (due_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  mdg_server_db_bind_text (stmt, 1, cutoff);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Due *d = g_new0 (Due, 1);

      d->uuid = mdg_server_db_column_text (stmt, 0);
      d->resident = mdg_server_db_column_text (stmt, 1);
      d->sha256 = mdg_server_db_column_text (stmt, 2);
      d->file = mdg_server_db_column_text (stmt, 3);
      g_ptr_array_add (due, d);
    }
  if (!mdg_server_db_finish (db, stmt, rc, error))
    return NULL;
  return g_steal_pointer (&due);
}

static gboolean
purge_one (MdgServerDb *db,
           MdgServerConfig *config,
           const char *actor,
           const char *now,
           Due *d,
           GError **error)
{
  g_autofree char *detail = g_strdup_printf ("purge_after_days=%" G_GINT64_FORMAT, config->purge_after_days);
  sqlite3_stmt *stmt;
  gboolean ok;

  if (!mdg_server_db_begin (db, error))
    return FALSE;
  stmt = mdg_server_db_prepare (db, "UPDATE submissions SET envelope = zeroblob(0), envelope_file = NULL,"
                                    " purged = ? WHERE uuid = ? AND purged IS NULL", error);
  ok = stmt != NULL;
  if (ok)
    {
      mdg_server_db_bind_text (stmt, 1, now);
      mdg_server_db_bind_text (stmt, 2, d->uuid);
      ok = mdg_server_db_run (db, stmt, error)
           && mdg_server_audit_append (db, actor, "purge", d->uuid, detail, error);
    }
  if (!mdg_server_db_end (db, ok, error))
    return FALSE;

  /* After the commit: a crash in between leaves a file no row names, not a
   * row naming a missing file. */
  if (d->file != NULL)
    {
      g_autofree char *path = g_build_filename (config->envelope_dir, d->file, NULL);

      if (g_unlink (path) != 0 && errno != ENOENT)
        g_warning ("An envelope file could not be removed: %s", g_strerror (errno));
    }
  for (;;)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(MdgServerUpload) upload = mdg_server_upload_find (db, d->resident, NULL, d->sha256, &local);

      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (upload == NULL)
        return TRUE;
      if (!mdg_server_upload_delete (db, config->upload_dir, upload->id, error))
        return FALSE;
    }
}

gboolean
mdg_server_retention_purge (MdgServerDb *db,
                            MdgServerConfig *config,
                            const char *actor,
                            guint *n_purged,
                            GError **error)
{
  gint64 now_s = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *now = mdg_server_now_iso (now_s);
  g_autofree char *cutoff = mdg_server_now_iso (now_s - config->purge_after_days * 86400);
  g_autoptr(GPtrArray) due = find_due (db, cutoff, error);

  if (n_purged != NULL)
    *n_purged = 0;
  if (due == NULL)
    return FALSE;
  for (guint i = 0; i < due->len; i++)
    {
      if (!purge_one (db, config, actor, now, due->pdata[i], error))
        return FALSE;
      if (n_purged != NULL)
        (*n_purged)++;
    }
  return TRUE;
}
