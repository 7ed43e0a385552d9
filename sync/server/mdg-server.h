/* mdg-server.h: the HTTPS server of the sync protocol (docs/sync-protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <openssl/evp.h>

#include "mdg-server-config.h"

G_BEGIN_DECLS

#define MDG_TYPE_SERVER (mdg_server_get_type ())
G_DECLARE_FINAL_TYPE (MdgServer, mdg_server, MDG, SERVER, GObject)

/* Takes @config (with its trust stores loaded): opens the database, the
 * receipt key and the TLS certificate. */
MdgServer *mdg_server_new     (MdgServerConfig *config,
                               GError **error);
/* Listens with TLS on the configured address; the URI it is reachable at
 * (with the real port when the configuration says 0) is returned. */
char      *mdg_server_listen  (MdgServer *self,
                               GError **error);

/* The Ed25519 receipt key (PEM) at @path. */
EVP_PKEY  *mdg_server_load_receipt_key (const char *path,
                                        GError **error);

G_END_DECLS
