/* mdg-card-status.c: everything a card tells without a PIN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mdg-card-error.h"
#include "mdg-card-status.h"
#include "mdg-text-ap.h"

void
mdg_card_status_free (MdgCardStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->token_label);
  g_clear_pointer (&status->auth_cert, g_bytes_unref);
  g_clear_pointer (&status->auth_ca_cert, g_bytes_unref);
  g_clear_pointer (&status->sign_ca_cert, g_bytes_unref);
  g_free (status);
}

/* A certificate the card does not hold is NULL in the status, not an error. */
static gboolean
read_optional_cert (MdgCard *card,
                    MdgJpkiCert which,
                    GBytes **out,
                    GError **error)
{
  g_autoptr(GError) local_error = NULL;

  *out = mdg_jpki_read_certificate (card, which, &local_error);
  if (*out != NULL)
    return TRUE;

  if (g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_CERT_UNAVAILABLE) ||
      g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_FILE_NOT_FOUND))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
read_in_transaction (MdgCard *card,
                     MdgCardStatus *status,
                     GError **error)
{
  g_autoptr(GError) text_error = NULL;
  g_autoptr(GError) sign_error = NULL;
  gint tries;

  if (!mdg_jpki_select (card, error))
    return FALSE;

  status->token_type = mdg_jpki_read_token_type (card, &status->token_label, error);
  if (status->token_label == NULL)
    return FALSE;

  if (!mdg_jpki_read_availability (card, &status->has_sign_cert, &status->has_auth_cert, error))
    return FALSE;

  tries = mdg_jpki_pin_tries (card, MDG_JPKI_KEY_AUTH, error);
  if (tries == -1)
    return FALSE;
  status->tries_left[MDG_PIN_AUTH] = tries;

  /* Cards issued without a signature certificate may lack its PIN EF. */
  tries = mdg_jpki_pin_tries (card, MDG_JPKI_KEY_SIGN, &sign_error);
  if (tries == -1)
    {
      if (status->has_sign_cert ||
          !g_error_matches (sign_error, MDG_CARD_ERROR, MDG_CARD_ERROR_FILE_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&sign_error));
          return FALSE;
        }
      tries = MDG_CARD_TRIES_UNKNOWN;
    }
  status->tries_left[MDG_PIN_SIGN] = tries;

  if (status->has_auth_cert &&
      !read_optional_cert (card, MDG_JPKI_CERT_AUTH, &status->auth_cert, error))
    return FALSE;
  if (!read_optional_cert (card, MDG_JPKI_CERT_AUTH_CA, &status->auth_ca_cert, error))
    return FALSE;
  if (!read_optional_cert (card, MDG_JPKI_CERT_SIGN_CA, &status->sign_ca_cert, error))
    return FALSE;

  /* Smartphone tokens carry only the JPKI AP. */
  tries = mdg_text_ap_pin_tries (card, &text_error);
  if (tries == -1)
    {
      if (!g_error_matches (text_error, MDG_CARD_ERROR, MDG_CARD_ERROR_NOT_SUPPORTED))
        {
          g_propagate_error (error, g_steal_pointer (&text_error));
          return FALSE;
        }
      tries = MDG_CARD_TRIES_UNKNOWN;
    }
  status->tries_left[MDG_PIN_TEXT] = tries;

  return TRUE;
}

MdgCardStatus *
mdg_card_status_read (MdgCard *card,
                      GError **error)
{
  g_autoptr(MdgCardStatus) status = NULL;
  g_autoptr(GError) end_error = NULL;
  gboolean ok;

  g_return_val_if_fail (MDG_IS_CARD (card), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  status = g_new0 (MdgCardStatus, 1);
  for (guint i = 0; i < G_N_ELEMENTS (status->tries_left); i++)
    status->tries_left[i] = MDG_CARD_TRIES_UNKNOWN;

  if (!mdg_card_begin_transaction (card, error))
    return NULL;

  ok = read_in_transaction (card, status, error);

  /* No PIN was presented, so there is no security status to clear. */
  if (!mdg_card_end_transaction (card, MDG_DISPOSITION_LEAVE, ok ? error : &end_error))
    return NULL;
  if (!ok)
    return NULL;

  return g_steal_pointer (&status);
}
