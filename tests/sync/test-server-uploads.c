/* test-server-uploads.c: madoguchi-server's resumable uploads and its limits
 * against hostile clients, over real TLS on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "app-test-util.h"
#include "mdg-app-error.h"
#include "mdg-sync-receipt.h"
#include "test-server-http.h"

#define REF_TYPE "application/vnd.madoguchi.upload-ref+json"

static SoupSession *session;
static SyncTestServer main_server;

/* POST /v1/uploads for @bytes (whose hash is @sha256: tests may lie). */
static char *
start_upload (SyncTestServer *s,
              const char *token,
              const char *sha256,
              gsize size,
              guint expected_status)
{
  g_autofree char *json = g_strdup_printf ("{\"sha256\":\"%s\",\"size\":%zu}", sha256, size);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_auto(TestResponse) r = { 0 };
  g_autoptr(JsonObject) obj = NULL;

  test_http_request (session, s, "POST", "/v1/uploads", token, "application/json", body, NULL, &r);
  g_assert_cmpuint (r.status, ==, expected_status);
  obj = test_http_object (&r);
  return g_strdup (json_object_get_string_member (obj, "upload"));
}

/* PATCHes @data[from, to) of @data; returns the response status. */
static void
patch (SyncTestServer *s,
       const char *token,
       const char *id,
       GBytes *data,
       gsize from,
       gsize to,
       TestResponse *r)
{
  g_autofree char *path = g_strconcat ("/v1/uploads/", id, NULL);
  g_autofree char *range = g_strdup_printf ("Content-Range: bytes %zu-%zu/%zu", from, to - 1,
                                            g_bytes_get_size (data));
  g_autoptr(GBytes) chunk = g_bytes_new_from_bytes (data, from, to - from);

  test_http_request (session, s, "PATCH", path, token, "application/octet-stream", chunk, range, r);
}

static gint64
head_offset (SyncTestServer *s,
             const char *token,
             const char *id,
             guint *status)
{
  g_autofree char *path = g_strconcat ("/v1/uploads/", id, NULL);
  g_auto(TestResponse) r = { 0 };
  const char *offset;

  test_http_request (session, s, "HEAD", path, token, NULL, NULL, NULL, &r);
  *status = r.status;
  offset = soup_message_headers_get_one (r.headers, "Upload-Offset");
  return offset != NULL ? g_ascii_strtoll (offset, NULL, 10) : -1;
}

static void
put_ref (SyncTestServer *s,
         const char *token,
         const char *uuid,
         const char *sha256,
         TestResponse *r)
{
  g_autofree char *path = g_strconcat ("/v1/submissions/", uuid, NULL);
  g_autofree char *json = g_strdup_printf ("{\"sha256\":\"%s\"}", sha256);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  test_http_request (session, s, "PUT", path, token, REF_TYPE, body, NULL, r);
}

/* A TLS connection that the test drives byte by byte. */
static GIOStream *
raw_connect (SyncTestServer *s)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GUri) uri = g_uri_parse (s->uri, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GSocketConnectable) peer = NULL;
  g_autoptr(GTlsDatabase) db = NULL;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  /* No proxy lookup (libproxy is C++ and trips ASan). */
  g_socket_client_set_enable_proxy (client, FALSE);
  tcp = g_socket_client_connect_to_host (client, "127.0.0.1", g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  peer = g_network_address_new ("127.0.0.1", g_uri_get_port (uri));
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), peer, &error);
  g_assert_no_error (error);
  db = g_tls_file_database_new (sync_test_tls_cert (), &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), db);
  g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
  g_assert_no_error (error);
  return tls;
}

static void
raw_write (GIOStream *io,
           const void *data,
           gsize len)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (io), data, len, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Everything the server sends until it closes the connection. */
static char *
raw_read_all (GIOStream *io)
{
  GString *text = g_string_new (NULL);
  char buf[4096];
  gssize n;

  while ((n = g_input_stream_read (g_io_stream_get_input_stream (io), buf, sizeof buf, NULL, NULL)) > 0)
    g_string_append_len (text, buf, n);
  g_test_message ("raw answer: %.200s", text->str);
  return g_string_free (text, FALSE);
}

/* Sends @head on a connection of its own; the whole answer. */
static char *
raw_exchange (SyncTestServer *s,
              const char *head)
{
  g_autoptr(GIOStream) io = raw_connect (s);

  raw_write (io, head, strlen (head));
  return raw_read_all (io);
}

