/* mdg-bench-eligibility.c: every rule set of the catalog for 100,000
 * synthetic residents on one core.
 *
 * Baseline, measured in the same run: "age only", the bare date
 * arithmetic of one age_on per resident — the floor any evaluator pays.
 * Goal (issue 5 §5): at least 1,000,000 rule evaluations per second.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mdg-catalog.h"

#define N_RESIDENTS 100000

static const guint32 codes[] = { 112038, 141305, 152021, 332020, 431001, 131016 };

static void
make_residents (MdgFacts *residents)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20250401);

  for (guint i = 0; i < N_RESIDENTS; i++)
    {
      MdgFacts *f = &residents[i];
      gint year = g_rand_int_range (rand, 1920, 2025);
      gint month = g_rand_int_range (rand, 1, 13);
      gint day = g_rand_int_range (rand, 1, 29);

      memset (f, 0, sizeof *f);
      mdg_facts_set_birth_date (f, MDG_CIVIL_DATE (year, month, day));
      mdg_facts_set_municipality (f, codes[g_rand_int_range (rand, 0, G_N_ELEMENTS (codes))]);
      /* some answers are left out, as residents do */
      if (g_rand_int_range (rand, 0, 10) > 0)
        mdg_facts_set_boolean (f, MDG_FACT_PUBLIC_ASSISTANCE, g_rand_int_range (rand, 0, 30) == 0);
      if (g_rand_int_range (rand, 0, 10) > 2)
        mdg_facts_set_boolean (f, MDG_FACT_DISABILITY_CERTIFIED, g_rand_int_range (rand, 0, 8) == 0);
      if (g_rand_int_range (rand, 0, 10) > 1)
        mdg_facts_set_enum (f, MDG_FACT_OTHER_INSURANCE, (guint) g_rand_int_range (rand, 0, 5));
      if (g_rand_int_range (rand, 0, 10) > 3)
        mdg_facts_set_enum (f, MDG_FACT_INCOME_CATEGORY, (guint) g_rand_int_range (rand, 0, 2));
      if (g_rand_int_range (rand, 0, 10) > 4)
        mdg_facts_set_boolean (f, MDG_FACT_OTHER_MEDICAL_SUBSIDY, g_rand_int_range (rand, 0, 20) == 0);
    }
}

static glong
status_kb (const char *key)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, key);
  return line != NULL ? strtol (line + strlen (key), NULL, 10) : -1;
}

int
main (int argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgCatalog) catalog = NULL;
  g_autoptr(GPtrArray) sets = g_ptr_array_new ();
  g_autofree MdgFacts *residents = NULL;
  const char *dir = argc > 1 ? argv[1] : "data/catalog";
  MdgCivilDate date = MDG_CIVIL_DATE (2026, 9, 1);
  glong rss_before, rss_after;
  guint64 rules_in_effect = 0, evaluations, checksum = 0;
  gint64 t0, t1, t2;
  volatile gint64 age_sum = 0;
  double base_s, engine_s;
  guint counts[3] = { 0 };

  rss_before = status_kb ("VmRSS:");
  catalog = mdg_catalog_new_from_directory (dir, &error);
  if (catalog == NULL)
    {
      g_printerr ("bench-eligibility: %s\n", error->message);
      return 1;
    }
  rss_after = status_kb ("VmRSS:");

  for (guint i = 0; i < mdg_catalog_get_programs (catalog)->len; i++)
    {
      JsonObject *program = mdg_catalog_get_programs (catalog)->pdata[i];

      g_ptr_array_add (sets, mdg_catalog_get_program_rules (catalog, json_object_get_string_member (program, "id")));
    }
  for (guint i = 0; i < mdg_catalog_get_procedures (catalog)->len; i++)
    {
      JsonObject *procedure = mdg_catalog_get_procedures (catalog)->pdata[i];
      MdgRuleSet *rules = mdg_catalog_get_procedure_rules (catalog, json_object_get_string_member (procedure, "id"));

      if (rules != NULL)
        g_ptr_array_add (sets, rules);
    }
  for (guint i = 0; i < sets->len; i++)
    rules_in_effect += mdg_rule_set_get_n_rules (sets->pdata[i]);

  residents = g_new (MdgFacts, N_RESIDENTS);
  make_residents (residents);

  /* baseline: one age per resident and rule set */
  t0 = g_get_monotonic_time ();
  for (guint s = 0; s < sets->len; s++)
    for (guint i = 0; i < N_RESIDENTS; i++)
      age_sum += mdg_age_on_birthday (residents[i].birth_date, date);
  t1 = g_get_monotonic_time ();
  for (guint s = 0; s < sets->len; s++)
    for (guint i = 0; i < N_RESIDENTS; i++)
      {
        MdgEligibilityResult result;

        mdg_rule_set_evaluate (sets->pdata[s], &residents[i], date, &result);
        counts[result.outcome]++;
        checksum += result.fired ^ (result.unknown << 1);
      }
  t2 = g_get_monotonic_time ();

  base_s = (t1 - t0) / 1e6;
  engine_s = (t2 - t1) / 1e6;
  evaluations = (guint64) sets->len * N_RESIDENTS;

  printf ("bench/eligibility: %u residents × %u rule sets (%" G_GUINT64_FORMAT " rules) on %s, one core\n",
          N_RESIDENTS, sets->len, rules_in_effect, "2026-09-01");
  printf ("%-34s %12s %16s %8s\n", "measure", "seconds", "per second", "ratio");
  printf ("%-34s %12.4f %16.0f %8.2f\n", "baseline: age only (per set)", base_s,
          evaluations / base_s, 1.0);
  printf ("%-34s %12.4f %16.0f %8.2f\n", "engine: rule-set evaluations", engine_s,
          evaluations / engine_s, engine_s / base_s);
  printf ("%-34s %12.4f %16.0f %8s\n", "engine: rule evaluations", engine_s,
          (double) rules_in_effect * N_RESIDENTS / engine_s, "-");
  printf ("goal: ≥ 1,000,000 rule evaluations/s: %s\n",
          (double) rules_in_effect * N_RESIDENTS / engine_s >= 1e6 ? "met" : "NOT met");
  printf ("memory: catalog loaded and compiled %+ld kB RSS; residents %zu kB; peak RSS %ld kB\n",
          rss_after - rss_before, sizeof (MdgFacts) * N_RESIDENTS / 1024, status_kb ("VmHWM:"));
  printf ("outcomes: eligible %u, ask_office %u, not_eligible %u (checksum %" G_GUINT64_FORMAT ", %" G_GINT64_FORMAT ")\n",
          counts[0], counts[1], counts[2], checksum, (gint64) age_sum);
  return 0;
}
