/* test-client.c: the sync client against madoguchi-server over real TLS on
 * loopback: delivery, receipts, status, pinning, proxies, hostile servers
 * and broken connections
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "app-test-util.h"
#include "mdg-jcs.h"
#include "mdg-sync-batch.h"
#include "mdg-sync-client.h"
#include "mdg-sync-error.h"
#include "mdg-sync-outbox.h"
#include "mdg-sync-receipt.h"
#include "mdg-sync-status-cache.h"
#include "sync-test-proxy.h"
#include "sync-test-server.h"

static SyncTestServer server;
static char *endpoint_path;
static char *deliver_exe;
static guint store_count;

/* ---- fixtures ------------------------------------------------------------ */

static guint16
port_of (const char *uri)
{
  return (guint16) g_ascii_strtoull (strrchr (uri, ':') + 1, NULL, 10);
}

/* An endpoint file for @uri whose pinned CA is @ca. */
static char *
write_endpoint (const char *name,
                const char *uri,
                const char *ca)
{
  g_autofree char *path = g_build_filename (sync_test_tmp_dir (), name, NULL);
  g_autofree char *key = g_build_filename (sync_test_tmp_dir (), "receipt.pub", NULL);
  g_autofree char *text = g_strdup_printf ("[endpoint]\nuri=%s\nca=%s\nreceipt_key=receipt.pub\n", uri, ca);
  g_autoptr(GBytes) pem = sync_test_receipt_key_public (&server);

  g_assert_true (g_file_set_contents (key, g_bytes_get_data (pem, NULL), (gssize) g_bytes_get_size (pem), NULL));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_steal_pointer (&path);
}

static MdgSyncClient *
new_client (const char *endpoint_file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgSyncEndpoint) endpoint = mdg_sync_endpoint_load (endpoint_file, &error);
  g_autoptr(MdgSyncClient) client = NULL;
  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

  g_assert_no_error (error);
  client = mdg_sync_client_new (endpoint, &error);
  g_assert_no_error (error);
  /* No proxy lookup on loopback (libproxy is C++ and trips ASan). */
  mdg_sync_client_set_proxy_resolver (client, direct);
  mdg_sync_client_set_timeout (client, 3);
  return g_steal_pointer (&client);
}

static MdgSyncClient *
logged_in_client (const char *endpoint_file,
                  const char *persona)
{
  g_autoptr(MdgSyncClient) client = new_client (endpoint_file);
  g_autoptr(MdgSigner) auth = app_test_software_signer (persona, "auth");
  g_autoptr(GError) error = NULL;

  g_assert_true (mdg_sync_client_login (client, auth, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (mdg_sync_client_is_logged_in (client));
  return g_steal_pointer (&client);
}

static MdgStore *
new_store (void)
{
  g_autofree char *name = g_strdup_printf ("profile-%u", ++store_count);
  g_autofree char *dir = g_build_filename (sync_test_tmp_dir (), name, NULL);
  guint8 key[MDG_STORE_KEY_SIZE];
  g_autoptr(GError) error = NULL;
  MdgStore *store;

  g_assert_cmpint (RAND_bytes (key, sizeof key), ==, 1);
  store = mdg_store_open (dir, key, &error);
  g_assert_no_error (error);
  return store;
}

static char *
queue (MdgStore *store,
       const char *persona,
       gboolean tamper)
{
  g_autoptr(GBytes) envelope = sync_test_make_envelope (persona, tamper);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autoptr(GError) error = NULL;

  g_assert_true (mdg_store_outbox_add_bytes (store, uuid, envelope, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&uuid);
}

static guint
outbox_length (MdgStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = mdg_store_outbox_list (store, &error);

  g_assert_no_error (error);
  return list->len;
}

/* How many of the resident's submissions the server holds with @uuid. */
static guint
server_count (MdgSyncClient *client,
              const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) items = mdg_sync_client_get_submissions (client, NULL, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (items); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (items, i), "uuid"), uuid))
      n++;
  return n;
}

static void
assert_receipt_kept (MdgStore *store,
                     const char *uuid)
{
  g_autoptr(GError) error = NULL;
  gboolean verified = FALSE;
  g_autoptr(GBytes) receipt = mdg_store_receipt_load (store, uuid, &verified, &error);

  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  g_assert_true (verified);
}

/* ---- delivery and status ------------------------------------------------- */

