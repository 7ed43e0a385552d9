/* mdg-card.c: ISO 7816 card operations over a transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mdg-ber.h"
#include "mdg-card.h"
#include "mdg-card-error.h"

/* GET RESPONSE rounds before a card is considered to be looping. */
#define MAX_GET_RESPONSE 64
#define MAX_AID_LEN 16
#define NO_EF 0xFFFFFFFFu

/* GlobalPlatform card manager: selecting it leaves the AP (jpki-card.md §4). */
static const guint8 isd_aid[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00 };

struct _MdgCard
{
  GObject       parent_instance;

  MdgTransport *transport;
  guint         apdu_count;
  guint         transaction_depth;

  /* What this object last selected, to skip redundant SELECTs (the APDU
   * budget of a signature). Forgotten whenever the card may have changed
   * state behind our back. */
  guint8        current_aid[MAX_AID_LEN];
  gsize         current_aid_len;
  guint32       current_ef;
};

G_DEFINE_FINAL_TYPE (MdgCard, mdg_card, G_TYPE_OBJECT)

static void
forget_selection (MdgCard *self)
{
  self->current_aid_len = 0;
  self->current_ef = NO_EF;
}

static void
mdg_card_dispose (GObject *object)
{
  MdgCard *self = MDG_CARD (object);

  g_clear_object (&self->transport);

  G_OBJECT_CLASS (mdg_card_parent_class)->dispose (object);
}

static void
mdg_card_class_init (MdgCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mdg_card_dispose;
}

static void
mdg_card_init (MdgCard *self)
{
  forget_selection (self);
}

MdgCard *
mdg_card_new (MdgTransport *transport)
{
  MdgCard *self;

  g_return_val_if_fail (MDG_IS_TRANSPORT (transport), NULL);

  self = g_object_new (MDG_TYPE_CARD, NULL);
  self->transport = g_object_ref (transport);
  return self;
}

MdgTransport *
mdg_card_get_transport (MdgCard *self)
{
  g_return_val_if_fail (MDG_IS_CARD (self), NULL);
  return self->transport;
}

guint
mdg_card_get_apdu_count (MdgCard *self)
{
  g_return_val_if_fail (MDG_IS_CARD (self), 0);
  return self->apdu_count;
}

/* One command and its raw answer; appends the data to @out. */
static gboolean
exchange (MdgCard *self,
          const MdgApdu *apdu,
          GByteArray *out,
          guint16 *sw,
          GError **error)
{
  guint8 command[MDG_APDU_MAX_COMMAND];
  guint8 response[MDG_TRANSPORT_MAX_RESPONSE];
  gsize command_len = 0;
  gsize response_len = sizeof response;
  gsize data_len = 0;
  gboolean ok = FALSE;

  if (!mdg_apdu_encode (apdu, command, &command_len, error))
    return FALSE;

  self->apdu_count++;
  if (!mdg_transport_transmit (self->transport, command, command_len,
                               response, &response_len, error))
    {
      forget_selection (self);
      goto out;
    }

  if (!mdg_apdu_parse_response (response, response_len, &data_len, sw, error))
    {
      forget_selection (self);
      goto out;
    }

  g_byte_array_append (out, response, data_len);
  ok = TRUE;

out:
  /* Commands may carry a PIN, responses personal data. */
  mdg_secure_wipe (command, sizeof command);
  mdg_secure_wipe (response, sizeof response);
  return ok;
}

static GBytes *
wiped_bytes_from_array (GByteArray *array)
{
  GBytes *bytes = g_bytes_new (array->data, array->len);

  mdg_secure_wipe (array->data, array->len);
  g_byte_array_unref (array);
  return bytes;
}

