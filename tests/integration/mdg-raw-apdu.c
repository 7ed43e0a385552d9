/* mdg-raw-apdu.c: send raw APDUs through PC/SC, as a second program would
 *
 *   mdg-raw-apdu [--reader NAME] APDU-HEX…
 *
 * Connects like Madoguchi does (exclusive), sends each APDU as given (no
 * GET RESPONSE handling, no VERIFY), and prints each response as hex, data
 * then SW, one per line. Used to check that a card holds no security
 * status once Madoguchi has released it.
 * Exit 0 when every APDU got an answer; 3 when the card cannot be reached;
 * 9 when another program holds it; 1 otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "madoguchi-card.h"

static int
fail (const GError *error)
{
  g_printerr ("mdg-raw-apdu: %s\n", error->message);

  if (g_error_matches (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CARD_IN_USE))
    return 9;
  if (error->domain == MDG_CARD_ERROR &&
      (error->code == MDG_CARD_ERROR_NO_SERVICE || error->code == MDG_CARD_ERROR_NO_READER ||
       error->code == MDG_CARD_ERROR_NO_CARD || error->code == MDG_CARD_ERROR_CARD_REMOVED))
    return 3;
  return 1;
}

int
main (int argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgPcscContext) pcsc = NULL;
  g_autoptr(MdgPcscTransport) transport = NULL;
  g_autofree char *reader = NULL;
  const GOptionEntry entries[] = {
    { "reader", 0, 0, G_OPTION_ARG_STRING, &reader, "Reader name", "NAME" },
    { NULL }
  };

  context = g_option_context_new ("APDU-HEX…");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2)
    {
      g_printerr ("mdg-raw-apdu: %s\n", error != NULL ? error->message : "no APDU given");
      return 2;
    }

  pcsc = mdg_pcsc_context_new (&error);
  if (pcsc == NULL)
    return fail (error);
  transport = mdg_pcsc_transport_connect (pcsc, reader, &error);
  if (transport == NULL)
    return fail (error);

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *hex = g_strdelimit (g_strdup (argv[i]), " :", ' ');
      g_autoptr(GByteArray) command = g_byte_array_new ();
      guint8 response[MDG_TRANSPORT_MAX_RESPONSE];
      gsize response_len = sizeof response;
      guint digits = 0;
      gint high = 0;

      for (const char *p = hex; *p != '\0'; p++)
        {
          gint value = g_ascii_xdigit_value (*p);

          if (*p == ' ')
            continue;
          if (value < 0)
            {
              g_printerr ("mdg-raw-apdu: not hex: %s\n", argv[i]);
              return 2;
            }
          if (digits++ % 2 == 0)
            {
              high = value;
            }
          else
            {
              guint8 byte = (guint8) (high << 4 | value);

              g_byte_array_append (command, &byte, 1);
            }
        }
      if (digits % 2 != 0 || command->len < 4)
        {
          g_printerr ("mdg-raw-apdu: not an APDU: %s\n", argv[i]);
          return 2;
        }

      if (!mdg_transport_transmit (MDG_TRANSPORT (transport), command->data, command->len,
                                   response, &response_len, &error))
        return fail (error);

      for (gsize j = 0; j < response_len; j++)
        g_print ("%02X", response[j]);
      g_print ("\n");
    }

  return 0;
}
