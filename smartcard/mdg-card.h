/* mdg-card.h: ISO 7816 card operations over a transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-apdu.h"
#include "mdg-pin.h"
#include "mdg-transport.h"

G_BEGIN_DECLS

/* Returned by mdg_card_pin_tries() when the card answers 9000 to an empty
 * VERIFY: the count cannot be read (jpki-card.md §3.5). */
#define MDG_CARD_TRIES_UNKNOWN (-2)

#define MDG_TYPE_CARD (mdg_card_get_type ())
G_DECLARE_FINAL_TYPE (MdgCard, mdg_card, MDG, CARD, GObject)

MdgCard      *mdg_card_new                  (MdgTransport *transport);
MdgTransport *mdg_card_get_transport        (MdgCard *self);
/* APDUs sent since creation, GET RESPONSE and Le resends included. */
guint         mdg_card_get_apdu_count       (MdgCard *self);

/* Sends @apdu; follows 61xx with GET RESPONSE and 6Cxx with a resend.
 * Returns the data (possibly empty) and stores the final SW in @sw; the SW
 * is not mapped to an error. Transport failures set an error. */
GBytes       *mdg_card_transceive           (MdgCard *self,
                                             const MdgApdu *apdu,
                                             guint16 *sw,
                                             GError **error);
/* 00 A4 04 0C Lc AID. */
gboolean      mdg_card_select_aid           (MdgCard *self,
                                             const guint8 *aid,
                                             gsize aid_len,
                                             GError **error);
/* 00 A4 02 0C 02 FID. */
gboolean      mdg_card_select_ef            (MdgCard *self,
                                             guint16 fid,
                                             GError **error);
/* One READ BINARY of up to 256 bytes at @offset (15 bits) of the current EF. */
GBytes       *mdg_card_read_binary          (MdgCard *self,
                                             guint16 offset,
                                             guint length,
                                             GError **error);
/* Selects @fid and reads exactly @length bytes in chunks. */
GBytes       *mdg_card_read_ef              (MdgCard *self,
                                             guint16 fid,
                                             gsize length,
                                             GError **error);
/* Selects @fid and reads one BER object whose length comes from its own
 * header, never from the EF size (jpki-card.md §3.3). TRUNCATED when the
 * file ends early; MALFORMED when the total exceeds @max_length. */
GBytes       *mdg_card_read_ber_ef          (MdgCard *self,
                                             guint16 fid,
                                             gsize max_length,
                                             GError **error);
/* Selects PIN EF @pin_fid and sends an empty VERIFY, which spends no try.
 * Returns 0..15, MDG_CARD_TRIES_UNKNOWN, or -1 with an error. */
gint          mdg_card_pin_tries            (MdgCard *self,
                                             guint16 pin_fid,
                                             GError **error);
/* Selects @pin_fid and verifies @pin. On 63Cx stores x in @tries_left
 * (when not NULL) and fails with PIN_INCORRECT (or PIN_BLOCKED for 63C0). */
gboolean      mdg_card_verify               (MdgCard *self,
                                             guint16 pin_fid,
                                             const MdgPin *pin,
                                             gint *tries_left,
                                             GError **error);
/* 00 24 01 80 after a successful VERIFY of the same PIN EF. */
gboolean      mdg_card_change_reference_data (MdgCard *self,
                                              guint16 pin_fid,
                                              const MdgPin *new_pin,
                                              GError **error);
/* Selects key EF @key_fid and sends 80 2A 00 80 with @digest_info; the
 * card pads (PKCS#1 v1.5) and signs. Returns the raw signature. */
GBytes       *mdg_card_compute_signature    (MdgCard *self,
                                             guint16 key_fid,
                                             const guint8 *digest_info,
                                             gsize digest_info_len,
                                             GError **error);
/* Selects @aid unless this MdgCard selected it last and nothing since can
 * have changed that (no transport error, no reset). */
gboolean      mdg_card_ensure_aid           (MdgCard *self,
                                             const guint8 *aid,
                                             gsize aid_len,
                                             GError **error);
/* Selects the card manager (ISD) AID, which clears the security status. */
gboolean      mdg_card_clear_security_status (MdgCard *self,
                                              GError **error);
/* Wrappers over the transport; the card layer holds one transaction from
 * the first VERIFY to the last signature. */
gboolean      mdg_card_begin_transaction    (MdgCard *self,
                                             GError **error);
gboolean      mdg_card_end_transaction      (MdgCard *self,
                                             MdgDisposition disposition,
                                             GError **error);

G_END_DECLS
