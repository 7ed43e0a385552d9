/* mdg-cli-card-signer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "madoguchi-card.h"
#include "mdg-cli-card-signer.h"
#include "mdg-cli-error.h"
#include "mdg-cli-pin-prompt.h"

static MdgPinKind
pin_kind_of (MdgJpkiKey key)
{
  return key == MDG_JPKI_KEY_SIGN ? MDG_PIN_SIGN : MDG_PIN_AUTH;
}

MdgSigner *
mdg_cli_card_signer_open (const MdgCliGlobal *global,
                          gint pin_fd,
                          MdgJpkiKey key,
                          gboolean confirm_last_try,
                          int *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgCliPinPrompt) prompt = NULL;
  g_autoptr(MdgPcscContext) context = NULL;
  g_autoptr(MdgPcscTransport) transport = NULL;
  g_autoptr(MdgCard) card = NULL;
  g_autoptr(MdgPin) pin = NULL;
  MdgPinFlags flags = MDG_PIN_FLAGS_NONE;
  gint tries_shown = -1;

  /* The PIN source first, so that a usage error costs no card access. */
  prompt = mdg_cli_pin_prompt_new (pin_fd, &error);
  if (prompt == NULL)
    goto fail;
  context = mdg_pcsc_context_new (&error);
  if (context == NULL
      || (transport = mdg_pcsc_transport_connect (context, global->reader, &error)) == NULL)
    goto fail;
  card = mdg_card_new (MDG_TRANSPORT (transport));
  pin = mdg_cli_pin_prompt_obtain (prompt, card, pin_kind_of (key), confirm_last_try,
                                   MDG_CLI_TRIES_NOT_READ, &flags, &tries_shown, &error);
  if (pin == NULL)
    {
      *exit_code = mdg_cli_report_error (error, pin_kind_of (key), tries_shown);
      return NULL;
    }

  return mdg_card_signer_new (card, key, pin, flags);

fail:
  *exit_code = mdg_cli_report_error (error, -1, -1);
  return NULL;
}

int
mdg_cli_card_signer_report (MdgSigner *signer,
                            const GError *error)
{
  MdgCardSigner *card_signer = MDG_CARD_SIGNER (signer);

  return mdg_cli_report_error (error, pin_kind_of (mdg_card_signer_get_key (card_signer)),
                               mdg_card_signer_get_tries_left (card_signer));
}
