/* mdg-rule-set.h: an eligibility rule set compiled for fast evaluation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mdg-civil-date.h"
#include "mdg-facts.h"

G_BEGIN_DECLS

/* Ordered by strength: the outcome is the strongest contribution. */
typedef enum
{
  MDG_ELIGIBILITY_ELIGIBLE,
  MDG_ELIGIBILITY_ASK_OFFICE,
  MDG_ELIGIBILITY_NOT_ELIGIBLE,
} MdgEligibilityOutcome;

/* Up to this many rules per set, so that results fit in bit masks. */
#define MDG_RULE_SET_MAX_RULES 64

/* One evaluation; no allocation. Bit i of @fired / @unknown is rule i. */
typedef struct
{
  MdgEligibilityOutcome outcome;
  gboolean              is_default;  /* nothing contributed */
  guint64               fired;       /* rules whose condition held */
  guint64               unknown;     /* rules that could not be decided */
  guint32               missing;     /* (1 << MdgFact) of the facts they lacked */
  MdgCivilDate          date;
} MdgEligibilityResult;

/* "eligible", "not_eligible", "ask_office" */
const char *mdg_eligibility_outcome_to_string   (MdgEligibilityOutcome outcome);
gboolean    mdg_eligibility_outcome_from_string (const char *text,
                                                 MdgEligibilityOutcome *out);

#define MDG_TYPE_RULE_SET (mdg_rule_set_get_type ())
G_DECLARE_FINAL_TYPE (MdgRuleSet, mdg_rule_set, MDG, RULE_SET, GObject)

/* Compiles @rule_set ({default, rules[]}, docs/catalog.md §4) against its
 * program's @parameters and @legal_bases. Every fact, operator, value
 * type, parameter and legal basis is checked here, once; evaluation then
 * never looks at JSON. CATALOG names the rule on any problem. */
MdgRuleSet *mdg_rule_set_compile            (const char *id,
                                             JsonObject *rule_set,
                                             JsonArray *parameters,
                                             JsonArray *legal_bases,
                                             GError **error);
const char *mdg_rule_set_get_id             (MdgRuleSet *self);

/* Evaluates at @date with Kleene logic: unknown facts or parameters
 * without a version at @date make a rule ask the office. */
void        mdg_rule_set_evaluate           (MdgRuleSet *self,
                                             const MdgFacts *facts,
                                             MdgCivilDate date,
                                             MdgEligibilityResult *result);

guint       mdg_rule_set_get_n_rules        (MdgRuleSet *self);
const char *mdg_rule_set_get_rule_id        (MdgRuleSet *self,
                                             guint rule);
MdgEligibilityOutcome mdg_rule_set_get_rule_result (MdgRuleSet *self,
                                                    guint rule);
/* @lang "ja" or "en". For an unknown rule, its unknown_reason or NULL. */
const char *mdg_rule_set_get_rule_reason    (MdgRuleSet *self,
                                             guint rule,
                                             gboolean unknown,
                                             const char *lang);
const char * const *mdg_rule_set_get_rule_legal_basis (MdgRuleSet *self,
                                                       guint rule);
const char *mdg_rule_set_get_default_reason (MdgRuleSet *self,
                                             const char *lang);
/* The title of legal basis @id in @lang valid at @date, or NULL. */
const char *mdg_rule_set_get_legal_basis_title (MdgRuleSet *self,
                                                const char *id,
                                                MdgCivilDate date,
                                                const char *lang);

/* The result as JSON (outcome, reasons in ja and en with legal bases,
 * missing facts, and the guidance notice). */
JsonNode   *mdg_rule_set_result_to_json     (MdgRuleSet *self,
                                             const MdgEligibilityResult *result);

G_END_DECLS
