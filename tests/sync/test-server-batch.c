/* test-server-batch.c: madoguchi-server's POST /v1/submissions (several
 * envelopes in one request) over real TLS on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "app-test-util.h"
#include "mdg-jcs.h"
#include "mdg-sync-batch.h"
#include "mdg-sync-receipt.h"
#include "test-server-http.h"

static SoupSession *session;
static SyncTestServer main_server;

/* POSTs the parts (name, media type, bytes) as multipart/form-data. */
static void
post_batch (const char *token,
            guint n,
            const char * const *names,
            const char * const *types,
            GBytes * const *bodies,
            TestResponse *r)
{
  g_autoptr(SoupMultipart) multipart = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr(GBytes) body = NULL;
  g_autofree char *type = NULL;

  for (guint i = 0; i < n; i++)
    soup_multipart_append_form_file (multipart, names[i], "envelope.zip", types[i], bodies[i]);
  soup_multipart_to_message (multipart, headers, &body);
  type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  soup_message_headers_unref (headers);
  test_http_request (session, &main_server, "POST", "/v1/submissions", token, type, body, NULL, r);
}

/* The results array of a batch answer, asserted to have @n entries. */
static JsonArray *
batch_results (TestResponse *r,
               guint n)
{
  g_autoptr(JsonObject) obj = NULL;
  JsonArray *results;

  g_assert_cmpuint (r->status, ==, 200);
  obj = test_http_object (r);
  results = json_object_get_array_member (obj, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, n);
  return json_array_ref (results);
}

static void
test_batch_results (void)
{
  g_autofree char *token_a = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autofree char *token_b = test_http_login (session, &main_server, "kawasaki-parent", FALSE);
  g_autoptr(GBytes) e1 = sync_test_make_envelope ("kawaguchi-76", FALSE);
  g_autoptr(GBytes) e2 = sync_test_make_envelope ("kawaguchi-76", FALSE);
  g_autoptr(GBytes) bad = sync_test_make_envelope ("kawaguchi-76", TRUE);
  g_autoptr(GBytes) pem = sync_test_receipt_key_public (&main_server);
  g_autofree char *u1 = g_uuid_string_random ();
  g_autofree char *u2 = g_uuid_string_random ();
  g_autofree char *u3 = g_uuid_string_random ();
  const char *names[] = { u1, u2, u3 };
  const char *types[] = { "application/zip", "application/zip", "application/zip" };
  GBytes *bodies[] = { e1, e2, bad };
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) again = { 0 };
  g_auto(TestResponse) stolen = { 0 };
  g_autoptr(JsonArray) r1 = NULL;
  g_autoptr(JsonArray) r2 = NULL;
  g_autoptr(JsonArray) r3 = NULL;
  g_autoptr(GError) error = NULL;
  EVP_PKEY *key = mdg_sync_key_from_pem (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem), FALSE, &error);

  g_assert_no_error (error);
  post_batch (token_a, 3, names, types, bodies, &first);
  r1 = batch_results (&first, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *entry = json_array_get_object_element (r1, i);

      g_assert_cmpstr (json_object_get_string_member (entry, "submission"), ==, names[i]);
      if (i < 2)
        {
          g_autoptr(JsonNode) receipt = json_node_copy (json_object_get_member (entry, "receipt"));
          g_autoptr(GBytes) bytes = mdg_jcs_serialize (receipt, &error);
          g_autoptr(JsonNode) verified = NULL;
          JsonObject *inner;

          g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 201);
          g_assert_no_error (error);
          verified = mdg_sync_receipt_verify (bytes, key, &error);
          g_assert_no_error (error);
          inner = json_node_get_object (verified);
          g_assert_cmpstr (json_object_get_string_member (inner, "submission"), ==, names[i]);
          g_assert_cmpint (json_object_get_int_member (inner, "envelope_size"), ==,
                           (gint64) g_bytes_get_size (bodies[i]));
        }
      else
        {
          JsonObject *problem = json_object_get_object_member (entry, "problem");

          g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 422);
          g_assert_cmpstr (json_object_get_string_member (problem, "code"), ==, "envelope-signature-invalid");
        }
    }
  {
    g_autofree char *stored = g_strdup_printf ("SELECT count(*) FROM submissions WHERE uuid IN ('%s', '%s')", u1, u2);
    g_autofree char *refused = g_strdup_printf ("SELECT count(*) FROM submissions WHERE uuid = '%s'", u3);

    g_assert_cmpint (test_http_sql_int (&main_server, stored), ==, 2);
    g_assert_cmpint (test_http_sql_int (&main_server, refused), ==, 0);
  }

  /* Again: the first receipts, and still nothing for the tampered one. */
  post_batch (token_a, 3, names, types, bodies, &again);
  r2 = batch_results (&again, 3);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *a = json_array_get_object_element (r1, i);
      JsonObject *b = json_array_get_object_element (r2, i);

      g_assert_cmpint (json_object_get_int_member (b, "status"), ==, 200);
      g_assert_true (json_node_equal (json_object_get_member (a, "receipt"), json_object_get_member (b, "receipt")));
    }
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (r2, 2), "status"), ==, 422);

  /* Resident B cannot claim A's UUIDs, with any bytes. */
  post_batch (token_b, 2, names, types, bodies, &stolen);
  r3 = batch_results (&stolen, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *entry = json_array_get_object_element (r3, i);

      g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, 409);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "problem"), "code"),
                       ==, "submission-conflict");
    }
  EVP_PKEY_free (key);
}

