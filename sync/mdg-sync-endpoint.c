/* mdg-sync-endpoint.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "mdg-sync-endpoint.h"
#include "mdg-sync-error.h"
#include "mdg-sync-receipt.h"

void
mdg_sync_endpoint_free (MdgSyncEndpoint *endpoint)
{
  if (endpoint == NULL)
    return;
  g_free (endpoint->uri);
  g_free (endpoint->ca_path);
  EVP_PKEY_free (endpoint->receipt_key);
  g_free (endpoint);
}

static char *
resolve (const char *dir,
         const char *path)
{
  if (g_path_is_absolute (path))
    return g_strdup (path);
  return g_build_filename (dir, path, NULL);
}

MdgSyncEndpoint *
mdg_sync_endpoint_load (const char *path,
                        GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(MdgSyncEndpoint) endpoint = g_new0 (MdgSyncEndpoint, 1);
  g_autoptr(GError) local = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *uri_text = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *key = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *pem = NULL;
  gsize pem_len = 0;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local)
      || (uri_text = g_key_file_get_string (file, "endpoint", "uri", &local)) == NULL
      || (ca = g_key_file_get_string (file, "endpoint", "ca", &local)) == NULL
      || (key = g_key_file_get_string (file, "endpoint", "receipt_key", &local)) == NULL)
    {
      g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_CONFIG,
                   _("Could not read the server settings “%s”: %s"), path, local->message);
      return NULL;
    }

  /* HTTPS only (docs/sync-protocol.md §1). */
  uri = g_uri_parse (uri_text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_CONFIG,
                   _("The server address in “%s” must be an https:// URI."), path);
      return NULL;
    }
  endpoint->uri = g_str_has_suffix (uri_text, "/") ? g_strdup (uri_text) : g_strconcat (uri_text, "/", NULL);
  endpoint->ca_path = resolve (dir, ca);
  key_path = resolve (dir, key);
  if (!g_file_get_contents (key_path, &pem, &pem_len, &local))
    {
      g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_CONFIG,
                   _("Could not read the server’s receipt key: %s"), local->message);
      return NULL;
    }
  endpoint->receipt_key = mdg_sync_key_from_pem (pem, pem_len, FALSE, &local);
  if (endpoint->receipt_key == NULL)
    {
      g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_CONFIG,
                   _("The server’s receipt key is not usable: %s"), local->message);
      return NULL;
    }
  if (!g_file_test (endpoint->ca_path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_CONFIG,
                   _("The municipality’s CA certificate “%s” is missing."), endpoint->ca_path);
      return NULL;
    }

  return g_steal_pointer (&endpoint);
}
