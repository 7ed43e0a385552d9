/* mdg-store.c: the encrypted local store of one profile (SQLCipher)
 *
 * One database per profile holds drafts, the outbox of signed envelopes,
 * their receipts and a short-lived status cache. Every open goes through
 * store_open_database(), which sets the cipher settings explicitly.
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
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "mdg-app-error.h"
#include "mdg-profile-lock.h"
#include "mdg-store-private.h"

/* Envelopes are small (a document and a CMS signature); this bounds memory
 * when a stream is not what it claims. */
#define MAX_ENVELOPE_SIZE (64 * 1024 * 1024)
#define EXPIRY_INTERVAL_SECONDS 3600

struct _MdgStore
{
  GObject             parent_instance;

  char               *profile_dir;
  MdgProfileLock     *lock;
  sqlite3            *db;
  GTimeSpan           draft_max_age;
  MdgStoreClockFunc   clock;
  gpointer            clock_data;
  guint               expiry_source;
};

G_DEFINE_FINAL_TYPE (MdgStore, mdg_store, G_TYPE_OBJECT)

/* Versioned migrations: entry i brings the schema from version i to i + 1.
 * SQLite 3.15 subset only (no UPSERT, RETURNING, JSON1, window functions). */
static const char * const migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE drafts ("
  "  id TEXT PRIMARY KEY NOT NULL,"
  "  procedure TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  updated INTEGER NOT NULL,"
  "  document BLOB NOT NULL);"
  "CREATE INDEX drafts_updated ON drafts (updated);"
  "CREATE TABLE outbox ("
  "  uuid TEXT PRIMARY KEY NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  created INTEGER NOT NULL,"
  "  envelope BLOB NOT NULL);"
  "CREATE TABLE receipts ("
  "  envelope_uuid TEXT PRIMARY KEY NOT NULL,"
  "  envelope_sha256 TEXT NOT NULL,"
  "  received INTEGER NOT NULL,"
  "  verified INTEGER NOT NULL,"
  "  receipt BLOB NOT NULL);",
  /* 1 → 2 */
  "CREATE TABLE status_cache ("
  "  key TEXT PRIMARY KEY NOT NULL,"
  "  fetched INTEGER NOT NULL,"
  "  expires INTEGER NOT NULL,"
  "  body BLOB NOT NULL);"
  "CREATE INDEX status_cache_expires ON status_cache (expires);",
  /* 2 → 3: the draft list reads a covering index instead of the table, so
   * it decrypts a few index pages rather than every draft's first page. It
   * also serves expiry (updated first), which drafts_updated did. */
  "ALTER TABLE drafts ADD COLUMN size INTEGER NOT NULL DEFAULT 0;"
  "UPDATE drafts SET size = length(document);"
  "DROP INDEX drafts_updated;"
  "CREATE INDEX drafts_list ON drafts (updated, created, size, procedure, id);",
  /* 3 → 4: an envelope the server refused for good (a problem code) stays,
   * so that nothing is lost, but is not sent again. */
  "ALTER TABLE outbox ADD COLUMN rejected TEXT;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == MDG_STORE_SCHEMA_VERSION);

void
mdg_draft_info_free (MdgDraftInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->procedure);
  g_free (info);
}

void
mdg_outbox_info_free (MdgOutboxInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->uuid);
  g_free (info->sha256);
  g_free (info->rejected);
  g_free (info);
}

/* ---- errors -------------------------------------------------------------- */

/* SQLite's messages name no values, only tables and columns, so they can
 * follow ours without leaking personal data. */
static gboolean
set_sqlite_error (GError **error,
                  sqlite3 *db,
                  int rc,
                  const char *what)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FULL,
                   _("%s: the disk is full; nothing else was lost"), what);
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_CORRUPT,
                   _("%s: the local store is damaged (%s); the file was left as it is"),
                   what, detail);
      break;
    case SQLITE_IOERR:
      if (errno == ENOSPC)
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FULL,
                       _("%s: the disk is full; nothing else was lost"), what);
          break;
        }
      G_GNUC_FALLTHROUGH;
    default:
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                   "%s: %s", what, detail);
      break;
    }

  return FALSE;
}

static gboolean
store_exec (MdgStore *self,
            const char *sql,
            const char *what,
            GError **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, what);

  return TRUE;
}

static sqlite3_stmt *
store_prepare (MdgStore *self,
               const char *sql,
               const char *what,
               GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, what);
      return NULL;
    }

  return stmt;
}

