/* test-server.c: madoguchi-server over real TLS on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "app-test-util.h"
#include "mdg-app-error.h"
#include "mdg-card-signer.h"
#include "mdg-cms.h"
#include "mdg-envelope.h"
#include "mdg-jcs.h"
#include "mdg-login-signature.h"
#include "mdg-sync-problem.h"
#include "mdg-sync-receipt.h"
#include "sync-test-server.h"

typedef SyncTestServer Server;

static SoupSession *session;
static Server main_server;

typedef struct
{
  guint   status;
  char   *content_type;
  char   *etag;
  GBytes *body;
} Response;

static void
response_clear (Response *r)
{
  g_free (r->content_type);
  g_free (r->etag);
  g_clear_pointer (&r->body, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

/* @header (may be NULL) is one extra request header, "Name: value". */
static void
request_with_header (Server *s,
                     const char *method,
                     const char *path,
                     const char *token,
                     const char *content_type,
                     GBytes *body,
                     const char *header,
                     Response *r)
{
  g_autofree char *url = g_strconcat (s->uri, path + 1, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  const char *type;

  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (header != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (header, ": ", 2);

      soup_message_headers_replace (soup_message_get_request_headers (msg), parts[0], parts[1]);
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  r->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  r->content_type = g_strdup (type);
  r->etag = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "ETag"));
}

static void
request (Server *s,
         const char *method,
         const char *path,
         const char *token,
         const char *content_type,
         GBytes *body,
         Response *r)
{
  request_with_header (s, method, path, token, content_type, body, NULL, r);
}

