/* test-server-admin.c: madoguchi-server's staff side: card login and the
 * admin API, My Number masking, the audit in the same transaction, the
 * back-office export and retention, over real TLS on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <zip.h>

#include "app-test-util.h"
#include "test-server-http.h"

#define MY_NUMBER "456789012346"
#define MASK "************"

static SoupSession *session;
static SyncTestServer srv;
static char *token_plain;   /* staff "nagaoka": no right to see My Numbers */
static char *token_right;   /* staff "kumamoto": right my-number */

static void
request (const char *method,
         const char *path,
         const char *token,
         const char *json,
         TestResponse *r)
{
  g_autoptr(GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;

  test_http_request (session, &srv, method, path, token, json != NULL ? "application/json" : NULL, body, NULL, r);
}

/* Resident @persona submits a fresh envelope as @uuid; the receipt. */
static GBytes *
submit (const char *persona,
        const char *uuid,
        GBytes **envelope_out)
{
  g_autofree char *token = test_http_login (session, &srv, persona, FALSE);
  g_autoptr(GBytes) envelope = sync_test_make_envelope (persona, FALSE);
  g_autofree char *path = g_strconcat ("/v1/submissions/", uuid, NULL);
  g_auto(TestResponse) r = { 0 };

  test_http_request (session, &srv, "PUT", path, token, "application/zip", envelope, NULL, &r);
  g_assert_cmpuint (r.status, ==, 201);
  if (envelope_out != NULL)
    *envelope_out = g_bytes_ref (envelope);
  return g_bytes_ref (r.body);
}

/* The same when the receipt does not matter. */
static const char *
submitted (const char *persona,
           const char *uuid)
{
  g_bytes_unref (submit (persona, uuid, NULL));
  return uuid;
}

static gint64
count (const char *format,
       ...) G_GNUC_PRINTF (1, 2);

static gint64
count (const char *format,
       ...)
{
  g_autofree char *query = NULL;
  va_list args;

  va_start (args, format);
  query = g_strdup_vprintf (format, args);
  va_end (args);
  return test_http_sql_int (&srv, query);
}

static char *
admin_stdout (const char *a1,
              const char *a2,
              const char *a3,
              int *status)
{
  const char *argv[] = { sync_test_server_exe (), "admin", "--config", srv.config, "--as", "alice",
                         a1, a2, a3, NULL };

  return sync_test_run (argv, status);
}

static void
test_login_separation (void)
{
  g_autofree char *resident = test_http_login (session, &srv, "kawaguchi-76", FALSE);
  g_auto(TestResponse) resident_on_admin = { 0 };
  g_auto(TestResponse) staff_on_resident = { 0 };
  g_auto(TestResponse) staff_on_uploads = { 0 };
  g_auto(TestResponse) not_staff = { 0 };
  g_auto(TestResponse) none = { 0 };
  g_auto(TestResponse) ok = { 0 };

  request ("GET", "/v1/admin/submissions", resident, NULL, &resident_on_admin);
  test_http_assert_problem (&resident_on_admin, MDG_SYNC_PROBLEM_FORBIDDEN);
  request ("GET", "/v1/submissions", token_plain, NULL, &staff_on_resident);
  test_http_assert_problem (&staff_on_resident, MDG_SYNC_PROBLEM_FORBIDDEN);
  request ("POST", "/v1/uploads", token_plain, "{}", &staff_on_uploads);
  test_http_assert_problem (&staff_on_uploads, MDG_SYNC_PROBLEM_FORBIDDEN);
  /* A resident's card (mapped as a resident) is not a staff card. */
  test_http_login_response (session, &srv, "kawasaki-parent", TRUE, &not_staff);
  test_http_assert_problem (&not_staff, MDG_SYNC_PROBLEM_STAFF_UNKNOWN);
  request ("GET", "/v1/admin/submissions", NULL, NULL, &none);
  test_http_assert_problem (&none, MDG_SYNC_PROBLEM_UNAUTHORIZED);
  request ("GET", "/v1/admin/submissions", token_plain, NULL, &ok);
  g_assert_cmpuint (ok.status, ==, 200);
  /* Staff tokens are kept apart, as hashes. */
  g_assert_cmpint (count ("SELECT count(*) FROM staff_tokens WHERE staff = 'nagaoka'"), >=, 1);
  g_assert_cmpint (count ("SELECT count(*) FROM tokens WHERE resident = 'nagaoka'"), ==, 0);
}

static JsonObject *
show (const char *token,
      const char *uuid,
      char **raw)
{
  g_autofree char *path = g_strconcat ("/v1/admin/submissions/", uuid, NULL);
  g_auto(TestResponse) r = { 0 };

  request ("GET", path, token, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  if (raw != NULL)
    *raw = g_strndup (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body));
  return test_http_object (&r);
}

static const char *
my_number_of (JsonObject *item)
{
  JsonObject *doc = json_object_get_object_member (item, "document");

  return json_object_get_string_member (json_object_get_object_member (doc, "fields"), "applicant_my_number");
}

static void
test_show_masks (void)
{
  const char *uuid = submitted ("kawaguchi-76", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
  g_autoptr(JsonObject) masked = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *cli = NULL;
  g_auto(TestResponse) list = { 0 };
  g_auto(TestResponse) missing = { 0 };
  g_autoptr(JsonObject) obj = NULL;
  JsonArray *items;
  int status;

  masked = show (token_plain, uuid, &raw);
  g_assert_cmpstr (my_number_of (masked), ==, MASK);
  g_assert_null (strstr (raw, MY_NUMBER));
  g_assert_cmpstr (json_object_get_string_member (masked, "resident"), ==, "RES-A");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (masked, "history")), ==, 1);
  shown = show (token_right, uuid, NULL);
  g_assert_cmpstr (my_number_of (shown), ==, MY_NUMBER);
  g_assert_cmpint (count ("SELECT count(*) FROM audit WHERE action = 'show' AND staff = 'nagaoka'"
                          " AND target = '%s' AND detail = 'my-number=masked'", uuid), ==, 1);
  g_assert_cmpint (count ("SELECT count(*) FROM audit WHERE action = 'show' AND staff = 'kumamoto'"
                          " AND detail = 'my-number=shown'"), ==, 1);

  /* The command line masks the same way for staff without the right. */
  cli = admin_stdout ("show", uuid, NULL, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (cli, MASK));
  g_assert_null (strstr (cli, MY_NUMBER));

  request ("GET", "/v1/admin/submissions?status=received", token_plain, NULL, &list);
  g_assert_cmpuint (list.status, ==, 200);
  obj = test_http_object (&list);
  items = json_object_get_array_member (obj, "submissions");
  g_assert_cmpuint (json_array_get_length (items), >=, 1);
  for (guint i = 0; i < json_array_get_length (items); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, i), "status"),
                     ==, "received");
  request ("GET", "/v1/admin/submissions/00000000-0000-4000-8000-000000000000", token_plain, NULL, &missing);
  test_http_assert_problem (&missing, MDG_SYNC_PROBLEM_NOT_FOUND);
}