static void
test_upload_resume (void)
{
  const char *uuid = "3a1e5c7d-2b4f-4e6a-8c0d-1f2e3a4b5c6d";
  g_autofree char *token = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autoptr(GBytes) envelope = sync_test_make_envelope ("kawaguchi-76", FALSE);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, envelope);
  gsize size = g_bytes_get_size (envelope);
  gsize c1 = size / 3;
  gsize c2 = 2 * size / 3;
  g_autofree char *id = start_upload (&main_server, token, sha, size, 201);
  g_autofree char *again_id = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(JsonNode) receipt = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(TestResponse) p1 = { 0 };
  g_auto(TestResponse) p2 = { 0 };
  g_auto(TestResponse) p3 = { 0 };
  g_auto(TestResponse) put = { 0 };
  g_auto(TestResponse) retry = { 0 };
  g_auto(TestResponse) direct = { 0 };
  g_autoptr(JsonObject) done = NULL;
  EVP_PKEY *key;
  guint status;

  g_assert_cmpuint (strlen (id), ==, 32);
  patch (&main_server, token, id, envelope, 0, c1, &p1);
  g_assert_cmpuint (p1.status, ==, 200);

  /* The connection is lost halfway through the second chunk. */
  {
    g_autoptr(GIOStream) io = raw_connect (&main_server);
    g_autofree char *head = g_strdup_printf ("PATCH /v1/uploads/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             "Authorization: Bearer %s\r\n"
                                             "Content-Type: application/octet-stream\r\n"
                                             "Content-Range: bytes %zu-%zu/%zu\r\nContent-Length: %zu\r\n\r\n",
                                             id, token, c1, c2 - 1, size, c2 - c1);

    raw_write (io, head, strlen (head));
    raw_write (io, (const char *) g_bytes_get_data (envelope, NULL) + c1, (c2 - c1) / 2);
    g_io_stream_close (io, NULL, NULL);
  }
  g_assert_cmpint (head_offset (&main_server, token, id, &status), ==, c1);
  g_assert_cmpuint (status, ==, 200);
  /* Asking again for the same bytes finds the same upload and its offset. */
  again_id = start_upload (&main_server, token, sha, size, 200);
  g_assert_cmpstr (again_id, ==, id);

  patch (&main_server, token, id, envelope, c1, c2, &p2);
  g_assert_cmpuint (p2.status, ==, 200);

  /* The server dies between two chunks and comes back. */
  sync_test_server_kill (&main_server);
  sync_test_server_restart (&main_server);
  g_assert_cmpint (head_offset (&main_server, token, id, &status), ==, c2);

  /* Not complete yet: no submission from it. */
  put_ref (&main_server, token, uuid, sha, &put);
  test_http_assert_problem (&put, MDG_SYNC_PROBLEM_UPLOAD_INCOMPLETE);
  test_response_clear (&put);

  patch (&main_server, token, id, envelope, c2, size, &p3);
  g_assert_cmpuint (p3.status, ==, 200);
  done = test_http_object (&p3);
  g_assert_true (json_object_get_boolean_member (done, "complete"));
  g_assert_cmpint (json_object_get_int_member (done, "offset"), ==, size);

  put_ref (&main_server, token, uuid, sha, &put);
  g_assert_cmpuint (put.status, ==, 201);
  pem = sync_test_receipt_key_public (&main_server);
  key = mdg_sync_key_from_pem (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem), FALSE, &error);
  g_assert_no_error (error);
  receipt = mdg_sync_receipt_verify (put.body, key, &error);
  g_assert_no_error (error);
  EVP_PKEY_free (key);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (receipt), "envelope_sha256"), ==, sha);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (receipt), "envelope_size"), ==, size);

  /* Idempotent whichever way the same bytes come again. */
  put_ref (&main_server, token, uuid, sha, &retry);
  g_assert_cmpuint (retry.status, ==, 200);
  g_assert_true (g_bytes_equal (retry.body, put.body));
  {
    g_autofree char *path = g_strconcat ("/v1/submissions/", uuid, NULL);

    test_http_request (session, &main_server, "PUT", path, token, "application/zip", envelope, NULL, &direct);
    g_assert_cmpuint (direct.status, ==, 200);
    g_assert_true (g_bytes_equal (direct.body, put.body));
  }
}

