/* fuzz-text-attributes.c: EF 0002 of the text AP
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
  MdgTextAttributes *attrs;

  fuzz_init ();

  attrs = mdg_text_attributes_parse (data, size, &error);
  if (attrs != NULL)
    {
      g_assert (error == NULL);
      g_assert (g_utf8_validate (attrs->name, -1, NULL));
      g_assert (g_utf8_validate (attrs->address, -1, NULL));
      g_assert (strlen (attrs->birth_date) == 8);
      g_assert (strlen (attrs->sex) == 1);
      mdg_text_attributes_free (attrs);
    }
  else
    {
      g_assert (error != NULL && error->domain == MDG_CARD_ERROR);
      g_error_free (error);
    }
  return 0;
}
