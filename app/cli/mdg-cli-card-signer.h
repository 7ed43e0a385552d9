/* mdg-cli-card-signer.h: the card's key behind the MdgSigner interface,
 * with the PIN asked the CLI's way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-card-signer.h"
#include "mdg-cli.h"

G_BEGIN_DECLS

/* Connects to the card (--reader of @global), reads the PIN of @key from
 * @pin_fd or the terminal, tries shown and the last try confirmed as
 * mdg_cli_pin_prompt_obtain() does, and returns a signer that holds the
 * card. On failure the error is reported and *@exit_code set. */
MdgSigner *mdg_cli_card_signer_open (const MdgCliGlobal *global,
                                     gint pin_fd,
                                     MdgJpkiKey key,
                                     gboolean confirm_last_try,
                                     int *exit_code);

/* Reports @error of an operation of @signer (its PIN kind and tries left
 * make the message precise) and returns the exit code. */
int        mdg_cli_card_signer_report (MdgSigner *signer,
                                       const GError *error);

G_END_DECLS
