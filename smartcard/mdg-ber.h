/* mdg-ber.h: a BER-TLV reader for card data (no allocation)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint32       tag;         /* tag bytes as a number: 0x30, 0xFF20, 0xDF21 */
  gboolean      constructed;
  const guint8 *value;       /* points into the parsed buffer */
  gsize         length;      /* value length */
  gsize         header_len;  /* tag + length bytes */
} MdgBerTlv;

/* Parses the TLV at the start of @buf: tags of up to 3 bytes, definite
 * lengths in short form, 81 xx, 82 xx xx or 83 xx xx xx. MALFORMED for
 * indefinite length or a tag that runs off the buffer; TRUNCATED when the
 * value runs past @len. */
gboolean mdg_ber_read         (const guint8 *buf,
                               gsize len,
                               MdgBerTlv *tlv,
                               GError **error);
/* Parses only tag and length, for deciding how much of a file to read.
 * Returns the total (header + value) length, or 0 with an error; sets
 * TRUNCATED when @len is too short to hold the header. */
gsize    mdg_ber_total_length (const guint8 *buf,
                               gsize len,
                               GError **error);
/* Finds the first child with @tag among the TLVs in @buf, stopping at FF
 * or 00 filler. FALSE without error when absent. */
gboolean mdg_ber_find         (const guint8 *buf,
                               gsize len,
                               guint32 tag,
                               MdgBerTlv *tlv,
                               GError **error);

G_END_DECLS
