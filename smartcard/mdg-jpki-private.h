/* mdg-jpki-private.h: PIN sequence helpers shared by the AP modules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-card.h"

G_BEGIN_DECLS

/* Empty VERIFY, mdg_pin_check_attempt(), then VERIFY of @pin's EF in the
 * current AP. @tries_left gets the count read or reported. */
gboolean mdg_card_verify_checked  (MdgCard *card,
                                   const MdgPin *pin,
                                   MdgPinFlags flags,
                                   gint *tries_left,
                                   GError **error);
/* Selects the ISD and ends the transaction with LEAVE, also on error
 * paths; returns @ok unless clearing failed after success. */
gboolean mdg_card_finish_sequence (MdgCard *card,
                                   gboolean ok,
                                   GError **error);

G_END_DECLS