static void
test_status_and_mapping (void)
{
  const char *uuid = submitted ("kawasaki-parent", "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e");
  g_autofree char *path = g_strconcat ("/v1/admin/submissions/", uuid, "/status", NULL);
  g_autofree char *serial = sync_test_persona_auth_serial ("minor-14");
  g_autofree char *mapping = g_strdup_printf ("{\"serial\":\"%s\",\"resident\":\"RES-C\"}", serial);
  g_auto(TestResponse) review = { 0 };
  g_auto(TestResponse) bare = { 0 };
  g_auto(TestResponse) bogus = { 0 };
  g_auto(TestResponse) correction = { 0 };
  g_auto(TestResponse) unknown = { 0 };
  g_auto(TestResponse) mapped = { 0 };
  g_auto(TestResponse) mine = { 0 };
  g_autoptr(JsonObject) obj = NULL;
  g_autofree char *resident_token = NULL;
  g_autofree char *minor_token = NULL;
  g_autofree char *own_path = g_strconcat ("/v1/submissions/", uuid, NULL);

  request ("POST", path, token_plain, "{\"status\":\"under-review\"}", &review);
  g_assert_cmpuint (review.status, ==, 200);
  request ("POST", path, token_plain, "{\"status\":\"correction-requested\"}", &bare);
  test_http_assert_problem (&bare, MDG_SYNC_PROBLEM_BAD_REQUEST);
  request ("POST", path, token_plain, "{\"status\":\"granted-maybe\"}", &bogus);
  test_http_assert_problem (&bogus, MDG_SYNC_PROBLEM_BAD_REQUEST);
  request ("POST", path, token_plain,
           "{\"status\":\"correction-requested\",\"comment\":\"住民票の写しを添付してください\"}", &correction);
  g_assert_cmpuint (correction.status, ==, 200);
  request ("POST", "/v1/admin/submissions/00000000-0000-4000-8000-000000000000/status", token_plain,
           "{\"status\":\"decided\"}", &unknown);
  test_http_assert_problem (&unknown, MDG_SYNC_PROBLEM_NOT_FOUND);

  /* The resident sees the request for correction and its comment. */
  resident_token = test_http_login (session, &srv, "kawasaki-parent", FALSE);
  test_http_request (session, &srv, "GET", own_path, resident_token, NULL, NULL, NULL, &mine);
  g_assert_cmpuint (mine.status, ==, 200);
  obj = test_http_object (&mine);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "correction-requested");
  g_assert_cmpstr (json_object_get_string_member (obj, "comment"), ==, "住民票の写しを添付してください");

  /* Each write has its audit row with the operator, the comment only as a hash. */
  g_assert_cmpint (count ("SELECT count(*) FROM audit WHERE action = 'set-status' AND staff = 'nagaoka'"
                          " AND target = '%s'", uuid), ==, 2);
  g_assert_cmpint (count ("SELECT count(*) FROM history WHERE uuid = '%s' AND staff = 'nagaoka'", uuid), ==, 2);
  g_assert_cmpint (count ("SELECT count(*) FROM audit WHERE detail LIKE '%%住民票%%'"), ==, 0);

  request ("POST", "/v1/admin/person-mappings", token_plain, mapping, &mapped);
  g_assert_cmpuint (mapped.status, ==, 200);
  minor_token = test_http_login (session, &srv, "minor-14", FALSE);
  g_assert_nonnull (minor_token);
  g_assert_cmpint (count ("SELECT count(*) FROM audit WHERE action = 'map-person' AND staff = 'nagaoka'"
                          " AND target = '%s'", serial), ==, 1);
  g_assert_cmpint (sync_test_admin (&srv, "audit-verify", NULL, NULL, NULL, NULL), ==, 0);
}

