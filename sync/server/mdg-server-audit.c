/* mdg-server-audit.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "mdg-jcs.h"
#include "mdg-server-audit.h"
#include "mdg-server-config.h"
#include "mdg-server-db-private.h"

typedef struct
{
  gint64      seq;
  const char *time;
  const char *staff;
  const char *action;
  const char *target;
  const char *detail;
} AuditRow;

static char *
row_hash (const char *prev,
          const AuditRow *row,
          GError **error)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GBytes) jcs = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  json_object_set_int_member (obj, "seq", row->seq);
  json_object_set_string_member (obj, "time", row->time);
  json_object_set_string_member (obj, "staff", row->staff);
  json_object_set_string_member (obj, "action", row->action);
  json_object_set_string_member (obj, "target", row->target);
  json_object_set_string_member (obj, "detail", row->detail);
  node = json_node_init_object (json_node_alloc (), obj);
  jcs = mdg_jcs_serialize (node, error);
  if (jcs == NULL)
    return NULL;
  g_checksum_update (sum, (const guchar *) prev, strlen (prev));
  g_checksum_update (sum, (const guchar *) "\n", 1);
  g_checksum_update (sum, g_bytes_get_data (jcs, NULL), g_bytes_get_size (jcs));
  return g_strdup (g_checksum_get_string (sum));
}

gboolean
mdg_server_audit_append (MdgServerDb *server_db,
                         const char *staff,
                         const char *action,
                         const char *target,
                         const char *detail,
                         GError **error)
{
  sqlite3 *db = mdg_server_db_get_handle (server_db);
  g_autofree char *now = mdg_server_now_iso (g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *prev = NULL;
  g_autofree char *hash = NULL;
  sqlite3_stmt *stmt = NULL;
  AuditRow row = { 1, now, staff, action, target != NULL ? target : "", detail != NULL ? detail : "" };
  gboolean ok = FALSE;

  /* The read of the last link and the write are one transaction, so two
   * staff commands at once cannot fork the chain; inside a caller's
   * transaction the row commits (or not) with the audited write. */
  if (!mdg_server_db_begin (server_db, error))
    return FALSE;
  if (sqlite3_prepare_v2 (db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1, &stmt, NULL) != SQLITE_OK)
    goto out;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      row.seq = sqlite3_column_int64 (stmt, 0) + 1;
      prev = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  else
    prev = g_strdup (MDG_SERVER_AUDIT_GENESIS);
  sqlite3_finalize (stmt);
  stmt = NULL;

  hash = row_hash (prev, &row, error);
  if (hash == NULL)
    return mdg_server_db_end (server_db, FALSE, NULL);
  if (sqlite3_prepare_v2 (db, "INSERT INTO audit (seq, time, staff, action, target, detail, prev, hash)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &stmt, NULL) != SQLITE_OK)
    goto out;
  sqlite3_bind_int64 (stmt, 1, row.seq);
  mdg_server_db_bind_text (stmt, 2, row.time);
  mdg_server_db_bind_text (stmt, 3, row.staff);
  mdg_server_db_bind_text (stmt, 4, row.action);
  mdg_server_db_bind_text (stmt, 5, row.target);
  mdg_server_db_bind_text (stmt, 6, row.detail);
  mdg_server_db_bind_text (stmt, 7, prev);
  mdg_server_db_bind_text (stmt, 8, hash);
  ok = sqlite3_step (stmt) == SQLITE_DONE;

out:
  if (!ok)
    mdg_server_db_error (server_db, error);
  sqlite3_finalize (stmt);
  return mdg_server_db_end (server_db, ok, error);
}

static const char *
text_or_empty (sqlite3_stmt *stmt,
               int index)
{
  const unsigned char *text = sqlite3_column_text (stmt, index);

  return text != NULL ? (const char *) text : "";
}

gboolean
mdg_server_audit_verify (MdgServerDb *server_db,
                         gint64 *rows,
                         char **head,
                         GError **error)
{
  sqlite3 *db = mdg_server_db_get_handle (server_db);
  g_autofree char *prev = g_strdup (MDG_SERVER_AUDIT_GENESIS);
  sqlite3_stmt *stmt = NULL;
  gint64 expected = 1;
  int rc;

  if (sqlite3_prepare_v2 (db, "SELECT seq, time, staff, action, target, detail, prev, hash"
                              " FROM audit ORDER BY seq", -1, &stmt, NULL) != SQLITE_OK)
    return mdg_server_db_error (server_db, error);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AuditRow row = {
        sqlite3_column_int64 (stmt, 0), text_or_empty (stmt, 1), text_or_empty (stmt, 2),
        text_or_empty (stmt, 3), text_or_empty (stmt, 4), text_or_empty (stmt, 5),
      };
      g_autofree char *hash = row_hash (prev, &row, NULL);

      if (row.seq != expected || hash == NULL
          || !g_str_equal (text_or_empty (stmt, 6), prev)
          || !g_str_equal (text_or_empty (stmt, 7), hash))
        {
          g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_TAMPERED,
                       _("The audit log was altered at entry %lld."), (long long) expected);
          sqlite3_finalize (stmt);
          return FALSE;
        }
      g_free (prev);
      prev = g_strdup (text_or_empty (stmt, 7));
      expected++;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return mdg_server_db_error (server_db, error);
  if (rows != NULL)
    *rows = expected - 1;
  if (head != NULL)
    *head = g_steal_pointer (&prev);
  return TRUE;
}
