/* mdg-server-staff.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "mdg-envelope.h"
#include "mdg-server-audit.h"
#include "mdg-server-db-private.h"
#include "mdg-server-mask.h"
#include "mdg-server-staff.h"

/* Runs @write's effect and its audit row as one transaction. */
static gboolean
audited_end (MdgServerDb *db,
             gboolean ok,
             const char *staff,
             const char *action,
             const char *target,
             const char *detail,
             GError **error)
{
  ok = ok && mdg_server_audit_append (db, staff, action, target, detail, error);
  return mdg_server_db_end (db, ok, error);
}

gboolean
mdg_server_staff_set_status (MdgServerDb *db,
                             const char *staff,
                             const char *uuid,
                             const char *status,
                             const char *comment,
                             GError **error)
{
  g_autofree char *detail = NULL;
  g_autofree char *comment_hash = NULL;

  /* The comment may name people; the audit keeps only its hash. */
  if (comment != NULL)
    comment_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, comment, -1);
  detail = comment_hash != NULL ? g_strdup_printf ("%s comment-sha256=%s", status, comment_hash)
                                : g_strdup (status);
  if (!mdg_server_db_begin (db, error))
    return FALSE;
  return audited_end (db, mdg_server_db_set_status (db, uuid, status, comment, staff, error),
                      staff, "set-status", uuid, detail, error);
}

gboolean
mdg_server_staff_map_person (MdgServerDb *db,
                             const char *staff,
                             const char *serial,
                             const char *resident,
                             GError **error)
{
  if (!mdg_server_db_begin (db, error))
    return FALSE;
  return audited_end (db, mdg_server_db_map_person (db, serial, resident, staff, error),
                      staff, "map-person", serial, resident, error);
}

JsonNode *
mdg_server_staff_list (MdgServerDb *db,
                       const char *staff,
                       const char *status,
                       GError **error)
{
  g_autoptr(JsonNode) list = NULL;

  /* The read is audited before anything is shown. */
  if (!mdg_server_db_begin (db, error))
    return NULL;
  list = mdg_server_db_list_staff (db, status, NULL, error);
  if (!audited_end (db, list != NULL, staff, "list", "*", status != NULL ? status : "", error))
    return NULL;
  return g_steal_pointer (&list);
}

char *
mdg_server_staff_envelope_path (MdgServerDb *db,
                                MdgServerConfig *config,
                                const char *uuid,
                                gboolean *temporary,
                                GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (db, "SELECT envelope_file, envelope FROM submissions"
                                                  " WHERE uuid = ? AND purged IS NULL", error);
  g_autofree char *file = NULL;
  g_autofree char *tmp = NULL;
  gboolean ok = FALSE;
  int rc;

  *temporary = FALSE;
  if (stmt == NULL)
    return NULL;
  mdg_server_db_bind_text (stmt, 1, uuid);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && (file = mdg_server_db_column_text (stmt, 0)) == NULL
      && sqlite3_column_bytes (stmt, 1) > 0)
    {
      int fd;

      tmp = g_build_filename (config->envelope_dir, "legacy-XXXXXX", NULL);
      fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          close (fd);
          ok = g_file_set_contents_full (tmp, sqlite3_column_blob (stmt, 1), sqlite3_column_bytes (stmt, 1),
                                         G_FILE_SET_CONTENTS_NONE, 0600, error);
          if (!ok)
            g_unlink (tmp);
        }
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s", g_strerror (errno));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      mdg_server_db_error (db, error);
      return NULL;
    }
  if (file != NULL)
    return g_build_filename (config->envelope_dir, file, NULL);
  if (ok)
    {
      *temporary = TRUE;
      return g_steal_pointer (&tmp);
    }
  if (error != NULL && *error == NULL)
    g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_NOT_FOUND,
                 _("The envelope of “%s” is not kept (purged or never stored)."), uuid);
  return NULL;
}

/* The application document of @uuid's envelope, or a JSON null. */
static JsonNode *
read_document (MdgServerDb *db,
               MdgServerConfig *config,
               const char *uuid,
               GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(MdgEnvelope) env = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gboolean temporary = FALSE;
  g_autofree char *path = mdg_server_staff_envelope_path (db, config, uuid, &temporary, &local);
  GBytes *doc;

  if (path == NULL)
    {
      if (g_error_matches (local, MDG_SERVER_ERROR, MDG_SERVER_ERROR_NOT_FOUND))
        return json_node_new (JSON_NODE_NULL);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  env = mdg_envelope_open (path, error);
  if (temporary)
    g_unlink (path);
  if (env == NULL)
    return NULL;
  doc = mdg_envelope_get_document (env);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (doc, NULL), g_bytes_get_size (doc), error))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

JsonNode *
mdg_server_staff_show (MdgServerDb *db,
                       MdgServerConfig *config,
                       const char *staff,
                       const char *uuid,
                       GError **error)
{
  gboolean may_see = mdg_server_db_staff_has_right (db, staff, MDG_SERVER_RIGHT_MY_NUMBER);
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(JsonNode) item = NULL;
  JsonArray *items;
  gboolean ok;

  if (!mdg_server_db_begin (db, error))
    return NULL;
  list = mdg_server_db_list_staff (db, NULL, uuid, error);
  ok = list != NULL;
  if (ok && json_array_get_length (json_node_get_array (list)) == 0)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_NOT_FOUND, _("There is no submission “%s”."), uuid);
      ok = FALSE;
    }
  if (!audited_end (db, ok, staff, "show", uuid, may_see ? "my-number=shown" : "my-number=masked", error))
    return NULL;

  items = json_node_get_array (list);
  item = json_node_copy (json_array_get_element (items, 0));
  document = read_document (db, config, uuid, error);
  if (document == NULL)
    return NULL;
  if (!may_see)
    mdg_server_mask_my_numbers (document);
  json_object_set_member (json_node_get_object (item), "document", g_steal_pointer (&document));
  return g_steal_pointer (&item);
}