/* A write whose audit row cannot be written does not happen. */
static void
test_audit_same_transaction (void)
{
  const char *uuid = submitted ("kawaguchi-76", "c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f");
  g_autofree char *path = g_strconcat ("/v1/admin/submissions/", uuid, "/status", NULL);
  g_auto(TestResponse) api = { 0 };
  gint64 history = count ("SELECT count(*) FROM history WHERE uuid = '%s'", uuid);

  test_http_sql_exec (&srv, "CREATE TRIGGER audit_full BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'full'); END");
  g_assert_cmpint (sync_test_admin (&srv, "set-status", uuid, "decided", NULL, NULL), ==, 1);
  request ("POST", path, token_plain, "{\"status\":\"decided\"}", &api);
  test_http_assert_problem (&api, MDG_SYNC_PROBLEM_INTERNAL);
  test_http_sql_exec (&srv, "DROP TRIGGER audit_full");
  g_assert_cmpint (count ("SELECT count(*) FROM history WHERE uuid = '%s'", uuid), ==, history);
  g_assert_cmpint (count ("SELECT count(*) FROM submissions WHERE uuid = '%s' AND status = 'received'", uuid), ==, 1);
}

static GBytes *
zip_member (zip_t *za,
            const char *name)
{
  zip_stat_t st;
  zip_file_t *f;
  guchar *data;

  g_assert_cmpint (zip_stat (za, name, 0, &st), ==, 0);
  f = zip_fopen (za, name, 0);
  g_assert_nonnull (f);
  data = g_malloc (st.size + 1);
  g_assert_cmpint (zip_fread (f, data, st.size), ==, (zip_int64_t) st.size);
  zip_fclose (f);
  return g_bytes_new_take (data, st.size);
}