GBytes *
mdg_card_transceive (MdgCard *self,
                     const MdgApdu *apdu,
                     guint16 *sw,
                     GError **error)
{
  GByteArray *data;
  MdgApdu current;
  gboolean resent = FALSE;
  guint16 status = 0;

  g_return_val_if_fail (MDG_IS_CARD (self), NULL);
  g_return_val_if_fail (apdu != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_byte_array_new ();
  current = *apdu;

  for (guint rounds = 0;; rounds++)
    {
      gsize before = data->len;

      if (!exchange (self, &current, data, &status, error))
        {
          mdg_secure_wipe (data->data, data->len);
          g_byte_array_unref (data);
          return NULL;
        }

      if ((status & 0xFF00) == 0x6C00 && !resent)
        {
          /* Wrong Le: the card names the right one; its data is void. */
          g_byte_array_set_size (data, before);
          current.le = (status & 0xFF) == 0 ? 256 : (status & 0xFF);
          resent = TRUE;
          continue;
        }

      if ((status & 0xFF00) == 0x6100)
        {
          if (rounds >= MAX_GET_RESPONSE)
            {
              mdg_secure_wipe (data->data, data->len);
              g_byte_array_unref (data);
              forget_selection (self);
              g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                           _("The card keeps announcing more response data"));
              return NULL;
            }
          current = (MdgApdu) {
            .cla = 0x00, .ins = 0xC0, .p1 = 0x00, .p2 = 0x00,
            .le = (status & 0xFF) == 0 ? 256 : (status & 0xFF),
          };
          continue;
        }

      break;
    }

  if (sw != NULL)
    *sw = status;
  return wiped_bytes_from_array (data);
}

/* Sends a command that returns no data and maps its SW. */
static gboolean
send_simple (MdgCard *self,
             const MdgApdu *apdu,
             guint16 *sw_out,
             GError **error)
{
  g_autoptr(GBytes) reply = NULL;
  guint16 sw = 0;

  reply = mdg_card_transceive (self, apdu, &sw, error);
  if (reply == NULL)
    return FALSE;
  if (sw_out != NULL)
    *sw_out = sw;
  return mdg_apdu_check_sw (sw, error);
}

static gboolean
select_aid_once (MdgCard *self,
                 const guint8 *aid,
                 gsize aid_len,
                 guint16 *sw,
                 GError **error)
{
  MdgApdu apdu = {
    .cla = 0x00, .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C,
    .data = aid, .data_len = aid_len, .le = -1,
  };
  g_autoptr(GBytes) reply = NULL;

  forget_selection (self);
  reply = mdg_card_transceive (self, &apdu, sw, error);
  return reply != NULL;
}

gboolean
mdg_card_select_aid (MdgCard *self,
                     const guint8 *aid,
                     gsize aid_len,
                     GError **error)
{
  guint16 sw = 0;

  g_return_val_if_fail (MDG_IS_CARD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (aid == NULL || aid_len < 5 || aid_len > MAX_AID_LEN)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Invalid application identifier"));
      return FALSE;
    }

  if (!select_aid_once (self, aid, aid_len, &sw, error))
    return FALSE;

  /* The first answer after a power cycle may be 6F00 (jpki-card.md §4). */
  if (sw == MDG_SW_NO_DIAGNOSIS)
    {
      g_debug ("SELECT AID answered 6F00, retrying once");
      if (!select_aid_once (self, aid, aid_len, &sw, error))
        return FALSE;
    }

  if (!mdg_apdu_check_sw (sw, error))
    return FALSE;

  memcpy (self->current_aid, aid, aid_len);
  self->current_aid_len = aid_len;
  return TRUE;
}

gboolean
mdg_card_ensure_aid (MdgCard *self,
                     const guint8 *aid,
                     gsize aid_len,
                     GError **error)
{
  g_return_val_if_fail (MDG_IS_CARD (self), FALSE);

  if (aid != NULL && self->current_aid_len == aid_len &&
      memcmp (self->current_aid, aid, aid_len) == 0)
    return TRUE;

  return mdg_card_select_aid (self, aid, aid_len, error);
}