/* Malformed batches are refused as a whole, and nothing is stored. */
static void
test_batch_refused (void)
{
  g_autofree char *token = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autoptr(GBytes) env = sync_test_make_envelope ("kawaguchi-76", FALSE);
  g_autofree char *u = g_uuid_string_random ();
  const char *zip = "application/zip";
  gint64 before = test_http_sql_int (&main_server, "SELECT count(*) FROM submissions");

  /* Not multipart/form-data. */
  {
    g_auto(TestResponse) r = { 0 };

    test_http_request (session, &main_server, "POST", "/v1/submissions", token, zip, env, NULL, &r);
    test_http_assert_problem (&r, MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE);
  }
  /* Without a session. */
  {
    const char *names[] = { u };
    const char *types[] = { zip };
    GBytes *bodies[] = { env };
    g_auto(TestResponse) r = { 0 };

    post_batch (NULL, 1, names, types, bodies, &r);
    test_http_assert_problem (&r, MDG_SYNC_PROBLEM_UNAUTHORIZED);
  }
  /* The same UUID twice; a name that is no UUID; another media type. */
  {
    const char *dup_names[] = { u, u };
    const char *bad_names[] = { u, "../../etc/passwd" };
    const char *types[] = { zip, zip };
    const char *bad_types[] = { zip, "text/plain" };
    GBytes *bodies[] = { env, env };
    g_auto(TestResponse) dup = { 0 };
    g_auto(TestResponse) name = { 0 };
    g_auto(TestResponse) type = { 0 };
    g_autofree char *u2 = g_uuid_string_random ();
    const char *typed_names[] = { u, u2 };

    post_batch (token, 2, dup_names, types, bodies, &dup);
    test_http_assert_problem (&dup, MDG_SYNC_PROBLEM_BAD_REQUEST);
    post_batch (token, 2, bad_names, types, bodies, &name);
    test_http_assert_problem (&name, MDG_SYNC_PROBLEM_BAD_REQUEST);
    post_batch (token, 2, typed_names, bad_types, bodies, &type);
    test_http_assert_problem (&type, MDG_SYNC_PROBLEM_BAD_REQUEST);
  }
  /* More parts than a batch may have. */
  {
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
    const char *types[MDG_SYNC_BATCH_MAX + 1];
    GBytes *bodies[MDG_SYNC_BATCH_MAX + 1];
    g_auto(TestResponse) r = { 0 };

    for (guint i = 0; i < MDG_SYNC_BATCH_MAX + 1; i++)
      {
        g_ptr_array_add (names, g_uuid_string_random ());
        types[i] = zip;
        bodies[i] = env;
      }
    post_batch (token, MDG_SYNC_BATCH_MAX + 1, (const char * const *) names->pdata, types, bodies, &r);
    test_http_assert_problem (&r, MDG_SYNC_PROBLEM_BAD_REQUEST);
  }
  g_assert_cmpint (test_http_sql_int (&main_server, "SELECT count(*) FROM submissions"), ==, before);
}

int
main (int argc,
      char *argv[])
{
  int status;

  sync_test_setup (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  session = test_http_session_new ();
  sync_test_server_start (&main_server, "main", "test", FALSE);

  g_test_add_func ("/sync/batch/results", test_batch_results);
  g_test_add_func ("/sync/batch/refused", test_batch_refused);
  status = g_test_run ();

  sync_test_server_stop (&main_server);
  g_clear_object (&session);
  sync_test_teardown ();
  return status;
}
