/* fuzz-apdu-response.c: card sequences against a card whose answers come
 * from the fuzz input (61xx/6Cxx loops, read_ber_ef, status, signing)
 *
 * Input: one selector byte, then responses as a 2-byte big-endian length
 * (mod 259) and that many bytes. When the input runs out the card is
 * pulled.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "madoguchi-card.h"
#include "fuzz-common.h"


typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
  guint         commands;
} Feed;

static MdgMemoryCardResult
feed_process (gpointer card,
              const guint8 *command,
              gsize command_len,
              guint8 *response,
              gsize *response_len)
{
  Feed *feed = card;
  gsize n;

  g_assert (command_len >= 4 && command_len <= MDG_APDU_MAX_COMMAND);

  /* Bounded so that a looping sequence ends. */
  if (++feed->commands > 512 || feed->len - feed->pos < 2)
    return MDG_MEMORY_CARD_REMOVED;

  n = ((feed->data[feed->pos] << 8) | feed->data[feed->pos + 1]) % (MDG_TRANSPORT_MAX_RESPONSE + 1);
  feed->pos += 2;
  n = MIN (n, feed->len - feed->pos);
  n = MIN (n, *response_len);
  memcpy (response, feed->data + feed->pos, n);
  feed->pos += n;
  *response_len = n;
  return MDG_MEMORY_CARD_REPLY;
}

static const MdgMemoryCardFuncs feed_funcs = {
  .process = feed_process,
};

static void
run (MdgCard *card,
     guint selector)
{
  GError *error = NULL;
  MdgPin *pin = NULL;

  switch (selector % 8)
    {
    case 0:
      {
        MdgCardStatus *status = mdg_card_status_read (card, &error);

        g_assert ((status == NULL) == (error != NULL));
        mdg_card_status_free (status);
      }
      break;

    case 1:
      {
        GBytes *ef = mdg_card_read_ber_ef (card, 0x000A, 8192, &error);

        g_assert ((ef == NULL) == (error != NULL));
        g_assert (ef == NULL || g_bytes_get_size (ef) <= 8192);
        g_clear_pointer (&ef, g_bytes_unref);
      }
      break;

    case 2:
    case 3:
      {
        guint8 hash[32] = { 1, 2, 3 };
        GBytes *sig;

        pin = selector % 8 == 2 ? mdg_pin_new (MDG_PIN_AUTH, "1234", NULL)
                                : mdg_pin_new (MDG_PIN_SIGN, "ABC123", NULL);
        sig = mdg_jpki_sign_sha256 (card, selector % 8 == 2 ? MDG_JPKI_KEY_AUTH : MDG_JPKI_KEY_SIGN,
                                    pin, MDG_PIN_FLAGS_NONE, hash, NULL, NULL, &error);
        /* Nothing random verifies against a certificate. */
        g_assert (sig == NULL && error != NULL);
      }
      break;

    case 4:
      {
        MdgTextAttributes *attrs = NULL;
        char *number = NULL;

        pin = mdg_pin_new (MDG_PIN_TEXT, "1234", NULL);
        if (mdg_text_ap_read (card, pin, MDG_PIN_FLAGS_CONFIRM_LAST_TRY, &number, &attrs, NULL, &error))
          g_assert (number != NULL && attrs != NULL && mdg_my_number_is_valid (number));
        g_free (number);
        mdg_text_attributes_free (attrs);
      }
      break;

    case 5:
      {
        GBytes *cert;

        pin = mdg_pin_new (MDG_PIN_SIGN, "ABC123", NULL);
        cert = mdg_jpki_read_sign_certificate (card, pin, MDG_PIN_FLAGS_NONE, NULL, &error);
        g_clear_pointer (&cert, g_bytes_unref);
      }
      break;

    case 6:
      {
        MdgPin *new_pin = mdg_pin_new (MDG_PIN_AUTH, "5678", NULL);

        pin = mdg_pin_new (MDG_PIN_AUTH, "1234", NULL);
        mdg_card_change_pin (card, pin, new_pin, MDG_PIN_FLAGS_NONE, NULL, &error);
        mdg_pin_free (new_pin);
      }
      break;

    default:
      {
        MdgApdu apdu = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 256 };
        guint16 sw = 0;
        GBytes *reply = mdg_card_transceive (card, &apdu, &sw, &error);

        g_clear_pointer (&reply, g_bytes_unref);
        g_clear_error (&error);
        reply = mdg_card_read_ef (card, 0x0008, 600, &error);
        g_assert ((reply == NULL) == (error != NULL));
        g_clear_pointer (&reply, g_bytes_unref);
      }
      break;
    }

  g_clear_error (&error);
  mdg_pin_free (pin);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t size)
{
  Feed feed = { 0 };
  MdgMemoryTransport *transport;
  MdgCard *card;

  fuzz_init ();

  if (size < 1)
    return 0;

  feed.data = data + 1;
  feed.len = size - 1;

  transport = mdg_memory_transport_new (&feed_funcs, &feed, NULL);
  card = mdg_card_new (MDG_TRANSPORT (transport));
  run (card, data[0]);
  g_object_unref (card);
  g_object_unref (transport);
  return 0;
}
