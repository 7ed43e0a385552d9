/* test-server-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sqlite3.h>

#include "app-test-util.h"
#include "mdg-jcs.h"
#include "mdg-login-signature.h"
#include "test-server-http.h"

void
test_response_clear (TestResponse *r)
{
  g_clear_pointer (&r->content_type, g_free);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
}

SoupSession *
test_http_session_new (void)
{
  g_autoptr(GTlsDatabase) tls_db = NULL;
  g_autoptr(GProxyResolver) proxy = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr(GError) error = NULL;

  tls_db = g_tls_file_database_new (sync_test_tls_cert (), &error);
  g_assert_no_error (error);
  /* Loopback only, and no proxy lookup (libproxy is C++ and trips ASan). */
  return soup_session_new_with_options ("tls-database", tls_db, "proxy-resolver", proxy, NULL);
}

void
test_http_request (SoupSession *session,
                   SyncTestServer *s,
                   const char *method,
                   const char *path,
                   const char *token,
                   const char *content_type,
                   GBytes *body,
                   const char *header,
                   TestResponse *r)
{
  g_autofree char *url = g_strconcat (s->uri, path + 1, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *req = soup_message_get_request_headers (msg);

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (req, "Authorization", auth);
    }
  if (header != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (header, ": ", 2);

      soup_message_headers_replace (req, parts[0], parts[1]);
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  r->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  r->content_type = g_strdup (soup_message_headers_get_content_type (r->headers, NULL));
}

JsonObject *
test_http_object (TestResponse *r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = mdg_jcs_parse (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

void
test_http_assert_problem (TestResponse *r,
                          MdgSyncProblem problem)
{
  g_autoptr(JsonObject) obj = NULL;

  if (r->status != mdg_sync_problem_get_status (problem))
    g_test_message ("unexpected answer %u: %.*s", r->status, (int) MIN (g_bytes_get_size (r->body), 400),
                    (const char *) g_bytes_get_data (r->body, NULL));
  g_assert_cmpstr (r->content_type, ==, MDG_SYNC_PROBLEM_MEDIA_TYPE);
  g_assert_cmpuint (r->status, ==, mdg_sync_problem_get_status (problem));
  obj = test_http_object (r);
  g_assert_cmpstr (json_object_get_string_member (obj, "code"), ==, mdg_sync_problem_get_code (problem));
  g_assert_cmpstr (json_object_get_string_member (obj, "title"), ==, mdg_sync_problem_get_title (problem));
  g_assert_cmpstr (json_object_get_string_member (obj, "title_ja"), ==, mdg_sync_problem_get_title_ja (problem));
}

GBytes *
test_http_challenge (SoupSession *session,
                     SyncTestServer *s)
{
  g_auto(TestResponse) r = { 0 };
  g_autoptr(JsonObject) obj = NULL;
  guchar *data;
  gsize len;

  test_http_request (session, s, "POST", "/v1/auth/challenge", NULL, NULL, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  obj = test_http_object (&r);
  g_assert_true (json_object_has_member (obj, "expires"));
  data = g_base64_decode (json_object_get_string_member (obj, "challenge"), &len);
  return g_bytes_new_take (data, len);
}

void
test_http_post_login (SoupSession *session,
                      SyncTestServer *s,
                      GBytes *challenge,
                      GBytes *cms,
                      gboolean staff,
                      TestResponse *r)
{
  g_autofree char *c64 = g_base64_encode (g_bytes_get_data (challenge, NULL), g_bytes_get_size (challenge));
  g_autofree char *s64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  g_autofree char *json = g_strdup_printf ("{\"challenge\":\"%s\",\"signature\":\"%s\"}", c64, s64);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  test_http_request (session, s, "POST", staff ? "/v1/admin/auth/login" : "/v1/auth/login", NULL,
                     "application/json", body, NULL, r);
}

char *
test_http_token (TestResponse *r)
{
  g_autoptr(JsonObject) obj = NULL;

  g_assert_cmpuint (r->status, ==, 200);
  obj = test_http_object (r);
  g_assert_cmpstr (json_object_get_string_member (obj, "token_type"), ==, "Bearer");
  return g_strdup (json_object_get_string_member (obj, "token"));
}

void
test_http_login_response (SoupSession *session,
                          SyncTestServer *s,
                          const char *persona,
                          gboolean staff,
                          TestResponse *r)
{
  g_autoptr(MdgSigner) auth = app_test_software_signer (persona, "auth");
  g_autoptr(GBytes) challenge = test_http_challenge (session, s);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = mdg_login_signature_sign (auth, challenge, NULL, &error);

  g_assert_no_error (error);
  test_http_post_login (session, s, challenge, cms, staff, r);
}

char *
test_http_login (SoupSession *session,
                 SyncTestServer *s,
                 const char *persona,
                 gboolean staff)
{
  g_auto(TestResponse) r = { 0 };

  test_http_login_response (session, s, persona, staff, &r);
  return test_http_token (&r);
}

gint64
test_http_sql_int (SyncTestServer *s,
                   const char *query)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open (s->database, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, query, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

void
test_http_sql_exec (SyncTestServer *s,
                    const char *statement)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (s->database, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_exec (db, statement, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}
