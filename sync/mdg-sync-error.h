/* mdg-sync-error.h: why talking to the municipality's server failed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MDG_SYNC_ERROR (mdg_sync_error_quark ())

typedef enum
{
  MDG_SYNC_ERROR_NETWORK,       /* no connection, reset, timeout: try again later */
  MDG_SYNC_ERROR_TLS,           /* the server's certificate is not from the pinned CA */
  MDG_SYNC_ERROR_SERVER,        /* the server failed (5xx): try again later */
  MDG_SYNC_ERROR_UNAUTHORIZED,  /* no session, or it expired: log in again */
  MDG_SYNC_ERROR_LOGIN,         /* the login was refused (challenge, signature, unmapped card) */
  MDG_SYNC_ERROR_NOT_FOUND,     /* no such application */
  MDG_SYNC_ERROR_REJECTED,      /* the server refused this envelope for good */
  MDG_SYNC_ERROR_PROTOCOL,      /* the answer breaks the protocol (wrong types, too large,
                                 * a redirect, a receipt that does not verify) */
  MDG_SYNC_ERROR_CONFIG,        /* the endpoint file is missing or wrong */
} MdgSyncError;

GQuark   mdg_sync_error_quark        (void);

/* TRUE for failures that may go away by themselves (network, server,
 * protocol): the outbox keeps the envelope and tries again later. */
gboolean mdg_sync_error_is_transient (const GError *error);

G_END_DECLS