static JsonObject *
response_object (Response *r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = mdg_jcs_parse (g_bytes_get_data (r->body, NULL),
                                            g_bytes_get_size (r->body), &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static void
assert_problem (Response *r,
                MdgSyncProblem problem)
{
  g_autoptr(JsonObject) obj = NULL;

  g_assert_cmpstr (r->content_type, ==, MDG_SYNC_PROBLEM_MEDIA_TYPE);
  g_assert_cmpuint (r->status, ==, mdg_sync_problem_get_status (problem));
  obj = response_object (r);
  g_assert_cmpstr (json_object_get_string_member (obj, "code"), ==, mdg_sync_problem_get_code (problem));
  g_assert_cmpstr (json_object_get_string_member (obj, "title"), ==, mdg_sync_problem_get_title (problem));
  g_assert_cmpstr (json_object_get_string_member (obj, "title_ja"), ==, mdg_sync_problem_get_title_ja (problem));
}

static GBytes *
get_challenge (Server *s)
{
  g_auto(Response) r = { 0 };
  g_autoptr(JsonObject) obj = NULL;
  guchar *data;
  gsize len;

  request (s, "POST", "/v1/auth/challenge", NULL, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  obj = response_object (&r);
  g_assert_true (json_object_has_member (obj, "expires"));
  data = g_base64_decode (json_object_get_string_member (obj, "challenge"), &len);
  return g_bytes_new_take (data, len);
}

static void
post_login (Server *s,
            GBytes *challenge,
            GBytes *cms,
            Response *r)
{
  g_autofree char *c64 = g_base64_encode (g_bytes_get_data (challenge, NULL), g_bytes_get_size (challenge));
  g_autofree char *s64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  g_autofree char *json = g_strdup_printf ("{\"challenge\":\"%s\",\"signature\":\"%s\"}", c64, s64);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  request (s, "POST", "/v1/auth/login", NULL, "application/json", body, r);
}

static char *
token_of (Response *r)
{
  g_autoptr(JsonObject) obj = NULL;

  g_assert_cmpuint (r->status, ==, 200);
  obj = response_object (r);
  g_assert_cmpstr (json_object_get_string_member (obj, "token_type"), ==, "Bearer");
  return g_strdup (json_object_get_string_member (obj, "token"));
}

/* Logs @persona in with its authentication key in software. */
static char *
login (Server *s,
       const char *persona)
{
  g_autoptr(MdgSigner) auth = app_test_software_signer (persona, "auth");
  g_autoptr(GBytes) challenge = get_challenge (s);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = mdg_login_signature_sign (auth, challenge, NULL, &error);
  g_auto(Response) r = { 0 };

  g_assert_no_error (error);
  post_login (s, challenge, cms, &r);
  return token_of (&r);
}

static char *
put_path (const char *uuid)
{
  return g_strconcat ("/v1/submissions/", uuid, NULL);
}

static void
test_login_card (void)
{
  g_autoptr(MdgSimCard) sim = NULL;
  g_autoptr(MdgCard) card = app_test_sim_card ("kawaguchi-76", &sim);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_AUTH, "1234", &error);
  g_autoptr(MdgSigner) signer = mdg_card_signer_new (card, MDG_JPKI_KEY_AUTH, pin, MDG_PIN_FLAGS_NONE);
  g_autoptr(GBytes) challenge = get_challenge (&main_server);
  g_autoptr(GBytes) cms = NULL;
  g_auto(Response) r = { 0 };
  g_auto(Response) list = { 0 };
  g_autofree char *token = NULL;
  g_autoptr(JsonObject) obj = NULL;

  g_assert_no_error (error);
  cms = mdg_login_signature_sign (signer, challenge, NULL, &error);
  g_assert_no_error (error);
  post_login (&main_server, challenge, cms, &r);
  token = token_of (&r);
  g_assert_cmpuint (strlen (token), >=, 40);

  request (&main_server, "GET", "/v1/submissions", token, NULL, NULL, &list);
  g_assert_cmpuint (list.status, ==, 200);
  obj = response_object (&list);
  g_assert_true (json_object_has_member (obj, "submissions"));
}

static void
test_login_replay (void)
{
  g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
  g_autoptr(GBytes) challenge = get_challenge (&main_server);
  g_autoptr(GBytes) forged = g_bytes_new_static ("madoguchi-login/1 never-issued-by-this-server",
                                                sizeof "madoguchi-login/1 never-issued-by-this-server" - 1);
  g_autoptr(GBytes) expiring = get_challenge (&main_server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = mdg_login_signature_sign (auth, challenge, NULL, &error);
  g_autoptr(GBytes) forged_cms = mdg_login_signature_sign (auth, forged, NULL, &error);
  g_autoptr(GBytes) expiring_cms = mdg_login_signature_sign (auth, expiring, NULL, &error);
  g_auto(Response) first = { 0 };
  g_auto(Response) replay = { 0 };
  g_auto(Response) unknown = { 0 };
  g_auto(Response) expired = { 0 };
  g_auto(Response) wrong = { 0 };
  g_autofree char *token = NULL;
  g_autofree char *statement = NULL;

  g_assert_no_error (error);
  post_login (&main_server, challenge, cms, &first);
  token = token_of (&first);
  post_login (&main_server, challenge, cms, &replay);
  assert_problem (&replay, MDG_SYNC_PROBLEM_CHALLENGE_USED);
  post_login (&main_server, forged, forged_cms, &unknown);
  assert_problem (&unknown, MDG_SYNC_PROBLEM_CHALLENGE_UNKNOWN);

  /* The server's clock is not moved: the challenge's expiry is. */
  statement = g_strdup_printf ("UPDATE challenges SET expires = 0 WHERE challenge = CAST('%.*s' AS BLOB)",
                               (int) g_bytes_get_size (expiring), (const char *) g_bytes_get_data (expiring, NULL));
  sync_test_sql (&main_server, statement);
  post_login (&main_server, expiring, expiring_cms, &expired);
  assert_problem (&expired, MDG_SYNC_PROBLEM_CHALLENGE_EXPIRED);

  /* A signature over another challenge consumes the challenge too. */
  {
    g_autoptr(GBytes) c2 = get_challenge (&main_server);
    g_auto(Response) again = { 0 };

    post_login (&main_server, c2, cms, &wrong);
    assert_problem (&wrong, MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID);
    post_login (&main_server, c2, cms, &again);
    assert_problem (&again, MDG_SYNC_PROBLEM_CHALLENGE_USED);
  }
}

static void
test_login_unmapped (void)
{
  g_autoptr(MdgSigner) auth = app_test_software_signer ("nagaoka-74", "auth");
  g_autoptr(MdgSigner) sign = app_test_software_signer ("kawaguchi-76", "sign");
  g_autoptr(GBytes) challenge = get_challenge (&main_server);
  g_autoptr(GBytes) c2 = get_challenge (&main_server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = mdg_login_signature_sign (auth, challenge, NULL, &error);
  g_autoptr(GBytes) sign_cms = mdg_login_signature_sign (sign, c2, NULL, &error);
  g_auto(Response) r = { 0 };
  g_auto(Response) r2 = { 0 };

  g_assert_no_error (error);
  post_login (&main_server, challenge, cms, &r);
  assert_problem (&r, MDG_SYNC_PROBLEM_PERSON_UNKNOWN);
  /* The signature key is not a login key. */
  post_login (&main_server, c2, sign_cms, &r2);
  assert_problem (&r2, MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_UNTRUSTED);
}

static void
test_login_hostile (void)
{
  const char *bodies[] = {
    "{\"challenge\":1,\"signature\":{}}", "[]", "nope", "{\"challenge\":null,\"signature\":[1]}",
    "{\"challenge\":\"!!!\",\"signature\":\"@@\"}", "",
  };
  g_auto(Response) after = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new (bodies[i], strlen (bodies[i]));
      g_auto(Response) r = { 0 };

      request (&main_server, "POST", "/v1/auth/login", NULL, "application/json", body, &r);
      assert_problem (&r, MDG_SYNC_PROBLEM_BAD_REQUEST);
    }
  /* Still serving. */
  request (&main_server, "POST", "/v1/auth/challenge", NULL, NULL, NULL, &after);
  g_assert_cmpuint (after.status, ==, 200);
}

static void
test_token_expired (void)
{
  g_autofree char *token = login (&main_server, "kawaguchi-76");
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_autofree char *statement = g_strdup_printf ("UPDATE tokens SET expires = 0 WHERE sha256 = '%s'", hash);
  g_auto(Response) before = { 0 };
  g_auto(Response) after = { 0 };
  g_auto(Response) bogus = { 0 };
  g_auto(Response) none = { 0 };

  request (&main_server, "GET", "/v1/submissions", token, NULL, NULL, &before);
  g_assert_cmpuint (before.status, ==, 200);
  sync_test_sql (&main_server, statement);
  request (&main_server, "GET", "/v1/submissions", token, NULL, NULL, &after);
  assert_problem (&after, MDG_SYNC_PROBLEM_TOKEN_EXPIRED);
  request (&main_server, "GET", "/v1/submissions", "not-a-token", NULL, NULL, &bogus);
  assert_problem (&bogus, MDG_SYNC_PROBLEM_UNAUTHORIZED);
  request (&main_server, "GET", "/v1/submissions", NULL, NULL, NULL, &none);
  assert_problem (&none, MDG_SYNC_PROBLEM_UNAUTHORIZED);
}

static gboolean
list_has (Server *s,
          const char *token,
          const char *uuid,
          const char **status_out)
{
  g_auto(Response) r = { 0 };
  g_autoptr(JsonObject) obj = NULL;
  JsonArray *items;

  request (s, "GET", "/v1/submissions", token, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  obj = response_object (&r);
  items = json_object_get_array_member (obj, "submissions");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_str_equal (json_object_get_string_member (item, "uuid"), uuid))
        {
          if (status_out != NULL)
            *status_out = g_intern_string (json_object_get_string_member (item, "status"));
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_submit_idempotent (void)
{
  const char *uuid = "0b7e3c51-6a2d-4f7e-9c1a-1d2e3f405162";
  g_autofree char *path = put_path (uuid);
  g_autofree char *token_a = login (&main_server, "kawaguchi-76");
  g_autofree char *token_b = login (&main_server, "kawasaki-parent");
  g_autoptr(GBytes) envelope = sync_test_make_envelope ("kawaguchi-76", FALSE);
  g_autoptr(GBytes) other = sync_test_make_envelope ("kawasaki-parent", FALSE);
  g_autoptr(GBytes) pem = sync_test_receipt_key_public (&main_server);
  g_autoptr(GError) error = NULL;
  g_auto(Response) first = { 0 };
  g_auto(Response) again = { 0 };
  g_auto(Response) conflict = { 0 };
  g_auto(Response) stolen = { 0 };
  g_auto(Response) peek = { 0 };
  g_auto(Response) own = { 0 };
  g_autoptr(JsonNode) receipt = NULL;
  g_autoptr(GBytes) forged = NULL;
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, envelope);
  g_autofree char *forged_text = NULL;
  EVP_PKEY *key;
  JsonObject *r;
  JsonObject *verification;
  const char *status = NULL;

  g_assert_false (g_bytes_equal (envelope, other));
  request (&main_server, "PUT", path, token_a, "application/zip", envelope, &first);
  g_assert_cmpuint (first.status, ==, 201);
  request (&main_server, "PUT", path, token_a, "application/zip", envelope, &again);
  g_assert_cmpuint (again.status, ==, 200);
  g_assert_true (g_bytes_equal (first.body, again.body));
  request (&main_server, "PUT", path, token_a, "application/zip", other, &conflict);
  assert_problem (&conflict, MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT);

  /* Resident B neither sees A's submission nor can claim its UUID. */
  g_assert_true (list_has (&main_server, token_a, uuid, &status));
  g_assert_cmpstr (status, ==, "received");
  g_assert_false (list_has (&main_server, token_b, uuid, NULL));
  request (&main_server, "GET", path, token_b, NULL, NULL, &peek);
  assert_problem (&peek, MDG_SYNC_PROBLEM_NOT_FOUND);
  request (&main_server, "GET", path, token_a, NULL, NULL, &own);
  g_assert_cmpuint (own.status, ==, 200);
  request (&main_server, "PUT", path, token_b, "application/zip", envelope, &stolen);
  assert_problem (&stolen, MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT);

  /* The receipt verifies offline with the published key only. */
  key = mdg_sync_key_from_pem (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem), FALSE, &error);
  g_assert_no_error (error);
  receipt = mdg_sync_receipt_verify (first.body, key, &error);
  g_assert_no_error (error);
  r = json_node_get_object (receipt);
  g_assert_cmpstr (json_object_get_string_member (r, "submission"), ==, uuid);
  g_assert_cmpstr (json_object_get_string_member (r, "envelope_sha256"), ==, sha);
  g_assert_cmpint (json_object_get_int_member (r, "envelope_size"), ==, g_bytes_get_size (envelope));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (r, "receipt_number"), "MDG-"));
  verification = json_object_get_object_member (r, "verification");
  g_assert_true (json_object_get_boolean_member (verification, "valid"));
  g_assert_true (json_object_get_boolean_member (verification, "certificate_valid_at_receipt"));

  /* One changed byte of the receipt and it no longer verifies. */
  forged_text = g_strndup (g_bytes_get_data (first.body, NULL), g_bytes_get_size (first.body));
  *strstr (forged_text, "MDG-") = 'X';
  forged = g_bytes_new (forged_text, strlen (forged_text));
  g_clear_pointer (&receipt, json_node_unref);
  receipt = mdg_sync_receipt_verify (forged, key, &error);
  g_assert_null (receipt);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY);
  EVP_PKEY_free (key);
}

