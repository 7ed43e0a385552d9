/* mdg-apdu.h: short APDU encoding and status words (no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MDG_APDU_MAX_COMMAND 261  /* 4 header + Lc + 255 data + Le */

#define MDG_SW_OK                 0x9000
#define MDG_SW_END_OF_FILE        0x6282
#define MDG_SW_WRONG_LENGTH       0x6700
#define MDG_SW_SECURITY_STATUS    0x6982
#define MDG_SW_PIN_BLOCKED        0x6984
#define MDG_SW_NO_CURRENT_EF      0x6986
#define MDG_SW_FILE_NOT_FOUND     0x6A82
#define MDG_SW_WRONG_P1P2         0x6A86
#define MDG_SW_WRONG_OFFSET       0x6B00
#define MDG_SW_INS_NOT_SUPPORTED  0x6D00
#define MDG_SW_CLA_NOT_SUPPORTED  0x6E00
#define MDG_SW_NO_DIAGNOSIS       0x6F00

typedef struct
{
  guint8        cla;
  guint8        ins;
  guint8        p1;
  guint8        p2;
  const guint8 *data;      /* Lc = data_len; 0 means no Lc */
  gsize         data_len;  /* at most 255 (short APDUs only) */
  gint          le;        /* -1: no Le; 1..256 (256 is encoded as 00) */
} MdgApdu;

/* Encodes @apdu into @out (at least MDG_APDU_MAX_COMMAND bytes).
 * INVALID_ARGUMENT for anything that is not a short APDU. */
gboolean  mdg_apdu_encode          (const MdgApdu *apdu,
                                    guint8 *out,
                                    gsize *out_len,
                                    GError **error);
/* Splits a response into data and SW; MALFORMED when shorter than 2 bytes. */
gboolean  mdg_apdu_parse_response  (const guint8 *raw,
                                    gsize raw_len,
                                    gsize *data_len,
                                    guint16 *sw,
                                    GError **error);
/* TRUE for 9000; otherwise sets a MDG_CARD_ERROR mapped from @sw. */
gboolean  mdg_apdu_check_sw        (guint16 sw,
                                    GError **error);
/* x for 63Cx, else -1. */
gint      mdg_apdu_sw_tries_left   (guint16 sw);
/* Short English name of a status word for debugging ("wrong offset"). */
const char *mdg_apdu_sw_describe   (guint16 sw);

G_END_DECLS
