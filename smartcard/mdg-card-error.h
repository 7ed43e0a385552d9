/* mdg-card-error.h: errors of the card layer that a UI can act on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MDG_CARD_ERROR (mdg_card_error_quark ())

/* Every failure of the card stack maps to one of these codes, so a UI can
 * choose what to show (retry, ask for the card, point to the municipal
 * office) without parsing messages. Messages are translated and never
 * contain a PIN. */
typedef enum
{
  MDG_CARD_ERROR_FAILED,             /* anything not listed below, e.g. 6F00 */
  MDG_CARD_ERROR_NO_SERVICE,         /* pcscd is not running */
  MDG_CARD_ERROR_NO_READER,          /* no reader is connected */
  MDG_CARD_ERROR_READER_GONE,        /* the reader was unplugged */
  MDG_CARD_ERROR_NO_CARD,            /* no card on the reader */
  MDG_CARD_ERROR_CARD_REMOVED,       /* the card was pulled during an operation */
  MDG_CARD_ERROR_CARD_IN_USE,        /* another program holds the card */
  MDG_CARD_ERROR_NOT_MYNUMBER_CARD,  /* the JPKI application cannot be selected */
  MDG_CARD_ERROR_PIN_INCORRECT,      /* 63Cx with x > 0: wrong PIN, tries left */
  MDG_CARD_ERROR_PIN_BLOCKED,        /* 63C0, 6984, or nothing sent to a blocked PIN */
  MDG_CARD_ERROR_PIN_REQUIRED,       /* 6982: security status not satisfied */
  MDG_CARD_ERROR_PIN_FORMAT,         /* refused before sending: wrong length or characters */
  MDG_CARD_ERROR_LAST_TRY,           /* one try left and the caller did not confirm */
  MDG_CARD_ERROR_FILE_NOT_FOUND,     /* 6A82 */
  MDG_CARD_ERROR_CERT_UNAVAILABLE,   /* the card has no such certificate (e.g. under 15) */
  MDG_CARD_ERROR_MALFORMED,          /* a response or file that does not parse */
  MDG_CARD_ERROR_TRUNCATED,          /* a file ended before its encoded length */
  MDG_CARD_ERROR_BAD_SIGNATURE,      /* the card's signature does not verify */
  MDG_CARD_ERROR_NOT_SUPPORTED,      /* 6D00, 6E00, 6A86, 6881, 6882 */
  MDG_CARD_ERROR_COMMUNICATION,      /* the transport failed otherwise */
  MDG_CARD_ERROR_TIMEOUT,            /* waiting for a card or reader timed out */
  MDG_CARD_ERROR_INVALID_ARGUMENT,   /* a programming error caught at run time */
} MdgCardError;

GQuark mdg_card_error_quark (void);

G_END_DECLS