static void
test_deliver_and_status (void)
{
  g_autoptr(MdgStore) store = new_store ();
  g_autoptr(MdgSyncClient) client = logged_in_client (endpoint_path, "kawaguchi-76");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(JsonArray) cached = NULL;
  g_autoptr(GDateTime) fetched = NULL;
  MdgSyncDeliveryReport report;
  char *uuids[3];

  for (guint i = 0; i < G_N_ELEMENTS (uuids); i++)
    uuids[i] = queue (store, "kawaguchi-76", FALSE);

  g_assert_true (mdg_sync_outbox_deliver (store, client, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.sent, ==, 3);
  g_assert_cmpuint (report.refused, ==, 0);
  g_assert_cmpuint (report.waiting, ==, 0);
  g_assert_cmpuint (outbox_length (store), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (uuids); i++)
    {
      assert_receipt_kept (store, uuids[i]);
      g_assert_cmpuint (server_count (client, uuids[i]), ==, 1);
    }

  /* Nothing cached yet: offline there is nothing to show. */
  cached = mdg_sync_status_cached (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (cached);

  changes = mdg_sync_status_refresh (store, client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 3);
  none = mdg_sync_status_refresh (store, client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);

  /* Staff ask for a correction: one change, with the municipality's comment. */
  g_assert_cmpint (sync_test_admin (&server, "set-status", uuids[1], "correction-requested",
                                    "--comment", "住民票の写しを添付してください"), ==, 0);
  after = mdg_sync_status_refresh (store, client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, 1);
  {
    MdgSyncStatusChange *change = after->pdata[0];

    g_assert_cmpstr (change->uuid, ==, uuids[1]);
    g_assert_cmpstr (change->old_status, ==, "received");
    g_assert_cmpstr (change->new_status, ==, "correction-requested");
    g_assert_cmpstr (change->comment, ==, "住民票の写しを添付してください");
    g_assert_true (g_str_has_prefix (change->receipt_number, "MDG-"));
  }

  /* Offline: the last fetched list with its time. */
  cached = mdg_sync_status_cached (store, &fetched, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cached);
  g_assert_cmpuint (json_array_get_length (cached), >=, 3);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    g_assert_cmpint (g_date_time_difference (now, fetched), <, 10 * G_TIME_SPAN_MINUTE);
    g_assert_cmpint (g_date_time_difference (now, fetched), >=, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (uuids); i++)
    g_free (uuids[i]);
}

static void
test_refused_kept (void)
{
  g_autoptr(MdgStore) store = new_store ();
  g_autoptr(MdgSyncClient) client = logged_in_client (endpoint_path, "kawaguchi-76");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *bad = queue (store, "kawaguchi-76", TRUE);
  g_autofree char *good = queue (store, "kawaguchi-76", FALSE);
  MdgSyncDeliveryReport report;

  g_assert_true (mdg_sync_outbox_deliver (store, client, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.sent, ==, 1);
  g_assert_cmpuint (report.refused, ==, 1);

  /* The refused envelope is kept with the reason, and not sent again. */
  list = mdg_store_outbox_list (store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((MdgOutboxInfo *) list->pdata[0])->uuid, ==, bad);
  g_assert_cmpstr (((MdgOutboxInfo *) list->pdata[0])->rejected, ==, "envelope-signature-invalid");
  assert_receipt_kept (store, good);
  g_assert_true (mdg_sync_outbox_deliver (store, client, &report, NULL, &error));
  g_assert_cmpuint (report.sent, ==, 0);
  g_assert_cmpuint (report.refused, ==, 1);
  g_assert_cmpuint (server_count (client, bad), ==, 0);
}

/* The answer to an upload is lost: the retry gets the same receipt and
 * the server still holds one submission. */
static void
test_lost_receipt (void)
{
  g_autoptr(MdgStore) store = new_store ();
  g_autoptr(MdgSyncClient) client = logged_in_client (endpoint_path, "kawaguchi-76");
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = queue (store, "kawaguchi-76", FALSE);
  g_autoptr(GBytes) envelope = mdg_store_outbox_load (store, uuid, NULL, &error);
  g_autoptr(GBytes) first = mdg_sync_client_submit (client, uuid, envelope, NULL, NULL, &error);
  g_autoptr(GBytes) kept = NULL;
  MdgSyncDeliveryReport report;

  g_assert_no_error (error);
  g_assert_true (mdg_sync_outbox_deliver (store, client, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.sent, ==, 1);
  kept = mdg_store_receipt_load (store, uuid, NULL, &error);
  g_assert_true (g_bytes_equal (kept, first));
  g_assert_cmpuint (server_count (client, uuid), ==, 1);
}

/* ---- TLS and proxies ----------------------------------------------------- */

static void
test_tls_pinned (void)
{
  g_autofree char *other_cert = g_build_filename (sync_test_tmp_dir (), "other-ca.pem", NULL);
  g_autofree char *other_key = g_strconcat (other_cert, ".key", NULL);
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-nodes", "-days", "2", "-subj", "/CN=madoguchi-test",
                         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", other_key, "-out", other_cert,
                         NULL };
  g_autofree char *endpoint = NULL;
  g_autoptr(MdgSyncClient) client = NULL;
  g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
  g_autoptr(MdgStore) store = new_store ();
  g_autofree char *uuid = queue (store, "kawaguchi-76", FALSE);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (uuid);
  /* A certificate for the same address, from another CA. */
  g_free (sync_test_run (argv, NULL));
  endpoint = write_endpoint ("other-ca.ini", server.uri, other_cert);
  client = new_client (endpoint);
  g_assert_false (mdg_sync_client_login (client, auth, NULL, &error));
  g_assert_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_TLS);
  g_assert_true (mdg_sync_error_is_transient (error));
  g_assert_cmpuint (outbox_length (store), ==, 1);
}

static void
test_proxy_honoured (void)
{
  SyncTestProxy *proxy = sync_test_proxy_new (0, TRUE);
  g_autofree char *proxy_uri = g_strdup_printf ("http://127.0.0.1:%u", sync_test_proxy_get_port (proxy));
  g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (proxy_uri, NULL);
  g_autoptr(MdgSyncClient) client = new_client (endpoint_path);
  g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
  g_autoptr(MdgStore) store = new_store ();
  g_autofree char *uuid = queue (store, "kawaguchi-76", FALSE);
  g_autoptr(GError) error = NULL;
  MdgSyncDeliveryReport report;

  mdg_sync_client_set_proxy_resolver (client, resolver);
  g_assert_nonnull (uuid);
  g_assert_true (mdg_sync_client_login (client, auth, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (mdg_sync_outbox_deliver (store, client, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.sent, ==, 1);
  /* Everything went through the proxy's CONNECT tunnel. */
  g_assert_cmpuint (sync_test_proxy_get_connections (proxy), >=, 1);
  g_clear_object (&client);
  sync_test_proxy_free (proxy);
}

/* ---- broken connections and a killed server ------------------------------ */

/* Delivers through a relay that breaks connections in turn until the
 * outbox is empty: every envelope is accepted exactly once. */
static void
test_faults (void)
{
  static const struct { SyncTestFault fault; gboolean upload; gsize after; } faults[] = {
    { SYNC_TEST_FAULT_RESET, TRUE, 3000 },     /* during the upload */
    { SYNC_TEST_FAULT_RESET, FALSE, 200 },     /* while the receipt comes back */
    { SYNC_TEST_FAULT_STALL, TRUE, 2000 },
    { SYNC_TEST_FAULT_STALL, FALSE, 100 },
    { SYNC_TEST_FAULT_CORRUPT, FALSE, 300 },   /* TLS notices: a bad record */
    { SYNC_TEST_FAULT_CORRUPT, TRUE, 2500 },
    { SYNC_TEST_FAULT_NONE, FALSE, 0 },
  };
  SyncTestProxy *relay = sync_test_proxy_new (port_of (server.uri), FALSE);
  g_autofree char *uri = g_strdup_printf ("https://127.0.0.1:%u/", sync_test_proxy_get_port (relay));
  g_autofree char *endpoint = write_endpoint ("relay.ini", uri, sync_test_tls_cert ());
  g_autoptr(MdgStore) store = new_store ();
  g_autoptr(MdgSyncClient) direct = logged_in_client (endpoint_path, "kawaguchi-76");
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  guint failures = 0;

  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (uuids, queue (store, "kawaguchi-76", FALSE));

  for (guint round = 0; outbox_length (store) > 0; round++)
    {
      g_autoptr(MdgSyncClient) client = NULL;
      g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
      g_autoptr(GError) error = NULL;
      MdgSyncDeliveryReport report;
      guint f = round % G_N_ELEMENTS (faults);

      g_assert_cmpuint (round, <, 40);
      /* Log in cleanly, then break the connections the delivery uses. */
      sync_test_proxy_set_fault (relay, SYNC_TEST_FAULT_NONE, FALSE, 0);
      client = new_client (endpoint);
      mdg_sync_client_set_timeout (client, 1);
      if (!mdg_sync_client_login (client, auth, NULL, &error))
        g_error ("login through the relay: %s", error->message);
      sync_test_proxy_set_fault (relay, faults[f].fault, faults[f].upload, faults[f].after);
      if (!mdg_sync_outbox_deliver (store, client, &report, NULL, &error))
        {
          failures++;
          g_test_message ("round %u: %s", round, error->message);
          g_assert_true (mdg_sync_error_is_transient (error));
          g_assert_cmpuint (report.waiting, ==, outbox_length (store));
        }
      else
        g_test_message ("round %u: sent %u, refused %u", round, report.sent, report.refused);
      if (report.refused > 0)
        {
          g_autoptr(GPtrArray) l = mdg_store_outbox_list (store, NULL);

          g_test_message ("refused: %s", ((MdgOutboxInfo *) l->pdata[0])->rejected);
        }
      g_assert_cmpuint (report.refused, ==, 0);
    }
  g_assert_cmpuint (failures, >=, 3);

  for (guint i = 0; i < uuids->len; i++)
    {
      assert_receipt_kept (store, uuids->pdata[i]);
      g_assert_cmpuint (server_count (direct, uuids->pdata[i]), ==, 1);
    }
  sync_test_proxy_free (relay);
}

/* The server's progress on its uploads: the largest offset of an upload
 * not finished yet, -1 when there is none. */
static gint64
server_upload_progress (void)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 done = -1;

  g_assert_cmpint (sqlite3_open_v2 (server.database, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT max(done) FROM uploads WHERE complete = 0", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    done = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return done;
}

/* A broken upload resumes where the server stands. */
static void
test_resumable_upload (void)
{
  SyncTestProxy *relay = sync_test_proxy_new (port_of (server.uri), FALSE);
  g_autofree char *uri = g_strdup_printf ("https://127.0.0.1:%u/", sync_test_proxy_get_port (relay));
  g_autofree char *endpoint = write_endpoint ("relay-upload.ini", uri, sync_test_tls_cert ());
  g_autoptr(MdgStore) store = new_store ();
  g_autofree char *uuid = queue (store, "kawaguchi-76", FALSE);
  g_autoptr(MdgSyncClient) direct = logged_in_client (endpoint_path, "kawaguchi-76");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) envelope = mdg_store_outbox_load (store, uuid, NULL, &error);
  gsize size = g_bytes_get_size (envelope);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(MdgSyncClient) client = NULL;
      MdgSyncDeliveryReport report;

      sync_test_proxy_set_fault (relay, SYNC_TEST_FAULT_NONE, FALSE, 0);
      client = logged_in_client (endpoint, "kawaguchi-76");
      /* 700-byte chunks; in the first round the network goes away after a
       * few of them. */
      mdg_sync_client_set_upload_sizes (client, 1024, 700);
      if (round == 0)
        sync_test_proxy_set_fault (relay, SYNC_TEST_FAULT_CUT, TRUE, 4500);
      if (round == 0)
        {
          gint64 progress;

          g_assert_false (mdg_sync_outbox_deliver (store, client, &report, NULL, &error));
          g_assert_true (mdg_sync_error_is_transient (error));
          g_clear_error (&error);
          g_assert_cmpuint (outbox_length (store), ==, 1);
          /* Part of it is on the server, not all. */
          progress = server_upload_progress ();
          g_test_message ("the server holds %" G_GINT64_FORMAT " of %zu bytes", progress, size);
          g_assert_cmpint (progress, >, 0);
          g_assert_cmpint (progress, <, (gint64) size);
        }
      else
        {
          g_assert_true (mdg_sync_outbox_deliver (store, client, &report, NULL, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (report.sent, ==, 1);
        }
    }

  assert_receipt_kept (store, uuid);
  g_assert_cmpuint (server_count (direct, uuid), ==, 1);
  /* By upload or directly, the same bytes get the same receipt. */
  {
    g_autoptr(GBytes) kept = mdg_store_receipt_load (store, uuid, NULL, &error);
    g_autoptr(GBytes) again = mdg_sync_client_submit (direct, uuid, envelope, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (kept, again));
  }
  sync_test_proxy_free (relay);
}

typedef struct
{
  MdgStore      *store;
  MdgSyncClient *client;
  gboolean       ok;
  GError        *error;
} DeliverRun;

static gpointer
deliver_thread (gpointer data)
{
  DeliverRun *run = data;

  run->ok = mdg_sync_outbox_deliver (run->store, run->client, NULL, NULL, &run->error);
  return NULL;
}

static void
test_server_killed (void)
{
  g_autoptr(MdgStore) store = new_store ();
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(MdgSyncClient) client = logged_in_client (endpoint_path, "kawasaki-parent");
  g_autoptr(GError) error = NULL;
  DeliverRun run = { store, client, FALSE, NULL };
  GThread *thread;

  for (guint i = 0; i < 8; i++)
    g_ptr_array_add (uuids, queue (store, "kawasaki-parent", FALSE));

  /* The server dies somewhere in the middle of the deliveries. */
  thread = g_thread_new ("deliver", deliver_thread, &run);
  g_usleep (g_test_rand_int_range (20, 200) * 1000);
  sync_test_server_kill (&server);
  g_thread_join (thread);
  if (!run.ok)
    {
      g_assert_true (mdg_sync_error_is_transient (run.error));
      g_clear_error (&run.error);
    }
  /* A staging file of a PUT the kill interrupted goes at the next start. */
  {
    g_autofree char *stale = g_build_filename (server.dir, "envelopes", "incoming-KILLED", NULL);

    g_assert_true (g_file_set_contents (stale, "partial", -1, NULL));
    sync_test_server_restart (&server);
    g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  }

  /* Tokens survive in the server's database; deliver the rest. */
  g_assert_true (mdg_sync_outbox_deliver (store, client, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (outbox_length (store), ==, 0);
  for (guint i = 0; i < uuids->len; i++)
    {
      assert_receipt_kept (store, uuids->pdata[i]);
      g_assert_cmpuint (server_count (client, uuids->pdata[i]), ==, 1);
    }
}

/* The delivering process is killed at random points, 50 times, while the
 * outbox grows: in the end every envelope is accepted exactly once and the
 * outbox is empty. */
/* Envelopes added before each run of the kill test. */
#define PER_RUN 20

static void
test_client_killed (void)
{
  g_autofree char *dir = g_build_filename (sync_test_tmp_dir (), "profile-killed", NULL);
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(MdgSyncClient) client = logged_in_client (endpoint_path, "kawasaki-parent");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  guint8 key[MDG_STORE_KEY_SIZE];
  char hex[2 * MDG_STORE_KEY_SIZE + 2];
  guint killed = 0;
  gint64 run_time = 0;
  guint queued_before_run = 0;
  guint partial = 0;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_assert_cmpint (RAND_bytes (key, sizeof key), ==, 1);
  for (guint i = 0; i < MDG_STORE_KEY_SIZE; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", key[i]);
  hex[2 * MDG_STORE_KEY_SIZE] = '\n';
  hex[2 * MDG_STORE_KEY_SIZE + 1] = '\0';

  /* Run 0 is timed and left to finish; runs 1–50 are killed at a random
   * point within that time; run 51 must drain what is left. */
  for (guint run = 0; run <= 51; run++)
    {
      const char *argv[] = { deliver_exe, "--profile", dir, "--endpoint", endpoint_path,
                             "--persona", "kawasaki-parent", NULL, NULL, NULL };
      g_autofree char *pki = g_strconcat ("--sim-pki-dir=", app_test_pki_dir (), NULL);
      g_autofree char *personas = g_strconcat ("--sim-personas-dir=", app_test_personas_dir (), NULL);
      g_autoptr(GSubprocess) child = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      gint64 start;

      /* PER_RUN more envelopes each run (more than are in flight at once), so
       * every run has work in several transactions; the parent
       * closes the store before a child opens it (one instance per
       * profile). */
      if (run <= 50)
        {
          g_autoptr(MdgStore) store = mdg_store_open (dir, key, &error);

          guint waiting;

          g_assert_no_error (error);
          /* Killed between its first and its last envelope. */
          waiting = outbox_length (store);
          if (run > 1 && waiting > 0 && waiting < queued_before_run)
            partial++;
          for (guint i = 0; i < PER_RUN; i++)
            g_ptr_array_add (uuids, queue (store, "kawasaki-parent", FALSE));
          queued_before_run = outbox_length (store);
        }

      argv[7] = pki;
      argv[8] = personas;
      child = g_subprocess_launcher_spawnv (launcher, argv, &error);
      g_assert_no_error (error);
      start = g_get_monotonic_time ();
      if (run == 0 || run == 51)
        {
          g_subprocess_communicate_utf8 (child, hex, NULL, &out, &err, &error);
          g_assert_no_error (error);
          if (!g_subprocess_get_successful (child))
            g_error ("a delivery that was not killed failed: %s", err);
          run_time = g_get_monotonic_time () - start;
          continue;
        }
      g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (child), hex, strlen (hex),
                                                NULL, NULL, &error));
      g_assert_no_error (error);
      /* Within the time a whole delivery of what is queued would take
       * (run 0 timed PER_RUN), so that some runs end and some are cut short. */
      g_usleep (g_test_rand_int_range (0, (gint32) MAX (run_time * queued_before_run / PER_RUN, 1000)));
      g_subprocess_force_exit (child);
      g_assert_true (g_subprocess_wait (child, NULL, NULL));
      if (g_subprocess_get_if_signaled (child))
        killed++;
    }
  OPENSSL_cleanse (hex, sizeof hex);
  g_test_message ("%u of 50 runs were killed before they ended, %u of them in the middle of the "
                  "deliveries", killed, partial);
  g_assert_cmpuint (killed, >=, 25);
  g_assert_cmpuint (partial, >=, 5);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MdgStore) store = mdg_store_open (dir, key, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (outbox_length (store), ==, 0);
    for (guint i = 0; i < uuids->len; i++)
      {
        assert_receipt_kept (store, uuids->pdata[i]);
        g_assert_cmpuint (server_count (client, uuids->pdata[i]), ==, 1);
      }
  }
  OPENSSL_cleanse (key, sizeof key);
}

/* ---- several envelopes per request --------------------------------------- */

/* More envelopes than the workers send one by one go in batches: every one
 * delivered once, with its receipt checked and kept, a refused one marked
 * (its neighbours unharmed), and the same envelopes again (a lost answer)
 * get their first receipts. */
static void
test_batch_delivery (void)
{
  g_autoptr(MdgStore) store = new_store ();
  g_autoptr(MdgSyncClient) client = logged_in_client (endpoint_path, "kawaguchi-76");
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *tampered = NULL;
  MdgSyncDeliveryReport report;

  for (guint i = 0; i < 3 * MDG_SYNC_CLIENT_MAX_PARALLEL * 2; i++)
    g_ptr_array_add (uuids, queue (store, "kawaguchi-76", FALSE));
  tampered = queue (store, "kawaguchi-76", TRUE);
  g_assert_true (mdg_sync_outbox_deliver (store, client, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.sent, ==, uuids->len);
  g_assert_cmpuint (report.refused, ==, 1);
  for (guint i = 0; i < uuids->len; i++)
    {
      assert_receipt_kept (store, uuids->pdata[i]);
      g_assert_cmpuint (server_count (client, uuids->pdata[i]), ==, 1);
    }
  g_assert_cmpuint (outbox_length (store), ==, 1);
  g_assert_cmpuint (server_count (client, tampered), ==, 0);

  /* Through the client's call: a batch again gets its first receipts,
   * byte for byte; other bytes under a delivered UUID are a conflict, and
   * a tampered envelope is refused, each for itself alone. */
  {
    g_autoptr(GBytes) a = sync_test_make_envelope ("kawaguchi-76", FALSE);
    g_autoptr(GBytes) b = sync_test_make_envelope ("kawaguchi-76", FALSE);
    g_autoptr(GBytes) bad = sync_test_make_envelope ("kawaguchi-76", TRUE);
    g_autofree char *ua = g_uuid_string_random ();
    g_autofree char *ub = g_uuid_string_random ();
    const char *ids[3] = { ua, ub, uuids->pdata[0] };
    GBytes *envs[3] = { a, b, bad };
    MdgSyncBatchResult first[3] = { { 0 } };
    MdgSyncBatchResult again[3] = { { 0 } };

    g_assert_true (mdg_sync_client_submit_batch (client, ids, envs, 3, first, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (mdg_sync_client_submit_batch (client, ids, envs, 3, again, NULL, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < 2; i++)
      {
        g_autoptr(JsonNode) checked = NULL;
        g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, envs[i]);

        g_assert_nonnull (first[i].receipt);
        g_assert_true (g_bytes_equal (first[i].receipt, again[i].receipt));
        checked = mdg_sync_receipt_check (first[i].receipt, mdg_sync_client_get_receipt_key (client), NULL,
                                          ids[i], sha, g_bytes_get_size (envs[i]), &error);
        g_assert_no_error (error);
        g_assert_nonnull (checked);
      }
    g_assert_null (first[2].receipt);
    g_assert_error (first[2].error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_REJECTED);
    g_assert_cmpstr (first[2].problem, ==, "submission-conflict");
    for (guint i = 0; i < 3; i++)
      {
        mdg_sync_batch_result_clear (&first[i]);
        mdg_sync_batch_result_clear (&again[i]);
      }

    ids[2] = tampered;
    envs[2] = bad;
    g_assert_true (mdg_sync_client_submit_batch (client, ids, envs, 3, first, NULL, &error));
    g_assert_no_error (error);
    g_assert_error (first[2].error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_REJECTED);
    g_assert_cmpstr (first[2].problem, ==, "envelope-signature-invalid");
    for (guint i = 0; i < 3; i++)
      mdg_sync_batch_result_clear (&first[i]);
  }
}

/* ---- hostile servers ----------------------------------------------------- */

typedef enum
{
  HOSTILE_OVERSIZE,
  HOSTILE_WRONG_TYPES,
  HOSTILE_REDIRECT,
  HOSTILE_FORGED_RECEIPT,
  HOSTILE_OTHER_ENVELOPE,
  HOSTILE_SERVER_ERROR,
  HOSTILE_NOT_A_CHALLENGE,
  HOSTILE_BAD_TOKEN,
  HOSTILE_WRONG_MEDIA_TYPE,
  HOSTILE_BAD_STATUS_LIST,
  /* POST /v1/submissions (several envelopes at once). */
  HOSTILE_BATCH_SHORT,
  HOSTILE_BATCH_WRONG_UUID,
  HOSTILE_BATCH_FORGED,
  HOSTILE_NO_BATCH,
} HostileMode;

typedef struct
{
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *soup;
  char         *uri;
  HostileMode   mode;
  guint         puts;   /* envelopes answered one by one */
  GMutex        lock;
  GCond         ready;
} Hostile;

static void
reply (SoupServerMessage *msg,
       guint status,
       const char *type,
       GBytes *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, g_bytes_get_data (body, NULL),
                                      g_bytes_get_size (body));
}

static void
reply_text (SoupServerMessage *msg,
            guint status,
            const char *type,
            const char *text)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  reply (msg, status, type, body);
}

/* A receipt for @uuid over @envelope, signed by @key; with @wrong_sha the
 * hash names other bytes. */
static GBytes *
hostile_receipt (const char *uuid,
                 SoupMessageBody *envelope,
                 EVP_PKEY *key,
                 gboolean wrong_sha)
{
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) envelope->data,
                                                      (gsize) envelope->length);
  g_autofree char *json = g_strdup_printf ("{\"version\":1,\"receipt_number\":\"MDG-20261123-000001\","
                                           "\"submission\":\"%s\",\"received\":\"2026-11-23T00:00:00Z\","
                                           "\"envelope_sha256\":\"%s\",\"envelope_size\":%" G_GOFFSET_FORMAT ","
                                           "\"server\":\"hostile.example\",\"verification\":{\"valid\":true}}",
                                           uuid, wrong_sha ? "00" : sha, envelope->length);
  g_autoptr(JsonNode) node = mdg_jcs_parse (json, -1, NULL);
  g_autoptr(GError) error = NULL;
  GBytes *signed_receipt = mdg_sync_receipt_sign (node, key, &error);

  g_assert_no_error (error);
  return signed_receipt;
}

/* The answer to a batch: too short, naming other submissions, with forged
 * receipts, or (an older server) no batches at all. */
static void
hostile_batch (Hostile *h,
               SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(SoupMultipart) multipart = soup_multipart_new_from_message (soup_server_message_get_request_headers (msg),
                                                                        bytes);
  g_autoptr(GString) json = g_string_new ("{\"results\":[");
  EVP_PKEY *forger = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  int n;

  g_assert_nonnull (multipart);
  n = soup_multipart_get_length (multipart);
  if (h->mode == HOSTILE_NO_BATCH)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET");
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      EVP_PKEY_free (forger);
      return;
    }
  for (int i = 0; i < (h->mode == HOSTILE_BATCH_SHORT ? n - 1 : n); i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part;
      g_autoptr(GHashTable) params = NULL;
      g_autoptr(GBytes) receipt = NULL;
      SoupMessageBody *part_body = soup_message_body_new ();
      const char *name;

      soup_multipart_get_part (multipart, i, &part_headers, &part);
      g_assert_true (soup_message_headers_get_content_disposition (part_headers, NULL, &params));
      name = g_hash_table_lookup (params, "name");
      if (h->mode == HOSTILE_BATCH_WRONG_UUID && i == 0)
        name = "00000000-0000-4000-8000-000000000000";
      soup_message_body_append_bytes (part_body, part);
      g_bytes_unref (soup_message_body_flatten (part_body));
      receipt = hostile_receipt (name, part_body, forger, FALSE);
      soup_message_body_unref (part_body);
      g_string_append_printf (json, "%s{\"submission\":\"%s\",\"status\":201,\"receipt\":%.*s}", i > 0 ? "," : "",
                              name, (int) g_bytes_get_size (receipt), (const char *) g_bytes_get_data (receipt, NULL));
    }
  g_string_append (json, "]}");
  reply_text (msg, 200, "application/json", json->str);
  EVP_PKEY_free (forger);
}

static void
hostile_handler (SoupServer *soup,
                 SoupServerMessage *msg,
                 const char *path,
                 GHashTable *query,
                 gpointer user_data)
{
  Hostile *h = user_data;

  if (g_str_equal (path, "/v1/auth/challenge"))
    {
      g_autofree char *c64 = NULL;
      g_autofree char *json = NULL;
      const char *challenge = h->mode == HOSTILE_NOT_A_CHALLENGE
                              ? "please sign this contract for 1,000,000 yen"
                              : "madoguchi-login/1 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

      if (h->mode == HOSTILE_WRONG_TYPES)
        {
          reply_text (msg, 200, "application/json", "{\"challenge\":5,\"expires\":[]}");
          return;
        }
      c64 = g_base64_encode ((const guchar *) challenge, strlen (challenge));
      json = g_strdup_printf ("{\"challenge\":\"%s\",\"expires\":\"2026-11-23T00:00:00Z\"}", c64);
      reply_text (msg, 200, "application/json", json);
    }
  else if (g_str_equal (path, "/v1/auth/login"))
    {
      reply_text (msg, 200, "application/json",
                  h->mode == HOSTILE_BAD_TOKEN
                  ? "{\"token\":\"abcdefghijklmnopqrstuvwxyz\\r\\nX-Injected: 1\",\"token_type\":\"Bearer\"}"
                  : "{\"token\":\"abcdefghijklmnopqrstuvwxyz0123456789\",\"token_type\":\"Bearer\"}");
    }
  else if (g_str_has_prefix (path, "/v1/submissions/"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      const char *uuid = path + strlen ("/v1/submissions/");

      switch (h->mode)
        {
        case HOSTILE_OVERSIZE:
          {
            g_autofree char *big = g_malloc (MDG_SYNC_CLIENT_MAX_ANSWER + 4096);

            memset (big, ' ', MDG_SYNC_CLIENT_MAX_ANSWER + 4096);
            big[0] = '{';
            soup_server_message_set_status (msg, 201, NULL);
            soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                              g_steal_pointer (&big), MDG_SYNC_CLIENT_MAX_ANSWER + 4096);
          }
          break;
        case HOSTILE_REDIRECT:
          soup_server_message_set_redirect (msg, 307, "https://evil.example/v1/submissions/x");
          break;
        case HOSTILE_FORGED_RECEIPT:
        case HOSTILE_OTHER_ENVELOPE:
        case HOSTILE_NO_BATCH:
          {
            g_autofree char *receipt_path = g_build_filename (sync_test_tmp_dir (), "receipt.pem", NULL);
            g_autofree char *pem = NULL;
            gsize len = 0;
            EVP_PKEY *key;
            g_autoptr(GBytes) receipt = NULL;

            if (h->mode == HOSTILE_FORGED_RECEIPT)
              key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
            else
              {
                g_assert_true (g_file_get_contents (receipt_path, &pem, &len, NULL));
                key = mdg_sync_key_from_pem (pem, len, TRUE, NULL);
              }
            g_assert_nonnull (key);
            receipt = hostile_receipt (uuid, body, key, h->mode == HOSTILE_OTHER_ENVELOPE);
            reply (msg, 201, "application/json", receipt);
            if (h->mode == HOSTILE_NO_BATCH)
              h->puts++;
            EVP_PKEY_free (key);
          }
          break;
        case HOSTILE_SERVER_ERROR:
          reply_text (msg, 500, "text/html", "<html>oops</html>");
          break;
        case HOSTILE_WRONG_MEDIA_TYPE:
          reply_text (msg, 201, "text/html", "{\"receipt\":{}}");
          break;
        case HOSTILE_WRONG_TYPES:
        case HOSTILE_NOT_A_CHALLENGE:
        case HOSTILE_BAD_TOKEN:
        case HOSTILE_BAD_STATUS_LIST:
        default:
          reply_text (msg, 201, "application/json", "{\"receipt\":[],\"signature\":\"x\"}");
          break;
        }
    }
  else if (g_str_equal (path, "/v1/submissions") && g_str_equal (soup_server_message_get_method (msg), "POST"))
    hostile_batch (h, msg);
  else if (g_str_equal (path, "/v1/submissions"))
    {
      reply_text (msg, 200, "application/json",
                  "{\"submissions\":[{\"uuid\":\"../../etc\",\"status\":\"granted-by-hacker\","
                  "\"received\":1,\"receipt_number\":null,\"history\":{}}]}");
    }
  else
    reply_text (msg, 404, "text/plain", "no");
}

static gpointer
hostile_thread (gpointer data)
{
  Hostile *h = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autofree char *key = g_strconcat (sync_test_tls_cert (), ".key", NULL);
  GSList *uris;

  g_main_context_push_thread_default (h->context);
  cert = g_tls_certificate_new_from_files (sync_test_tls_cert (), key, &error);
  g_assert_no_error (error);
  h->soup = soup_server_new ("tls-certificate", cert, NULL);
  soup_server_add_handler (h->soup, NULL, hostile_handler, h, NULL);
  g_assert_true (soup_server_listen_local (h->soup, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (h->soup);
  g_mutex_lock (&h->lock);
  h->uri = g_uri_to_string (uris->data);
  g_cond_signal (&h->ready);
  g_mutex_unlock (&h->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (h->loop);
  soup_server_disconnect (h->soup);
  g_clear_object (&h->soup);
  g_main_context_pop_thread_default (h->context);
  return NULL;
}

static gboolean
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static void
start_hostile (Hostile *h,
               GThread **thread)
{
  g_mutex_init (&h->lock);
  g_cond_init (&h->ready);
  h->context = g_main_context_new ();
  h->loop = g_main_loop_new (h->context, FALSE);
  g_mutex_lock (&h->lock);
  *thread = g_thread_new ("hostile", hostile_thread, h);
  while (h->uri == NULL)
    g_cond_wait (&h->ready, &h->lock);
  g_mutex_unlock (&h->lock);
}

static void
stop_hostile (Hostile *h,
              GThread *thread)
{
  g_main_context_invoke (h->context, quit_loop, h->loop);
  g_thread_join (thread);
  g_main_loop_unref (h->loop);
  g_main_context_unref (h->context);
  g_free (h->uri);
  g_mutex_clear (&h->lock);
  g_cond_clear (&h->ready);
}

static void
test_hostile_server (void)
{
  static const struct { HostileMode mode; gboolean at_login; gint code; } cases[] = {
    { HOSTILE_OVERSIZE, FALSE, MDG_SYNC_ERROR_PROTOCOL },
    { HOSTILE_WRONG_TYPES, TRUE, MDG_SYNC_ERROR_PROTOCOL },
    { HOSTILE_REDIRECT, FALSE, MDG_SYNC_ERROR_PROTOCOL },
    { HOSTILE_FORGED_RECEIPT, FALSE, MDG_SYNC_ERROR_PROTOCOL },
    { HOSTILE_OTHER_ENVELOPE, FALSE, MDG_SYNC_ERROR_PROTOCOL },
    { HOSTILE_SERVER_ERROR, FALSE, MDG_SYNC_ERROR_SERVER },
    { HOSTILE_NOT_A_CHALLENGE, TRUE, MDG_SYNC_ERROR_PROTOCOL },
    { HOSTILE_BAD_TOKEN, TRUE, MDG_SYNC_ERROR_PROTOCOL },
    { HOSTILE_WRONG_MEDIA_TYPE, FALSE, MDG_SYNC_ERROR_PROTOCOL },
    { HOSTILE_BAD_STATUS_LIST, FALSE, MDG_SYNC_ERROR_PROTOCOL },
  };
  Hostile h = { 0 };
  GThread *thread;
  g_autofree char *endpoint = NULL;
  g_autoptr(MdgStore) store = new_store ();
  g_autofree char *uuid = queue (store, "kawaguchi-76", FALSE);

  g_assert_nonnull (uuid);
  start_hostile (&h, &thread);
  endpoint = write_endpoint ("hostile.ini", h.uri, sync_test_tls_cert ());

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MdgSyncClient) client = new_client (endpoint);
      g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) list = NULL;
      gboolean ok;

      g_test_message ("hostile case %u", i);
      h.mode = cases[i].mode;
      ok = mdg_sync_client_login (client, auth, NULL, &error);
      if (cases[i].at_login)
        {
          g_assert_false (ok);
          g_assert_error (error, MDG_SYNC_ERROR, cases[i].code);
          g_assert_false (mdg_sync_client_is_logged_in (client));
        }
      else if (cases[i].mode == HOSTILE_BAD_STATUS_LIST)
        {
          g_autoptr(GPtrArray) changes = mdg_sync_status_refresh (store, client, NULL, &error);

          g_assert_null (changes);
          g_assert_error (error, MDG_SYNC_ERROR, cases[i].code);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_false (mdg_sync_outbox_deliver (store, client, NULL, NULL, &error));
          g_assert_error (error, MDG_SYNC_ERROR, cases[i].code);
        }
      g_test_message ("  %s", error->message);

      /* The outbox is intact: the envelope waits, no receipt, not refused. */
      list = mdg_store_outbox_list (store, NULL);
      g_assert_cmpuint (list->len, ==, 1);
      g_assert_false (((MdgOutboxInfo *) list->pdata[0])->has_receipt);
      g_assert_null (((MdgOutboxInfo *) list->pdata[0])->rejected);
    }

  stop_hostile (&h, thread);
}

/* Batch answers that break the protocol leave every envelope waiting; a
 * server without batches gets the envelopes one by one. */
static void
test_hostile_batch (void)
{
  static const HostileMode modes[] = { HOSTILE_BATCH_SHORT, HOSTILE_BATCH_WRONG_UUID, HOSTILE_BATCH_FORGED };
  Hostile h = { 0 };
  GThread *thread;
  g_autofree char *endpoint = NULL;
  g_autoptr(MdgStore) store = new_store ();
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  guint n = 3 * MDG_SYNC_CLIENT_MAX_PARALLEL * 2;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (uuids, queue (store, "kawaguchi-76", FALSE));
  start_hostile (&h, &thread);
  endpoint = write_endpoint ("hostile-batch.ini", h.uri, sync_test_tls_cert ());

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(MdgSyncClient) client = new_client (endpoint);
      g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) list = NULL;

      h.mode = modes[i];
      g_assert_true (mdg_sync_client_login (client, auth, NULL, &error));
      g_assert_no_error (error);
      g_assert_false (mdg_sync_outbox_deliver (store, client, NULL, NULL, &error));
      g_assert_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_PROTOCOL);
      g_test_message ("batch case %u: %s", i, error->message);
      list = mdg_store_outbox_list (store, NULL);
      g_assert_cmpuint (list->len, ==, n);
      for (guint j = 0; j < list->len; j++)
        {
          g_assert_false (((MdgOutboxInfo *) list->pdata[j])->has_receipt);
          g_assert_null (((MdgOutboxInfo *) list->pdata[j])->rejected);
        }
    }

  /* The first protocol version: 405 to the batch, then one by one. */
  {
    g_autoptr(MdgSyncClient) client = new_client (endpoint);
    g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
    g_autoptr(GError) error = NULL;
    MdgSyncDeliveryReport report;

    h.mode = HOSTILE_NO_BATCH;
    g_assert_true (mdg_sync_client_login (client, auth, NULL, &error));
    g_assert_true (mdg_sync_outbox_deliver (store, client, &report, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (report.sent, ==, n);
    g_assert_cmpuint (h.puts, ==, n);
    g_assert_cmpuint (outbox_length (store), ==, 0);
    for (guint j = 0; j < uuids->len; j++)
      assert_receipt_kept (store, uuids->pdata[j]);
  }
  stop_hostile (&h, thread);
}

int
main (int argc,
      char *argv[])
{
  int status;
  int out = 1;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--deliver="))
        deliver_exe = g_strdup (argv[i] + strlen ("--deliver="));
      else
        argv[out++] = argv[i];
    }
  argc = out;
  argv[out] = NULL;
  sync_test_setup (&argc, &argv);
  g_assert_nonnull (deliver_exe);
  g_test_init (&argc, &argv, NULL);
  sync_test_server_start (&server, "client", "test", FALSE);
  endpoint_path = write_endpoint ("endpoint.ini", server.uri, sync_test_tls_cert ());

  g_test_add_func ("/sync/client/deliver-and-status", test_deliver_and_status);
  g_test_add_func ("/sync/client/refused-kept", test_refused_kept);
  g_test_add_func ("/sync/client/lost-receipt", test_lost_receipt);
  g_test_add_func ("/sync/client/tls-pinned", test_tls_pinned);
  g_test_add_func ("/sync/client/proxy-honoured", test_proxy_honoured);
  g_test_add_func ("/sync/client/hostile-server", test_hostile_server);
  g_test_add_func ("/sync/client/batch-delivery", test_batch_delivery);
  g_test_add_func ("/sync/client/hostile-batch", test_hostile_batch);
  g_test_add_func ("/sync/client/faults", test_faults);
  g_test_add_func ("/sync/client/server-killed", test_server_killed);
  g_test_add_func ("/sync/client/resumable-upload", test_resumable_upload);
  g_test_add_func ("/sync/client/client-killed", test_client_killed);
  status = g_test_run ();

  sync_test_server_stop (&server);
  g_free (endpoint_path);
  g_free (deliver_exe);
  sync_test_teardown ();
  return status;
}
