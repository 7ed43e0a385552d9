/* mdg-pcsc.h: PC/SC readers and card connections through libpcsclite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-transport.h"

G_BEGIN_DECLS

#define MDG_TYPE_PCSC_CONTEXT (mdg_pcsc_context_get_type ())
G_DECLARE_FINAL_TYPE (MdgPcscContext, mdg_pcsc_context, MDG, PCSC_CONTEXT, GObject)

/* Fails with MDG_CARD_ERROR_NO_SERVICE when pcscd is not running. */
MdgPcscContext *mdg_pcsc_context_new            (GError **error);
/* NULL-terminated list of reader names; NO_READER when there is none. */
GStrv           mdg_pcsc_context_list_readers   (MdgPcscContext *self,
                                                 GError **error);
gboolean        mdg_pcsc_context_card_present   (MdgPcscContext *self,
                                                 const char *reader,
                                                 GError **error);
/* Blocks (SCardGetStatusChange) until a card is present (@present TRUE) or
 * absent on @reader, for at most @timeout_ms (0 = forever). @cancellable
 * cancels the wait (SCardCancel). */
gboolean        mdg_pcsc_context_wait_for_card  (MdgPcscContext *self,
                                                 const char *reader,
                                                 gboolean present,
                                                 guint timeout_ms,
                                                 GCancellable *cancellable,
                                                 GError **error);
/* The first reader with a card, or NO_CARD / NO_READER. */
char           *mdg_pcsc_context_find_card_reader (MdgPcscContext *self,
                                                   GError **error);

#define MDG_TYPE_PCSC_TRANSPORT (mdg_pcsc_transport_get_type ())
G_DECLARE_FINAL_TYPE (MdgPcscTransport, mdg_pcsc_transport, MDG, PCSC_TRANSPORT, GObject)

/* Connects with SCARD_SHARE_EXCLUSIVE (CARD_IN_USE if another program holds
 * the card). @reader NULL picks the first reader with a card. Finalizing
 * the transport disconnects with SCARD_UNPOWER_CARD. */
MdgPcscTransport *mdg_pcsc_transport_connect (MdgPcscContext *context,
                                              const char *reader,
                                              GError **error);

G_END_DECLS
