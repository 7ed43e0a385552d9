/* mdg-memory-transport.h: an in-process transport for unit tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-transport.h"

G_BEGIN_DECLS

/* What a card model answers to one command. */
typedef enum
{
  MDG_MEMORY_CARD_REPLY,    /* @response holds a reply */
  MDG_MEMORY_CARD_REMOVED,  /* the card left the reader instead of answering */
} MdgMemoryCardResult;

typedef struct
{
  /* @response_len: in, capacity; out, length (>= 2 on REPLY). */
  MdgMemoryCardResult (*process) (gpointer card,
                                  const guint8 *command,
                                  gsize command_len,
                                  guint8 *response,
                                  gsize *response_len);
  void    (*power)   (gpointer card,
                      gboolean on);
  GBytes *(*get_atr) (gpointer card);
} MdgMemoryCardFuncs;

#define MDG_TYPE_MEMORY_TRANSPORT (mdg_memory_transport_get_type ())
G_DECLARE_FINAL_TYPE (MdgMemoryTransport, mdg_memory_transport, MDG, MEMORY_TRANSPORT, GObject)

/* Powers the card on. @funcs must outlive the transport; @card is released
 * with @card_destroy. */
MdgMemoryTransport *mdg_memory_transport_new         (const MdgMemoryCardFuncs *funcs,
                                                      gpointer card,
                                                      GDestroyNotify card_destroy);
/* Number of APDUs sent through this transport. */
guint               mdg_memory_transport_get_apdu_count (MdgMemoryTransport *self);
/* Simulates pulling the card: powers it off; later calls fail with CARD_REMOVED. */
void                mdg_memory_transport_remove_card (MdgMemoryTransport *self);
/* Whether a transaction is open (begin without end), for tests. */
gboolean            mdg_memory_transport_in_transaction (MdgMemoryTransport *self);

G_END_DECLS
