/* fuzz-my-number.c: EF 0001 of the text AP, check digit and masking
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "madoguchi-card.h"
#include "fuzz-common.h"


int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t size)
{
  GError *error = NULL;
  char *number;
  char *text;

  fuzz_init ();

  number = mdg_my_number_parse (data, size, &error);
  if (number != NULL)
    {
      char *masked = mdg_my_number_mask (number);

      g_assert (strlen (number) == 12);
      g_assert (mdg_my_number_is_valid (number));
      g_assert (strncmp (masked, "**** **** ", 10) == 0);
      g_assert (strcmp (masked + 10, number + 8) == 0);
      g_free (masked);
      g_free (number);
    }
  else
    {
      g_assert (error != NULL);
      g_error_free (error);
    }

  /* The same bytes as a string for the digit helpers. */
  text = g_strndup ((const char *) data, size);
  mdg_my_number_is_valid (text);
  if (strlen (text) == 11)
    g_assert (mdg_my_number_check_digit (text) <= 9);
  g_free (mdg_my_number_mask (text));
  g_free (text);
  return 0;
}
