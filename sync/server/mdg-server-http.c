/* mdg-server-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <openssl/rand.h>

#include "mdg-server-http.h"
#include "mdg-sync-json.h"

gint64
mdg_server_http_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

void
mdg_server_http_send_bytes (SoupServerMessage *msg,
                            guint status,
                            const char *content_type,
                            GBytes *body)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, data, len);
}

void
mdg_server_http_send_problem (SoupServerMessage *msg,
                              MdgSyncProblem problem,
                              const char *detail)
{
  g_autoptr(GBytes) body = mdg_sync_problem_to_json (problem, detail);

  if (problem == MDG_SYNC_PROBLEM_UNAUTHORIZED || problem == MDG_SYNC_PROBLEM_TOKEN_EXPIRED)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "WWW-Authenticate", "Bearer");
  mdg_server_http_send_bytes (msg, mdg_sync_problem_get_status (problem), MDG_SYNC_PROBLEM_MEDIA_TYPE, body);
}

void
mdg_server_http_send_json (SoupServerMessage *msg,
                           guint status,
                           JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GBytes) body = NULL;
  gsize len;
  char *text;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  body = g_bytes_new_take (text, len);
  mdg_server_http_send_bytes (msg, status, "application/json", body);
}

void
mdg_server_http_send_object (SoupServerMessage *msg,
                             guint status,
                             JsonObject *obj)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), obj);

  mdg_server_http_send_json (msg, status, node);
}

void
mdg_server_http_send_internal (SoupServerMessage *msg,
                               GError *error)
{
  g_warning ("Request failed: %s", error != NULL ? error->message : "?");
  mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_INTERNAL, NULL);
}

GBytes *
mdg_server_http_request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

JsonObject *
mdg_server_http_parse_object (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (body == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

GBytes *
mdg_server_http_get_base64 (JsonObject *obj,
                            const char *name)
{
  const char *text = mdg_sync_json_get_string (obj, name);
  guchar *data;
  gsize len = 0;

  if (text == NULL || *text == '\0')
    return NULL;
  data = g_base64_decode (text, &len);
  if (len == 0)
    {
      g_free (data);
      return NULL;
    }
  return g_bytes_new_take (data, len);
}

gboolean
mdg_server_http_require_method (SoupServerMessage *msg,
                                const char *method)
{
  if (g_str_equal (soup_server_message_get_method (msg), method))
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", method);
  soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
  return FALSE;
}

gboolean
mdg_server_http_require_route (SoupServerMessage *msg,
                               const char *path,
                               const char *expected,
                               const char *method)
{
  if (!g_str_equal (path, expected))
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
      return FALSE;
    }
  return mdg_server_http_require_method (msg, method);
}

gboolean
mdg_server_http_parse_path (SoupServerMessage *msg,
                            const char *path,
                            const char *collection,
                            const char *sub,
                            gboolean (*check_id) (const char *id),
                            char **id,
                            gboolean *at_sub)
{
  const char *rest = g_str_has_prefix (path, collection) ? path + strlen (collection) : NULL;
  const char *slash = rest != NULL && *rest == '/' ? strchr (rest + 1, '/') : NULL;
  g_autofree char *raw = NULL;

  *id = NULL;
  *at_sub = FALSE;
  if (rest != NULL && *rest == '\0')
    return TRUE;
  if (rest != NULL && *rest == '/')
    raw = slash != NULL ? g_strndup (rest + 1, slash - rest - 1) : g_strdup (rest + 1);
  if (raw == NULL || !check_id (raw) || (slash != NULL && (sub == NULL || !g_str_equal (slash, sub))))
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
      return FALSE;
    }
  *id = g_ascii_strdown (raw, -1);
  *at_sub = slash != NULL;
  return TRUE;
}

void
mdg_server_http_send_member (SoupServerMessage *msg,
                             const char *name,
                             JsonNode *value)
{
  g_autoptr(JsonObject) obj = json_object_new ();

  json_object_set_member (obj, name, value);
  mdg_server_http_send_object (msg, SOUP_STATUS_OK, obj);
}

char *
mdg_server_http_bearer_sha256 (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0 || header[7] == '\0')
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_UNAUTHORIZED, NULL);
      return NULL;
    }
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, header + 7, -1);
}

char *
mdg_server_http_new_token (void)
{
  guchar rnd[32];
  char *token;

  if (RAND_bytes (rnd, sizeof rnd) != 1)
    return NULL;
  token = g_base64_encode (rnd, sizeof rnd);
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_strdelimit (token, "=", '\0');
  return token;
}
