/* mdg-server-db.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
/* The SQLCipher library (app_dep links it), used without a key: one SQLite
 * in the process. */
#include <sqlite3.h>

#include "mdg-server-config.h"
#include "mdg-server-db-private.h"
#include "mdg-server-db.h"
#include "mdg-sync-status.h"

struct _MdgServerDb
{
  GObject  parent_instance;
  sqlite3 *db;
  guint    depth;   /* nested mdg_server_db_begin() calls */
  gboolean failed;  /* an inner part of the transaction failed */
};

G_DEFINE_FINAL_TYPE (MdgServerDb, mdg_server_db, G_TYPE_OBJECT)

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS staff ("
  "  id TEXT PRIMARY KEY, name TEXT NOT NULL, created TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS persons ("
  "  serial TEXT PRIMARY KEY, resident TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
  "  registered_by TEXT NOT NULL, registered TEXT NOT NULL,"
  "  updated_by TEXT NOT NULL, updated TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);"
  "CREATE TABLE IF NOT EXISTS challenges ("
  "  challenge BLOB PRIMARY KEY, expires INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE IF NOT EXISTS tokens ("
  "  sha256 TEXT PRIMARY KEY, resident TEXT NOT NULL, expires INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS submissions ("
  "  seq INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, resident TEXT NOT NULL,"
  "  sha256 TEXT NOT NULL, receipt_number TEXT NOT NULL UNIQUE, received TEXT NOT NULL,"
  "  status TEXT NOT NULL, comment TEXT, receipt BLOB NOT NULL, envelope BLOB NOT NULL);"
  "CREATE INDEX IF NOT EXISTS submissions_resident ON submissions (resident);"
  "CREATE TABLE IF NOT EXISTS history ("
  "  id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, status TEXT NOT NULL, time TEXT NOT NULL,"
  "  comment TEXT, staff TEXT);"
  "CREATE INDEX IF NOT EXISTS history_uuid ON history (uuid);"
  "CREATE TABLE IF NOT EXISTS audit ("
  "  seq INTEGER PRIMARY KEY, time TEXT NOT NULL, staff TEXT NOT NULL, action TEXT NOT NULL,"
  "  target TEXT NOT NULL, detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);"
  /* Added with GET /v1/records; IF NOT EXISTS migrates older files. */
  "CREATE TABLE IF NOT EXISTS records ("
  "  id INTEGER PRIMARY KEY, resident TEXT NOT NULL, record TEXT NOT NULL,"
  "  imported_by TEXT NOT NULL, imported TEXT NOT NULL);"
  "CREATE INDEX IF NOT EXISTS records_resident ON records (resident);"
  /* Resumable uploads (§4.2): the bytes are in a file named by id. */
  "CREATE TABLE IF NOT EXISTS uploads ("
  "  id TEXT PRIMARY KEY, resident TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,"
  "  done INTEGER NOT NULL DEFAULT 0, complete INTEGER NOT NULL DEFAULT 0,"
  "  created INTEGER NOT NULL, updated INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS uploads_resident ON uploads (resident, sha256);"
  /* Staff sessions never share the residents' token table. */
  "CREATE TABLE IF NOT EXISTS staff_tokens ("
  "  sha256 TEXT PRIMARY KEY, staff TEXT NOT NULL, expires INTEGER NOT NULL);";

/* Columns added after the first release, by PRAGMA user_version. */
static const char * const migrations[] = {
  /* 1: envelopes in files, export and purge marks, staff cards and rights. */
  "ALTER TABLE submissions ADD COLUMN envelope_file TEXT;"
  "ALTER TABLE submissions ADD COLUMN envelope_size INTEGER;"
  "ALTER TABLE submissions ADD COLUMN exported TEXT;"
  "ALTER TABLE submissions ADD COLUMN exported_by TEXT;"
  "ALTER TABLE submissions ADD COLUMN purged TEXT;"
  "ALTER TABLE staff ADD COLUMN card_serial TEXT;"
  "ALTER TABLE staff ADD COLUMN rights TEXT NOT NULL DEFAULT '';"
  "CREATE UNIQUE INDEX IF NOT EXISTS staff_card ON staff (card_serial);",
};

gboolean
mdg_server_db_error (MdgServerDb *self,
                     GError **error)
{
  g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_DATABASE,
               _("The server database failed: %s"), sqlite3_errmsg (self->db));
  return FALSE;
}

