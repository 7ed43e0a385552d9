/* mdg-pin.c: PIN kinds, validation before anything is sent, wiped buffers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>

#include "mdg-card-error.h"
#include "mdg-pin.h"

#define MDG_PIN_MAX_LENGTH 16

struct _MdgPin
{
  MdgPinKind kind;
  gsize      length;
  gboolean   locked;
  char       data[MDG_PIN_MAX_LENGTH + 1];
};

void
mdg_secure_wipe (gpointer data,
                 gsize len)
{
  if (data != NULL && len > 0)
    OPENSSL_cleanse (data, len);
}

static gboolean
is_ascii_digit (char c)
{
  return c >= '0' && c <= '9';
}

static gboolean
is_ascii_alnum (char c)
{
  return is_ascii_digit (c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

gboolean
mdg_pin_validate (MdgPinKind kind,
                  const char *input,
                  GError **error)
{
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The messages describe the rule, never the input. */
  len = input != NULL ? strnlen (input, MDG_PIN_MAX_LENGTH + 1) : 0;

  switch (kind)
    {
    case MDG_PIN_AUTH:
    case MDG_PIN_TEXT:
      if (len != 4)
        {
          g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_FORMAT,
                       _("The %s must be exactly 4 digits"),
                       mdg_pin_kind_to_string (kind));
          return FALSE;
        }
      for (gsize i = 0; i < len; i++)
        if (!is_ascii_digit (input[i]))
          {
            g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_FORMAT,
                         _("The %s must be exactly 4 digits"),
                         mdg_pin_kind_to_string (kind));
            return FALSE;
          }
      return TRUE;

    case MDG_PIN_SIGN:
      if (len < 6 || len > 16)
        {
          g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_FORMAT,
                       _("The signature password must be 6 to 16 letters and digits"));
          return FALSE;
        }
      for (gsize i = 0; i < len; i++)
        if (!is_ascii_alnum (input[i]))
          {
            g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_FORMAT,
                         _("The signature password may only contain the letters A to Z and digits"));
            return FALSE;
          }
      return TRUE;

    default:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Unknown PIN kind"));
      return FALSE;
    }
}

MdgPin *
mdg_pin_new (MdgPinKind kind,
             const char *input,
             GError **error)
{
  MdgPin *pin;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!mdg_pin_validate (kind, input, error))
    return NULL;

  pin = g_new0 (MdgPin, 1);
  /* Keep the PIN out of swap when the limit allows; it still works without. */
  pin->locked = mlock (pin, sizeof *pin) == 0;
  pin->kind = kind;
  pin->length = strlen (input);
  for (gsize i = 0; i < pin->length; i++)
    pin->data[i] = kind == MDG_PIN_SIGN ? g_ascii_toupper (input[i]) : input[i];
  pin->data[pin->length] = '\0';

  return pin;
}

void
mdg_pin_free (MdgPin *pin)
{
  gboolean locked;

  if (pin == NULL)
    return;

  locked = pin->locked;
  mdg_secure_wipe (pin, sizeof *pin);
  if (locked)
    munlock (pin, sizeof *pin);
  g_free (pin);
}

MdgPinKind
mdg_pin_get_kind (const MdgPin *pin)
{
  g_return_val_if_fail (pin != NULL, MDG_PIN_AUTH);
  return pin->kind;
}

const char *
mdg_pin_get_data (const MdgPin *pin)
{
  g_return_val_if_fail (pin != NULL, NULL);
  return pin->data;
}

gsize
mdg_pin_get_length (const MdgPin *pin)
{
  g_return_val_if_fail (pin != NULL, 0);
  return pin->length;
}

guint
mdg_pin_kind_max_tries (MdgPinKind kind)
{
  switch (kind)
    {
    case MDG_PIN_AUTH: return 3;
    case MDG_PIN_SIGN: return 5;
    case MDG_PIN_TEXT: return 3;
    default: g_return_val_if_reached (0);
    }
}

guint16
mdg_pin_kind_fid (MdgPinKind kind)
{
  switch (kind)
    {
    case MDG_PIN_AUTH: return 0x0018;
    case MDG_PIN_SIGN: return 0x001B;
    case MDG_PIN_TEXT: return 0x0011;
    default: g_return_val_if_reached (0);
    }
}

const char *
mdg_pin_kind_to_string (MdgPinKind kind)
{
  switch (kind)
    {
      /* Translators: 利用者証明用電子証明書暗証番号 */
    case MDG_PIN_AUTH: return _("user authentication PIN");
      /* Translators: 署名用電子証明書暗証番号 */
    case MDG_PIN_SIGN: return _("signature password");
      /* Translators: 券面事項入力補助用暗証番号 */
    case MDG_PIN_TEXT: return _("card info input support PIN");
    default: return _("unknown PIN");
    }
}

gboolean
mdg_pin_check_attempt (MdgPinKind kind,
                       gint tries_left,
                       MdgPinFlags flags,
                       GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (tries_left == 0)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_BLOCKED,
                   _("The %s is blocked; the municipal office can unlock it"),
                   mdg_pin_kind_to_string (kind));
      return FALSE;
    }

  if (tries_left == 1 && (flags & MDG_PIN_FLAGS_CONFIRM_LAST_TRY) == 0)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_LAST_TRY,
                   _("Only one try is left for the %s; a wrong entry will block it"),
                   mdg_pin_kind_to_string (kind));
      return FALSE;
    }

  return TRUE;
}