static void
test_upload_wrong_offset (void)
{
  g_autofree char *token = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autoptr(GBytes) data = g_bytes_new_static ("0123456789abcdefghij", 20);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  g_autofree char *id = start_upload (&main_server, token, sha, 20, 201);
  g_autofree char *path = g_strconcat ("/v1/uploads/", id, NULL);
  g_autoptr(JsonObject) obj = NULL;
  g_auto(TestResponse) ahead = { 0 };
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) repeat = { 0 };
  g_auto(TestResponse) lie = { 0 };
  g_auto(TestResponse) type = { 0 };
  g_auto(TestResponse) norange = { 0 };
  guint status;

  patch (&main_server, token, id, data, 5, 10, &ahead);
  test_http_assert_problem (&ahead, MDG_SYNC_PROBLEM_UPLOAD_OFFSET_MISMATCH);
  obj = test_http_object (&ahead);
  g_assert_cmpint (json_object_get_int_member (obj, "offset"), ==, 0);
  g_assert_cmpstr (soup_message_headers_get_one (ahead.headers, "Upload-Offset"), ==, "0");

  patch (&main_server, token, id, data, 0, 10, &first);
  g_assert_cmpuint (first.status, ==, 200);
  /* The same chunk again (a retry after a lost answer) is refused, with
   * the offset to go on from. */
  patch (&main_server, token, id, data, 0, 10, &repeat);
  test_http_assert_problem (&repeat, MDG_SYNC_PROBLEM_UPLOAD_OFFSET_MISMATCH);
  g_assert_cmpstr (soup_message_headers_get_one (repeat.headers, "Upload-Offset"), ==, "10");

  /* A Content-Range that does not match the body, or none. */
  {
    g_autoptr(GBytes) five = g_bytes_new_static ("abcde", 5);

    test_http_request (session, &main_server, "PATCH", path, token, "application/octet-stream", five,
                       "Content-Range: bytes 10-19/20", &lie);
    test_http_assert_problem (&lie, MDG_SYNC_PROBLEM_BAD_REQUEST);
    test_http_request (session, &main_server, "PATCH", path, token, "application/octet-stream", five, NULL, &norange);
    test_http_assert_problem (&norange, MDG_SYNC_PROBLEM_BAD_REQUEST);
    test_http_request (session, &main_server, "PATCH", path, token, "text/plain", five, "Content-Range: bytes 10-14/20", &type);
    test_http_assert_problem (&type, MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE);
  }
  g_assert_cmpint (head_offset (&main_server, token, id, &status), ==, 10);
}

static void
test_upload_hash_mismatch (void)
{
  g_autofree char *token = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autoptr(GBytes) data = g_bytes_new_static ("these are not the bytes announced", 33);
  g_autofree char *wrong = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "other bytes", -1);
  g_autofree char *id = start_upload (&main_server, token, wrong, 33, 201);
  g_autofree char *name = g_strconcat (id, ".part", NULL);
  g_autofree char *part = g_build_filename (main_server.dir, "uploads", name, NULL);
  g_auto(TestResponse) first = { 0 };
  g_auto(TestResponse) last = { 0 };
  g_auto(TestResponse) put = { 0 };
  guint status;

  g_assert_true (g_file_test (part, G_FILE_TEST_EXISTS));
  patch (&main_server, token, id, data, 0, 20, &first);
  g_assert_cmpuint (first.status, ==, 200);
  patch (&main_server, token, id, data, 20, 33, &last);
  test_http_assert_problem (&last, MDG_SYNC_PROBLEM_UPLOAD_HASH_MISMATCH);
  /* Discarded: neither the upload nor its file is left. */
  head_offset (&main_server, token, id, &status);
  g_assert_cmpuint (status, ==, 404);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  put_ref (&main_server, token, "4b2f6d8e-3c5a-4f7b-9d1e-2a3b4c5d6e7f", wrong, &put);
  test_http_assert_problem (&put, MDG_SYNC_PROBLEM_NOT_FOUND);
}

static void
test_upload_other_resident (void)
{
  const char *uuid = "5c3a7e9f-4d6b-4a8c-8e2f-3b4c5d6e7f80";
  g_autofree char *token_a = test_http_login (session, &main_server, "kawaguchi-76", FALSE);
  g_autofree char *token_b = test_http_login (session, &main_server, "kawasaki-parent", FALSE);
  g_autoptr(GBytes) envelope = g_bytes_new_static ("resident A's own bytes", 22);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, envelope);
  gsize size = g_bytes_get_size (envelope);
  g_autofree char *id = start_upload (&main_server, token_a, sha, size, 201);
  g_autofree char *b_id = NULL;
  g_auto(TestResponse) write = { 0 };
  g_auto(TestResponse) done = { 0 };
  g_auto(TestResponse) steal = { 0 };
  g_auto(TestResponse) none = { 0 };
  guint status;

  head_offset (&main_server, token_b, id, &status);
  g_assert_cmpuint (status, ==, 404);
  patch (&main_server, token_b, id, envelope, 0, size, &write);
  test_http_assert_problem (&write, MDG_SYNC_PROBLEM_NOT_FOUND);
  patch (&main_server, token_a, id, envelope, 0, size, &done);
  g_assert_cmpuint (done.status, ==, 200);
  /* B can neither submit A's upload nor learn that it exists. */
  put_ref (&main_server, token_b, uuid, sha, &steal);
  test_http_assert_problem (&steal, MDG_SYNC_PROBLEM_NOT_FOUND);
  b_id = start_upload (&main_server, token_b, sha, size, 201);
  g_assert_cmpstr (b_id, !=, id);
  /* And nobody without a login. */
  head_offset (&main_server, NULL, id, &status);
  g_assert_cmpuint (status, ==, 401);
  test_http_request (session, &main_server, "POST", "/v1/uploads", NULL, "application/json", NULL, NULL, &none);
  test_http_assert_problem (&none, MDG_SYNC_PROBLEM_UNAUTHORIZED);
}

