/* mdg-card-signer.h: an MdgSigner backed by a JPKI key on the card
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "madoguchi-card.h"
#include "mdg-signer.h"

G_BEGIN_DECLS

#define MDG_TYPE_CARD_SIGNER (mdg_card_signer_get_type ())
G_DECLARE_FINAL_TYPE (MdgCardSigner, mdg_card_signer, MDG, CARD_SIGNER, GObject)

/* Copies @pin (wiped when the signer is freed). Every card operation goes
 * through the card library, which refuses the last try unless @flags has
 * MDG_PIN_FLAGS_CONFIRM_LAST_TRY and checks every signature against the
 * certificate. Card failures are MDG_CARD_ERROR, so a UI can act on them. */
MdgSigner *mdg_card_signer_new            (MdgCard *card,
                                           MdgJpkiKey key,
                                           const MdgPin *pin,
                                           MdgPinFlags flags);
/* What the card last reported on a wrong PIN; -1 when unknown. */
gint       mdg_card_signer_get_tries_left (MdgCardSigner *self);
MdgJpkiKey mdg_card_signer_get_key        (MdgCardSigner *self);

G_END_DECLS
