/* mdg-sync-outbox.h: delivering the encrypted outbox to the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-store.h"
#include "mdg-sync-client.h"

G_BEGIN_DECLS

typedef struct
{
  guint sent;      /* receipts verified and kept, envelopes deleted */
  guint refused;   /* refused by the server for good, kept in the outbox */
  guint waiting;   /* still to be sent (a transient failure stopped us) */
} MdgSyncDeliveryReport;

/* Checks that @body is a receipt signed by @key (whose mdg_sync_key_id()
 * is @key_id, or NULL to compute it) for exactly this envelope: its UUID,
 * SHA-256 (hex) and size, and that the server found it valid. Returns the
 * receipt object. */
JsonNode *mdg_sync_receipt_check    (GBytes *body,
                                     EVP_PKEY *key,
                                     const char *key_id,
                                     const char *uuid,
                                     const char *sha256,
                                     gsize size,
                                     GError **error);

/* Sends every envelope of the outbox, oldest first, a few at a time
 * (MDG_SYNC_CLIENT_MAX_PARALLEL). Each receipt is checked, then stored with
 * the envelope's deletion in one transaction (with the other receipts that
 * came in at the same time), so a crash at any point loses nothing and a
 * retry gets the same receipt. An envelope
 * refused for good is marked and kept; a transient failure stops delivery
 * with an error, leaving the rest for the next try. */
gboolean  mdg_sync_outbox_deliver   (MdgStore *store,
                                     MdgSyncClient *client,
                                     MdgSyncDeliveryReport *report,
                                     GCancellable *cancellable,
                                     GError **error);

G_END_DECLS
