/* mdg-cli-pin-prompt.h: PIN input from the terminal or a file descriptor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "mdg-card.h"
#include "mdg-pin.h"

G_BEGIN_DECLS

typedef struct _MdgCliPinPrompt MdgCliPinPrompt;

/* @pin_fd >= 0 reads PINs from that descriptor, one per line; -1 asks on
 * /dev/tty with echo off. PINs never come from argv or the environment.
 * USAGE when @pin_fd is not open; NO_TERMINAL when there is no tty. */
MdgCliPinPrompt *mdg_cli_pin_prompt_new            (gint pin_fd,
                                                    GError **error);
void             mdg_cli_pin_prompt_free           (MdgCliPinPrompt *self);
gboolean         mdg_cli_pin_prompt_is_interactive (MdgCliPinPrompt *self);
/* Reads one PIN of @kind. Interactively @what names it and @tries_left
 * (when >= 0) is said before asking. The raw input is wiped. */
MdgPin          *mdg_cli_pin_prompt_ask            (MdgCliPinPrompt *self,
                                                    MdgPinKind kind,
                                                    const char *what,
                                                    gint tries_left,
                                                    GError **error);
/* A new PIN: asked twice on the terminal (PIN_MISMATCH when they differ),
 * read once from a descriptor. */
MdgPin          *mdg_cli_pin_prompt_ask_new        (MdgCliPinPrompt *self,
                                                    MdgPinKind kind,
                                                    GError **error);
/* Asks @question with a y/N answer on the terminal; FALSE unless the user
 * answers yes. Only valid when interactive. */
gboolean         mdg_cli_pin_prompt_confirm        (MdgCliPinPrompt *self,
                                                    const char *question,
                                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgCliPinPrompt, mdg_cli_pin_prompt_free)

/* For mdg_cli_pin_prompt_obtain(): the tries have not been read yet. */
#define MDG_CLI_TRIES_NOT_READ (-100)

/* Gets one PIN for an attempt on @card. Interactively the tries are read
 * first (unless @known_tries has them) and said before asking; a blocked
 * PIN is never asked for, and the last try needs a "y", which sets
 * CONFIRM_LAST_TRY in @flags. From --pin-fd the card library makes the
 * same checks inside its transaction. */
MdgPin          *mdg_cli_pin_prompt_obtain         (MdgCliPinPrompt *prompt,
                                                    MdgCard *card,
                                                    MdgPinKind kind,
                                                    gboolean confirm_last_try,
                                                    gint known_tries,
                                                    MdgPinFlags *flags,
                                                    gint *tries_shown,
                                                    GError **error);

G_END_DECLS