static gboolean
select_ef_always (MdgCard *self,
                  guint16 fid,
                  GError **error)
{
  guint8 fid_bytes[2] = { fid >> 8, fid & 0xFF };
  MdgApdu apdu = {
    .cla = 0x00, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C,
    .data = fid_bytes, .data_len = 2, .le = -1,
  };

  self->current_ef = NO_EF;
  if (!send_simple (self, &apdu, NULL, error))
    return FALSE;

  self->current_ef = fid;
  return TRUE;
}

gboolean
mdg_card_select_ef (MdgCard *self,
                    guint16 fid,
                    GError **error)
{
  g_return_val_if_fail (MDG_IS_CARD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return select_ef_always (self, fid, error);
}

/* Selects @fid unless it is already the current EF of this AP. */
static gboolean
ensure_ef (MdgCard *self,
           guint16 fid,
           GError **error)
{
  if (self->current_ef == fid)
    return TRUE;
  return select_ef_always (self, fid, error);
}

/* READ BINARY returning the data with its SW; the SW is not mapped. */
static GBytes *
read_binary_raw (MdgCard *self,
                 gsize offset,
                 guint length,
                 guint16 *sw,
                 GError **error)
{
  MdgApdu apdu = {
    .cla = 0x00, .ins = 0xB0,
    .p1 = (offset >> 8) & 0x7F, .p2 = offset & 0xFF,
    .le = (gint) length,
  };
  GBytes *reply;

  if (offset > 0x7FFF)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The file is larger than READ BINARY can address"));
      return NULL;
    }
  if (length < 1 || length > 256)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Invalid read length %u"), length);
      return NULL;
    }

  reply = mdg_card_transceive (self, &apdu, sw, error);
  if (reply == NULL)
    return NULL;

  if (g_bytes_get_size (reply) > length)
    {
      g_bytes_unref (reply);
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The card returned more data than requested"));
      return NULL;
    }

  return reply;
}

GBytes *
mdg_card_read_binary (MdgCard *self,
                      guint16 offset,
                      guint length,
                      GError **error)
{
  g_autoptr(GBytes) reply = NULL;
  guint16 sw = 0;

  g_return_val_if_fail (MDG_IS_CARD (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reply = read_binary_raw (self, offset, length, &sw, error);
  if (reply == NULL)
    return NULL;
  if (!mdg_apdu_check_sw (sw, error))
    return NULL;

  return g_steal_pointer (&reply);
}

static void
append_bytes (GByteArray *array,
              GBytes *bytes,
              gsize max)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  g_byte_array_append (array, data, MIN (size, max));
}

static void
free_wiped_array (GByteArray *array)
{
  mdg_secure_wipe (array->data, array->len);
  g_byte_array_unref (array);
}

/* Reads @total bytes from offset @array->len on; the current EF is set.
 * 6B00/6282 before the end means the file is shorter than it claims. */
static gboolean
read_until (MdgCard *self,
            GByteArray *array,
            gsize total,
            GError **error)
{
  while (array->len < total)
    {
      g_autoptr(GBytes) chunk = NULL;
      gsize remaining = total - array->len;
      guint le = (guint) MIN (remaining, 256);
      guint16 sw = 0;

      chunk = read_binary_raw (self, array->len, le, &sw, error);
      if (chunk == NULL)
        return FALSE;

      if (sw != MDG_SW_OK && sw != MDG_SW_END_OF_FILE)
        {
          if (sw == MDG_SW_WRONG_OFFSET)
            g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED,
                         _("The file on the card ends after %u of %zu bytes"),
                         array->len, total);
          else
            mdg_apdu_check_sw (sw, error);
          return FALSE;
        }

      append_bytes (array, chunk, remaining);

      /* A short read with 9000 is fine; no progress or 6282 before the
       * total is a truncated file. */
      if (array->len < total && (g_bytes_get_size (chunk) == 0 || sw == MDG_SW_END_OF_FILE))
        {
          g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED,
                       _("The file on the card ends after %u of %zu bytes"),
                       array->len, total);
          return FALSE;
        }
    }

  return TRUE;
}

