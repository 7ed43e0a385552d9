/* mdg-sync-endpoint.h: which server a profile talks to, and what it trusts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

G_BEGIN_DECLS

/* The municipality publishes one small file (docs/sync-client.md):
 *
 *   [endpoint]
 *   uri=https://shinsei.city.example/
 *   ca=municipality-ca.pem       (the only CA the TLS connection accepts)
 *   receipt_key=receipt.pub      (Ed25519 public key of the receipts)
 *
 * Relative paths are taken from the file's directory. */
typedef struct
{
  char     *uri;          /* ends with '/' */
  char     *ca_path;
  EVP_PKEY *receipt_key;
} MdgSyncEndpoint;

MdgSyncEndpoint *mdg_sync_endpoint_load (const char *path,
                                         GError **error);
void             mdg_sync_endpoint_free (MdgSyncEndpoint *endpoint);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgSyncEndpoint, mdg_sync_endpoint_free)

G_END_DECLS
