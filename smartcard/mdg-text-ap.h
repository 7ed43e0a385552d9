/* mdg-text-ap.h: the 券面事項入力補助AP (My Number and the four attributes)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-card.h"

G_BEGIN_DECLS

extern const guint8 MDG_TEXT_AID[10];  /* D3 92 10 00 31 00 01 01 04 08 */

#define MDG_TEXT_EF_MY_NUMBER   0x0001
#define MDG_TEXT_EF_ATTRIBUTES  0x0002
#define MDG_TEXT_EF_PIN         0x0011

/* The four attributes (基本4情報) as the card stores them. */
typedef struct
{
  char *name;        /* UTF-8, family and given name separated by U+3000 */
  char *address;     /* UTF-8 */
  char *birth_date;  /* "YYYYMMDD", Gregorian */
  char *sex;         /* "1" male, "2" female, "9" not applicable */
} MdgTextAttributes;

/* Wipes and frees. */
void               mdg_text_attributes_free  (MdgTextAttributes *attrs);
/* Parses EF 0002 (FF20 { DF21 offsets, DF22 name, DF23 address, DF24
 * birth date, DF25 sex } + filler); MALFORMED with a reason on bad input. */
MdgTextAttributes *mdg_text_attributes_parse (const guint8 *data,
                                              gsize len,
                                              GError **error);
/* Parses EF 0001 (FF10 0C + 12 digits + filler) and validates the check
 * digit. The result must be wiped (mdg_secure_wipe) and freed by the caller. */
char              *mdg_my_number_parse       (const guint8 *data,
                                              gsize len,
                                              GError **error);
/* Check digit of the 12-digit individual number (番号法施行令 §8). */
gboolean           mdg_my_number_is_valid    (const char *digits);
/* Computes the check digit for 11 digits; -1 when the input is not 11 digits. */
gint               mdg_my_number_check_digit (const char *first_eleven);
/* "**** **** 1234": for lists and logs. */
char              *mdg_my_number_mask        (const char *digits);

gboolean           mdg_text_ap_select        (MdgCard *card,
                                              GError **error);
gint               mdg_text_ap_pin_tries     (MdgCard *card,
                                              GError **error);
/* In one transaction: select, check tries, VERIFY the 4-digit PIN, read
 * EF 0001 and/or 0002, clear the security status. Pass NULL for what is
 * not wanted. */
gboolean           mdg_text_ap_read          (MdgCard *card,
                                              const MdgPin *pin,
                                              MdgPinFlags flags,
                                              char **my_number,
                                              MdgTextAttributes **attributes,
                                              gint *tries_left,
                                              GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgTextAttributes, mdg_text_attributes_free)

G_END_DECLS