static void
test_submit_tampered (void)
{
  const char *uuid = "7d9a0f3e-2b4c-4d5e-8f60-718293a4b5c6";
  g_autofree char *path = put_path (uuid);
  g_autofree char *token = login (&main_server, "kawaguchi-76");
  g_autoptr(GBytes) tampered = sync_test_make_envelope ("kawaguchi-76", TRUE);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("PK\003\004 not a zip", sizeof "PK\003\004 not a zip" - 1);
  g_auto(Response) r = { 0 };
  g_auto(Response) r2 = { 0 };
  g_auto(Response) r3 = { 0 };

  request (&main_server, "PUT", path, token, "application/zip", tampered, &r);
  assert_problem (&r, MDG_SYNC_PROBLEM_ENVELOPE_SIGNATURE_INVALID);
  request (&main_server, "PUT", path, token, "application/zip", garbage, &r2);
  assert_problem (&r2, MDG_SYNC_PROBLEM_ENVELOPE_MALFORMED);
  request (&main_server, "PUT", path, token, "text/plain", garbage, &r3);
  assert_problem (&r3, MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE);
  /* Nothing was stored, so no receipt and no entry. */
  g_assert_false (list_has (&main_server, token, uuid, NULL));
}

static void
test_production_refuses_test_root (void)
{
  Server production = { 0 };
  const char *uuid = "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d";
  g_autofree char *path = put_path (uuid);
  g_autoptr(GBytes) envelope = sync_test_make_envelope ("kawaguchi-76", FALSE);
  g_autofree char *token = NULL;
  g_auto(Response) r = { 0 };

  sync_test_server_start (&production, "production", "production", FALSE);
  token = login (&production, "kawaguchi-76");
  request (&production, "PUT", path, token, "application/zip", envelope, &r);
  assert_problem (&r, MDG_SYNC_PROBLEM_ENVELOPE_TEST_ROOT);
  g_assert_false (list_has (&production, token, uuid, NULL));
  /* No [catalog] configured: no catalog. */
  {
    g_auto(Response) catalog = { 0 };

    request (&production, "GET", "/v1/catalog", NULL, NULL, NULL, &catalog);
    assert_problem (&catalog, MDG_SYNC_PROBLEM_NOT_FOUND);
  }
  sync_test_server_stop (&production);
}

