/* mdg-cli-error.c: errors of the command line and their exit codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mdg-card-error.h"
#include "mdg-cli-error.h"
#include "mdg-sync-error.h"

G_DEFINE_QUARK (mdg-cli-error-quark, mdg_cli_error)

const char *
mdg_cli_pin_kind_label (MdgPinKind kind)
{
  switch (kind)
    {
    case MDG_PIN_AUTH:
      return _("authentication PIN (利用者証明用電子証明書暗証番号)");
    case MDG_PIN_SIGN:
      return _("signature password (署名用電子証明書暗証番号)");
    case MDG_PIN_TEXT:
      return _("text PIN (券面事項入力補助用暗証番号)");
    default:
      return _("PIN");
    }
}

MdgCliExit
mdg_cli_exit_code (const GError *error)
{
  if (error == NULL)
    return MDG_CLI_EXIT_OK;

  if (error->domain == MDG_CLI_ERROR)
    {
      switch ((MdgCliError) error->code)
        {
        case MDG_CLI_ERROR_USAGE:
        case MDG_CLI_ERROR_NO_TERMINAL:
          return MDG_CLI_EXIT_USAGE;
        case MDG_CLI_ERROR_PIN_MISMATCH:
          return MDG_CLI_EXIT_PIN_INCORRECT;
        case MDG_CLI_ERROR_CANCELLED:
        case MDG_CLI_ERROR_FAILED:
        default:
          return MDG_CLI_EXIT_FAILED;
        }
    }

  if (error->domain == MDG_SYNC_ERROR)
    {
      if (mdg_sync_error_is_transient (error))
        return MDG_CLI_EXIT_SYNC_UNREACHABLE;
      if (error->code == MDG_SYNC_ERROR_LOGIN || error->code == MDG_SYNC_ERROR_REJECTED)
        return MDG_CLI_EXIT_SYNC_REFUSED;
      return MDG_CLI_EXIT_FAILED;
    }

  if (error->domain != MDG_CARD_ERROR)
    return MDG_CLI_EXIT_FAILED;

  switch ((MdgCardError) error->code)
    {
    case MDG_CARD_ERROR_NO_SERVICE:
    case MDG_CARD_ERROR_NO_READER:
    case MDG_CARD_ERROR_READER_GONE:
    case MDG_CARD_ERROR_NO_CARD:
    case MDG_CARD_ERROR_CARD_REMOVED:
    case MDG_CARD_ERROR_NOT_MYNUMBER_CARD:
    case MDG_CARD_ERROR_TIMEOUT:
      return MDG_CLI_EXIT_NO_CARD;

    case MDG_CARD_ERROR_CARD_IN_USE:
      return MDG_CLI_EXIT_CARD_IN_USE;

    case MDG_CARD_ERROR_PIN_INCORRECT:
    case MDG_CARD_ERROR_PIN_FORMAT:
      return MDG_CLI_EXIT_PIN_INCORRECT;

    case MDG_CARD_ERROR_PIN_BLOCKED:
      return MDG_CLI_EXIT_PIN_BLOCKED;

    case MDG_CARD_ERROR_LAST_TRY:
      return MDG_CLI_EXIT_LAST_TRY;

    case MDG_CARD_ERROR_MALFORMED:
    case MDG_CARD_ERROR_TRUNCATED:
    case MDG_CARD_ERROR_BAD_SIGNATURE:
    case MDG_CARD_ERROR_FILE_NOT_FOUND:
      return MDG_CLI_EXIT_CARD_DATA;

    case MDG_CARD_ERROR_CERT_UNAVAILABLE:
      return MDG_CLI_EXIT_CERT_UNAVAILABLE;

    case MDG_CARD_ERROR_FAILED:
    case MDG_CARD_ERROR_PIN_REQUIRED:
    case MDG_CARD_ERROR_NOT_SUPPORTED:
    case MDG_CARD_ERROR_COMMUNICATION:
    case MDG_CARD_ERROR_INVALID_ARGUMENT:
    default:
      return MDG_CLI_EXIT_FAILED;
    }
}

char *
mdg_cli_error_message (const GError *error,
                       gint pin_kind,
                       gint tries_left)
{
  const char *pin = pin_kind >= 0 ? mdg_cli_pin_kind_label (pin_kind) : _("PIN");

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != MDG_CARD_ERROR)
    return g_strdup (error->message);

  /* The classes a user acts on get a message that says what to do; the
   * library's own message (already translated) covers the rest. */
  switch ((MdgCardError) error->code)
    {
    case MDG_CARD_ERROR_NO_SERVICE:
      return g_strdup (_("no smart card service: pcscd is not running or cannot be reached"));

    case MDG_CARD_ERROR_NO_READER:
      return g_strdup (_("no card reader found; connect a reader"));

    case MDG_CARD_ERROR_NO_CARD:
      return g_strdup (_("no card on the reader; insert your My Number card"));

    case MDG_CARD_ERROR_CARD_REMOVED:
      return g_strdup (_("the card was removed during the operation; insert it and try again"));

    case MDG_CARD_ERROR_READER_GONE:
      return g_strdup (_("the card reader was disconnected"));

    case MDG_CARD_ERROR_CARD_IN_USE:
      return g_strdup (_("card in use: another program is using the card; try again when it has finished"));

    case MDG_CARD_ERROR_NOT_MYNUMBER_CARD:
      return g_strdup (_("this card is not a My Number card (no JPKI application)"));

    case MDG_CARD_ERROR_PIN_INCORRECT:
      if (tries_left >= 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "wrong %s; %d try left",
                                             "wrong %s; %d tries left",
                                             tries_left),
                                pin, tries_left);
      return g_strdup_printf (_("wrong %s"), pin);

    case MDG_CARD_ERROR_PIN_BLOCKED:
      /* Reached both when a wrong entry used the last try (63C0) and when
       * nothing was sent because the PIN was already blocked. */
      return g_strdup_printf (_("the %s is blocked after too many wrong entries; "
                                "only your municipal office (市区町村の窓口) can reset it"),
                              pin);

    case MDG_CARD_ERROR_LAST_TRY:
      return g_strdup_printf (_("only one try is left for the %s; nothing was sent. "
                                "Pass --confirm-last-try to use it"),
                              pin);

    case MDG_CARD_ERROR_PIN_FORMAT:
      return g_strdup_printf (_("the %s has the wrong format: %s"), pin, error->message);

    case MDG_CARD_ERROR_CERT_UNAVAILABLE:
      return g_strdup_printf (_("certificate not available: %s"), error->message);

    case MDG_CARD_ERROR_BAD_SIGNATURE:
      return g_strdup_printf (_("the card returned a signature that does not verify: %s"),
                              error->message);

    case MDG_CARD_ERROR_MALFORMED:
    case MDG_CARD_ERROR_TRUNCATED:
    case MDG_CARD_ERROR_FILE_NOT_FOUND:
      return g_strdup_printf (_("card data error: %s"), error->message);

    default:
      return g_strdup (error->message);
    }
}

int
mdg_cli_report_error (const GError *error,
                      gint pin_kind,
                      gint tries_left)
{
  g_autofree char *message = mdg_cli_error_message (error, pin_kind, tries_left);

  g_printerr ("madoguchi-cli: %s\n", message);

  return mdg_cli_exit_code (error);
}

int
mdg_cli_usage_error (const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("madoguchi-cli: %s\n", message);

  return MDG_CLI_EXIT_USAGE;
}
