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

#include "app-test-util.h"
#include "mdg-app-error.h"
#include "mdg-card-signer.h"
#include "mdg-cms.h"
#include "mdg-envelope.h"
#include "mdg-jcs.h"
#include "mdg-login-signature.h"
#include "mdg-sync-problem.h"
#include "mdg-sync-receipt.h"
#include "test-server-http.h"

static SoupSession *session;
static SyncTestServer main_server;

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
  g_autoptr(GBytes) challenge = test_http_challenge (session, &main_server);
  g_autoptr(GBytes) cms = NULL;
  g_auto(TestResponse) r = { 0 };
  g_auto(TestResponse) list = { 0 };
  g_autofree char *token = NULL;
  g_autoptr(JsonObject) obj = NULL;

  g_assert_no_error (error);
  cms = mdg_login_signature_sign (signer, challenge, NULL, &error);
  g_assert_no_error (error);
  test_http_post_login (session, &main_server, challenge, cms, FALSE, &r);
  token = test_http_token (&r);
  g_assert_cmpuint (strlen (token), >=, 40);

  test_http_request (session, &main_server, "GET", "/v1/submissions", token, NULL, NULL, NULL, &list);
  g_assert_cmpuint (list.status, ==, 200);
  obj = test_http_object (&list);
  g_assert_true (json_object_has_member (obj, "submissions"));
}

static void
test_login_replay (void)
{
  g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
  g_autoptr(GBytes) challenge = test_http_challenge (session, &main_server);
  g_autoptr(GBytes) forged = g_bytes_new_static ("madoguchi-login/1 never-issued-by-this-server",
                                                sizeof "madoguchi-login/1 never-issued-by-this-server" - 1);
  g_autoptr(GBytes) expiring = test_http_challenge (session, &main_server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = mdg_login_signature_sign (auth, challenge, NULL, &error);
  g_autoptr(GBytes) forged_cms = mdg_login_signature_sign (auth, forged, NULL, &error);
  g_autoptr(GBytes) expiring_cms = mdg_login_signature_sign (auth, expiring, NULL, &error);
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) replay = { 0 };
  g_auto(TestResponse) unknown = { 0 };
  g_auto(TestResponse) expired = { 0 };
  g_auto(TestResponse) wrong = { 0 };
  g_autofree char *token = NULL;
  g_autofree char *statement = NULL;

  g_assert_no_error (error);
  test_http_post_login (session, &main_server, challenge, cms, FALSE, &first);
  token = test_http_token (&first);
  test_http_post_login (session, &main_server, challenge, cms, FALSE, &replay);
  test_http_assert_problem (&replay, MDG_SYNC_PROBLEM_CHALLENGE_USED);
  test_http_post_login (session, &main_server, forged, forged_cms, FALSE, &unknown);
  test_http_assert_problem (&unknown, MDG_SYNC_PROBLEM_CHALLENGE_UNKNOWN);

  /* The server's clock is not moved: the challenge's expiry is. */
  statement = g_strdup_printf ("UPDATE challenges SET expires = 0 WHERE challenge = CAST('%.*s' AS BLOB)",
                               (int) g_bytes_get_size (expiring), (const char *) g_bytes_get_data (expiring, NULL));
  sync_test_sql (&main_server, statement);
  test_http_post_login (session, &main_server, expiring, expiring_cms, FALSE, &expired);
  test_http_assert_problem (&expired, MDG_SYNC_PROBLEM_CHALLENGE_EXPIRED);

  /* A signature over another challenge consumes the challenge too. */
  {
    g_autoptr(GBytes) c2 = test_http_challenge (session, &main_server);
    g_auto(TestResponse) again = { 0 };

    test_http_post_login (session, &main_server, c2, cms, FALSE, &wrong);
    test_http_assert_problem (&wrong, MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID);
    test_http_post_login (session, &main_server, c2, cms, FALSE, &again);
    test_http_assert_problem (&again, MDG_SYNC_PROBLEM_CHALLENGE_USED);
  }
}