static void
test_status_and_audit (void)
{
  const char *uuid = "5c6d7e8f-9a0b-4c1d-9e2f-3a4b5c6d7e8f";
  g_autofree char *path = put_path (uuid);
  g_autofree char *token = login (&main_server, "kawasaki-parent");
  g_autoptr(GBytes) envelope = sync_test_make_envelope ("kawasaki-parent", FALSE);
  g_auto(Response) put = { 0 };
  g_auto(Response) one = { 0 };
  g_autoptr(JsonObject) obj = NULL;
  JsonArray *history;
  const char *status = NULL;

  request (&main_server, "PUT", path, token, "application/zip", envelope, &put);
  g_assert_cmpuint (put.status, ==, 201);
  g_assert_cmpint (sync_test_admin (&main_server, "set-status", uuid, "under-review", NULL, NULL), ==, 0);
  g_assert_cmpint (sync_test_admin (&main_server, "set-status", uuid, "correction-requested",
                          "--comment", "保険証の写しを添付してください"), ==, 0);
  g_assert_cmpint (sync_test_admin (&main_server, "set-status", uuid, "no-such-status", NULL, NULL), ==, 2);
  g_assert_true (list_has (&main_server, token, uuid, &status));
  g_assert_cmpstr (status, ==, "correction-requested");
  request (&main_server, "GET", path, token, NULL, NULL, &one);
  g_assert_cmpuint (one.status, ==, 200);
  obj = response_object (&one);
  g_assert_cmpstr (json_object_get_string_member (obj, "comment"), ==, "保険証の写しを添付してください");
  history = json_object_get_array_member (obj, "history");
  g_assert_cmpuint (json_array_get_length (history), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (history, 0), "status"),
                   ==, "received");

  /* An unknown staff account does nothing. */
  {
    const char *argv[] = { sync_test_server_exe (), "admin", "--config", main_server.config, "--as", "mallory",
                           "set-status", uuid, "decided", NULL };
    int exit_status;

    g_free (sync_test_run (argv, &exit_status));
    g_assert_cmpint (exit_status, ==, 1);
  }

  g_assert_cmpint (sync_test_admin (&main_server, "list", NULL, NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (sync_test_admin (&main_server, "audit-verify", NULL, NULL, NULL, NULL), ==, 0);
  sync_test_sql (&main_server, "UPDATE audit SET detail = 'decided' WHERE action = 'set-status'"
                     " AND seq = (SELECT min(seq) FROM audit WHERE action = 'set-status')");
  g_assert_cmpint (sync_test_admin (&main_server, "audit-verify", NULL, NULL, NULL, NULL), ==, 3);
}

static JsonArray *
get_records (const char *token)
{
  g_auto(Response) r = { 0 };
  g_autoptr(JsonObject) obj = NULL;

  request (&main_server, "GET", "/v1/records", token, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (r.content_type, ==, "application/json");
  obj = response_object (&r);
  return json_array_ref (json_object_get_array_member (obj, "records"));
}

static gint64
sql_count (Server *s,
           const char *query)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_open (s->database, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, query, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

static char *
write_import (const char *name,
              const char *json)
{
  char *path = g_build_filename (main_server.dir, name, NULL);

  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  return path;
}

static void
test_records (void)
{
  g_autofree char *file = write_import ("records.json",
    "[{\"resident\": \"RES-A\", \"records\": ["
    "  {\"certificate_type_id\": \"T01\", \"certificate_name\": \"小児医療証\","
    "   \"payer_number\": \"88141012\", \"recipient_number\": \"1234567\","
    "   \"copay_caps\": [{\"id\": \"c1\", \"kind\": \"visit\", \"definition\": \"1回\","
    "                     \"rate\": 0, \"amount\": 500, \"count\": 0}],"
    "   \"valid_from\": \"2026-04-01\", \"valid_until\": \"2027-03-31\", \"forced_expiry\": null,"
    "   \"items\": [{\"label\": \"決定\", \"value\": \"支給\", \"order\": 1}]},"
    "  {\"certificate_name\": \"ひとり親医療証\", \"recipient_number\": \"7654321\", \"suppressed\": true}]},"
    " {\"resident\": \"RES-B\", \"records\": ["
    "  {\"certificate_name\": \"子ども医療証\", \"payer_number\": \"88999999\","
    "   \"recipient_number\": \"7777777\"}]}]");
  g_autofree char *bad = write_import ("bad.json",
    "[{\"resident\": \"RES-A\", \"records\": [{\"payer_number\": \"1\", \"my_number\": \"123456789012\"}]}]");
  g_autofree char *token_a = login (&main_server, "kawaguchi-76");
  g_autofree char *token_b = login (&main_server, "kawasaki-parent");
  g_autoptr(JsonArray) before = get_records (token_a);
  g_autoptr(JsonArray) a = NULL;
  g_autoptr(JsonArray) b = NULL;
  g_autoptr(JsonArray) a_again = NULL;
  g_auto(Response) none = { 0 };
  JsonObject *first;
  JsonObject *suppressed;
  JsonObject *cap;

  g_assert_cmpuint (json_array_get_length (before), ==, 0);
  request (&main_server, "GET", "/v1/records", NULL, NULL, NULL, &none);
  assert_problem (&none, MDG_SYNC_PROBLEM_UNAUTHORIZED);

  g_assert_cmpint (sync_test_admin (&main_server, "import-records", file, NULL, NULL, NULL), ==, 0);
  a = get_records (token_a);
  b = get_records (token_b);
  g_assert_cmpuint (json_array_get_length (a), ==, 2);
  g_assert_cmpuint (json_array_get_length (b), ==, 1);
  first = json_array_get_object_element (a, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "certificate_name"), ==, "小児医療証");
  g_assert_cmpstr (json_object_get_string_member (first, "payer_number"), ==, "88141012");
  g_assert_cmpstr (json_object_get_string_member (first, "recipient_number"), ==, "1234567");
  g_assert_cmpstr (json_object_get_string_member (first, "valid_until"), ==, "2027-03-31");
  g_assert_false (json_object_get_boolean_member (first, "suppressed"));
  cap = json_array_get_object_element (json_object_get_array_member (first, "copay_caps"), 0);
  g_assert_cmpint (json_object_get_int_member (cap, "amount"), ==, 500);
  /* A suppressed record shows nothing but that it is suppressed. */
  suppressed = json_array_get_object_element (a, 1);
  g_assert_true (json_object_get_boolean_member (suppressed, "suppressed"));
  g_assert_cmpuint (json_object_get_size (suppressed), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (b, 0), "recipient_number"),
                   ==, "7777777");

  /* An unknown member (here a 個人番号) refuses the whole file. */
  g_assert_cmpint (sync_test_admin (&main_server, "import-records", bad, NULL, NULL, NULL), ==, 2);
  a_again = get_records (token_a);
  g_assert_cmpuint (json_array_get_length (a_again), ==, 2);

  /* The import is audited, by hash only, and the chain still holds. */
  g_assert_cmpint (sql_count (&main_server, "SELECT count(*) FROM audit WHERE action = 'import-records'"
                                            " AND length(target) = 64"), ==, 1);
  g_assert_cmpint (sql_count (&main_server, "SELECT count(*) FROM audit WHERE detail LIKE '%1234567%'"
                                            " OR target LIKE '%1234567%' OR detail LIKE '%88141012%'"), ==, 0);
  g_assert_cmpint (sync_test_admin (&main_server, "audit-verify", NULL, NULL, NULL, NULL), ==, 0);
  g_remove (file);
  g_remove (bad);
}

static void
test_catalog (void)
{
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) sync_test_catalog_bytes,
                                                      sync_test_catalog_size);
  g_autofree char *etag = g_strdup_printf ("\"%s\"", sha);
  g_autofree char *match = NULL;
  g_autoptr(GBytes) expected = g_bytes_new_static (sync_test_catalog_bytes, sync_test_catalog_size);
  g_auto(Response) r = { 0 };
  g_auto(Response) same = { 0 };
  g_auto(Response) other = { 0 };

  request (&main_server, "GET", "/v1/catalog", NULL, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (r.content_type, ==, "application/octet-stream");
  g_assert_cmpstr (r.etag, ==, etag);
  g_assert_true (g_bytes_equal (r.body, expected));

  match = g_strconcat ("If-None-Match: ", r.etag, NULL);
  request_with_header (&main_server, "GET", "/v1/catalog", NULL, NULL, NULL, match, &same);
  g_assert_cmpuint (same.status, ==, 304);
  g_assert_cmpuint (g_bytes_get_size (same.body), ==, 0);
  g_assert_cmpstr (same.etag, ==, etag);

  request_with_header (&main_server, "GET", "/v1/catalog", NULL, NULL, NULL,
                       "If-None-Match: \"0000\"", &other);
  g_assert_cmpuint (other.status, ==, 200);
  g_assert_true (g_bytes_equal (other.body, expected));
}