GBytes *
mdg_card_read_ef (MdgCard *self,
                  guint16 fid,
                  gsize length,
                  GError **error)
{
  GByteArray *array;

  g_return_val_if_fail (MDG_IS_CARD (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length == 0 || length > 0x8000)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Invalid file length %zu"), length);
      return NULL;
    }

  if (!ensure_ef (self, fid, error))
    return NULL;

  array = g_byte_array_sized_new (length);
  if (!read_until (self, array, length, error))
    {
      free_wiped_array (array);
      return NULL;
    }

  return wiped_bytes_from_array (array);
}

GBytes *
mdg_card_read_ber_ef (MdgCard *self,
                      guint16 fid,
                      gsize max_length,
                      GError **error)
{
  g_autoptr(GBytes) first = NULL;
  GByteArray *array;
  const guint8 *data;
  gsize size = 0;
  gsize total;
  guint16 sw = 0;

  g_return_val_if_fail (MDG_IS_CARD (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ensure_ef (self, fid, error))
    return NULL;

  /* jpki-card.md §3.3: the first chunk carries the header; the §3.3
   * example's 4-byte probe is folded into it, which saves one APDU. */
  first = read_binary_raw (self, 0, 256, &sw, error);
  if (first == NULL)
    return NULL;
  if (sw != MDG_SW_OK && !(sw == MDG_SW_END_OF_FILE && g_bytes_get_size (first) > 0))
    {
      mdg_apdu_check_sw (sw, error);
      return NULL;
    }

  data = g_bytes_get_data (first, &size);
  total = mdg_ber_total_length (data, size, error);
  if (total == 0)
    return NULL;

  if (total > max_length)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("A file on the card claims %zu bytes, more than the %zu allowed"),
                   total, max_length);
      return NULL;
    }

  array = g_byte_array_sized_new (total);
  append_bytes (array, first, total);

  if (array->len < total && sw == MDG_SW_END_OF_FILE)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED,
                   _("The file on the card ends after %u of %zu bytes"),
                   array->len, total);
      free_wiped_array (array);
      return NULL;
    }

  if (!read_until (self, array, total, error))
    {
      free_wiped_array (array);
      return NULL;
    }

  return wiped_bytes_from_array (array);
}