static void
test_login_unmapped (void)
{
  g_autoptr(MdgSigner) auth = app_test_software_signer ("nagaoka-74", "auth");
  g_autoptr(MdgSigner) sign = app_test_software_signer ("kawaguchi-76", "sign");
  g_autoptr(GBytes) challenge = test_http_challenge (session, &main_server);
  g_autoptr(GBytes) c2 = test_http_challenge (session, &main_server);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = mdg_login_signature_sign (auth, challenge, NULL, &error);
  g_autoptr(GBytes) sign_cms = mdg_login_signature_sign (sign, c2, NULL, &error);
  g_auto(TestResponse) r = { 0 };
  g_auto(TestResponse) r2 = { 0 };

  g_assert_no_error (error);
  test_http_post_login (session, &main_server, challenge, cms, FALSE, &r);
  test_http_assert_problem (&r, MDG_SYNC_PROBLEM_PERSON_UNKNOWN);
  /* The signature key is not a login key. */
  test_http_post_login (session, &main_server, c2, sign_cms, FALSE, &r2);
  test_http_assert_problem (&r2, MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_UNTRUSTED);
}

static void
test_login_expired_and_forged (void)
{
  g_autoptr(MdgSigner) expired = app_test_software_signer ("expired-cert", "auth");
  g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
  g_autoptr(GBytes) c1 = test_http_challenge (session, &main_server);
  g_autoptr(GBytes) c2 = test_http_challenge (session, &main_server);
  g_autoptr(GError) error = NULL;
  /* Signed (by a client with a wrong clock) while the certificate was valid. */
  g_autoptr(GDateTime) then = g_date_time_new_utc (2026, 1, 5, 9, 0, 0);
  g_autoptr(GBytes) old_cms = mdg_login_signature_sign (expired, c1, then, &error);
  g_autoptr(GBytes) cms = mdg_login_signature_sign (auth, c2, NULL, &error);
  g_autoptr(GBytes) forged = NULL;
  g_auto(TestResponse) r1 = { 0 };
  g_auto(TestResponse) r2 = { 0 };
  guint8 *bytes;
  gsize len;

  g_assert_no_error (error);
  /* An authentication certificate past its validity. */
  test_http_post_login (session, &main_server, c1, old_cms, FALSE, &r1);
  test_http_assert_problem (&r1, MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_EXPIRED);

  /* One bit of the RSA signature (the last bytes of the SignedData). */
  len = g_bytes_get_size (cms);
  bytes = g_memdup2 (g_bytes_get_data (cms, NULL), len);
  bytes[len - 1] ^= 0x01;
  forged = g_bytes_new_take (bytes, len);
  test_http_post_login (session, &main_server, c2, forged, FALSE, &r2);
  test_http_assert_problem (&r2, MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID);
}

static void
test_login_hostile (void)
{
  const char *bodies[] = {
    "{\"challenge\":1,\"signature\":{}}", "[]", "nope", "{\"challenge\":null,\"signature\":[1]}",
    "{\"challenge\":\"!!!\",\"signature\":\"@@\"}", "",
  };
  g_auto(TestResponse) after = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) body = g_bytes_new (bodies[i], strlen (bodies[i]));
      g_auto(TestResponse) r = { 0 };

      test_http_request (session, &main_server, "POST", "/v1/auth/login", NULL, "application/json", body, NULL, &r);
      test_http_assert_problem (&r, MDG_SYNC_PROBLEM_BAD_REQUEST);
    }
  /* Still serving. */
  test_http_request (session, &main_server, "POST", "/v1/auth/challenge", NULL, NULL, NULL, NULL, &after);
  g_assert_cmpuint (after.status, ==, 200);
}