int
main (int argc,
      char *argv[])
{
  g_autoptr(GTlsDatabase) tls_db = NULL;
  g_autoptr(GProxyResolver) proxy = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  sync_test_setup (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  /* The client trusts exactly the test server's certificate. */
  tls_db = g_tls_file_database_new (sync_test_tls_cert (), &error);
  g_assert_no_error (error);
  /* Loopback only, and no proxy lookup (libproxy is C++ and trips ASan). */
  proxy = g_simple_proxy_resolver_new (NULL, NULL);
  session = soup_session_new_with_options ("tls-database", tls_db, "proxy-resolver", proxy, NULL);
  sync_test_server_start (&main_server, "main", "test", TRUE);

  g_test_add_func ("/sync/login/card", test_login_card);
  g_test_add_func ("/sync/login/replay", test_login_replay);
  g_test_add_func ("/sync/login/unmapped", test_login_unmapped);
  g_test_add_func ("/sync/login/hostile-body", test_login_hostile);
  g_test_add_func ("/sync/login/token-expired", test_token_expired);
  g_test_add_func ("/sync/submit/idempotent-receipt", test_submit_idempotent);
  g_test_add_func ("/sync/submit/tampered", test_submit_tampered);
  g_test_add_func ("/sync/submit/production-refuses-test-root", test_production_refuses_test_root);
  /* Before status-and-audit, which ends by breaking the audit chain. */
  g_test_add_func ("/sync/records/own-only", test_records);
  g_test_add_func ("/sync/admin/status-and-audit", test_status_and_audit);
  g_test_add_func ("/sync/catalog/etag", test_catalog);
  status = g_test_run ();

  sync_test_server_stop (&main_server);
  g_clear_object (&session);
  sync_test_teardown ();
  return status;
}