static void
test_export_and_retention (void)
{
  const char *decided = "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70";
  const char *kept = submitted ("kawasaki-parent", "e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7081");
  const char *recent = submitted ("kawasaki-parent", "f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f708192");
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) receipt = submit ("kawaguchi-76", decided, &envelope);
  g_autofree char *out = g_build_filename (srv.dir, "export.zip", NULL);
  g_autofree char *out_arg = g_strconcat ("--out=", out, NULL);
  g_autofree char *out2 = g_build_filename (srv.dir, "export-rejected.zip", NULL);
  g_autofree char *out2_arg = g_strconcat ("--out=", out2, NULL);
  g_autofree char *env_name = g_strconcat (decided, "/envelope.zip", NULL);
  g_autofree char *receipt_name = g_strconcat (decided, "/receipt.json", NULL);
  g_autofree char *decided_file = g_strdup_printf ("%s/envelopes/%s.zip", srv.dir, decided);
  g_autofree char *kept_file = g_strdup_printf ("%s/envelopes/%s.zip", srv.dir, kept);
  g_autofree char *recent_file = g_strdup_printf ("%s/envelopes/%s.zip", srv.dir, recent);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, envelope);
  g_autofree char *old = NULL;
  g_autoptr(JsonObject) gone = NULL;
  zip_t *za;
  int zerr = 0;

  g_assert_cmpint (sync_test_admin (&srv, "set-status", decided, "decided", NULL, NULL), ==, 0);
  g_assert_cmpint (sync_test_admin (&srv, "set-status", kept, "decided", NULL, NULL), ==, 0);
  g_assert_cmpint (sync_test_admin (&srv, "set-status", recent, "rejected", NULL, NULL), ==, 0);
  /* Only "decided" goes out: the kept one is decided too but is exported
   * after its row is marked otherwise. */
  test_http_sql_exec (&srv, "UPDATE submissions SET status = 'notified' WHERE uuid = 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7081'");
  g_assert_cmpint (sync_test_admin (&srv, "export", out_arg, "--status=decided", NULL, NULL), ==, 0);

  /* A sound ZIP (unzip -t), with the envelope byte for byte, the receipt as
   * sent and an index that names them. */
  {
    const char *argv[] = { "unzip", "-t", out, NULL };

    g_free (sync_test_run (argv, NULL));
  }
  za = zip_open (out, ZIP_RDONLY, &zerr);
  g_assert_nonnull (za);
  {
    g_autoptr(GBytes) got_env = zip_member (za, env_name);
    g_autoptr(GBytes) got_receipt = zip_member (za, receipt_name);
    g_autoptr(GBytes) index = zip_member (za, "index.json");
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(JsonParser) rparser = json_parser_new ();
    g_autofree char *got_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, got_env);
    JsonArray *entries;
    JsonObject *entry = NULL;
    JsonObject *r;

    g_assert_true (g_bytes_equal (got_env, envelope));
    g_assert_true (g_bytes_equal (got_receipt, receipt));
    g_assert_true (json_parser_load_from_data (rparser, g_bytes_get_data (got_receipt, NULL),
                                               g_bytes_get_size (got_receipt), &error));
    r = json_object_get_object_member (json_node_get_object (json_parser_get_root (rparser)), "receipt");
    g_assert_cmpstr (json_object_get_string_member (r, "envelope_sha256"), ==, got_sha);
    g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (index, NULL), g_bytes_get_size (index),
                                               &error));
    entries = json_node_get_array (json_parser_get_root (parser));
    for (guint i = 0; i < json_array_get_length (entries); i++)
      {
        JsonObject *e = json_array_get_object_element (entries, i);

        g_assert_cmpstr (json_object_get_string_member (e, "status"), ==, "decided");
        g_assert_cmpstr (json_object_get_string_member (e, "uuid"), !=, kept);
        if (g_str_equal (json_object_get_string_member (e, "uuid"), decided))
          entry = e;
      }
    g_assert_nonnull (entry);
    g_assert_cmpstr (json_object_get_string_member (entry, "envelope_sha256"), ==, sha);
    g_assert_cmpstr (json_object_get_string_member (entry, "resident"), ==, "RES-A");
    g_assert_cmpstr (json_object_get_string_member (entry, "receipt_number"), ==,
                     json_object_get_string_member (r, "receipt_number"));
  }
  zip_close (za);
  g_assert_cmpint (count ("SELECT count(*) FROM submissions WHERE uuid = '%s' AND exported_by = 'alice'"
                          " AND exported IS NOT NULL", decided), ==, 1);
  g_assert_cmpint (count ("SELECT count(*) FROM audit WHERE action = 'export' AND target = '%s'", decided), ==, 1);
  g_assert_cmpint (sync_test_admin (&srv, "export", out2_arg, "--status=rejected", NULL, NULL), ==, 0);

  /* Retention: exported and final for more than 90 days → purged. The
   * notified one is old but was never exported; the rejected one is
   * exported but recent. */
  old = g_strdup_printf ("UPDATE history SET time = '2020-01-01T00:00:00Z' WHERE uuid IN ('%s', '%s')",
                         decided, kept);
  test_http_sql_exec (&srv, old);
  g_assert_cmpint (sync_test_admin (&srv, "purge", NULL, NULL, NULL, NULL), ==, 0);
  g_assert_false (g_file_test (decided_file, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept_file, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (recent_file, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count ("SELECT count(*) FROM submissions WHERE uuid = '%s' AND purged IS NOT NULL"
                          " AND envelope_file IS NULL AND length(envelope) = 0 AND length(receipt) > 0",
                          decided), ==, 1);
  g_assert_cmpint (count ("SELECT count(*) FROM submissions WHERE purged IS NOT NULL"), ==, 1);
  g_assert_cmpint (count ("SELECT count(*) FROM history WHERE uuid = '%s'", decided), ==, 2);
  g_assert_cmpint (count ("SELECT count(*) FROM audit WHERE action = 'purge' AND staff = 'alice'"
                          " AND target = '%s'", decided), ==, 1);
  /* The row stays: staff still see its receipt data and history. */
  gone = show (token_right, decided, NULL);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (gone, "document")));
  g_assert_nonnull (json_object_get_string_member (gone, "purged"));

  /* At start-up too, as the server itself. */
  {
    g_autofree char *stmt = g_strdup_printf ("UPDATE history SET time = '2020-01-01T00:00:00Z' WHERE uuid = '%s'",
                                             recent);

    test_http_sql_exec (&srv, stmt);
  }
  sync_test_server_kill (&srv);
  sync_test_server_restart (&srv);
  g_assert_false (g_file_test (recent_file, G_FILE_TEST_EXISTS));
  g_assert_cmpint (count ("SELECT count(*) FROM audit WHERE action = 'purge' AND staff = 'system'"
                          " AND target = '%s'", recent), ==, 1);
  g_assert_true (g_file_test (kept_file, G_FILE_TEST_EXISTS));
  g_assert_cmpint (sync_test_admin (&srv, "audit-verify", NULL, NULL, NULL, NULL), ==, 0);
}

