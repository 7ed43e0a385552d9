/* mdg-card-status.h: everything a card tells without a PIN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-jpki.h"

G_BEGIN_DECLS

typedef struct
{
  MdgTokenType  token_type;
  char         *token_label;
  gboolean      has_sign_cert;
  gboolean      has_auth_cert;
  /* 0..15, MDG_CARD_TRIES_UNKNOWN; indexed by MdgPinKind */
  gint          tries_left[3];
  GBytes       *auth_cert;     /* DER, NULL when unavailable */
  GBytes       *auth_ca_cert;
  GBytes       *sign_ca_cert;
} MdgCardStatus;

/* Reads token type, availability, the three PIN counters and the
 * PIN-free certificates, in one transaction. */
MdgCardStatus *mdg_card_status_read (MdgCard *card,
                                     GError **error);
void           mdg_card_status_free (MdgCardStatus *status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgCardStatus, mdg_card_status_free)

G_END_DECLS