static void
test_upload_stale (void)
{
  g_autofree char *token = test_http_login (session, &main_server, "kawasaki-parent", FALSE);
  g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "stale", -1);
  g_autofree char *id = start_upload (&main_server, token, sha, 5, 201);
  g_autofree char *fresh_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "fresh", -1);
  g_autofree char *fresh = start_upload (&main_server, token, fresh_sha, 5, 201);
  g_autofree char *name = g_strconcat (id, ".part", NULL);
  g_autofree char *part = g_build_filename (main_server.dir, "uploads", name, NULL);
  g_autofree char *statement = g_strdup_printf ("UPDATE uploads SET updated = 0 WHERE id = '%s'", id);
  guint status;

  sync_test_sql (&main_server, statement);
  /* Stale uploads go at start-up (and hourly). */
  sync_test_server_kill (&main_server);
  sync_test_server_restart (&main_server);
  head_offset (&main_server, token, id, &status);
  g_assert_cmpuint (status, ==, 404);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_cmpint (head_offset (&main_server, token, fresh, &status), ==, 0);
  g_assert_cmpuint (status, ==, 200);
}

/* A server with small limits and a short I/O timeout. */
static void
start_limited (SyncTestServer *s,
               const char *name)
{
  g_autofree char *text = NULL;
  g_autofree char *more = NULL;

  sync_test_server_start (s, name, "test", FALSE);
  sync_test_server_kill (s);
  g_assert_true (g_file_get_contents (s->config, &text, NULL, NULL));
  /* GKeyFile merges a repeated group. */
  more = g_strconcat (text, "\n[server]\nmax_envelope_size=4096\nmax_chunk_size=1024\nmax_upload_size=100000\n"
                      "io_timeout=2\n", NULL);
  g_assert_true (g_file_set_contents (s->config, more, -1, NULL));
  sync_test_server_restart (s);
}

static void
test_hostile_oversize (void)
{
  SyncTestServer limited = { 0 };
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GBytes) big = NULL;
  guchar *zeros = g_malloc0 (2 * 1024 * 1024);
  g_auto(TestResponse) chunk = { 0 };
  g_auto(TestResponse) put = { 0 };
  g_auto(TestResponse) post = { 0 };
  g_auto(TestResponse) json = { 0 };
  g_auto(TestResponse) alive = { 0 };

  start_limited (&limited, "limited");
  token = test_http_login (session, &limited, "kawaguchi-76", FALSE);
  big = g_bytes_new_take (zeros, 2 * 1024 * 1024);
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, big);

  /* More than max_upload_size announced. */
  {
    g_autofree char *body_text = g_strdup_printf ("{\"sha256\":\"%s\",\"size\":%d}", sha, 2 * 1024 * 1024);
    g_autoptr(GBytes) body = g_bytes_new (body_text, strlen (body_text));

    test_http_request (session, &limited, "POST", "/v1/uploads", token, "application/json", body, NULL, &post);
    test_http_assert_problem (&post, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE);
  }
  /* A chunk over max_chunk_size, refused before its body is read. */
  {
    g_autoptr(GBytes) small = g_bytes_new_from_bytes (big, 0, 50000);
    g_autofree char *small_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, small);

    id = start_upload (&limited, token, small_sha, 50000, 201);
    patch (&limited, token, id, small, 0, 2000, &chunk);
    test_http_assert_problem (&chunk, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE);
  }
  /* An envelope over max_envelope_size, and a JSON body over 1 MiB. */
  test_http_request (session, &limited, "PUT", "/v1/submissions/6d4b8f0a-5e7c-4b9d-8f3a-4c5d6e7f8091", token, "application/zip",
                     big, NULL, &put);
  test_http_assert_problem (&put, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE);
  test_http_request (session, &limited, "POST", "/v1/auth/login", NULL, "application/json", big, NULL, &json);
  test_http_assert_problem (&json, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE);

  /* Content-Length that lies (a terabyte): answered at once, unread. */
  {
    g_autofree char *answer = raw_exchange (&limited, "PUT /v1/submissions/6d4b8f0a-5e7c-4b9d-8f3a-4c5d6e7f8091 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                      "Content-Type: application/zip\r\nContent-Length: 1099511627776\r\n\r\nPK");

    g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 413"));
  }
  /* A body of unknown length (chunked) is refused. */
  {
    g_autofree char *answer = raw_exchange (&limited, "POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"challenge\":\"\r\n");

    g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 411"));
    g_assert_nonnull (strstr (answer, "length-required"));
  }
  /* A body that never ends: the server cuts the connection after
   * io_timeout instead of waiting for ever. */
  {
    g_autofree char *answer = raw_exchange (&limited, "POST /v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                      "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"challenge\"");

    g_assert_false (g_str_has_prefix (answer, "HTTP/1.1 200"));
  }
  /* Still serving. */
  test_http_request (session, &limited, "POST", "/v1/auth/challenge", NULL, NULL, NULL, NULL, &alive);
  g_assert_cmpuint (alive.status, ==, 200);
  sync_test_server_stop (&limited);
}