/* Steps @stmt to completion (no rows expected) and finalizes it. */
static gboolean
store_step_done (MdgStore *self,
                 sqlite3_stmt *stmt,
                 const char *what,
                 GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, what);

  return TRUE;
}

static void
store_rollback (MdgStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
}

static gint64
store_now (MdgStore *self)
{
  g_autoptr(GDateTime) now = NULL;

  if (self->clock == NULL)
    return g_get_real_time () / G_USEC_PER_SEC;

  now = self->clock (self->clock_data);
  return g_date_time_to_unix (now);
}

/* ---- opening ------------------------------------------------------------- */

/* A key check value: tells a wrong key from a damaged file, which SQLCipher
 * cannot (both are "file is encrypted or is not a database"). An HMAC of a
 * constant reveals nothing about a random 256-bit key. */
static char *
key_check_value (const guint8 *key)
{
  static const char label[] = "madoguchi store key check v1";
  guint8 mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;

  if (HMAC (EVP_sha256 (), key, MDG_STORE_KEY_SIZE, (const guint8 *) label, strlen (label),
            mac, &mac_len) == NULL)
    return NULL;

  return g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x",
                          mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], mac[6], mac[7],
                          mac[8], mac[9], mac[10], mac[11], mac[12], mac[13], mac[14], mac[15]);
}

static gboolean
apply_key (MdgStore *self,
           const guint8 *key,
           GError **error)
{
  char keyspec[2 + 2 * MDG_STORE_KEY_SIZE + 2];
  int rc;

  /* x'…' is a raw key: no passphrase KDF, the same bytes in SQLCipher 4. */
  keyspec[0] = 'x';
  keyspec[1] = '\'';
  for (guint i = 0; i < MDG_STORE_KEY_SIZE; i++)
    {
      static const char hex[] = "0123456789abcdef";

      keyspec[2 + 2 * i] = hex[key[i] >> 4];
      keyspec[3 + 2 * i] = hex[key[i] & 0xf];
    }
  keyspec[2 + 2 * MDG_STORE_KEY_SIZE] = '\'';
  keyspec[3 + 2 * MDG_STORE_KEY_SIZE] = '\0';

  rc = sqlite3_key (self->db, keyspec, (int) strlen (keyspec));
  OPENSSL_cleanse (keyspec, sizeof keyspec);
  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, _("Could not set the key"));

  /* Must be set again on every open, after the key, before the first read. */
  return store_exec (self,
                     "PRAGMA cipher_page_size = " G_STRINGIFY (MDG_STORE_CIPHER_PAGE_SIZE) ";"
                     "PRAGMA kdf_iter = " G_STRINGIFY (MDG_STORE_CIPHER_KDF_ITER) ";"
                     "PRAGMA cipher_use_hmac = ON;",
                     _("Could not apply the cipher settings"), error);
}