static void
test_token_expired (void)
{
  g_autofree char *token = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_autofree char *statement = g_strdup_printf ("UPDATE tokens SET expires = 0 WHERE sha256 = '%s'", hash);
  g_auto(TestResponse) before = { 0 };
  g_auto(TestResponse) after = { 0 };
  g_auto(TestResponse) bogus = { 0 };
  g_auto(TestResponse) none = { 0 };

  test_http_request (session, &main_server, "GET", "/v1/submissions", token, NULL, NULL, NULL, &before);
  g_assert_cmpuint (before.status, ==, 200);
  sync_test_sql (&main_server, statement);
  test_http_request (session, &main_server, "GET", "/v1/submissions", token, NULL, NULL, NULL, &after);
  test_http_assert_problem (&after, MDG_SYNC_PROBLEM_TOKEN_EXPIRED);
  test_http_request (session, &main_server, "GET", "/v1/submissions", "not-a-token", NULL, NULL, NULL, &bogus);
  test_http_assert_problem (&bogus, MDG_SYNC_PROBLEM_UNAUTHORIZED);
  test_http_request (session, &main_server, "GET", "/v1/submissions", NULL, NULL, NULL, NULL, &none);
  test_http_assert_problem (&none, MDG_SYNC_PROBLEM_UNAUTHORIZED);
}

static gboolean
list_has (SyncTestServer *s,
          const char *token,
          const char *uuid,
          const char **status_out)
{
  g_auto(TestResponse) r = { 0 };
  g_autoptr(JsonObject) obj = NULL;
  JsonArray *items;

  test_http_request (session, s, "GET", "/v1/submissions", token, NULL, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  obj = test_http_object (&r);
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
  g_autofree char *token_a = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autofree char *token_b = test_http_login (session, &main_server, "kawasaki-parent", FALSE);
  g_autoptr(GBytes) envelope = sync_test_make_envelope ("kawaguchi-76", FALSE);
  g_autoptr(GBytes) other = sync_test_make_envelope ("kawasaki-parent", FALSE);
  g_autoptr(GBytes) pem = sync_test_receipt_key_public (&main_server);
  g_autoptr(GError) error = NULL;
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_auto(TestResponse) conflict = { 0 };
  g_auto(TestResponse) stolen = { 0 };
  g_auto(TestResponse) peek = { 0 };
  g_auto(TestResponse) own = { 0 };
  g_autoptr(JsonNode) receipt = NULL;
  g_autoptr(GBytes) forged = NULL;
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, envelope);
  g_autofree char *forged_text = NULL;
  EVP_PKEY *key;
  JsonObject *r;
  JsonObject *verification;
  const char *status = NULL;

  g_assert_false (g_bytes_equal (envelope, other));
  test_http_request (session, &main_server, "PUT", path, token_a, "application/zip", envelope, NULL, &first);
  g_assert_cmpuint (first.status, ==, 201);
  test_http_request (session, &main_server, "PUT", path, token_a, "application/zip", envelope, NULL, &again);
  g_assert_cmpuint (again.status, ==, 200);
  g_assert_true (g_bytes_equal (first.body, again.body));
  test_http_request (session, &main_server, "PUT", path, token_a, "application/zip", other, NULL, &conflict);
  test_http_assert_problem (&conflict, MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT);

  /* Resident B neither sees A's submission nor can claim its UUID. */
  g_assert_true (list_has (&main_server, token_a, uuid, &status));
  g_assert_cmpstr (status, ==, "received");
  g_assert_false (list_has (&main_server, token_b, uuid, NULL));
  test_http_request (session, &main_server, "GET", path, token_b, NULL, NULL, NULL, &peek);
  test_http_assert_problem (&peek, MDG_SYNC_PROBLEM_NOT_FOUND);
  test_http_request (session, &main_server, "GET", path, token_a, NULL, NULL, NULL, &own);
  g_assert_cmpuint (own.status, ==, 200);
  test_http_request (session, &main_server, "PUT", path, token_b, "application/zip", envelope, NULL, &stolen);
  test_http_assert_problem (&stolen, MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT);

  /* The signed document comes back to its resident only (for a 補正). */
  {
    g_autofree char *doc_path = g_strconcat (path, "/document", NULL);
    g_auto(TestResponse) mine = { 0 };
    g_auto(TestResponse) theirs = { 0 };
    g_autoptr(MdgEnvelope) opened = NULL;
    g_autofree char *tmp = app_test_write_tmp ("envelope.zip", envelope);

    opened = mdg_envelope_open (tmp, &error);
    g_assert_no_error (error);
    test_http_request (session, &main_server, "GET", doc_path, token_a, NULL, NULL, NULL, &mine);
    g_assert_cmpuint (mine.status, ==, 200);
    g_assert_true (g_bytes_equal (mine.body, mdg_envelope_get_document (opened)));
    test_http_request (session, &main_server, "GET", doc_path, token_b, NULL, NULL, NULL, &theirs);
    test_http_assert_problem (&theirs, MDG_SYNC_PROBLEM_NOT_FOUND);
    app_test_remove_tmp (tmp);
  }

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
  g_autofree char *token = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autoptr(GBytes) tampered = sync_test_make_envelope ("kawaguchi-76", TRUE);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("PK\003\004 not a zip", sizeof "PK\003\004 not a zip" - 1);
  g_auto(TestResponse) r = { 0 };
  g_auto(TestResponse) r2 = { 0 };
  g_auto(TestResponse) r3 = { 0 };

  test_http_request (session, &main_server, "PUT", path, token, "application/zip", tampered, NULL, &r);
  test_http_assert_problem (&r, MDG_SYNC_PROBLEM_ENVELOPE_SIGNATURE_INVALID);
  test_http_request (session, &main_server, "PUT", path, token, "application/zip", garbage, NULL, &r2);
  test_http_assert_problem (&r2, MDG_SYNC_PROBLEM_ENVELOPE_MALFORMED);
  test_http_request (session, &main_server, "PUT", path, token, "text/plain", garbage, NULL, &r3);
  test_http_assert_problem (&r3, MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE);
  /* Nothing was stored, so no receipt and no entry. */
  g_assert_false (list_has (&main_server, token, uuid, NULL));
}