static void
test_problem_codes (void)
{
  /* The codes this server added, in both languages. */
  for (int p = MDG_SYNC_PROBLEM_UPLOAD_OFFSET_MISMATCH; p <= MDG_SYNC_PROBLEM_LAST; p++)
    {
      MdgSyncProblem back;

      g_assert_true (mdg_sync_problem_from_code (mdg_sync_problem_get_code (p), &back));
      g_assert_cmpint (back, ==, p);
      g_assert_cmpuint (mdg_sync_problem_get_status (p), >=, 400);
      g_assert_true (g_utf8_validate (mdg_sync_problem_get_title_ja (p), -1, NULL));
      g_assert_cmpstr (mdg_sync_problem_get_title (p), !=, mdg_sync_problem_get_title_ja (p));
    }
}

/* Sockets the server process holds open. */
static guint
server_sockets (SyncTestServer *s)
{
  g_autofree char *dir = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (s->process));
  g_autoptr(GDir) fds = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (fds);
  while ((name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:"))
        n++;
    }
  return n;
}

/* Clients that close their kept-alive connections between requests leave
 * nothing behind on the server (libsoup 3.2.2 alone would keep every one
 * in CLOSE_WAIT): within io_timeout and a check, the sockets are gone, and
 * the server still answers. */
static void
test_idle_connections_closed (void)
{
  SyncTestServer limited = { 0 };
  guint before;
  guint during;
  guint after = 0;

  start_limited (&limited, "idle");
  before = server_sockets (&limited);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(SoupSession) client = test_http_session_new ();
      g_auto(TestResponse) r = { 0 };

      test_http_request (client, &limited, "GET", "/v1/submissions", NULL, NULL, NULL, NULL, &r);
      test_http_assert_problem (&r, MDG_SYNC_PROBLEM_UNAUTHORIZED);
    }
  during = server_sockets (&limited);
  g_test_message ("server sockets: %u before, %u after 10 clients", before, during);
  for (guint wait = 0; wait < 100; wait++)
    {
      g_usleep (100 * 1000);
      if ((after = server_sockets (&limited)) <= before)
        break;
    }
  g_assert_cmpuint (after, <=, before);
  {
    g_auto(TestResponse) r = { 0 };

    test_http_request (session, &limited, "GET", "/v1/submissions", NULL, NULL, NULL, NULL, &r);
    test_http_assert_problem (&r, MDG_SYNC_PROBLEM_UNAUTHORIZED);
  }
  sync_test_server_stop (&limited);
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

  g_test_add_func ("/sync/upload/problem-codes", test_problem_codes);
  g_test_add_func ("/sync/upload/resume-after-loss-and-kill", test_upload_resume);
  g_test_add_func ("/sync/upload/wrong-offset", test_upload_wrong_offset);
  g_test_add_func ("/sync/upload/hash-mismatch", test_upload_hash_mismatch);
  g_test_add_func ("/sync/upload/other-resident", test_upload_other_resident);
  g_test_add_func ("/sync/upload/stale-removed", test_upload_stale);
  g_test_add_func ("/sync/hostile/oversize-and-lies", test_hostile_oversize);
  g_test_add_func ("/sync/hostile/idle-connections-closed", test_idle_connections_closed);
  status = g_test_run ();

  sync_test_server_stop (&main_server);
  g_clear_object (&session);
  sync_test_teardown ();
  return status;
}
