/* mdg-store-card-key.h: a kiosk resident's store key, bound to the card
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "madoguchi-card.h"
#include "mdg-store.h"

G_BEGIN_DECLS

/* The fixed, domain-separated challenge the authentication key signs. */
#define MDG_STORE_CARD_KEY_CHALLENGE "Madoguchi kiosk draft key v1\n" \
                                     "io.github.madoguchi.Madoguchi\n" \
                                     "purpose=store-key"

/* Derives the key and the profile slot from the card's PKCS#1 v1.5
 * signature @signature of SHA-256(MDG_STORE_CARD_KEY_CHALLENGE):
 * HKDF-SHA256 with distinct labels. The slot (32 hex digits) names the
 * resident's profile directory without anything personal in it. */
gboolean  mdg_store_card_key_from_signature (GBytes *signature,
                                             guint8 key[MDG_STORE_KEY_SIZE],
                                             char **slot,
                                             GError **error);
/* Signs the challenge with the card's authentication key (one VERIFY of
 * @pin) and derives as above. The signature is wiped after use. */
gboolean  mdg_store_card_key_derive         (MdgCard *card,
                                             const MdgPin *pin,
                                             MdgPinFlags flags,
                                             guint8 key[MDG_STORE_KEY_SIZE],
                                             char **slot,
                                             gint *tries_left,
                                             GError **error);

G_END_DECLS
