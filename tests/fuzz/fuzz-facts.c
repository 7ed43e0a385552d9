/* fuzz-facts.c: the facts reader (facts JSON → MdgFacts, with the card's
 * address mapped to a municipality) and evaluation on what it read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mdg-app-error.h"
#include "mdg-catalog.h"
#include "fuzz-common.h"
#include "fuzz-catalog-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);

static MdgCatalog *catalog;

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  const char *catalog_dir = NULL;
  int out = 1;

  /* --catalog-dir is ours; the rest is libFuzzer's. */
  for (int i = 1; i < *argc; i++)
    {
      char *arg = (*argv)[i];

      if (g_str_has_prefix (arg, "--catalog-dir="))
        catalog_dir = arg + strlen ("--catalog-dir=");
      else
        (*argv)[out++] = arg;
    }
  *argc = out;
  (*argv)[out] = NULL;
  if (catalog_dir == NULL)
    g_error ("fuzz-facts needs --catalog-dir=DIR");
  catalog = mdg_catalog_new_from_directory (catalog_dir, &error);
  if (catalog == NULL)
    g_error ("fuzz-facts: %s", error->message);
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t size)
{
  static const MdgCivilDate dates[] = {
    MDG_CIVIL_DATE (1900, 1, 1), MDG_CIVIL_DATE (2025, 4, 10), MDG_CIVIL_DATE (2026, 9, 1),
    MDG_CIVIL_DATE_MAX,
  };
  g_autoptr(GError) error = NULL;
  MdgFacts facts = MDG_FACTS_INIT;
  guint32 prefilled = 0;

  if (!mdg_catalog_load_facts (catalog, (const char *) data, size, &facts, &prefilled, &error))
    {
      g_assert (error != NULL);
      g_assert (error->domain == MDG_APP_ERROR);
      mdg_facts_clear (&facts);
      g_assert (facts.known == 0);
      return 0;
    }
  g_assert (error == NULL);
  /* only what was set can be reported as prefilled */
  g_assert ((prefilled & ~facts.known) == 0);
  g_assert (facts.known < (1u << MDG_N_FACTS));
  if (mdg_facts_is_known (&facts, MDG_FACT_BIRTH_DATE))
    g_assert (mdg_civil_date_is_valid (facts.birth_date));

  fuzz_catalog_evaluate_all (catalog, &facts, dates, G_N_ELEMENTS (dates));
  mdg_facts_clear (&facts);
  g_assert (facts.known == 0);
  return 0;
}