static void
test_production_refuses_test_root (void)
{
  SyncTestServer production = { 0 };
  const char *uuid = "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d";
  g_autofree char *path = put_path (uuid);
  g_autoptr(GBytes) envelope = sync_test_make_envelope ("kawaguchi-76", FALSE);
  g_autofree char *token = NULL;
  g_auto(TestResponse) r = { 0 };

  sync_test_server_start (&production, "production", "production", FALSE);
  token = test_http_login (session, &production, "kawaguchi-76", FALSE);
  test_http_request (session, &production, "PUT", path, token, "application/zip", envelope, NULL, &r);
  test_http_assert_problem (&r, MDG_SYNC_PROBLEM_ENVELOPE_TEST_ROOT);
  g_assert_false (list_has (&production, token, uuid, NULL));
  /* No [catalog] configured: no catalog. */
  {
    g_auto(TestResponse) catalog = { 0 };

    test_http_request (session, &production, "GET", "/v1/catalog", NULL, NULL, NULL, NULL, &catalog);
    test_http_assert_problem (&catalog, MDG_SYNC_PROBLEM_NOT_FOUND);
  }
  sync_test_server_stop (&production);
}

static void
test_status_and_audit (void)
{
  const char *uuid = "5c6d7e8f-9a0b-4c1d-9e2f-3a4b5c6d7e8f";
  g_autofree char *path = put_path (uuid);
  g_autofree char *token = test_http_login (session, &main_server, "kawasaki-parent", FALSE);
  g_autoptr(GBytes) envelope = sync_test_make_envelope ("kawasaki-parent", FALSE);
  g_auto(TestResponse) put = { 0 };
  g_auto(TestResponse) one = { 0 };
  g_autoptr(JsonObject) obj = NULL;
  JsonArray *history;
  const char *status = NULL;

  test_http_request (session, &main_server, "PUT", path, token, "application/zip", envelope, NULL, &put);
  g_assert_cmpuint (put.status, ==, 201);
  g_assert_cmpint (sync_test_admin (&main_server, "set-status", uuid, "under-review", NULL, NULL), ==, 0);
  g_assert_cmpint (sync_test_admin (&main_server, "set-status", uuid, "correction-requested",
                          "--comment", "保険証の写しを添付してください"), ==, 0);
  g_assert_cmpint (sync_test_admin (&main_server, "set-status", uuid, "no-such-status", NULL, NULL), ==, 2);
  g_assert_true (list_has (&main_server, token, uuid, &status));
  g_assert_cmpstr (status, ==, "correction-requested");
  test_http_request (session, &main_server, "GET", path, token, NULL, NULL, NULL, &one);
  g_assert_cmpuint (one.status, ==, 200);
  obj = test_http_object (&one);
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
  g_auto(TestResponse) r = { 0 };
  g_autoptr(JsonObject) obj = NULL;

  test_http_request (session, &main_server, "GET", "/v1/records", token, NULL, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (r.content_type, ==, "application/json");
  obj = test_http_object (&r);
  return json_array_ref (json_object_get_array_member (obj, "records"));
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
  g_autofree char *token_a = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autofree char *token_b = test_http_login (session, &main_server, "kawasaki-parent", FALSE);
  g_autoptr(JsonArray) before = get_records (token_a);
  g_autoptr(JsonArray) a = NULL;
  g_autoptr(JsonArray) b = NULL;
  g_autoptr(JsonArray) a_again = NULL;
  g_auto(TestResponse) none = { 0 };
  JsonObject *first;
  JsonObject *suppressed;
  JsonObject *cap;

  g_assert_cmpuint (json_array_get_length (before), ==, 0);
  test_http_request (session, &main_server, "GET", "/v1/records", NULL, NULL, NULL, NULL, &none);
  test_http_assert_problem (&none, MDG_SYNC_PROBLEM_UNAUTHORIZED);

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
  g_assert_cmpint (test_http_sql_int (&main_server, "SELECT count(*) FROM audit WHERE action = 'import-records'"
                                            " AND length(target) = 64"), ==, 1);
  g_assert_cmpint (test_http_sql_int (&main_server, "SELECT count(*) FROM audit WHERE detail LIKE '%1234567%'"
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
  g_auto(TestResponse) r = { 0 };
  g_auto(TestResponse) same = { 0 };
  g_auto(TestResponse) other = { 0 };

  test_http_request (session, &main_server, "GET", "/v1/catalog", NULL, NULL, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (r.content_type, ==, "application/octet-stream");
  g_assert_cmpstr (soup_message_headers_get_one (r.headers, "ETag"), ==, etag);
  g_assert_true (g_bytes_equal (r.body, expected));

  match = g_strconcat ("If-None-Match: ", soup_message_headers_get_one (r.headers, "ETag"), NULL);
  test_http_request (session, &main_server, "GET", "/v1/catalog", NULL, NULL, NULL, match, &same);
  g_assert_cmpuint (same.status, ==, 304);
  g_assert_cmpuint (g_bytes_get_size (same.body), ==, 0);
  g_assert_cmpstr (soup_message_headers_get_one (same.headers, "ETag"), ==, etag);

  test_http_request (session, &main_server, "GET", "/v1/catalog", NULL, NULL, NULL,
                     "If-None-Match: \"0000\"", &other);
  g_assert_cmpuint (other.status, ==, 200);
  g_assert_true (g_bytes_equal (other.body, expected));
}

int
main (int argc,
      char *argv[])
{
  int status;

  sync_test_setup (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  session = test_http_session_new ();
  sync_test_server_start (&main_server, "main", "test", TRUE);

  g_test_add_func ("/sync/login/card", test_login_card);
  g_test_add_func ("/sync/login/replay", test_login_replay);
  g_test_add_func ("/sync/login/unmapped", test_login_unmapped);
  g_test_add_func ("/sync/login/expired-and-forged", test_login_expired_and_forged);
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