gint
mdg_card_pin_tries (MdgCard *self,
                    guint16 pin_fid,
                    GError **error)
{
  MdgApdu apdu = { .cla = 0x00, .ins = 0x20, .p1 = 0x00, .p2 = 0x80, .le = -1 };
  g_autoptr(GBytes) reply = NULL;
  guint16 sw = 0;
  gint tries;

  g_return_val_if_fail (MDG_IS_CARD (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!ensure_ef (self, pin_fid, error))
    return -1;

  reply = mdg_card_transceive (self, &apdu, &sw, error);
  if (reply == NULL)
    return -1;

  tries = mdg_apdu_sw_tries_left (sw);
  if (tries >= 0)
    return tries;
  if (sw == MDG_SW_PIN_BLOCKED)
    return 0;
  /* Some cards answer 9000 after a VERIFY (jpki-card.md §3.5). */
  if (sw == MDG_SW_OK)
    return MDG_CARD_TRIES_UNKNOWN;

  mdg_apdu_check_sw (sw, error);
  return -1;
}

gboolean
mdg_card_verify (MdgCard *self,
                 guint16 pin_fid,
                 const MdgPin *pin,
                 gint *tries_left,
                 GError **error)
{
  MdgApdu apdu = { .cla = 0x00, .ins = 0x20, .p1 = 0x00, .p2 = 0x80, .le = -1 };
  g_autoptr(GBytes) reply = NULL;
  guint16 sw = 0;

  g_return_val_if_fail (MDG_IS_CARD (self), FALSE);
  g_return_val_if_fail (pin != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ensure_ef (self, pin_fid, error))
    return FALSE;

  apdu.data = (const guint8 *) mdg_pin_get_data (pin);
  apdu.data_len = mdg_pin_get_length (pin);

  reply = mdg_card_transceive (self, &apdu, &sw, error);
  if (reply == NULL)
    return FALSE;

  if (tries_left != NULL)
    {
      if (mdg_apdu_sw_tries_left (sw) >= 0)
        *tries_left = mdg_apdu_sw_tries_left (sw);
      else if (sw == MDG_SW_PIN_BLOCKED)
        *tries_left = 0;
    }

  return mdg_apdu_check_sw (sw, error);
}

gboolean
mdg_card_change_reference_data (MdgCard *self,
                                guint16 pin_fid,
                                const MdgPin *new_pin,
                                GError **error)
{
  MdgApdu apdu = { .cla = 0x00, .ins = 0x24, .p1 = 0x01, .p2 = 0x80, .le = -1 };

  g_return_val_if_fail (MDG_IS_CARD (self), FALSE);
  g_return_val_if_fail (new_pin != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ensure_ef (self, pin_fid, error))
    return FALSE;

  apdu.data = (const guint8 *) mdg_pin_get_data (new_pin);
  apdu.data_len = mdg_pin_get_length (new_pin);
  return send_simple (self, &apdu, NULL, error);
}

GBytes *
mdg_card_compute_signature (MdgCard *self,
                            guint16 key_fid,
                            const guint8 *digest_info,
                            gsize digest_info_len,
                            GError **error)
{
  MdgApdu apdu = { .cla = 0x80, .ins = 0x2A, .p1 = 0x00, .p2 = 0x80, .le = 256 };
  g_autoptr(GBytes) reply = NULL;
  guint16 sw = 0;

  g_return_val_if_fail (MDG_IS_CARD (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* k - 11 for RSA-2048 with PKCS#1 v1.5 padding (jpki-card.md §3.7). */
  if (digest_info == NULL || digest_info_len == 0 || digest_info_len > 245)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Invalid data to sign"));
      return NULL;
    }

  if (!ensure_ef (self, key_fid, error))
    return NULL;

  apdu.data = digest_info;
  apdu.data_len = digest_info_len;
  reply = mdg_card_transceive (self, &apdu, &sw, error);
  if (reply == NULL)
    return NULL;
  if (!mdg_apdu_check_sw (sw, error))
    return NULL;

  if (g_bytes_get_size (reply) == 0)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The card returned an empty signature"));
      return NULL;
    }

  return g_steal_pointer (&reply);
}

gboolean
mdg_card_clear_security_status (MdgCard *self,
                                GError **error)
{
  g_return_val_if_fail (MDG_IS_CARD (self), FALSE);

  return mdg_card_select_aid (self, isd_aid, sizeof isd_aid, error);
}

gboolean
mdg_card_begin_transaction (MdgCard *self,
                            GError **error)
{
  g_return_val_if_fail (MDG_IS_CARD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Sequences nest (a status read inside a caller's transaction); only
   * the outermost one reaches the transport. */
  if (self->transaction_depth == 0)
    {
      if (!mdg_transport_begin_transaction (self->transport, error))
        return FALSE;
      /* Between transactions another program may have used the card. */
      forget_selection (self);
    }

  self->transaction_depth++;
  return TRUE;
}

gboolean
mdg_card_end_transaction (MdgCard *self,
                          MdgDisposition disposition,
                          GError **error)
{
  g_return_val_if_fail (MDG_IS_CARD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->transaction_depth == 0)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("No card transaction is open"));
      return FALSE;
    }

  self->transaction_depth--;
  if (self->transaction_depth > 0)
    return TRUE;

  if (disposition != MDG_DISPOSITION_LEAVE)
    forget_selection (self);

  return mdg_transport_end_transaction (self->transport, disposition, error);
}
