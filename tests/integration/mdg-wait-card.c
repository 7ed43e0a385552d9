/* mdg-wait-card.c: wait until a card is on (or off) a reader
 *
 *   mdg-wait-card [--absent] [--reader NAME] [--timeout-ms MS]
 *
 * Waits with SCardGetStatusChange (mdg_pcsc_context_wait_for_card), never
 * with fixed sleeps. Without --reader it waits for the first reader to
 * appear, then for a card on it. Exit 0 when the state is reached, 1 on
 * timeout or error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "madoguchi-card.h"

int
main (int argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reader = NULL;
  gboolean absent = FALSE;
  gint timeout_ms = 10000;
  gint64 deadline;
  const GOptionEntry entries[] = {
    { "absent", 0, 0, G_OPTION_ARG_NONE, &absent, "Wait until no card is present", NULL },
    { "reader", 0, 0, G_OPTION_ARG_STRING, &reader, "Reader name", "NAME" },
    { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &timeout_ms, "Give up after MS", "MS" },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || timeout_ms <= 0)
    {
      g_printerr ("mdg-wait-card: %s\n", error != NULL ? error->message : "bad --timeout-ms");
      return 2;
    }

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(MdgPcscContext) pcsc = NULL;
      g_auto(GStrv) readers = NULL;
      gint64 remaining_ms = (deadline - g_get_monotonic_time ()) / 1000;

      g_clear_error (&error);
      if (remaining_ms <= 0)
        break;

      pcsc = mdg_pcsc_context_new (&error);
      if (pcsc != NULL && reader == NULL)
        {
          readers = mdg_pcsc_context_list_readers (pcsc, &error);
          if (readers != NULL && readers[0] != NULL)
            reader = g_strdup (readers[0]);
        }

      if (pcsc != NULL && reader != NULL)
        {
          if (mdg_pcsc_context_wait_for_card (pcsc, reader, !absent, remaining_ms, NULL, &error))
            return 0;
          if (!g_error_matches (error, MDG_CARD_ERROR, MDG_CARD_ERROR_NO_READER))
            break;
        }

      /* pcscd or its reader is still starting: ask again shortly. */
      g_usleep (20 * 1000);
    }

  g_printerr ("mdg-wait-card: no card %s after %d ms%s%s\n",
              absent ? "removal" : "insertion", timeout_ms,
              error != NULL ? ": " : "", error != NULL ? error->message : "");
  return 1;
}
