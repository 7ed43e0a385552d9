/* mdg-transport.h: the seam between card logic and a card connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What happens to the card when a transaction ends or the connection closes.
 * UNPOWER is the only one that is guaranteed to clear the card's security
 * status (jpki-card.md §4). */
typedef enum
{
  MDG_DISPOSITION_LEAVE,
  MDG_DISPOSITION_RESET,
  MDG_DISPOSITION_UNPOWER,
} MdgDisposition;

/* A short APDU response: up to 256 data bytes and SW1 SW2. */
#define MDG_TRANSPORT_MAX_RESPONSE 258

#define MDG_TYPE_TRANSPORT (mdg_transport_get_type ())
G_DECLARE_INTERFACE (MdgTransport, mdg_transport, MDG, TRANSPORT, GObject)

struct _MdgTransportInterface
{
  GTypeInterface parent_iface;

  /* response_len: in, capacity of @response; out, bytes received (>= 2). */
  gboolean (*transmit) (MdgTransport *self,
                        const guint8 *command,
                        gsize command_len,
                        guint8 *response,
                        gsize *response_len,
                        GError **error);
  GBytes *(*get_atr) (MdgTransport *self);
  const char *(*get_reader_name) (MdgTransport *self);
  gboolean (*begin_transaction) (MdgTransport *self,
                                 GError **error);
  gboolean (*end_transaction) (MdgTransport *self,
                               MdgDisposition disposition,
                               GError **error);
  /* Closes the connection; afterwards every call fails with CARD_REMOVED. */
  void (*disconnect) (MdgTransport *self,
                      MdgDisposition disposition);
};

gboolean    mdg_transport_transmit          (MdgTransport *self,
                                             const guint8 *command,
                                             gsize command_len,
                                             guint8 *response,
                                             gsize *response_len,
                                             GError **error);
GBytes     *mdg_transport_get_atr           (MdgTransport *self);
const char *mdg_transport_get_reader_name   (MdgTransport *self);
gboolean    mdg_transport_begin_transaction (MdgTransport *self,
                                             GError **error);
gboolean    mdg_transport_end_transaction   (MdgTransport *self,
                                             MdgDisposition disposition,
                                             GError **error);
void        mdg_transport_disconnect        (MdgTransport *self,
                                             MdgDisposition disposition);

/* mdg_transport_transmit() in a worker thread, for UIs. The transport must
 * not be used otherwise until the callback runs. The result is the raw
 * response (data and SW), at least 2 bytes. */
void        mdg_transport_transmit_async    (MdgTransport *self,
                                             GBytes *command,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
GBytes     *mdg_transport_transmit_finish   (MdgTransport *self,
                                             GAsyncResult *result,
                                             GError **error);

G_END_DECLS