static void
add_staff_card (const char *id,
                const char *persona,
                const char *right)
{
  g_autofree char *serial = sync_test_persona_auth_serial (persona);
  g_autofree char *name = g_strconcat ("--name=", id, " Staff", NULL);
  g_autofree char *card = g_strconcat ("--card-serial=", serial, NULL);

  g_assert_cmpint (sync_test_admin (&srv, "add-staff", id, name, card, right), ==, 0);
}

int
main (int argc,
      char *argv[])
{
  int status;

  sync_test_setup (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  session = test_http_session_new ();
  sync_test_server_start (&srv, "admin", "test", FALSE);
  /* Staff log in with their own cards. */
  add_staff_card ("nagaoka", "nagaoka-74", NULL);
  add_staff_card ("kumamoto", "kumamoto-68-disability", "--right=my-number");
  g_assert_cmpint (sync_test_admin (&srv, "add-staff", "eve", "--name=Eve", "--right=everything", NULL), ==, 2);
  token_plain = test_http_login (session, &srv, "nagaoka-74", TRUE);
  token_right = test_http_login (session, &srv, "kumamoto-68-disability", TRUE);

  g_test_add_func ("/sync/admin-api/login-separation", test_login_separation);
  g_test_add_func ("/sync/admin-api/show-masks-my-number", test_show_masks);
  g_test_add_func ("/sync/admin-api/status-and-mapping", test_status_and_mapping);
  g_test_add_func ("/sync/admin-api/audit-same-transaction", test_audit_same_transaction);
  g_test_add_func ("/sync/admin/export-and-retention", test_export_and_retention);
  status = g_test_run ();

  sync_test_server_stop (&srv);
  g_free (token_plain);
  g_free (token_right);
  g_clear_object (&session);
  sync_test_teardown ();
  return status;
}
