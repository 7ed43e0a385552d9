/* mdg-text-ap.c: the 券面事項入力補助AP (My Number and the four attributes)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mdg-ber.h"
#include "mdg-card-error.h"
#include "mdg-jpki-private.h"
#include "mdg-text-ap.h"

const guint8 MDG_TEXT_AID[10] = { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 };

#define MY_NUMBER_EF_LENGTH 17
#define MAX_ATTRIBUTES_LENGTH 4096

static void
wipe_free_string (char *s)
{
  if (s != NULL)
    {
      mdg_secure_wipe (s, strlen (s));
      g_free (s);
    }
}

/* Personal data read from the card is wiped before its memory is reused. */
static void
bytes_wipe_unref (GBytes *bytes)
{
  gsize size = 0;
  gpointer data;

  if (bytes == NULL)
    return;
  data = g_bytes_unref_to_data (bytes, &size);
  mdg_secure_wipe (data, size);
  g_free (data);
}

typedef GBytes GBytesWiped;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GBytesWiped, bytes_wipe_unref)

void
mdg_text_attributes_free (MdgTextAttributes *attrs)
{
  if (attrs == NULL)
    return;
  wipe_free_string (attrs->name);
  wipe_free_string (attrs->address);
  wipe_free_string (attrs->birth_date);
  wipe_free_string (attrs->sex);
  g_free (attrs);
}

static gboolean
malformed (GError **error,
           const char *reason)
{
  g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
               _("The card's personal data is malformed: %s"), reason);
  return FALSE;
}

static gboolean
all_digits (const guint8 *data,
            gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] < '0' || data[i] > '9')
      return FALSE;
  return TRUE;
}

/* Finds a required child; @what names it in the error. */
static gboolean
find_child (const MdgBerTlv *parent,
            guint32 tag,
            MdgBerTlv *child,
            const char *what,
            GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (mdg_ber_find (parent->value, parent->length, tag, child, &local_error))
    return TRUE;

  if (local_error != NULL)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The card's personal data is malformed: %s"), local_error->message);
      return FALSE;
    }

  g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
               _("The card's personal data lacks the %s"), what);
  return FALSE;
}

/* Names and addresses are shown exactly as the card holds them (外字
 * included); they only have to be valid UTF-8 without NUL. */
static char *
text_value (const MdgBerTlv *tlv,
            const char *what,
            GError **error)
{
  if (tlv->length == 0 ||
      memchr (tlv->value, '\0', tlv->length) != NULL ||
      !g_utf8_validate ((const char *) tlv->value, tlv->length, NULL))
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The card's personal data has an invalid %s"), what);
      return NULL;
    }
  return g_strndup ((const char *) tlv->value, tlv->length);
}

MdgTextAttributes *
mdg_text_attributes_parse (const guint8 *data,
                           gsize len,
                           GError **error)
{
  g_autoptr(MdgTextAttributes) attrs = NULL;
  g_autoptr(GError) local_error = NULL;
  MdgBerTlv outer, offsets, name, address, birth, sex;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL || len == 0)
    {
      malformed (error, _("empty file"));
      return NULL;
    }

  if (!mdg_ber_read (data, len, &outer, &local_error))
    {
      malformed (error, local_error->message);
      return NULL;
    }
  if (outer.tag != 0xFF20)
    {
      malformed (error, _("unexpected tag"));
      return NULL;
    }

  if (!find_child (&outer, 0xDF22, &name, _("name"), error) ||
      !find_child (&outer, 0xDF23, &address, _("address"), error) ||
      !find_child (&outer, 0xDF24, &birth, _("date of birth"), error) ||
      !find_child (&outer, 0xDF25, &sex, _("sex"), error))
    return NULL;

  /* DF21 holds the file offsets of DF22..DF25: a cross-check only. */
  if (mdg_ber_find (outer.value, outer.length, 0xDF21, &offsets, NULL))
    {
      const MdgBerTlv *children[] = { &name, &address, &birth, &sex };

      if (offsets.length != 8)
        {
          malformed (error, _("invalid offset table"));
          return NULL;
        }
      for (guint i = 0; i < 4; i++)
        {
          gsize expected = (offsets.value[2 * i] << 8) | offsets.value[2 * i + 1];
          gsize actual = (gsize) (children[i]->value - children[i]->header_len - data);

          if (expected != actual)
            {
              malformed (error, _("offset table does not match"));
              return NULL;
            }
        }
    }

  if (birth.length != 8 || !all_digits (birth.value, 8))
    {
      malformed (error, _("date of birth is not YYYYMMDD"));
      return NULL;
    }
  if (sex.length != 1 || (sex.value[0] != '1' && sex.value[0] != '2' && sex.value[0] != '9'))
    {
      malformed (error, _("invalid sex code"));
      return NULL;
    }

  attrs = g_new0 (MdgTextAttributes, 1);
  attrs->name = text_value (&name, _("name"), error);
  if (attrs->name == NULL)
    return NULL;
  attrs->address = text_value (&address, _("address"), error);
  if (attrs->address == NULL)
    return NULL;
  attrs->birth_date = g_strndup ((const char *) birth.value, 8);
  attrs->sex = g_strndup ((const char *) sex.value, 1);

  return g_steal_pointer (&attrs);
}

