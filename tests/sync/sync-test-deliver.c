/* sync-test-deliver.c: one delivery run of a profile's outbox, as a
 * process of its own, so that tests can SIGKILL it and the benchmark can
 * time it. Logs in with a persona's software authentication key (the
 * simulator's PKI); the store key comes as hex on stdin.
 *
 *   sync-test-deliver --profile DIR --endpoint FILE --persona ID
 *                     --sim-pki-dir DIR [--sim-personas-dir DIR]
 *
 * Exit status: 0 delivered everything, 1 an error, 2 usage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>

#include "app-test-util.h"
#include "mdg-sync-client.h"
#include "mdg-sync-outbox.h"

int
main (int argc,
      char *argv[])
{
  g_autofree char *profile = NULL;
  g_autofree char *endpoint_path = NULL;
  g_autofree char *persona = NULL;
  GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile, "Profile directory", "DIR" },
    { "endpoint", 0, 0, G_OPTION_ARG_FILENAME, &endpoint_path, "Endpoint file", "FILE" },
    { "persona", 0, 0, G_OPTION_ARG_STRING, &persona, "Persona of the test PKI", "ID" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgSyncEndpoint) endpoint = NULL;
  g_autoptr(MdgSyncClient) client = NULL;
  g_autoptr(MdgSigner) auth = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);
  MdgSyncDeliveryReport report;
  char hex[2 * MDG_STORE_KEY_SIZE + 2] = { 0 };
  guint8 key[MDG_STORE_KEY_SIZE];

  app_test_parse_args (&argc, &argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || profile == NULL || endpoint_path == NULL || persona == NULL)
    {
      g_printerr ("usage: %s\n", error != NULL ? error->message : "missing option");
      return 2;
    }
  if (fgets (hex, sizeof hex, stdin) == NULL || strlen (hex) < 2 * MDG_STORE_KEY_SIZE)
    {
      g_printerr ("the store key (hex) is expected on stdin\n");
      return 2;
    }
  for (guint i = 0; i < MDG_STORE_KEY_SIZE; i++)
    key[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
  OPENSSL_cleanse (hex, sizeof hex);

  store = mdg_store_open (profile, key, &error);
  OPENSSL_cleanse (key, sizeof key);
  if (store == NULL
      || (endpoint = mdg_sync_endpoint_load (endpoint_path, &error)) == NULL
      || (client = mdg_sync_client_new (endpoint, &error)) == NULL)
    goto fail;
  mdg_sync_client_set_proxy_resolver (client, direct);
  auth = app_test_software_signer (persona, "auth");
  if (!mdg_sync_client_login (client, auth, NULL, &error)
      || !mdg_sync_outbox_deliver (store, client, &report, NULL, &error))
    goto fail;
  g_print ("%u\n", report.sent);
  return 0;

fail:
  g_printerr ("sync-test-deliver: %s\n", error->message);
  return 1;
}
