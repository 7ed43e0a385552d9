/* mdg-cli-error.h: errors of the command line and their exit codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "mdg-pin.h"

G_BEGIN_DECLS

/* One exit code per error class, documented in madoguchi-cli(1). Scripts
 * depend on these numbers: never renumber them. */
typedef enum
{
  MDG_CLI_EXIT_OK               = 0,
  MDG_CLI_EXIT_FAILED           = 1,  /* anything not listed below */
  MDG_CLI_EXIT_USAGE            = 2,  /* bad command line, no way to ask for a PIN */
  MDG_CLI_EXIT_NO_CARD          = 3,  /* no pcscd, reader, card; card removed; not a My Number card */
  MDG_CLI_EXIT_PIN_INCORRECT    = 4,  /* wrong PIN, malformed PIN, new PINs differ */
  MDG_CLI_EXIT_PIN_BLOCKED      = 5,  /* nothing was sent */
  MDG_CLI_EXIT_LAST_TRY         = 6,  /* one try left and not confirmed */
  MDG_CLI_EXIT_CARD_DATA        = 7,  /* malformed or truncated data, bad signature */
  MDG_CLI_EXIT_CERT_UNAVAILABLE = 8,  /* e.g. no signature certificate under 15 */
  MDG_CLI_EXIT_CARD_IN_USE      = 9,  /* another program holds the card */
  MDG_CLI_EXIT_SYNC_UNREACHABLE = 10, /* the server cannot be reached now (network, TLS, server
                                       * failure): the outbox is kept, try again later */
  MDG_CLI_EXIT_SYNC_REFUSED     = 11, /* the server refused the login or an envelope */
} MdgCliExit;

#define MDG_CLI_ERROR (mdg_cli_error_quark ())

typedef enum
{
  MDG_CLI_ERROR_FAILED,
  MDG_CLI_ERROR_USAGE,
  MDG_CLI_ERROR_NO_TERMINAL,   /* no --pin-fd and no /dev/tty */
  MDG_CLI_ERROR_PIN_MISMATCH,  /* the two entries of a new PIN differ */
  MDG_CLI_ERROR_CANCELLED,     /* the user declined or ended the input */
} MdgCliError;

GQuark      mdg_cli_error_quark      (void);

/* The exit code for any error the CLI can meet. */
MdgCliExit  mdg_cli_exit_code        (const GError *error);
/* The one-line message for @error. @pin_kind (-1 for none) and @tries_left
 * (negative when unknown) make PIN messages precise. */
char       *mdg_cli_error_message    (const GError *error,
                                      gint pin_kind,
                                      gint tries_left);
/* Prints "madoguchi-cli: <message>" on stderr and returns the exit code. */
int         mdg_cli_report_error     (const GError *error,
                                      gint pin_kind,
                                      gint tries_left);
/* Prints a usage error and returns MDG_CLI_EXIT_USAGE. */
int         mdg_cli_usage_error      (const char *format,
                                      ...) G_GNUC_PRINTF (1, 2);
/* Translated name of a PIN for prompts and messages, e.g. "signature password". */
const char *mdg_cli_pin_kind_label   (MdgPinKind kind);

G_END_DECLS