sqlite3_stmt *
mdg_server_db_prepare (MdgServerDb *self,
                       const char *sql,
                       GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      mdg_server_db_error (self, error);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
mdg_server_db_run (MdgServerDb *self,
                   sqlite3_stmt *stmt,
                   GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return mdg_server_db_error (self, error);
  return TRUE;
}

void
mdg_server_db_bind_text (sqlite3_stmt *stmt,
                         int index,
                         const char *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

sqlite3_stmt *
mdg_server_db_prepare_texts (MdgServerDb *self,
                             const char *sql,
                             const char * const *texts,
                             guint n_texts,
                             GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (self, sql, error);

  for (guint i = 0; stmt != NULL && i < n_texts; i++)
    mdg_server_db_bind_text (stmt, (int) i + 1, texts[i]);
  return stmt;
}

gboolean
mdg_server_db_run_texts (MdgServerDb *self,
                         const char *sql,
                         const char * const *texts,
                         guint n_texts,
                         GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare_texts (self, sql, texts, n_texts, error);

  return stmt != NULL && mdg_server_db_run (self, stmt, error);
}

gboolean
mdg_server_db_finish (MdgServerDb *self,
                      sqlite3_stmt *stmt,
                      int rc,
                      GError **error)
{
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return mdg_server_db_error (self, error);
  return TRUE;
}

char *
mdg_server_db_query_text (MdgServerDb *self,
                          const char *sql,
                          const char *arg,
                          GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare_texts (self, sql, &arg, 1, error);
  g_autofree char *text = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    text = mdg_server_db_column_text (stmt, 0);
  if (!mdg_server_db_finish (self, stmt, rc, error))
    return NULL;
  return g_steal_pointer (&text);
}

gint64
mdg_server_db_query_int (MdgServerDb *self,
                         const char *sql,
                         const char *arg,
                         GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (self, sql, error);
  gint64 value = -1;
  int rc;

  if (stmt == NULL)
    return -1;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    mdg_server_db_bind_text (stmt, 1, arg);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  else if (rc == SQLITE_DONE)
    mdg_server_db_error (self, error);
  mdg_server_db_finish (self, stmt, rc, error);
  return value;
}

static void
bind_bytes (sqlite3_stmt *stmt,
            int index,
            GBytes *bytes)
{
  sqlite3_bind_blob64 (stmt, index, g_bytes_get_data (bytes, NULL),
                       g_bytes_get_size (bytes), SQLITE_TRANSIENT);
}

/* Forgets rows of @delete_sql a day past their expiry: they only grow the
 * file. */
static gboolean
purge_expired (MdgServerDb *self,
               const char *delete_sql,
               gint64 now,
               GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (self, delete_sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now - 86400);
  return mdg_server_db_run (self, stmt, error);
}

char *
mdg_server_db_column_text (sqlite3_stmt *stmt,
                           int index)
{
  const unsigned char *text = sqlite3_column_text (stmt, index);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

char *
mdg_server_now_iso (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static void
mdg_server_db_finalize (GObject *object)
{
  MdgServerDb *self = MDG_SERVER_DB (object);

  sqlite3_close (self->db);
  G_OBJECT_CLASS (mdg_server_db_parent_class)->finalize (object);
}

static void
mdg_server_db_class_init (MdgServerDbClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_server_db_finalize;
}

static void
mdg_server_db_init (MdgServerDb *self)
{
}

/* The server and the admin command may open the file at once: the version
 * is read again inside the write transaction. */
static gboolean
migrate (MdgServerDb *self,
         GError **error)
{
  gint64 version;
  gboolean ok = TRUE;

  if (mdg_server_db_query_int (self, "PRAGMA user_version", NULL, NULL) >= (gint64) G_N_ELEMENTS (migrations))
    return TRUE;
  if (!mdg_server_db_begin (self, error))
    return FALSE;
  version = mdg_server_db_query_int (self, "PRAGMA user_version", NULL, NULL);
  for (; ok && version >= 0 && version < (gint64) G_N_ELEMENTS (migrations); version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %" G_GINT64_FORMAT, version + 1);

      ok = mdg_server_db_exec (self, migrations[version], error) && mdg_server_db_exec (self, bump, error);
    }
  return mdg_server_db_end (self, ok && version >= 0, error);
}

MdgServerDb *
mdg_server_db_open (const char *path,
                    GError **error)
{
  g_autoptr(MdgServerDb) self = g_object_new (MDG_TYPE_SERVER_DB, NULL);

  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      mdg_server_db_error (self, error);
      return NULL;
    }
  /* The admin command and the server share the file. */
  sqlite3_busy_timeout (self->db, 10000);
  if (!mdg_server_db_exec (self, "PRAGMA journal_mode=WAL;", error)
      || !mdg_server_db_exec (self, schema, error)
      || !migrate (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

gpointer
mdg_server_db_get_handle (MdgServerDb *self)
{
  return self->db;
}

gboolean
mdg_server_db_exec (MdgServerDb *self,
                    const char *sql,
                    GError **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return mdg_server_db_error (self, error);
  return TRUE;
}

gboolean
mdg_server_db_begin (MdgServerDb *self,
                     GError **error)
{
  /* Immediate: the audit chain reads its last link and writes the next. */
  if (self->depth == 0)
    {
      if (!mdg_server_db_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      self->failed = FALSE;
    }
  self->depth++;
  return TRUE;
}

gboolean
mdg_server_db_end (MdgServerDb *self,
                   gboolean ok,
                   GError **error)
{
  g_return_val_if_fail (self->depth > 0, FALSE);
  if (!ok)
    self->failed = TRUE;
  if (--self->depth > 0)
    return ok;
  if (self->failed)
    {
      mdg_server_db_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  if (!mdg_server_db_exec (self, "COMMIT", error))
    {
      mdg_server_db_exec (self, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
mdg_server_db_add_challenge (MdgServerDb *self,
                             GBytes *challenge,
                             gint64 expires,
                             GError **error)
{
  sqlite3_stmt *stmt;

  /* A replay of a forgotten challenge is "unknown", still refused. */
  if (!purge_expired (self, "DELETE FROM challenges WHERE expires < ?", expires, error))
    return FALSE;
  stmt = mdg_server_db_prepare (self, "INSERT INTO challenges (challenge, expires) VALUES (?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  bind_bytes (stmt, 1, challenge);
  sqlite3_bind_int64 (stmt, 2, expires);
  return mdg_server_db_run (self, stmt, error);
}

gboolean
mdg_server_db_consume_challenge (MdgServerDb *self,
                                 GBytes *challenge,
                                 gint64 now,
                                 MdgServerChallengeState *state,
                                 GError **error)
{
  sqlite3_stmt *stmt;
  gint64 expires = 0;
  gint64 used = 0;
  int rc;

  stmt = mdg_server_db_prepare (self, "SELECT expires, used FROM challenges WHERE challenge = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_bytes (stmt, 1, challenge);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      expires = sqlite3_column_int64 (stmt, 0);
      used = sqlite3_column_int64 (stmt, 1);
    }
  if (!mdg_server_db_finish (self, stmt, rc, error))
    return FALSE;
  if (rc == SQLITE_DONE)
    {
      *state = MDG_SERVER_CHALLENGE_UNKNOWN;
      return TRUE;
    }

  stmt = mdg_server_db_prepare (self, "UPDATE challenges SET used = 1 WHERE challenge = ?", error);
  if (stmt == NULL)
    return FALSE;
  bind_bytes (stmt, 1, challenge);
  if (!mdg_server_db_run (self, stmt, error))
    return FALSE;

  if (used)
    *state = MDG_SERVER_CHALLENGE_USED;
  else if (now >= expires)
    *state = MDG_SERVER_CHALLENGE_EXPIRED;
  else
    *state = MDG_SERVER_CHALLENGE_OK;
  return TRUE;
}

/* Stores a token's hash for @owner (after forgetting expired ones). */
static gboolean
add_token (MdgServerDb *self,
           const char *purge_sql,
           const char *insert_sql,
           const char *token_sha256,
           const char *owner,
           gint64 expires,
           GError **error)
{
  const char *values[] = { token_sha256, owner };
  sqlite3_stmt *stmt;

  if (!purge_expired (self, purge_sql, expires, error))
    return FALSE;
  stmt = mdg_server_db_prepare_texts (self, insert_sql, values, G_N_ELEMENTS (values), error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 3, expires);
  return mdg_server_db_run (self, stmt, error);
}

gboolean
mdg_server_db_add_token (MdgServerDb *self,
                         const char *token_sha256,
                         const char *resident,
                         gint64 expires,
                         GError **error)
{
  return add_token (self, "DELETE FROM tokens WHERE expires < ?",
                    "INSERT INTO tokens (sha256, resident, expires) VALUES (?, ?, ?)",
                    token_sha256, resident, expires, error);
}

static gboolean
lookup_token (MdgServerDb *self,
              const char *sql,
              const char *token_sha256,
              gint64 now,
              MdgServerTokenState *state,
              char **owner,
              GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (self, sql, error);
  int rc;

  *owner = NULL;
  if (stmt == NULL)
    return FALSE;
  mdg_server_db_bind_text (stmt, 1, token_sha256);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (now >= sqlite3_column_int64 (stmt, 1))
        *state = MDG_SERVER_TOKEN_EXPIRED;
      else
        {
          *state = MDG_SERVER_TOKEN_OK;
          *owner = mdg_server_db_column_text (stmt, 0);
        }
    }
  else
    *state = MDG_SERVER_TOKEN_UNKNOWN;
  return mdg_server_db_finish (self, stmt, rc, error);
}

gboolean
mdg_server_db_lookup_token (MdgServerDb *self,
                            const char *token_sha256,
                            gint64 now,
                            MdgServerTokenState *state,
                            char **resident,
                            GError **error)
{
  return lookup_token (self, "SELECT resident, expires FROM tokens WHERE sha256 = ?",
                       token_sha256, now, state, resident, error);
}

char *
mdg_server_db_lookup_person (MdgServerDb *self,
                             const char *serial,
                             GError **error)
{
  return mdg_server_db_query_text (self, "SELECT resident FROM persons WHERE serial = ? AND deleted = 0",
                                   serial, error);
}

gboolean
mdg_server_db_map_person (MdgServerDb *self,
                          const char *serial,
                          const char *resident,
                          const char *staff,
                          GError **error)
{
  g_autofree char *now = mdg_server_now_iso (g_get_real_time () / G_USEC_PER_SEC);
  const char *values[] = { serial, resident, staff, now };

  /* SQLite 3.15 has no upsert: insert, then update an existing row. */
  if (!mdg_server_db_run_texts (self,
                                "INSERT OR IGNORE INTO persons (serial, resident, registered_by, registered,"
                                " updated_by, updated) VALUES (?1, ?2, ?3, ?4, ?3, ?4)",
                                values, G_N_ELEMENTS (values), error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    return TRUE;
  return mdg_server_db_run_texts (self,
                                  "UPDATE persons SET resident = ?2, deleted = 0, updated_by = ?3, updated = ?4,"
                                  " version = version + 1 WHERE serial = ?1",
                                  values, G_N_ELEMENTS (values), error);
}

gboolean
mdg_server_db_add_staff (MdgServerDb *self,
                         const char *id,
                         const char *name,
                         const char *card_serial,
                         const char *rights,
                         GError **error)
{
  g_autofree char *now = mdg_server_now_iso (g_get_real_time () / G_USEC_PER_SEC);
  const char *values[] = { id, name, now, card_serial, rights != NULL ? rights : "" };
  sqlite3_stmt *stmt = mdg_server_db_prepare_texts (self, "INSERT INTO staff (id, name, created, card_serial, rights)"
                                                          " VALUES (?, ?, ?, ?, ?)",
                                                    values, G_N_ELEMENTS (values), error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc == SQLITE_CONSTRAINT)
    {
      /* An account per person, a card per account. */
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID,
                   _("The staff account “%s” or its card is already registered."), id);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return mdg_server_db_error (self, error);
  return TRUE;
}

char *
mdg_server_db_lookup_staff_card (MdgServerDb *self,
                                 const char *serial,
                                 GError **error)
{
  return mdg_server_db_query_text (self, "SELECT id FROM staff WHERE card_serial = ?", serial, error);
}

gboolean
mdg_server_db_staff_has_right (MdgServerDb *self,
                               const char *id,
                               const char *right)
{
  g_autofree char *rights = mdg_server_db_query_text (self, "SELECT rights FROM staff WHERE id = ?", id, NULL);
  g_auto(GStrv) list = NULL;

  if (rights == NULL)
    return FALSE;
  list = g_strsplit (rights, ",", -1);
  return g_strv_contains ((const char * const *) list, right);
}

gboolean
mdg_server_db_add_staff_token (MdgServerDb *self,
                               const char *token_sha256,
                               const char *staff,
                               gint64 expires,
                               GError **error)
{
  return add_token (self, "DELETE FROM staff_tokens WHERE expires < ?",
                    "INSERT INTO staff_tokens (sha256, staff, expires) VALUES (?, ?, ?)",
                    token_sha256, staff, expires, error);
}

gboolean
mdg_server_db_lookup_staff_token (MdgServerDb *self,
                                  const char *token_sha256,
                                  gint64 now,
                                  MdgServerTokenState *state,
                                  char **staff,
                                  GError **error)
{
  return lookup_token (self, "SELECT staff, expires FROM staff_tokens WHERE sha256 = ?",
                       token_sha256, now, state, staff, error);
}

gint64
mdg_server_db_count_staff (MdgServerDb *self,
                           const char *id)
{
  return mdg_server_db_query_int (self, "SELECT count(*) FROM staff WHERE ?1 IS NULL OR id = ?1", id, NULL);
}

void
mdg_server_submission_free (MdgServerSubmission *self)
{
  if (self == NULL)
    return;
  g_free (self->uuid);
  g_free (self->resident);
  g_free (self->sha256);
  g_free (self->receipt_number);
  g_free (self->received);
  g_free (self->status);
  g_clear_pointer (&self->receipt, g_bytes_unref);
  g_free (self->envelope_file);
  g_free (self->purged);
  g_free (self);
}

MdgServerSubmission *
mdg_server_db_get_submission (MdgServerDb *self,
                              const char *uuid,
                              GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (self,
                                "SELECT uuid, resident, sha256, receipt_number, received, status, receipt,"
                                " envelope_file, COALESCE(envelope_size, length(envelope)), purged"
                                " FROM submissions WHERE uuid = ?", error);
  MdgServerSubmission *sub = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  mdg_server_db_bind_text (stmt, 1, uuid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      sub = g_new0 (MdgServerSubmission, 1);
      sub->uuid = mdg_server_db_column_text (stmt, 0);
      sub->resident = mdg_server_db_column_text (stmt, 1);
      sub->sha256 = mdg_server_db_column_text (stmt, 2);
      sub->receipt_number = mdg_server_db_column_text (stmt, 3);
      sub->received = mdg_server_db_column_text (stmt, 4);
      sub->status = mdg_server_db_column_text (stmt, 5);
      sub->receipt = g_bytes_new (sqlite3_column_blob (stmt, 6), sqlite3_column_bytes (stmt, 6));
      sub->envelope_file = mdg_server_db_column_text (stmt, 7);
      sub->envelope_size = sqlite3_column_int64 (stmt, 8);
      sub->purged = mdg_server_db_column_text (stmt, 9);
    }
  mdg_server_db_finish (self, stmt, rc, error);
  return sub;
}

gint64
mdg_server_db_next_sequence (MdgServerDb *self,
                             GError **error)
{
  return mdg_server_db_query_int (self, "SELECT COALESCE(MAX(seq), 0) + 1 FROM submissions", NULL, error);
}

static gboolean
add_history (MdgServerDb *self,
             const char *uuid,
             const char *status,
             const char *time,
             const char *comment,
             const char *staff,
             GError **error)
{
  const char *values[] = { uuid, status, time, comment, staff };

  return mdg_server_db_run_texts (self, "INSERT INTO history (uuid, status, time, comment, staff)"
                                        " VALUES (?, ?, ?, ?, ?)", values, G_N_ELEMENTS (values), error);
}

gboolean
mdg_server_db_insert_submission (MdgServerDb *self,
                                 gint64 sequence,
                                 MdgServerSubmission *sub,
                                 GBytes *envelope,
                                 GError **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  if (!mdg_server_db_begin (self, error))
    return FALSE;
  stmt = mdg_server_db_prepare (self,
                  "INSERT INTO submissions (seq, uuid, resident, sha256, receipt_number, received,"
                  " status, receipt, envelope, envelope_file, envelope_size)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, sequence);
      mdg_server_db_bind_text (stmt, 2, sub->uuid);
      mdg_server_db_bind_text (stmt, 3, sub->resident);
      mdg_server_db_bind_text (stmt, 4, sub->sha256);
      mdg_server_db_bind_text (stmt, 5, sub->receipt_number);
      mdg_server_db_bind_text (stmt, 6, sub->received);
      mdg_server_db_bind_text (stmt, 7, MDG_SYNC_STATUS_RECEIVED);
      bind_bytes (stmt, 8, sub->receipt);
      if (envelope != NULL)
        bind_bytes (stmt, 9, envelope);
      else
        sqlite3_bind_zeroblob (stmt, 9, 0);
      mdg_server_db_bind_text (stmt, 10, sub->envelope_file);
      sqlite3_bind_int64 (stmt, 11, envelope != NULL ? (gint64) g_bytes_get_size (envelope) : sub->envelope_size);
      ok = mdg_server_db_run (self, stmt, error)
           && add_history (self, sub->uuid, MDG_SYNC_STATUS_RECEIVED, sub->received, NULL, NULL, error);
    }
  return mdg_server_db_end (self, ok, error);
}

gboolean
mdg_server_db_set_status (MdgServerDb *self,
                          const char *uuid,
                          const char *status,
                          const char *comment,
                          const char *staff,
                          GError **error)
{
  g_autofree char *now = mdg_server_now_iso (g_get_real_time () / G_USEC_PER_SEC);
  const char *values[] = { status, comment, uuid };
  gboolean ok;

  if (!mdg_sync_status_is_valid (status))
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID,
                   _("“%s” is not a status."), status);
      return FALSE;
    }
  /* A 補正依頼 must say what to fix. */
  if (g_str_equal (status, "correction-requested") && (comment == NULL || *comment == '\0'))
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID,
                   _("A correction request needs a comment that says what to correct."));
      return FALSE;
    }
  if (!mdg_server_db_begin (self, error))
    return FALSE;
  ok = mdg_server_db_run_texts (self, "UPDATE submissions SET status = ?, comment = ? WHERE uuid = ?",
                                values, G_N_ELEMENTS (values), error);
  if (ok && sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_NOT_FOUND,
                   _("There is no submission “%s”."), uuid);
      ok = FALSE;
    }
  ok = ok && add_history (self, uuid, status, now, comment, staff, error);
  return mdg_server_db_end (self, ok, error);
}

static void
set_text_or_null (JsonObject *obj,
                  const char *name,
                  sqlite3_stmt *stmt,
                  int index)
{
  const unsigned char *text = sqlite3_column_text (stmt, index);

  if (text != NULL)
    json_object_set_string_member (obj, name, (const char *) text);
  else
    json_object_set_null_member (obj, name);
}

static gboolean
add_history_json (MdgServerDb *self,
                  JsonObject *item,
                  GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (self,
                                "SELECT status, time, comment FROM history WHERE uuid = ? ORDER BY id", error);
  JsonArray *history = json_array_new ();
  int rc;

  json_object_set_array_member (item, "history", history);
  if (stmt == NULL)
    return FALSE;
  mdg_server_db_bind_text (stmt, 1, json_object_get_string_member (item, "uuid"));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *entry = json_object_new ();

      set_text_or_null (entry, "status", stmt, 0);
      set_text_or_null (entry, "time", stmt, 1);
      set_text_or_null (entry, "comment", stmt, 2);
      json_array_add_object_element (history, entry);
    }
  return mdg_server_db_finish (self, stmt, rc, error);
}

/* Steps @stmt (then finalizes it): one object per row, member @names[i]
 * from column i (skipped when NULL), each with its history. */
static JsonNode *
list_rows (MdgServerDb *self,
           sqlite3_stmt *stmt,
           const char * const *names,
           guint n_names,
           GError **error)
{
  g_autoptr(JsonArray) list = json_array_new ();
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *item = json_object_new ();

      for (guint i = 0; i < n_names; i++)
        if (names[i] != NULL && sqlite3_column_type (stmt, i) == SQLITE_INTEGER)
          json_object_set_int_member (item, names[i], sqlite3_column_int64 (stmt, i));
        else if (names[i] != NULL)
          set_text_or_null (item, names[i], stmt, i);
      json_array_add_object_element (list, item);
      if (!add_history_json (self, item, error))
        {
          sqlite3_finalize (stmt);
          return NULL;
        }
    }
  if (!mdg_server_db_finish (self, stmt, rc, error))
    return NULL;
  return json_node_init_array (json_node_alloc (), list);
}

JsonNode *
mdg_server_db_list_submissions (MdgServerDb *self,
                                const char *resident,
                                const char *uuid,
                                GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (self,
                                "SELECT uuid, receipt_number, received, status, comment, resident"
                                " FROM submissions WHERE (?1 IS NULL OR resident = ?1)"
                                " AND (?2 IS NULL OR uuid = ?2) ORDER BY seq DESC", error);
  /* Staff listings name the resident; a resident's own list does not. */
  const char *names[] = { "uuid", "receipt_number", "received", "status", "comment",
                          resident == NULL ? "resident" : NULL };

  if (stmt == NULL)
    return NULL;
  mdg_server_db_bind_text (stmt, 1, resident);
  mdg_server_db_bind_text (stmt, 2, uuid);
  return list_rows (self, stmt, names, G_N_ELEMENTS (names), error);
}

JsonNode *
mdg_server_db_list_staff (MdgServerDb *self,
                          const char *status,
                          const char *uuid,
                          GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (self,
                                "SELECT uuid, receipt_number, received, status, comment, resident, sha256,"
                                " COALESCE(envelope_size, length(envelope)), exported, exported_by, purged"
                                " FROM submissions WHERE (?1 IS NULL OR status = ?1)"
                                " AND (?2 IS NULL OR uuid = ?2) ORDER BY seq DESC", error);
  const char *names[] = { "uuid", "receipt_number", "received", "status", "comment", "resident",
                          "envelope_sha256", "envelope_size", "exported", "exported_by", "purged" };

  if (stmt == NULL)
    return NULL;
  mdg_server_db_bind_text (stmt, 1, status);
  mdg_server_db_bind_text (stmt, 2, uuid);
  return list_rows (self, stmt, names, G_N_ELEMENTS (names), error);
}

static gboolean
replace_records (MdgServerDb *self,
                 JsonObject *entry,
                 const char *staff,
                 const char *now,
                 GError **error)
{
  const char *resident = json_object_get_string_member (entry, "resident");
  JsonArray *records = json_object_get_array_member (entry, "records");

  if (!mdg_server_db_run_texts (self, "DELETE FROM records WHERE resident = ?", &resident, 1, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      g_autofree char *text = json_to_string (json_array_get_element (records, i), FALSE);
      const char *values[] = { resident, text, staff, now };

      if (!mdg_server_db_run_texts (self, "INSERT INTO records (resident, record, imported_by, imported)"
                                          " VALUES (?, ?, ?, ?)", values, G_N_ELEMENTS (values), error))
        return FALSE;
    }
  return TRUE;
}

gboolean
mdg_server_db_import_records (MdgServerDb *self,
                              JsonNode *import,
                              const char *staff,
                              GError **error)
{
  g_autofree char *now = mdg_server_now_iso (g_get_real_time () / G_USEC_PER_SEC);
  JsonArray *entries = json_node_get_array (import);
  gboolean ok = TRUE;

  if (!mdg_server_db_begin (self, error))
    return FALSE;
  for (guint i = 0; ok && i < json_array_get_length (entries); i++)
    ok = replace_records (self, json_array_get_object_element (entries, i), staff, now, error);
  return mdg_server_db_end (self, ok, error);
}

JsonNode *
mdg_server_db_list_records (MdgServerDb *self,
                            const char *resident,
                            GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (self, "SELECT record FROM records WHERE resident = ? ORDER BY id", error);
  g_autoptr(JsonArray) list = json_array_new ();
  int rc;

  if (stmt == NULL)
    return NULL;
  mdg_server_db_bind_text (stmt, 1, resident);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonNode *record = json_from_string ((const char *) sqlite3_column_text (stmt, 0), NULL);

      /* Rows are written only from checked imports. */
      if (record != NULL)
        json_array_add_element (list, record);
    }
  if (!mdg_server_db_finish (self, stmt, rc, error))
    return NULL;
  return json_node_init_array (json_node_alloc (), list);
}
