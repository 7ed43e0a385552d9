/* fuzz-catalog-common.h: what the catalog fuzzers check after loading
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-catalog.h"

/* Evaluates every program's and procedure's rule set of @catalog for
 * @facts on each of @dates, checking the invariants of a result. */
static inline void
fuzz_catalog_evaluate_all (MdgCatalog *catalog,
                           const MdgFacts *facts,
                           const MdgCivilDate *dates,
                           guint n_dates)
{
  GPtrArray *programs = mdg_catalog_get_programs (catalog);
  GPtrArray *procedures = mdg_catalog_get_procedures (catalog);

  for (guint d = 0; d < n_dates; d++)
    {
      for (guint i = 0; i < programs->len + procedures->len; i++)
        {
          JsonObject *object = i < programs->len ? programs->pdata[i]
                                                 : procedures->pdata[i - programs->len];
          const char *id = json_object_get_string_member (object, "id");
          MdgRuleSet *rules = i < programs->len ? mdg_catalog_get_program_rules (catalog, id)
                                                : mdg_catalog_get_procedure_rules (catalog, id);
          MdgEligibilityResult result;
          g_autoptr(JsonNode) json = NULL;

          if (rules == NULL)
            continue;
          mdg_rule_set_evaluate (rules, facts, dates[d], &result);
          g_assert (result.outcome <= MDG_ELIGIBILITY_NOT_ELIGIBLE);
          /* a rule that needed a missing fact cannot have fired */
          g_assert ((result.fired & result.unknown) == 0);
          json = mdg_rule_set_result_to_json (rules, &result);
          g_assert (json != NULL);
        }
    }
}
