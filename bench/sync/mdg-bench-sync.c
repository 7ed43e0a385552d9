/* mdg-bench-sync.c: the client side of bench/sync (run.py drives it)
 *
 *   mdg-bench-sync prepare --profile DIR --count N --pool N --files DIR
 *       fills a new profile's outbox with N submissions (new UUIDs over a
 *       pool of distinct signed envelopes) and writes curl's config for
 *       the same envelopes under other UUIDs into DIR/curl.cfg
 *   mdg-bench-sync deliver --profile DIR --endpoint FILE
 *       logs in and delivers the outbox; prints "SECONDS SENT"
 *   mdg-bench-sync token --endpoint FILE
 *       logs in and prints a session token for curl
 *
 * The store key is in DIR/../key.hex (a benchmark, not a product path).
 * Logins use persona kawaguchi-76's software authentication key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <openssl/rand.h>

#include "app-test-util.h"
#include "mdg-cms.h"
#include "mdg-envelope.h"
#include "mdg-jcs.h"
#include "mdg-sync-client.h"
#include "mdg-sync-outbox.h"

#define PERSONA "kawaguchi-76"

static char *profile;
static char *endpoint_path;
static char *files_dir;
static int count = 1000;
static int pool = 200;

static void
key_of_profile (guint8 key[MDG_STORE_KEY_SIZE])
{
  g_autofree char *path = g_strconcat (profile, ".key", NULL);
  g_autofree char *hex = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      GString *text = g_string_new (NULL);

      g_assert_cmpint (RAND_bytes (key, MDG_STORE_KEY_SIZE), ==, 1);
      for (guint i = 0; i < MDG_STORE_KEY_SIZE; i++)
        g_string_append_printf (text, "%02x", key[i]);
      g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
      g_string_free (text, TRUE);
      return;
    }
  g_assert_true (g_file_get_contents (path, &hex, NULL, NULL));
  for (guint i = 0; i < MDG_STORE_KEY_SIZE; i++)
    key[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
}

/* One signed envelope of PERSONA (the tests' document, signed now). */
static void
write_envelope (const char *out)
{
  g_autofree char *json = app_test_document_json (PERSONA, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) doc = mdg_jcs_canonicalize (json, -1, &error);
  g_autoptr(MdgSigner) signer = app_test_software_signer (PERSONA, "sign");
  g_autoptr(GBytes) cms = mdg_cms_sign_detached (signer, doc, NULL, &error);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) mdg_envelope_file_free);
  g_autofree char *att = g_strconcat (out, ".png", NULL);

  g_assert_no_error (error);
  /* The attachment the test document lists (its hash is signed). */
  g_assert_true (g_file_set_contents (att, "hello", 5, NULL));
  g_ptr_array_add (files, mdg_envelope_file_new (att, "card.png", "image/png", &error));
  g_assert_no_error (error);
  g_assert_true (mdg_envelope_write (out, doc, cms, files, &error));
  g_assert_no_error (error);
  remove (att);
}

static int
prepare (void)
{
  guint8 key[MDG_STORE_KEY_SIZE];
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GString) curl = g_string_new (NULL);
  g_autofree char *cfg = g_build_filename (files_dir, "curl.cfg", NULL);

  g_assert_cmpint (g_mkdir_with_parents (files_dir, 0700), ==, 0);
  for (int i = 0; i < pool; i++)
    {
      g_autofree char *name = g_strdup_printf ("envelope-%d.zip", i);
      g_autofree char *path = g_build_filename (files_dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        write_envelope (path);
    }

  key_of_profile (key);
  store = mdg_store_open (profile, key, &error);
  g_assert_no_error (error);
  for (int i = 0; i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("envelope-%d.zip", i % pool);
      g_autofree char *path = g_build_filename (files_dir, name, NULL);
      g_autofree char *ours = g_uuid_string_random ();
      g_autofree char *theirs = g_uuid_string_random ();

      g_assert_true (mdg_store_outbox_add_file (store, ours, path, &error));
      g_assert_no_error (error);
      /* curl's transfers: @TOKEN@, @BASE@ and @CACERT@ are filled in by
       * run.py (options after "next" apply to one transfer only). */
      g_string_append_printf (curl, "next\nurl = \"@BASE@v1/submissions/%s\"\nupload-file = \"%s\"\n"
                              "request = PUT\ncacert = \"@CACERT@\"\nheader = \"Content-Type: application/zip\"\n"
                              "header = \"Authorization: Bearer @TOKEN@\"\noutput = /dev/null\n"
                              "write-out = \"%%{http_code}\\n\"\n",
                              theirs, path);
    }
  g_assert_true (g_file_set_contents (cfg, curl->str + strlen ("next\n"), -1, NULL));
  return 0;
}

static MdgSyncClient *
login (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgSyncEndpoint) endpoint = mdg_sync_endpoint_load (endpoint_path, &error);
  g_autoptr(MdgSyncClient) client = NULL;
  g_autoptr(MdgSigner) auth = app_test_software_signer (PERSONA, "auth");
  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);

  g_assert_no_error (error);
  client = mdg_sync_client_new (endpoint, &error);
  g_assert_no_error (error);
  mdg_sync_client_set_proxy_resolver (client, direct);
  if (!mdg_sync_client_login (client, auth, NULL, &error))
    g_error ("login: %s", error->message);
  return g_steal_pointer (&client);
}

static int
deliver (void)
{
  guint8 key[MDG_STORE_KEY_SIZE];
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(MdgSyncClient) client = NULL;
  MdgSyncDeliveryReport report;
  gint64 start;

  key_of_profile (key);
  store = mdg_store_open (profile, key, &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  client = login ();
  if (!mdg_sync_outbox_deliver (store, client, &report, NULL, &error))
    g_error ("deliver: %s", error->message);
  g_print ("%.3f %u\n", (g_get_monotonic_time () - start) / 1e6, report.sent);
  return 0;
}

static int
token (void)
{
  g_autoptr(MdgSyncClient) client = login ();

  g_print ("%s\n", mdg_sync_client_get_token (client));
  return 0;
}

int
main (int argc,
      char *argv[])
{
  GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile, "Profile directory", "DIR" },
    { "endpoint", 0, 0, G_OPTION_ARG_FILENAME, &endpoint_path, "Endpoint file", "FILE" },
    { "files", 0, 0, G_OPTION_ARG_FILENAME, &files_dir, "Envelope files for curl", "DIR" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Submissions", "N" },
    { "pool", 0, 0, G_OPTION_ARG_INT, &pool, "Distinct envelopes", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("prepare|deliver|token|parallel");
  g_autoptr(GError) error = NULL;

  app_test_parse_args (&argc, &argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("usage: mdg-bench-sync prepare|deliver|token|parallel [OPTION…]\n");
      return 2;
    }
  if (g_str_equal (argv[1], "parallel"))
    {
      g_print ("%d\n", MDG_SYNC_CLIENT_MAX_PARALLEL);
      return 0;
    }
  if (g_str_equal (argv[1], "prepare") && profile != NULL && files_dir != NULL)
    return prepare ();
  if (g_str_equal (argv[1], "deliver") && profile != NULL && endpoint_path != NULL)
    return deliver ();
  if (g_str_equal (argv[1], "token") && endpoint_path != NULL)
    return token ();
  g_printerr ("usage: mdg-bench-sync prepare|deliver|token|parallel [OPTION…]\n");
  return 2;
}