gint
mdg_my_number_check_digit (const char *first_eleven)
{
  guint sum = 0;

  if (first_eleven == NULL || strlen (first_eleven) != 11 ||
      !all_digits ((const guint8 *) first_eleven, 11))
    return -1;

  /* 番号法施行令 §8: q_n counted from the right, n = 1 next to the check
   * digit; P_n = n + 1 for n <= 6, n - 5 for n >= 7. */
  for (guint n = 1; n <= 11; n++)
    {
      guint q = first_eleven[11 - n] - '0';
      guint p = n <= 6 ? n + 1 : n - 5;

      sum += p * q;
    }

  sum %= 11;
  return sum <= 1 ? 0 : (gint) (11 - sum);
}

gboolean
mdg_my_number_is_valid (const char *digits)
{
  char first[12];
  gint check;

  if (digits == NULL || strlen (digits) != 12 || !all_digits ((const guint8 *) digits, 12))
    return FALSE;

  memcpy (first, digits, 11);
  first[11] = '\0';
  check = mdg_my_number_check_digit (first);
  mdg_secure_wipe (first, sizeof first);
  return check == digits[11] - '0';
}

char *
mdg_my_number_parse (const guint8 *data,
                     gsize len,
                     GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *digits = NULL;
  MdgBerTlv tlv;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL || len == 0)
    {
      malformed (error, _("empty file"));
      return NULL;
    }

  if (!mdg_ber_read (data, len, &tlv, &local_error))
    {
      malformed (error, local_error->message);
      return NULL;
    }
  if (tlv.tag != 0xFF10 || tlv.length != 12 || !all_digits (tlv.value, 12))
    {
      malformed (error, _("the individual number is not 12 digits"));
      return NULL;
    }

  digits = g_strndup ((const char *) tlv.value, 12);
  if (!mdg_my_number_is_valid (digits))
    {
      mdg_secure_wipe (digits, 12);
      malformed (error, _("the individual number has a wrong check digit"));
      return NULL;
    }

  return g_steal_pointer (&digits);
}

char *
mdg_my_number_mask (const char *digits)
{
  if (digits == NULL || strlen (digits) != 12)
    return g_strdup ("**** **** ****");
  return g_strdup_printf ("**** **** %s", digits + 8);
}

static gboolean
select_text_ap (MdgCard *card,
                gboolean always,
                GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (always)
    ok = mdg_card_select_aid (card, MDG_TEXT_AID, sizeof MDG_TEXT_AID, &local_error);
  else
    ok = mdg_card_ensure_aid (card, MDG_TEXT_AID, sizeof MDG_TEXT_AID, &local_error);
  if (ok)
    return TRUE;

  if (g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_FILE_NOT_FOUND) ||
      g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_NOT_SUPPORTED))
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_NOT_SUPPORTED,
                   _("This card has no card info input support application"));
      return FALSE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
mdg_text_ap_select (MdgCard *card,
                    GError **error)
{
  g_return_val_if_fail (MDG_IS_CARD (card), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return select_text_ap (card, TRUE, error);
}

gint
mdg_text_ap_pin_tries (MdgCard *card,
                       GError **error)
{
  g_return_val_if_fail (MDG_IS_CARD (card), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!select_text_ap (card, FALSE, error))
    return -1;

  return mdg_card_pin_tries (card, MDG_TEXT_EF_PIN, error);
}

static gboolean
read_in_transaction (MdgCard *card,
                     const MdgPin *pin,
                     MdgPinFlags flags,
                     char **my_number,
                     MdgTextAttributes **attributes,
                     gint *tries_left,
                     GError **error)
{
  if (!mdg_text_ap_select (card, error))
    return FALSE;

  if (!mdg_card_verify_checked (card, pin, flags, tries_left, error))
    return FALSE;

  if (my_number != NULL)
    {
      g_autoptr(GBytesWiped) raw = NULL;

      raw = mdg_card_read_ef (card, MDG_TEXT_EF_MY_NUMBER, MY_NUMBER_EF_LENGTH, error);
      if (raw == NULL)
        return FALSE;
      *my_number = mdg_my_number_parse (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), error);
      if (*my_number == NULL)
        return FALSE;
    }

  if (attributes != NULL)
    {
      g_autoptr(GBytesWiped) raw = NULL;

      raw = mdg_card_read_ber_ef (card, MDG_TEXT_EF_ATTRIBUTES, MAX_ATTRIBUTES_LENGTH, error);
      if (raw == NULL)
        return FALSE;
      *attributes = mdg_text_attributes_parse (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), error);
      if (*attributes == NULL)
        return FALSE;
    }

  return TRUE;
}

gboolean
mdg_text_ap_read (MdgCard *card,
                  const MdgPin *pin,
                  MdgPinFlags flags,
                  char **my_number,
                  MdgTextAttributes **attributes,
                  gint *tries_left,
                  GError **error)
{
  g_autofree char *number = NULL;
  g_autoptr(MdgTextAttributes) attrs = NULL;
  gboolean ok;

  g_return_val_if_fail (MDG_IS_CARD (card), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (pin == NULL || mdg_pin_get_kind (pin) != MDG_PIN_TEXT)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("The PIN does not belong to this application"));
      return FALSE;
    }

  if (!mdg_card_begin_transaction (card, error))
    return FALSE;

  ok = read_in_transaction (card, pin, flags,
                            my_number != NULL ? &number : NULL,
                            attributes != NULL ? &attrs : NULL,
                            tries_left, error);

  if (!mdg_card_finish_sequence (card, ok, error))
    {
      if (number != NULL)
        mdg_secure_wipe (number, strlen (number));
      return FALSE;
    }

  if (my_number != NULL)
    *my_number = g_steal_pointer (&number);
  if (attributes != NULL)
    *attributes = g_steal_pointer (&attrs);
  return TRUE;
}
