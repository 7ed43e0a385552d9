/* mdg-server-admin-api.c: the authenticated staff API under /v1/admin/
 *
 * Staff log in with their own card's authentication key through the same
 * challenge as residents; their tokens live in a table of their own, so a
 * resident token never opens /v1/admin/ and a staff token never opens the
 * resident endpoints. Every read and write is audited (mdg-server-staff.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mdg-server-http.h"
#include "mdg-server-private.h"
#include "mdg-server-staff.h"
#include "mdg-sync-json.h"

static void
handle_admin_login (SoupServer *server,
                    SoupServerMessage *msg,
                    const char *path,
                    GHashTable *query,
                    gpointer user_data)
{
  if (!g_str_equal (path, "/v1/admin/auth/login"))
    mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
  else
    mdg_server_login (user_data, msg, MDG_SERVER_ROLE_STAFF);
}

static void
send_error (SoupServerMessage *msg,
            GError *error)
{
  if (g_error_matches (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_NOT_FOUND))
    mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
  else if (g_error_matches (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID))
    mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST, error->message);
  else
    mdg_server_http_send_internal (msg, error);
}

static void
list_submissions (MdgServer *self,
                  SoupServerMessage *msg,
                  const char *staff,
                  GHashTable *query)
{
  const char *status = query != NULL ? g_hash_table_lookup (query, "status") : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = mdg_server_staff_list (mdg_server_get_db (self), staff, status, &error);

  if (list == NULL)
    send_error (msg, error);
  else
    mdg_server_http_send_member (msg, "submissions", g_steal_pointer (&list));
}

static void
show_submission (MdgServer *self,
                 SoupServerMessage *msg,
                 const char *staff,
                 const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) item = mdg_server_staff_show (mdg_server_get_db (self), mdg_server_get_config (self),
                                                    staff, uuid, &error);

  if (item == NULL)
    send_error (msg, error);
  else
    mdg_server_http_send_json (msg, SOUP_STATUS_OK, item);
}

static void
post_status (MdgServer *self,
             SoupServerMessage *msg,
             const char *staff,
             const char *uuid)
{
  g_autoptr(GBytes) body = mdg_server_http_request_body (msg);
  g_autoptr(JsonObject) req = mdg_server_http_parse_object (body);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  const char *status = req != NULL ? mdg_sync_json_get_string (req, "status") : NULL;
  const char *comment = req != NULL ? mdg_sync_json_get_string (req, "comment") : NULL;

  if (status == NULL)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST, "status is required");
      return;
    }
  if (!mdg_server_staff_set_status (mdg_server_get_db (self), staff, uuid, status, comment, &error))
    {
      send_error (msg, error);
      return;
    }
  list = mdg_server_db_list_staff (mdg_server_get_db (self), NULL, uuid, &error);
  if (list == NULL)
    mdg_server_http_send_internal (msg, error);
  else
    mdg_server_http_send_json (msg, SOUP_STATUS_OK, json_array_get_element (json_node_get_array (list), 0));
}

static void
handle_admin_submissions (SoupServer *server,
                          SoupServerMessage *msg,
                          const char *path,
                          GHashTable *query,
                          gpointer user_data)
{
  MdgServer *self = user_data;
  g_autofree char *staff = NULL;
  g_autofree char *uuid = NULL;
  gboolean status_path;

  if (!mdg_server_http_parse_path (msg, path, "/v1/admin/submissions", "/status", g_uuid_string_is_valid,
                                   &uuid, &status_path)
      || !mdg_server_http_require_method (msg, status_path ? SOUP_METHOD_POST : SOUP_METHOD_GET)
      || (staff = mdg_server_authenticate (self, msg, MDG_SERVER_ROLE_STAFF)) == NULL)
    return;
  if (status_path)
    post_status (self, msg, staff, uuid);
  else if (uuid != NULL)
    show_submission (self, msg, staff, uuid);
  else
    list_submissions (self, msg, staff, query);
}

static void
handle_admin_mappings (SoupServer *server,
                       SoupServerMessage *msg,
                       const char *path,
                       GHashTable *query,
                       gpointer user_data)
{
  MdgServer *self = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) req = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *staff = NULL;
  g_autofree char *serial = NULL;
  const char *resident;

  if (!mdg_server_http_require_route (msg, path, "/v1/admin/person-mappings", SOUP_METHOD_POST)
      || (staff = mdg_server_authenticate (self, msg, MDG_SERVER_ROLE_STAFF)) == NULL)
    return;
  body = mdg_server_http_request_body (msg);
  req = mdg_server_http_parse_object (body);
  resident = req != NULL ? mdg_sync_json_get_string (req, "resident") : NULL;
  if (req != NULL && mdg_sync_json_get_string (req, "serial") != NULL)
    serial = g_ascii_strup (mdg_sync_json_get_string (req, "serial"), -1);
  if (serial == NULL || *serial == '\0' || strspn (serial, "0123456789ABCDEF") != strlen (serial)
      || resident == NULL || *resident == '\0')
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST, "serial (hex) and resident are required");
      return;
    }
  if (!mdg_server_staff_map_person (mdg_server_get_db (self), staff, serial, resident, &error))
    {
      send_error (msg, error);
      return;
    }
  obj = json_object_new ();
  json_object_set_string_member (obj, "serial", serial);
  json_object_set_string_member (obj, "resident", resident);
  mdg_server_http_send_object (msg, SOUP_STATUS_OK, obj);
}

void
mdg_server_admin_api_register (MdgServer *self)
{
  mdg_server_add_route (self, "/v1/admin/auth/login", handle_admin_login);
  mdg_server_add_route (self, "/v1/admin/submissions", handle_admin_submissions);
  mdg_server_add_route (self, "/v1/admin/person-mappings", handle_admin_mappings);
}