static gboolean
check_key (MdgStore *self,
           const guint8 *key,
           gboolean existed,
           GError **error)
{
  g_autofree char *kcv_path = g_build_filename (self->profile_dir, MDG_STORE_KEY_CHECK_NAME, NULL);
  g_autofree char *expected = NULL;
  g_autofree char *stored = NULL;
  int rc;

  expected = key != NULL ? key_check_value (key) : NULL;
  if (key != NULL && existed && g_file_get_contents (kcv_path, &stored, NULL, NULL))
    {
      g_strstrip (stored);
      if (!g_str_equal (stored, expected))
        {
          g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_WRONG_KEY,
                               _("This key does not open this profile’s drafts (another card "
                                 "or another profile?); nothing was changed"));
          return FALSE;
        }
    }

  /* PRAGMA key succeeds with any key; the first real statement tells. */
  rc = sqlite3_exec (self->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      if ((rc & 0xff) == SQLITE_NOTADB && stored == NULL && key != NULL)
        {
          g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_WRONG_KEY,
                               _("This key does not open this profile’s drafts, or the file "
                                 "is damaged; nothing was changed"));
          return FALSE;
        }
      return set_sqlite_error (error, self->db, rc, _("Could not open the local store"));
    }

  if (key != NULL && stored == NULL)
    {
      g_autofree char *line = g_strconcat (expected, "\n", NULL);
      g_autoptr(GError) local_error = NULL;

      if (!g_file_set_contents_full (kcv_path, line, -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                       _("Cannot write the key check: %s"), local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
migrate (MdgStore *self,
         GError **error)
{
  sqlite3_stmt *stmt;
  int version;

  stmt = store_prepare (self, "PRAGMA user_version", _("Could not read the schema version"), error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      return set_sqlite_error (error, self->db, sqlite3_errcode (self->db),
                               _("Could not read the schema version"));
    }
  version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  if (version > MDG_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_TOO_NEW,
                   _("The local store was written by a newer Madoguchi (schema %d, this "
                     "version knows %d); update Madoguchi"),
                   version, MDG_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (; version < MDG_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!store_exec (self, "BEGIN IMMEDIATE", _("Could not update the local store’s schema"), error))
        return FALSE;
      if (!store_exec (self, migrations[version], _("Could not update the local store’s schema"), error) ||
          !store_exec (self, bump, _("Could not update the local store’s schema"), error) ||
          !store_exec (self, "COMMIT", _("Could not update the local store’s schema"), error))
        {
          store_rollback (self);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
store_open_database (MdgStore *self,
                     const guint8 *key,
                     GError **error)
{
  g_autofree char *path = mdg_store_get_database_path (self);
  gboolean existed = g_file_test (path, G_FILE_TEST_EXISTS);
  int rc;

  /* SQLite would create it 0644; its WAL and journal take the same mode. */
  if (!existed)
    {
      int fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

      if (fd < 0)
        {
          int saved_errno = errno;

          g_set_error (error, MDG_APP_ERROR, saved_errno == ENOSPC ? MDG_APP_ERROR_STORE_FULL
                                                                   : MDG_APP_ERROR_STORE_FAILED,
                       _("Cannot create the local store: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      close (fd);
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, _("Could not open the local store"));

  if (key != NULL && !apply_key (self, key, error))
    return FALSE;
  /* The plain baseline uses the cipher's page size, so that the benchmark
   * compares encryption and nothing else. */
  if (key == NULL && !store_exec (self, "PRAGMA page_size = "
                                  G_STRINGIFY (MDG_STORE_CIPHER_PAGE_SIZE),
                                  _("Could not configure the local store"), error))
    return FALSE;

  if (!check_key (self, key, existed, error))
    return FALSE;

  /* No plaintext side channels: temporary tables and sorts in memory,
   * deleted content overwritten, and the WAL (whose frames SQLCipher
   * encrypts with the same key) folded back on close. The page cache
   * (8 MiB, the default is 2 MB) keeps the id index and table leaves of
   * ~25,000 drafts decrypted while draft bodies stream through it, so a
   * page is decrypted once per open rather than on every other lookup. */
  if (!store_exec (self,
                   "PRAGMA temp_store = MEMORY;"
                   "PRAGMA secure_delete = ON;"
                   "PRAGMA journal_mode = WAL;"
                   "PRAGMA synchronous = NORMAL;"
                   "PRAGMA cache_size = -" G_STRINGIFY (MDG_STORE_CACHE_KIB) ";"
                   "PRAGMA foreign_keys = ON;",
                   _("Could not configure the local store"), error))
    return FALSE;

  return migrate (self, error);
}

static void
mdg_store_dispose (GObject *object)
{
  mdg_store_close (MDG_STORE (object));

  G_OBJECT_CLASS (mdg_store_parent_class)->dispose (object);
}

static void
mdg_store_finalize (GObject *object)
{
  MdgStore *self = MDG_STORE (object);

  g_free (self->profile_dir);

  G_OBJECT_CLASS (mdg_store_parent_class)->finalize (object);
}

static void
mdg_store_class_init (MdgStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mdg_store_dispose;
  object_class->finalize = mdg_store_finalize;
}

static void
mdg_store_init (MdgStore *self)
{
  self->draft_max_age = MDG_STORE_DRAFT_MAX_AGE_HOME;
}

MdgStore *
mdg_store_open_full (const char *profile_dir,
                     const guint8 *key,
                     GTimeSpan draft_max_age,
                     MdgStoreClockFunc clock,
                     gpointer clock_data,
                     GError **error)
{
  g_autoptr(MdgStore) self = NULL;

  g_return_val_if_fail (profile_dir != NULL, NULL);
  g_return_val_if_fail (draft_max_age > 0, NULL);

  self = g_object_new (MDG_TYPE_STORE, NULL);
  self->profile_dir = g_strdup (profile_dir);
  self->draft_max_age = draft_max_age;
  self->clock = clock;
  self->clock_data = clock_data;

  self->lock = mdg_profile_lock_acquire (profile_dir, error);
  if (self->lock == NULL)
    return NULL;

  if (!store_open_database (self, key, error))
    return NULL;

  /* Expiry runs at start-up, then hourly once a main loop runs the timer. */
  if (mdg_store_expire (self, error) < 0)
    return NULL;

  return g_steal_pointer (&self);
}

MdgStore *
mdg_store_open (const char *profile_dir,
                const guint8 *key,
                GError **error)
{
  return mdg_store_open_full (profile_dir, key, MDG_STORE_DRAFT_MAX_AGE_HOME, NULL, NULL, error);
}

void
mdg_store_close (MdgStore *self)
{
  g_return_if_fail (MDG_IS_STORE (self));

  g_clear_handle_id (&self->expiry_source, g_source_remove);

  if (self->db != NULL)
    {
      /* Leave a single file behind: the WAL is checkpointed and truncated. */
      sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }

  g_clear_pointer (&self->lock, mdg_profile_lock_release);
}

const char *
mdg_store_get_profile_dir (MdgStore *self)
{
  g_return_val_if_fail (MDG_IS_STORE (self), NULL);

  return self->profile_dir;
}

char *
mdg_store_get_database_path (MdgStore *self)
{
  g_return_val_if_fail (MDG_IS_STORE (self), NULL);

  return g_build_filename (self->profile_dir, MDG_STORE_DATABASE_NAME, NULL);
}

sqlite3 *
mdg_store_get_handle (MdgStore *self)
{
  g_return_val_if_fail (MDG_IS_STORE (self), NULL);

  return self->db;
}

static gboolean
store_check_open (MdgStore *self,
                  GError **error)
{
  if (self->db != NULL)
    return TRUE;

  g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                       _("The local store is closed"));
  return FALSE;
}

/* ---- retention ----------------------------------------------------------- */

void
mdg_store_set_draft_max_age (MdgStore *self,
                             GTimeSpan max_age)
{
  g_return_if_fail (MDG_IS_STORE (self));
  g_return_if_fail (max_age > 0);

  self->draft_max_age = max_age;
}

GTimeSpan
mdg_store_get_draft_max_age (MdgStore *self)
{
  g_return_val_if_fail (MDG_IS_STORE (self), 0);

  return self->draft_max_age;
}

gint
mdg_store_expire (MdgStore *self,
                  GError **error)
{
  gint64 now;
  sqlite3_stmt *stmt;
  gint deleted;

  g_return_val_if_fail (MDG_IS_STORE (self), -1);

  if (!store_check_open (self, error))
    return -1;

  now = store_now (self);
  if (!store_exec (self, "BEGIN IMMEDIATE", _("Could not delete expired drafts"), error))
    return -1;

  stmt = store_prepare (self, "DELETE FROM drafts WHERE updated <= ?", _("Could not delete expired drafts"),
                        error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, now - self->draft_max_age / G_USEC_PER_SEC);
  if (!store_step_done (self, stmt, _("Could not delete expired drafts"), error))
    goto fail;
  deleted = sqlite3_changes (self->db);

  stmt = store_prepare (self, "DELETE FROM status_cache WHERE expires <= ?",
                        _("Could not delete expired drafts"), error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, now);
  if (!store_step_done (self, stmt, _("Could not delete expired drafts"), error) ||
      !store_exec (self, "COMMIT", _("Could not delete expired drafts"), error))
    goto fail;

  return deleted;

fail:
  store_rollback (self);
  return -1;
}

static gboolean
expiry_tick (gpointer user_data)
{
  MdgStore *self = user_data;
  g_autoptr(GError) error = NULL;

  if (mdg_store_expire (self, &error) < 0)
    g_warning ("Draft expiry failed: %s", error->message);

  return G_SOURCE_CONTINUE;
}

void
mdg_store_start_expiry_timer (MdgStore *self)
{
  g_return_if_fail (MDG_IS_STORE (self));

  if (self->expiry_source == 0)
    self->expiry_source = g_timeout_add_seconds (EXPIRY_INTERVAL_SECONDS, expiry_tick, self);
}

/* ---- drafts -------------------------------------------------------------- */

static void
bind_bytes (sqlite3_stmt *stmt,
            int index,
            GBytes *bytes)
{
  gsize size = 0;
  gconstpointer data = g_bytes_get_data (bytes, &size);

  /* A zero-length blob must not become NULL. */
  sqlite3_bind_blob64 (stmt, index, data != NULL ? data : "", size, SQLITE_TRANSIENT);
}

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int column)
{
  const void *data = sqlite3_column_blob (stmt, column);
  int size = sqlite3_column_bytes (stmt, column);

  return g_bytes_new (data, (gsize) size);
}

static gboolean
set_not_found (GError **error,
               const char *message)
{
  g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NOT_FOUND, message);
  return FALSE;
}

/* Prepares @sql with @key bound to its only parameter and steps to its one
 * row. Returns the statement on that row (the caller finalizes it), or
 * NULL with STORE_NOT_FOUND (@not_found) or the SQLite error. */
static sqlite3_stmt *
store_select_one (MdgStore *self,
                  const char *sql,
                  const char *key,
                  const char *what,
                  const char *not_found,
                  GError **error)
{
  sqlite3_stmt *stmt = store_prepare (self, sql, what, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return stmt;

  sqlite3_finalize (stmt);
  if (rc == SQLITE_DONE)
    set_not_found (error, not_found);
  else
    set_sqlite_error (error, self->db, rc, what);

  return NULL;
}

/* A version 4 UUID from OpenSSL's generator, which reseeds after fork();
 * GLib's g_uuid_string_random() repeats itself in forked children. */
static char *
random_uuid (void)
{
  guint8 b[16];

  if (RAND_bytes (b, sizeof b) != 1)
    return g_uuid_string_random ();
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

char *
mdg_store_draft_save (MdgStore *self,
                      const char *procedure,
                      GBytes *document,
                      GError **error)
{
  g_autofree char *id = NULL;
  sqlite3_stmt *stmt;
  gint64 now;

  g_return_val_if_fail (MDG_IS_STORE (self), NULL);
  g_return_val_if_fail (procedure != NULL, NULL);
  g_return_val_if_fail (document != NULL, NULL);

  if (!store_check_open (self, error))
    return NULL;

  stmt = store_prepare (self,
                        "INSERT INTO drafts (id, procedure, created, updated, document, size) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        _("Could not save the draft"), error);
  if (stmt == NULL)
    return NULL;

  id = random_uuid ();
  now = store_now (self);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, procedure, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, now);
  bind_bytes (stmt, 5, document);
  sqlite3_bind_int64 (stmt, 6, (gint64) g_bytes_get_size (document));
  if (!store_step_done (self, stmt, _("Could not save the draft"), error))
    return NULL;

  return g_steal_pointer (&id);
}

gboolean
mdg_store_draft_update (MdgStore *self,
                        const char *id,
                        GBytes *document,
                        GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MDG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (document != NULL, FALSE);

  if (!store_check_open (self, error))
    return FALSE;

  stmt = store_prepare (self, "UPDATE drafts SET document = ?, updated = ?, size = ? WHERE id = ?",
                        _("Could not save the draft"), error);
  if (stmt == NULL)
    return FALSE;
  bind_bytes (stmt, 1, document);
  sqlite3_bind_int64 (stmt, 2, store_now (self));
  sqlite3_bind_int64 (stmt, 3, (gint64) g_bytes_get_size (document));
  sqlite3_bind_text (stmt, 4, id, -1, SQLITE_TRANSIENT);
  if (!store_step_done (self, stmt, _("Could not save the draft"), error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    return set_not_found (error, _("No such draft (it may have expired)"));

  return TRUE;
}

static MdgDraftInfo *
draft_info_from_row (sqlite3_stmt *stmt)
{
  MdgDraftInfo *info = g_new0 (MdgDraftInfo, 1);

  info->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  info->procedure = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  info->created = sqlite3_column_int64 (stmt, 2);
  info->updated = sqlite3_column_int64 (stmt, 3);
  info->size = (gsize) sqlite3_column_int64 (stmt, 4);

  return info;
}

/* Every row of @sql, each made into an item by @from_row. */
static GPtrArray *
store_list (MdgStore *self,
            const char *sql,
            gpointer (*from_row) (sqlite3_stmt *stmt),
            GDestroyNotify free_item,
            const char *what,
            GError **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (free_item);
  sqlite3_stmt *stmt;
  int rc;

  if (!store_check_open (self, error))
    return NULL;
  stmt = store_prepare (self, sql, what, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, from_row (stmt));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, what);
      return NULL;
    }

  return g_steal_pointer (&items);
}

static gpointer
draft_row (sqlite3_stmt *stmt)
{
  return draft_info_from_row (stmt);
}

GPtrArray *
mdg_store_draft_list (MdgStore *self,
                      GError **error)
{
  g_return_val_if_fail (MDG_IS_STORE (self), NULL);

  return store_list (self,
                     "SELECT id, procedure, created, updated, size FROM drafts "
                     "ORDER BY updated DESC, rowid DESC",
                     draft_row, (GDestroyNotify) mdg_draft_info_free,
                     _("Could not list the drafts"), error);
}

GBytes *
mdg_store_draft_load (MdgStore *self,
                      const char *id,
                      MdgDraftInfo **info,
                      GError **error)
{
  g_autoptr(GBytes) document = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MDG_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!store_check_open (self, error))
    return NULL;

  stmt = store_select_one (self,
                           "SELECT id, procedure, created, updated, length(document), document "
                           "FROM drafts WHERE id = ?",
                           id, _("Could not load the draft"),
                           _("No such draft (it may have expired)"), error);
  if (stmt == NULL)
    return NULL;

  document = column_bytes (stmt, 5);
  if (info != NULL)
    *info = draft_info_from_row (stmt);
  sqlite3_finalize (stmt);

  return g_steal_pointer (&document);
}

gboolean
mdg_store_draft_delete (MdgStore *self,
                        const char *id,
                        GError **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MDG_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!store_check_open (self, error))
    return FALSE;

  stmt = store_prepare (self, "DELETE FROM drafts WHERE id = ?", _("Could not delete the draft"), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (!store_step_done (self, stmt, _("Could not delete the draft"), error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    return set_not_found (error, _("No such draft (it may have expired)"));

  return TRUE;
}

/* ---- outbox and receipts ------------------------------------------------- */

static gboolean
check_uuid (const char *uuid,
            GError **error)
{
  if (uuid != NULL && g_uuid_string_is_valid (uuid))
    return TRUE;

  g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                       _("An envelope needs a valid UUID"));
  return FALSE;
}

gboolean
mdg_store_outbox_add_bytes (MdgStore *self,
                            const char *uuid,
                            GBytes *envelope,
                            GError **error)
{
  g_autofree char *sha256 = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MDG_IS_STORE (self), FALSE);
  g_return_val_if_fail (envelope != NULL, FALSE);

  if (!check_uuid (uuid, error) || !store_check_open (self, error))
    return FALSE;

  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, envelope);
  stmt = store_prepare (self,
                        "INSERT INTO outbox (uuid, sha256, created, envelope) VALUES (?, ?, ?, ?)",
                        _("Could not queue the envelope"), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, sha256, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, store_now (self));
  bind_bytes (stmt, 4, envelope);

  return store_step_done (self, stmt, _("Could not queue the envelope"), error);
}

gboolean
mdg_store_outbox_add_stream (MdgStore *self,
                             const char *uuid,
                             GInputStream *stream,
                             GCancellable *cancellable,
                             GError **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  g_autoptr(GBytes) envelope = NULL;
  guint8 chunk[16384];
  gboolean ok;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);

  for (;;)
    {
      gssize n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      if (buffer->len + (gsize) n > MAX_ENVELOPE_SIZE)
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                       _("The envelope is larger than %zu bytes"), (gsize) MAX_ENVELOPE_SIZE);
          return FALSE;
        }
      g_byte_array_append (buffer, chunk, (guint) n);
    }

  envelope = g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
  ok = mdg_store_outbox_add_bytes (self, uuid, envelope, error);
  OPENSSL_cleanse (chunk, sizeof chunk);

  return ok;
}

gboolean
mdg_store_outbox_add_file (MdgStore *self,
                           const char *uuid,
                           const char *path,
                           GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, error);

  if (stream == NULL)
    return FALSE;

  return mdg_store_outbox_add_stream (self, uuid, G_INPUT_STREAM (stream), NULL, error);
}

static gpointer
outbox_info_from_row (sqlite3_stmt *stmt)
{
  MdgOutboxInfo *info = g_new0 (MdgOutboxInfo, 1);

  info->uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  info->sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  info->created = sqlite3_column_int64 (stmt, 2);
  info->size = (gsize) sqlite3_column_int64 (stmt, 3);
  info->has_receipt = sqlite3_column_int (stmt, 4) > 0;
  info->rejected = g_strdup ((const char *) sqlite3_column_text (stmt, 5));

  return info;
}

GPtrArray *
mdg_store_outbox_list (MdgStore *self,
                       GError **error)
{
  g_return_val_if_fail (MDG_IS_STORE (self), NULL);

  return store_list (self,
                     "SELECT o.uuid, o.sha256, o.created, length(o.envelope), "
                     "  (SELECT count(*) FROM receipts r WHERE r.envelope_uuid = o.uuid), "
                     "  o.rejected "
                     "FROM outbox o ORDER BY o.created, o.rowid",
                     outbox_info_from_row, (GDestroyNotify) mdg_outbox_info_free,
                     _("Could not list the outbox"), error);
}

GBytes *
mdg_store_outbox_load (MdgStore *self,
                       const char *uuid,
                       char **sha256_out,
                       GError **error)
{
  g_autoptr(GBytes) envelope = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MDG_IS_STORE (self), NULL);

  if (!check_uuid (uuid, error) || !store_check_open (self, error))
    return NULL;

  stmt = store_select_one (self, "SELECT sha256, envelope FROM outbox WHERE uuid = ?", uuid,
                           _("Could not load the envelope"), _("No such envelope in the outbox"),
                           error);
  if (stmt == NULL)
    return NULL;

  envelope = column_bytes (stmt, 1);
  if (sha256_out != NULL)
    *sha256_out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return g_steal_pointer (&envelope);
}

/* Runs one UPDATE/DELETE on the outbox row of @uuid (the last parameter);
 * STORE_NOT_FOUND when there is none. */
static gboolean
outbox_change (MdgStore *self,
               const char *sql,
               const char *uuid,
               const char *text,
               GError **error)
{
  sqlite3_stmt *stmt;

  if (!check_uuid (uuid, error) || !store_check_open (self, error))
    return FALSE;

  stmt = store_prepare (self, sql, _("Could not change the outbox"), error);
  if (stmt == NULL)
    return FALSE;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, text != NULL ? 2 : 1, uuid, -1, SQLITE_TRANSIENT);
  if (!store_step_done (self, stmt, _("Could not change the outbox"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return set_not_found (error, _("No such envelope in the outbox"));

  return TRUE;
}

gboolean
mdg_store_outbox_set_rejected (MdgStore *self,
                               const char *uuid,
                               const char *problem_code,
                               GError **error)
{
  g_return_val_if_fail (MDG_IS_STORE (self), FALSE);
  g_return_val_if_fail (problem_code != NULL, FALSE);

  return outbox_change (self, "UPDATE outbox SET rejected = ? WHERE uuid = ?", uuid,
                        problem_code, error);
}

gboolean
mdg_store_outbox_delete (MdgStore *self,
                         const char *uuid,
                         GError **error)
{
  g_return_val_if_fail (MDG_IS_STORE (self), FALSE);

  return outbox_change (self, "DELETE FROM outbox WHERE uuid = ?", uuid, NULL, error);
}

/* The envelope's hash only: the envelope itself need not be read (and
 * decrypted). */
static char *
outbox_sha256 (MdgStore *self,
               const char *uuid,
               GError **error)
{
  sqlite3_stmt *select;
  char *sha256;

  if (!check_uuid (uuid, error) || !store_check_open (self, error))
    return NULL;
  select = store_select_one (self, "SELECT sha256 FROM outbox WHERE uuid = ?", uuid,
                             _("Could not load the envelope"), _("No such envelope in the outbox"), error);
  if (select == NULL)
    return NULL;
  sha256 = g_strdup ((const char *) sqlite3_column_text (select, 0));
  sqlite3_finalize (select);
  return sha256;
}

/* Inside a transaction: the receipt row, and when @verified the envelope's
 * deletion. */
static gboolean
receipt_write (MdgStore *self,
               const char *envelope_uuid,
               const char *sha256,
               GBytes *receipt,
               gboolean verified,
               GError **error)
{
  sqlite3_stmt *stmt;

  stmt = store_prepare (self,
                        "INSERT OR REPLACE INTO receipts "
                        "(envelope_uuid, envelope_sha256, received, verified, receipt) "
                        "VALUES (?, ?, ?, ?, ?)",
                        _("Could not store the receipt"), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, envelope_uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, store_now (self));
  sqlite3_bind_int (stmt, 4, verified ? 1 : 0);
  bind_bytes (stmt, 5, receipt);
  if (!store_step_done (self, stmt, _("Could not store the receipt"), error))
    return FALSE;
  if (!verified)
    return TRUE;

  /* The work is done: the envelope goes, only the receipt stays. */
  stmt = store_prepare (self, "DELETE FROM outbox WHERE uuid = ?", _("Could not delete the sent envelope"), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, envelope_uuid, -1, SQLITE_TRANSIENT);
  return store_step_done (self, stmt, _("Could not delete the sent envelope"), error);
}

gboolean
mdg_store_receipt_add (MdgStore *self,
                       const char *envelope_uuid,
                       GBytes *receipt,
                       MdgStoreReceiptVerifyFunc verify,
                       gpointer verify_data,
                       gboolean verified,
                       GError **error)
{
  g_autofree char *sha256 = NULL;

  g_return_val_if_fail (MDG_IS_STORE (self), FALSE);
  g_return_val_if_fail (receipt != NULL, FALSE);

  sha256 = outbox_sha256 (self, envelope_uuid, error);
  if (sha256 == NULL)
    return FALSE;

  if (verify != NULL)
    {
      g_autoptr(GError) verify_error = NULL;

      verified = verify (envelope_uuid, sha256, receipt, verify_data, &verify_error);
      /* An unverifiable receipt is kept for the sync layer to retry or
       * report; the envelope stays until a verified one arrives. */
      if (!verified && verify_error != NULL)
        g_debug ("Receipt not verified: %s", verify_error->message);
    }

  if (!store_exec (self, "BEGIN IMMEDIATE", _("Could not store the receipt"), error))
    return FALSE;
  if (!receipt_write (self, envelope_uuid, sha256, receipt, verified, error)
      || !store_exec (self, "COMMIT", _("Could not store the receipt"), error))
    {
      store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

gboolean
mdg_store_receipts_add_verified (MdgStore *self,
                                 const char * const *envelope_uuids,
                                 GBytes * const *receipts,
                                 guint n,
                                 GError **error)
{
  g_return_val_if_fail (MDG_IS_STORE (self), FALSE);

  if (!store_check_open (self, error)
      || !store_exec (self, "BEGIN IMMEDIATE", _("Could not store the receipt"), error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sha256 = outbox_sha256 (self, envelope_uuids[i], error);

      if (sha256 == NULL || !receipt_write (self, envelope_uuids[i], sha256, receipts[i], TRUE, error))
        {
          store_rollback (self);
          return FALSE;
        }
    }
  if (!store_exec (self, "COMMIT", _("Could not store the receipt"), error))
    {
      store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

GBytes *
mdg_store_receipt_load (MdgStore *self,
                        const char *envelope_uuid,
                        gboolean *verified,
                        GError **error)
{
  g_autoptr(GBytes) receipt = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MDG_IS_STORE (self), NULL);

  if (!check_uuid (envelope_uuid, error) || !store_check_open (self, error))
    return NULL;

  stmt = store_select_one (self, "SELECT verified, receipt FROM receipts WHERE envelope_uuid = ?",
                           envelope_uuid, _("Could not load the receipt"),
                           _("No receipt for this envelope"), error);
  if (stmt == NULL)
    return NULL;

  receipt = column_bytes (stmt, 1);
  if (verified != NULL)
    *verified = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_finalize (stmt);

  return g_steal_pointer (&receipt);
}

/* ---- status cache -------------------------------------------------------- */

gboolean
mdg_store_status_cache_put (MdgStore *self,
                            const char *key,
                            GBytes *body,
                            GTimeSpan lifetime,
                            GError **error)
{
  sqlite3_stmt *stmt;
  gint64 now;

  g_return_val_if_fail (MDG_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL && body != NULL, FALSE);

  if (!store_check_open (self, error))
    return FALSE;

  stmt = store_prepare (self,
                        "INSERT OR REPLACE INTO status_cache (key, fetched, expires, body) "
                        "VALUES (?, ?, ?, ?)",
                        _("Could not cache the status"), error);
  if (stmt == NULL)
    return FALSE;
  now = store_now (self);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_int64 (stmt, 3, now + lifetime / G_USEC_PER_SEC);
  bind_bytes (stmt, 4, body);

  return store_step_done (self, stmt, _("Could not cache the status"), error);
}

GBytes *
mdg_store_status_cache_get (MdgStore *self,
                            const char *key,
                            GError **error)
{
  g_autoptr(GBytes) body = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MDG_IS_STORE (self), NULL);

  if (!store_check_open (self, error))
    return NULL;

  stmt = store_prepare (self, "SELECT body FROM status_cache WHERE key = ? AND expires > ?",
                        _("Could not read the status cache"), error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, store_now (self));

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    body = column_bytes (stmt, 0);
  sqlite3_finalize (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, _("Could not read the status cache"));
      return NULL;
    }

  return g_steal_pointer (&body);
}
