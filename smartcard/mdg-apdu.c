/* mdg-apdu.c: short APDU encoding and status words (no I/O)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mdg-apdu.h"
#include "mdg-card-error.h"

gboolean
mdg_apdu_encode (const MdgApdu *apdu,
                 guint8 *out,
                 gsize *out_len,
                 GError **error)
{
  gsize n = 0;

  g_return_val_if_fail (apdu != NULL, FALSE);
  g_return_val_if_fail (out != NULL && out_len != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Short APDUs only (jpki-card.md §7): extended lengths are refused. */
  if (apdu->data_len > 255)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Command data of %zu bytes does not fit a short APDU"),
                   apdu->data_len);
      return FALSE;
    }
  if (apdu->data_len > 0 && apdu->data == NULL)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Command data is missing"));
      return FALSE;
    }
  if (apdu->le != -1 && (apdu->le < 1 || apdu->le > 256))
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Expected length %d does not fit a short APDU"), apdu->le);
      return FALSE;
    }

  out[n++] = apdu->cla;
  out[n++] = apdu->ins;
  out[n++] = apdu->p1;
  out[n++] = apdu->p2;

  if (apdu->data_len > 0)
    {
      out[n++] = (guint8) apdu->data_len;
      memcpy (out + n, apdu->data, apdu->data_len);
      n += apdu->data_len;
    }

  if (apdu->le != -1)
    out[n++] = (guint8) (apdu->le == 256 ? 0 : apdu->le);

  *out_len = n;
  return TRUE;
}

gboolean
mdg_apdu_parse_response (const guint8 *raw,
                         gsize raw_len,
                         gsize *data_len,
                         guint16 *sw,
                         GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (raw == NULL || raw_len < 2)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The card sent a response without a status word"));
      return FALSE;
    }
  if (raw_len > 258)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The card sent a response longer than a short APDU allows"));
      return FALSE;
    }

  if (data_len != NULL)
    *data_len = raw_len - 2;
  if (sw != NULL)
    *sw = (guint16) ((raw[raw_len - 2] << 8) | raw[raw_len - 1]);
  return TRUE;
}

gint
mdg_apdu_sw_tries_left (guint16 sw)
{
  if ((sw & 0xFFF0) == 0x63C0)
    return sw & 0x000F;
  return -1;
}

gboolean
mdg_apdu_check_sw (guint16 sw,
                   GError **error)
{
  gint tries;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sw == MDG_SW_OK)
    return TRUE;

  tries = mdg_apdu_sw_tries_left (sw);
  if (tries > 0)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_INCORRECT,
                   g_dngettext (GETTEXT_PACKAGE, "Wrong PIN: %d try left", "Wrong PIN: %d tries left", tries),
                   tries);
      return FALSE;
    }

  switch (sw)
    {
    case 0x63C0:
    case MDG_SW_PIN_BLOCKED:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_BLOCKED,
                   _("The PIN is blocked; the municipal office can unlock it"));
      return FALSE;

    case MDG_SW_SECURITY_STATUS:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_REQUIRED,
                   _("The card requires a PIN first"));
      return FALSE;

    case MDG_SW_FILE_NOT_FOUND:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FILE_NOT_FOUND,
                   _("The file was not found on the card"));
      return FALSE;

    case MDG_SW_WRONG_OFFSET:
    case MDG_SW_END_OF_FILE:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED,
                   _("The card reached the end of the file"));
      return FALSE;

    case MDG_SW_INS_NOT_SUPPORTED:
    case MDG_SW_CLA_NOT_SUPPORTED:
    case MDG_SW_WRONG_P1P2:
    case 0x6881:
    case 0x6882:
    case 0x69FC:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_NOT_SUPPORTED,
                   _("The card does not support this command (status %04X)"), sw);
      return FALSE;

    case MDG_SW_WRONG_LENGTH:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FAILED,
                   _("The card reported a wrong length"));
      return FALSE;

    case MDG_SW_NO_DIAGNOSIS:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FAILED,
                   _("The card reported an error without diagnosis"));
      return FALSE;

    default:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FAILED,
                   _("The card reported error %04X"), sw);
      return FALSE;
    }
}

const char *
mdg_apdu_sw_describe (guint16 sw)
{
  if ((sw & 0xFF00) == 0x6100)
    return "more data available";
  if ((sw & 0xFF00) == 0x6C00)
    return "wrong Le";
  if (sw == 0x63C0)
    return "PIN blocked by this attempt";
  if ((sw & 0xFFF0) == 0x63C0)
    return "wrong PIN, tries left";

  switch (sw)
    {
    case MDG_SW_OK: return "success";
    case MDG_SW_END_OF_FILE: return "end of file";
    case 0x6300: return "verification failed";
    case MDG_SW_WRONG_LENGTH: return "wrong length";
    case 0x6881: return "logical channel not supported";
    case 0x6882: return "secure messaging not supported";
    case 0x6981: return "incompatible with file structure";
    case MDG_SW_SECURITY_STATUS: return "security status not satisfied";
    case MDG_SW_PIN_BLOCKED: return "referenced data blocked";
    case 0x6985: return "conditions of use not satisfied";
    case MDG_SW_NO_CURRENT_EF: return "no current EF";
    case 0x69FC: return "secure messaging class not allowed";
    case MDG_SW_FILE_NOT_FOUND: return "file not found";
    case 0x6A83: return "record not found";
    case MDG_SW_WRONG_P1P2: return "wrong P1-P2";
    case 0x6A88: return "referenced data not found";
    case MDG_SW_WRONG_OFFSET: return "wrong offset";
    case MDG_SW_INS_NOT_SUPPORTED: return "instruction not supported";
    case MDG_SW_CLA_NOT_SUPPORTED: return "class not supported";
    case MDG_SW_NO_DIAGNOSIS: return "no precise diagnosis";
    default: return "unknown status";
    }
}
