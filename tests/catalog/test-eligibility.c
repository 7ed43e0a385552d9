/* test-eligibility.c: the eligibility engine against the real catalog,
 * table-driven, every date fixed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "mdg-app-error.h"
#include "mdg-catalog.h"
#include "mdg-jcs.h"

static MdgCatalog *catalog;

typedef struct
{
  const char *name;
  const char *rule_set;   /* program id, or procedure id with "proc:" */
  const char *facts;      /* JSON object */
  const char *date;
  const char *expected;   /* outcome */
  const char *rule;       /* a rule that must have fired, "default", or NULL */
  const char *missing;    /* a fact that must be reported missing, or NULL */
} Case;

#define KAWAGUCHI "\"municipality_code\":\"112038\",\"public_assistance\":false"
#define KAWASAKI  "\"municipality_code\":\"141305\",\"public_assistance\":false,\"other_medical_subsidy\":false"
#define KURASHIKI "\"municipality_code\":\"332020\",\"public_assistance\":false"

static const Case cases[] = {
  /* 後期高齢者医療: insured from the 75th birthday itself */
  { "kouki/75th-birthday-today", "kouki", "{\"birth_date\":\"1950-04-10\"," KAWAGUCHI "}", "2025-04-10", "eligible", "kouki-age-75", NULL },
  { "kouki/75th-birthday-yesterday", "kouki", "{\"birth_date\":\"1950-04-09\"," KAWAGUCHI "}", "2025-04-10", "eligible", "kouki-age-75", NULL },
  { "kouki/75th-birthday-tomorrow-unknown-disability", "kouki", "{\"birth_date\":\"1950-04-11\"," KAWAGUCHI "}", "2025-04-10", "ask_office", "kouki-65-74-disability", "disability_certified" },
  { "kouki/75th-birthday-tomorrow-no-disability", "kouki", "{\"birth_date\":\"1950-04-11\",\"disability_certified\":false," KAWAGUCHI "}", "2025-04-10", "not_eligible", "kouki-65-74-no-disability", NULL },
  { "kouki/75th-birthday-tomorrow-disability", "kouki", "{\"birth_date\":\"1950-04-11\",\"disability_certified\":true," KAWAGUCHI "}", "2025-04-10", "ask_office", "kouki-65-74-disability", NULL },
  { "kouki/feb29-common-year-feb28", "kouki", "{\"birth_date\":\"1952-02-29\",\"disability_certified\":false," KAWAGUCHI "}", "2027-02-28", "not_eligible", "kouki-65-74-no-disability", NULL },
  { "kouki/feb29-common-year-mar1", "kouki", "{\"birth_date\":\"1952-02-29\",\"disability_certified\":false," KAWAGUCHI "}", "2027-03-01", "eligible", "kouki-age-75", NULL },
  { "kouki/feb29-in-leap-year-feb29", "kouki", "{\"birth_date\":\"1948-02-29\"," KAWAGUCHI "}", "2024-02-29", "eligible", "kouki-age-75", NULL },
  { "kouki/feb29-76th-on-feb29", "kouki", "{\"birth_date\":\"1952-02-29\"," KAWAGUCHI "}", "2028-02-29", "eligible", "kouki-age-75", NULL },
  { "kouki/65-with-disability", "kouki", "{\"birth_date\":\"1958-01-15\",\"disability_certified\":true," KAWAGUCHI "}", "2025-06-01", "ask_office", "kouki-65-74-disability", NULL },
  { "kouki/65-without-disability", "kouki", "{\"birth_date\":\"1958-01-15\",\"disability_certified\":false," KAWAGUCHI "}", "2025-06-01", "not_eligible", "kouki-65-74-no-disability", NULL },
  { "kouki/70-with-disability", "kouki", "{\"birth_date\":\"1955-01-15\",\"disability_certified\":true," KAWAGUCHI "}", "2025-06-01", "ask_office", "kouki-65-74-disability", NULL },
  { "kouki/74-without-disability", "kouki", "{\"birth_date\":\"1951-01-15\",\"disability_certified\":false," KAWAGUCHI "}", "2025-06-01", "not_eligible", "kouki-65-74-no-disability", NULL },
  { "kouki/65th-birthday-with-disability", "kouki", "{\"birth_date\":\"1960-06-01\",\"disability_certified\":true," KAWAGUCHI "}", "2025-06-01", "ask_office", "kouki-65-74-disability", NULL },
  { "kouki/day-before-65th-with-disability", "kouki", "{\"birth_date\":\"1960-06-02\",\"disability_certified\":true," KAWAGUCHI "}", "2025-06-01", "not_eligible", "kouki-under-65", NULL },
  { "kouki/64", "kouki", "{\"birth_date\":\"1961-01-01\"," KAWAGUCHI "}", "2025-06-01", "not_eligible", "kouki-under-65", NULL },
  { "kouki/public-assistance-80", "kouki", "{\"birth_date\":\"1945-01-01\",\"municipality_code\":\"112038\",\"public_assistance\":true}", "2025-06-01", "not_eligible", "kouki-public-assistance", NULL },
  { "kouki/public-assistance-70-disability", "kouki", "{\"birth_date\":\"1955-01-01\",\"disability_certified\":true,\"municipality_code\":\"431001\",\"public_assistance\":true}", "2025-06-01", "not_eligible", "kouki-public-assistance", NULL },
  { "kouki/moved-from-another-prefecture", "kouki", "{\"birth_date\":\"1945-01-01\",\"municipality_code\":\"131016\",\"public_assistance\":false}", "2025-06-01", "ask_office", "kouki-not-resident", NULL },
  { "kouki/nagaoka-80", "kouki", "{\"birth_date\":\"1945-01-01\",\"municipality_code\":\"152021\",\"public_assistance\":false}", "2025-06-01", "eligible", "kouki-age-75", NULL },
  { "kouki/kumamoto-80", "kouki", "{\"birth_date\":\"1945-01-01\",\"municipality_code\":\"431001\",\"public_assistance\":false}", "2025-06-01", "eligible", "kouki-age-75", NULL },
  { "kouki/kurashiki-not-in-catalog-for-kouki", "kouki", "{\"birth_date\":\"1945-01-01\",\"municipality_code\":\"332020\",\"public_assistance\":false}", "2025-06-01", "ask_office", "kouki-not-resident", NULL },
  { "kouki/no-birth-date", "kouki", "{" KAWAGUCHI "}", "2025-06-01", "ask_office", "kouki-age-75", "birth_date" },
  { "kouki/no-municipality", "kouki", "{\"birth_date\":\"1945-01-01\",\"public_assistance\":false}", "2025-06-01", "ask_office", "kouki-age-75", "municipality_code" },
  { "kouki/no-public-assistance-answer", "kouki", "{\"birth_date\":\"1945-01-01\",\"municipality_code\":\"112038\"}", "2025-06-01", "ask_office", "kouki-age-75", "public_assistance" },
  { "kouki/nothing-answered", "kouki", "{}", "2025-06-01", "ask_office", NULL, "birth_date" },
  { "kouki/before-the-system", "kouki", "{\"birth_date\":\"1920-01-01\"," KAWAGUCHI "}", "2008-03-31", "ask_office", "default", NULL },
  { "kouki/first-day-of-the-system", "kouki", "{\"birth_date\":\"1920-01-01\"," KAWAGUCHI "}", "2008-04-01", "eligible", "kouki-age-75", NULL },

  /* 後期 procedures: 75歳到達, 障害認定 (65–74), 限度額 */
  { "proc/shikaku-75-birthday", "proc:112038-kouki-shikaku-75", "{\"birth_date\":\"1950-04-10\"}", "2025-04-10", "eligible", "112038-75-age", NULL },
  { "proc/shikaku-75-day-before", "proc:112038-kouki-shikaku-75", "{\"birth_date\":\"1950-04-10\"}", "2025-04-09", "not_eligible", "default", NULL },
  { "proc/shogai-65", "proc:152021-kouki-shogai-nintei", "{\"birth_date\":\"1960-06-01\"}", "2025-06-01", "eligible", "152021-shogai-age", NULL },
  { "proc/shogai-64", "proc:152021-kouki-shogai-nintei", "{\"birth_date\":\"1960-06-02\"}", "2025-06-01", "not_eligible", "default", NULL },
  { "proc/shogai-75", "proc:431001-kouki-shogai-nintei", "{\"birth_date\":\"1950-06-01\"}", "2025-06-01", "not_eligible", "default", NULL },
  { "proc/shogai-74", "proc:431001-kouki-shogai-nintei", "{\"birth_date\":\"1950-06-02\"}", "2025-06-01", "eligible", "431001-shogai-age", NULL },
  { "proc/gendogaku-non-taxable", "proc:112038-kouki-gendogaku", "{\"income_category\":\"non_taxable_household\"}", "2025-06-01", "eligible", "112038-gendo-nontax", NULL },
  { "proc/gendogaku-taxable", "proc:112038-kouki-gendogaku", "{\"income_category\":\"taxable_household\"}", "2025-06-01", "ask_office", "default", NULL },
  { "proc/gendogaku-unanswered", "proc:112038-kouki-gendogaku", "{}", "2025-06-01", "ask_office", "112038-gendo-nontax", "income_category" },

  /* 小児医療費助成 (川崎): school year with the 2 April cut-off */
  { "shoni/grade-8", "shoni-iryo", "{\"birth_date\":\"2011-04-02\"," KAWASAKI "}", "2025-06-01", "eligible", "shoni-in-grade", NULL },
  { "shoni/born-apr1-is-grade-10", "shoni-iryo", "{\"birth_date\":\"2010-04-01\"," KAWASAKI "}", "2025-06-01", "not_eligible", "shoni-over-grade", NULL },
  { "shoni/born-apr2-is-grade-9", "shoni-iryo", "{\"birth_date\":\"2010-04-02\"," KAWASAKI "}", "2025-06-01", "eligible", "shoni-in-grade", NULL },
  { "shoni/born-mar31-is-grade-10", "shoni-iryo", "{\"birth_date\":\"2010-03-31\"," KAWASAKI "}", "2025-06-01", "not_eligible", "shoni-over-grade", NULL },
  { "shoni/chu3-last-day", "shoni-iryo", "{\"birth_date\":\"2010-04-02\"," KAWASAKI "}", "2026-03-31", "eligible", "shoni-in-grade", NULL },
  { "shoni/chu3-one-day-past", "shoni-iryo", "{\"birth_date\":\"2010-04-02\"," KAWASAKI "}", "2026-04-01", "not_eligible", "shoni-over-grade", NULL },
  { "shoni/grade-11-before-extension", "shoni-iryo", "{\"birth_date\":\"2009-04-02\"," KAWASAKI "}", "2026-08-31", "not_eligible", "shoni-over-grade", NULL },
  { "shoni/grade-11-on-extension", "shoni-iryo", "{\"birth_date\":\"2009-04-02\"," KAWASAKI "}", "2026-09-01", "eligible", "shoni-in-grade", NULL },
  { "shoni/ko3-last-day", "shoni-iryo", "{\"birth_date\":\"2008-04-02\"," KAWASAKI "}", "2027-03-31", "eligible", "shoni-in-grade", NULL },
  { "shoni/ko3-one-day-past", "shoni-iryo", "{\"birth_date\":\"2008-04-02\"," KAWASAKI "}", "2027-04-01", "not_eligible", "shoni-over-grade", NULL },
  { "shoni/born-apr1-ko3-one-day-past", "shoni-iryo", "{\"birth_date\":\"2009-04-01\"," KAWASAKI "}", "2027-04-01", "not_eligible", "shoni-over-grade", NULL },
  { "shoni/feb29-child", "shoni-iryo", "{\"birth_date\":\"2012-02-29\"," KAWASAKI "}", "2025-06-01", "eligible", "shoni-in-grade", NULL },
  { "shoni/newborn", "shoni-iryo", "{\"birth_date\":\"2025-05-01\"," KAWASAKI "}", "2025-06-01", "eligible", "shoni-in-grade", NULL },
  { "shoni/public-assistance", "shoni-iryo", "{\"birth_date\":\"2015-05-01\",\"municipality_code\":\"141305\",\"public_assistance\":true,\"other_medical_subsidy\":false}", "2025-06-01", "not_eligible", "shoni-public-assistance", NULL },
  { "shoni/other-subsidy", "shoni-iryo", "{\"birth_date\":\"2015-05-01\",\"municipality_code\":\"141305\",\"public_assistance\":false,\"other_medical_subsidy\":true}", "2025-06-01", "ask_office", "shoni-other-subsidy", NULL },
  { "shoni/not-kawasaki", "shoni-iryo", "{\"birth_date\":\"2015-05-01\",\"municipality_code\":\"112038\",\"public_assistance\":false,\"other_medical_subsidy\":false}", "2025-06-01", "not_eligible", "shoni-not-resident", NULL },
  { "shoni/moved-from-another-prefecture", "shoni-iryo", "{\"birth_date\":\"2015-05-01\",\"municipality_code\":\"131016\",\"public_assistance\":false,\"other_medical_subsidy\":false}", "2025-06-01", "not_eligible", "shoni-not-resident", NULL },
  { "shoni/no-birth-date", "shoni-iryo", "{" KAWASAKI "}", "2025-06-01", "ask_office", "shoni-in-grade", "birth_date" },
  { "shoni/before-parameters", "shoni-iryo", "{\"birth_date\":\"2015-05-01\"," KAWASAKI "}", "2023-08-31", "ask_office", "default", NULL },
  { "shoni/first-day-of-parameters", "shoni-iryo", "{\"birth_date\":\"2015-05-01\"," KAWASAKI "}", "2023-09-01", "eligible", "shoni-in-grade", NULL },

  /* 国民健康保険 (倉敷) */
  { "kokuho/40-no-insurance", "kokuho", "{\"birth_date\":\"1985-01-01\",\"other_insurance\":\"none\"," KURASHIKI "}", "2025-06-01", "eligible", "kokuho-must-join", NULL },
  { "kokuho/already-nhi", "kokuho", "{\"birth_date\":\"1985-01-01\",\"other_insurance\":\"national_health_insurance\"," KURASHIKI "}", "2025-06-01", "eligible", "kokuho-must-join", NULL },
  { "kokuho/employees-insurance", "kokuho", "{\"birth_date\":\"1985-01-01\",\"other_insurance\":\"employees_health_insurance\"," KURASHIKI "}", "2025-06-01", "not_eligible", "kokuho-other-insurance", NULL },
  { "kokuho/public-assistance", "kokuho", "{\"birth_date\":\"1985-01-01\",\"other_insurance\":\"none\",\"municipality_code\":\"332020\",\"public_assistance\":true}", "2025-06-01", "not_eligible", "kokuho-public-assistance", NULL },
  { "kokuho/75th-birthday", "kokuho", "{\"birth_date\":\"1950-06-01\",\"other_insurance\":\"national_health_insurance\"," KURASHIKI "}", "2025-06-01", "not_eligible", "kokuho-75", NULL },
  { "kokuho/day-before-75th", "kokuho", "{\"birth_date\":\"1950-06-02\",\"other_insurance\":\"national_health_insurance\"," KURASHIKI "}", "2025-06-01", "eligible", "kokuho-must-join", NULL },
  { "kokuho/feb29-day-before-75th", "kokuho", "{\"birth_date\":\"1952-02-29\",\"other_insurance\":\"national_health_insurance\"," KURASHIKI "}", "2027-02-28", "eligible", "kokuho-must-join", NULL },
  { "kokuho/not-kurashiki", "kokuho", "{\"birth_date\":\"1985-01-01\",\"other_insurance\":\"none\",\"municipality_code\":\"141305\",\"public_assistance\":false}", "2025-06-01", "not_eligible", "kokuho-not-resident", NULL },
  { "kokuho/insurance-unanswered", "kokuho", "{\"birth_date\":\"1985-01-01\"," KURASHIKI "}", "2025-06-01", "ask_office", "kokuho-must-join", "other_insurance" },
  { "kokuho/other-insurance-kind", "kokuho", "{\"birth_date\":\"1985-01-01\",\"other_insurance\":\"other\"," KURASHIKI "}", "2025-06-01", "ask_office", "default", NULL },
  { "kokuho/newborn", "kokuho", "{\"birth_date\":\"2025-05-20\",\"other_insurance\":\"none\"," KURASHIKI "}", "2025-06-01", "eligible", "kokuho-must-join", NULL },
};

static gint
rule_index (MdgRuleSet *rules,
            const char *id)
{
  for (guint i = 0; i < mdg_rule_set_get_n_rules (rules); i++)
    {
      if (g_str_equal (mdg_rule_set_get_rule_id (rules, i), id))
        return (gint) i;
    }
  return -1;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = mdg_jcs_parse (c->facts, -1, &error);
  MdgFacts facts = MDG_FACTS_INIT;
  MdgEligibilityResult result;
  MdgEligibilityOutcome expected;
  MdgCivilDate date;
  MdgRuleSet *rules;

  g_assert_no_error (error);
  g_assert_true (mdg_facts_load_json (&facts, json_node_get_object (node), &error));
  g_assert_no_error (error);
  g_assert_true (mdg_civil_date_parse (c->date, &date));
  g_assert_true (mdg_eligibility_outcome_from_string (c->expected, &expected));

  if (g_str_has_prefix (c->rule_set, "proc:"))
    rules = mdg_catalog_get_procedure_rules (catalog, c->rule_set + 5);
  else
    rules = mdg_catalog_get_program_rules (catalog, c->rule_set);
  g_assert_nonnull (rules);

  mdg_rule_set_evaluate (rules, &facts, date, &result);
  g_assert_cmpstr (mdg_eligibility_outcome_to_string (result.outcome), ==, c->expected);

  if (g_strcmp0 (c->rule, "default") == 0)
    {
      g_assert_true (result.is_default);
      g_assert_cmpuint (result.fired | result.unknown, ==, 0);
    }
  else if (c->rule != NULL)
    {
      gint i = rule_index (rules, c->rule);

      g_assert_cmpint (i, >=, 0);
      g_assert_false (result.is_default);
      /* the rule behind the outcome fired, or was undecided for ask_office */
      g_assert_true (((result.fired | result.unknown) >> i) & 1);
    }
  if (c->missing != NULL)
    {
      guint f;

      for (f = 0; f < MDG_N_FACTS; f++)
        {
          if (g_str_equal (mdg_fact_get_name ((MdgFact) f), c->missing))
            break;
        }
      g_assert_cmpuint (f, <, MDG_N_FACTS);
      g_assert_true (result.missing & (1u << f));
    }
  else
    g_assert_cmpuint (result.missing, ==, 0);

  /* Every reason that fired has both languages and titled legal bases. */
  for (guint i = 0; i < mdg_rule_set_get_n_rules (rules); i++)
    {
      const char * const *bases;

      if (!((result.fired >> i) & 1))
        continue;
      g_assert_nonnull (mdg_rule_set_get_rule_reason (rules, i, FALSE, "ja"));
      g_assert_nonnull (mdg_rule_set_get_rule_reason (rules, i, FALSE, "en"));
      bases = mdg_rule_set_get_rule_legal_basis (rules, i);
      g_assert_nonnull (bases[0]);
      for (guint j = 0; bases[j] != NULL; j++)
        g_assert_nonnull (mdg_rule_set_get_legal_basis_title (rules, bases[j], date, "ja"));
    }
}

/* ---- dates ------------------------------------------------------------------- */

static MdgCivilDate
d (const char *text)
{
  MdgCivilDate date = 0;

  g_assert_true (mdg_civil_date_parse (text, &date));
  return date;
}

static void
test_dates (void)
{
  MdgCivilDate date;

  g_assert_false (mdg_civil_date_parse ("2025-02-29", &date));
  g_assert_false (mdg_civil_date_parse ("2025-13-01", &date));
  g_assert_false (mdg_civil_date_parse ("2025-4-1", &date));
  g_assert_false (mdg_civil_date_parse ("", &date));
  g_assert_true (mdg_civil_date_parse ("19520229", &date));
  g_assert_cmpuint (date, ==, MDG_CIVIL_DATE (1952, 2, 29));
  g_assert_cmpuint (mdg_civil_date_next_day (d ("2024-02-28")), ==, d ("2024-02-29"));
  g_assert_cmpuint (mdg_civil_date_next_day (d ("2025-02-28")), ==, d ("2025-03-01"));
  g_assert_cmpuint (mdg_civil_date_next_day (d ("2025-12-31")), ==, d ("2026-01-01"));

  /* birthday convention (後期): up on the birthday; 29 Feb → 1 Mar */
  g_assert_cmpint (mdg_age_on_birthday (d ("1950-04-10"), d ("2025-04-09")), ==, 74);
  g_assert_cmpint (mdg_age_on_birthday (d ("1950-04-10"), d ("2025-04-10")), ==, 75);
  g_assert_cmpint (mdg_age_on_birthday (d ("1952-02-29"), d ("2027-02-28")), ==, 74);
  g_assert_cmpint (mdg_age_on_birthday (d ("1952-02-29"), d ("2027-03-01")), ==, 75);
  g_assert_cmpint (mdg_age_on_birthday (d ("2025-06-02"), d ("2025-06-01")), ==, -1);

  /* legal convention (年齢計算ニ関スル法律): up on the day before */
  g_assert_cmpint (mdg_age_legal (d ("1950-04-10"), d ("2025-04-08")), ==, 74);
  g_assert_cmpint (mdg_age_legal (d ("1950-04-10"), d ("2025-04-09")), ==, 75);
  g_assert_cmpint (mdg_age_legal (d ("1952-02-29"), d ("2027-02-27")), ==, 74);
  g_assert_cmpint (mdg_age_legal (d ("1952-02-29"), d ("2027-02-28")), ==, 75);
  g_assert_cmpint (mdg_age_legal (d ("1948-02-29"), d ("2024-02-28")), ==, 76);
  g_assert_cmpint (mdg_age_legal (d ("2019-04-01"), d ("2025-03-31")), ==, 6);

  /* school years: 2 April to 1 April share a year */
  g_assert_cmpint (mdg_school_year_grade (d ("2018-04-02"), d ("2025-04-01")), ==, 1);
  g_assert_cmpint (mdg_school_year_grade (d ("2019-04-01"), d ("2025-04-01")), ==, 1);
  g_assert_cmpint (mdg_school_year_grade (d ("2019-04-02"), d ("2025-04-01")), ==, 0);
  g_assert_cmpint (mdg_school_year_grade (d ("2018-04-02"), d ("2025-03-31")), ==, 0);
  g_assert_cmpint (mdg_fiscal_year (d ("2026-03-31")), ==, 2025);
  g_assert_cmpint (mdg_fiscal_year (d ("2026-04-01")), ==, 2026);
}

static void
test_address (void)
{
  MdgFacts facts = MDG_FACTS_INIT;
  guint32 set;

  g_assert_cmpstr (mdg_catalog_municipality_for_address (catalog, "埼玉県川口市青木１丁目１番１号"), ==, "112038");
  g_assert_cmpstr (mdg_catalog_municipality_for_address (catalog, "神奈川県川崎市中原区小杉町"), ==, "141305");
  g_assert_cmpstr (mdg_catalog_municipality_for_address (catalog, "熊本県熊本市中央区手取本町"), ==, "431001");
  g_assert_cmpstr (mdg_catalog_municipality_for_address (catalog, "　新潟県長岡市"), ==, "152021");
  g_assert_null (mdg_catalog_municipality_for_address (catalog, "東京都千代田区"));
  g_assert_null (mdg_catalog_municipality_for_address (catalog, "川口市"));
  g_assert_null (mdg_catalog_municipality_for_address (catalog, NULL));

  set = mdg_catalog_prefill_facts (catalog, &facts, "19500410", "岡山県倉敷市西中新田");
  g_assert_cmpuint (set, ==, (1u << MDG_FACT_BIRTH_DATE) | (1u << MDG_FACT_MUNICIPALITY_CODE));
  g_assert_cmpuint (facts.birth_date, ==, MDG_CIVIL_DATE (1950, 4, 10));
  g_assert_cmpuint (facts.municipality_code, ==, 332020);
  mdg_facts_clear (&facts);
  g_assert_cmpuint (facts.known, ==, 0);
  g_assert_cmpuint (facts.birth_date, ==, 0);

  set = mdg_catalog_prefill_facts (catalog, &facts, "1950041", "大阪府大阪市");
  g_assert_cmpuint (set, ==, 0);
  g_assert_cmpuint (facts.known, ==, 0);
}

static void
test_bad_facts (void)
{
  static const char * const bad[] = {
    "{\"birth_date\":\"1950-02-30\"}",
    "{\"birth_date\":19500101}",
    "{\"municipality_code\":\"11203\"}",
    "{\"municipality_code\":112038}",
    "{\"disability_certified\":\"yes\"}",
    "{\"other_insurance\":\"private\"}",
    "{\"income_category\":true}",
    "{\"age\":75}",
    "{\"public_assistance\":[true]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = mdg_jcs_parse (bad[i], -1, &error);
      MdgFacts facts = MDG_FACTS_INIT;

      g_assert_no_error (error);
      g_assert_false (mdg_facts_load_json (&facts, json_node_get_object (node), &error));
      g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_FACTS);
      /* the message names the member, never the value */
      g_assert_null (strstr (error->message, "1950"));
    }
}

/* Rule sets that must not compile, each with one defect. */
static void
test_bad_rules (void)
{
  static const char * const bad[] = {
    "{\"fact\":\"height\",\"op\":\"eq\",\"value\":1}",
    "{\"fact\":\"age_on\",\"op\":\"approx\",\"value\":1,\"ref\":\"evaluation_date\"}",
    "{\"fact\":\"age_on\",\"op\":\"ge\",\"value\":75}",
    "{\"fact\":\"age_on\",\"op\":\"ge\",\"value\":\"75\",\"ref\":\"evaluation_date\"}",
    "{\"fact\":\"age_on\",\"op\":\"ge\",\"value\":{\"param\":\"nope\"},\"ref\":\"evaluation_date\"}",
    "{\"fact\":\"age_on\",\"op\":\"ge\",\"value\":{\"param\":\"rate\"},\"ref\":\"evaluation_date\"}",
    "{\"fact\":\"municipality_code\",\"op\":\"lt\",\"value\":\"112038\"}",
    "{\"fact\":\"municipality_code\",\"op\":\"in\",\"value\":\"112038\"}",
    "{\"fact\":\"other_insurance\",\"op\":\"in\",\"value\":[\"private\"]}",
    "{\"all\":[]}",
    "{\"not\":[1]}",
  };
  const char *params = "[{\"id\":\"rate\",\"type\":\"rate\",\"versions\":[]},"
                       "{\"id\":\"age\",\"type\":\"integer\",\"versions\":[{\"effective_from\":\"2020-01-01\",\"value\":75}]}]";
  g_autoptr(JsonNode) params_node = mdg_jcs_parse (params, -1, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("{\"default\":{\"result\":\"ask_office\",\"reason\":{\"ja\":\"j\",\"en\":\"e\"}},"
                                               "\"rules\":[{\"id\":\"r\",\"effective_from\":\"2020-01-01\",\"when\":%s,"
                                               "\"result\":\"eligible\",\"reason\":{\"ja\":\"j\",\"en\":\"e\"}}]}",
                                               bad[i]);
      g_autoptr(JsonNode) node = mdg_jcs_parse (text, -1, &error);
      g_autoptr(MdgRuleSet) rules = NULL;

      g_assert_no_error (error);
      rules = mdg_rule_set_compile ("test", json_node_get_object (node),
                                    json_node_get_array (params_node), NULL, &error);
      g_assert_null (rules);
      g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG);
    }
}

/* A parameter without a version at the date makes the rule undecided. */
static void
test_param_gap (void)
{
  const char *set = "{\"default\":{\"result\":\"not_eligible\",\"reason\":{\"ja\":\"j\",\"en\":\"e\"}},"
                    "\"rules\":[{\"id\":\"r\",\"effective_from\":\"2000-01-01\","
                    "\"when\":{\"fact\":\"age_on\",\"ref\":\"fiscal_year_start\",\"op\":\"ge\",\"value\":{\"param\":\"age\"}},"
                    "\"result\":\"eligible\",\"reason\":{\"ja\":\"j\",\"en\":\"e\"}}]}";
  const char *params = "[{\"id\":\"age\",\"type\":\"integer\",\"versions\":["
                       "{\"effective_from\":\"2020-01-01\",\"effective_to\":\"2020-12-31\",\"value\":70},"
                       "{\"effective_from\":\"2022-01-01\",\"value\":72}]}]";
  g_autoptr(JsonNode) set_node = mdg_jcs_parse (set, -1, NULL);
  g_autoptr(JsonNode) params_node = mdg_jcs_parse (params, -1, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgRuleSet) rules = mdg_rule_set_compile ("gap", json_node_get_object (set_node),
                                                      json_node_get_array (params_node), NULL, &error);
  MdgFacts facts = MDG_FACTS_INIT;
  MdgEligibilityResult result;

  g_assert_no_error (error);
  /* 70 on 1 April 2020 (fiscal_year_start of a date in FY2020) */
  mdg_facts_set_birth_date (&facts, MDG_CIVIL_DATE (1950, 3, 1));
  mdg_rule_set_evaluate (rules, &facts, MDG_CIVIL_DATE (2020, 6, 1), &result);
  g_assert_cmpint (result.outcome, ==, MDG_ELIGIBILITY_ELIGIBLE);
  mdg_rule_set_evaluate (rules, &facts, MDG_CIVIL_DATE (2021, 6, 1), &result);
  g_assert_cmpint (result.outcome, ==, MDG_ELIGIBILITY_ASK_OFFICE);
  g_assert_cmpuint (result.unknown, ==, 1);
  g_assert_cmpuint (result.missing, ==, 0);
  /* 71 on 1 April 2022 is under the new 72 */
  mdg_facts_set_birth_date (&facts, MDG_CIVIL_DATE (1951, 3, 1));
  mdg_rule_set_evaluate (rules, &facts, MDG_CIVIL_DATE (2022, 6, 1), &result);
  g_assert_cmpint (result.outcome, ==, MDG_ELIGIBILITY_NOT_ELIGIBLE);
  g_assert_true (result.is_default);
}

static void
test_result_json (void)
{
  MdgRuleSet *rules = mdg_catalog_get_program_rules (catalog, "kouki");
  MdgFacts facts = MDG_FACTS_INIT;
  MdgEligibilityResult result;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *object;
  JsonArray *reasons;

  mdg_facts_set_birth_date (&facts, MDG_CIVIL_DATE (1950, 4, 10));
  mdg_facts_set_municipality (&facts, 112038);
  mdg_rule_set_evaluate (rules, &facts, MDG_CIVIL_DATE (2025, 4, 10), &result);
  json = mdg_rule_set_result_to_json (rules, &result);
  object = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (object, "result"), ==, "ask_office");
  g_assert_false (json_object_get_boolean_member (object, "is_decision"));
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (object, "notice"), "ja"),
                            "決定ではありません"));
  reasons = json_object_get_array_member (object, "reasons");
  g_assert_cmpuint (json_array_get_length (reasons), ==, 2);  /* age fired, public assistance undecided */
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (object, "missing_facts"), 0),
                   ==, "public_assistance");
}

int
main (int argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);

  dir = g_build_filename (g_getenv ("MDG_SOURCE_ROOT"), "data", "catalog", NULL);
  catalog = mdg_catalog_new_from_directory (dir, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/eligibility/case/", cases[i].name, NULL);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/eligibility/dates", test_dates);
  g_test_add_func ("/eligibility/address", test_address);
  g_test_add_func ("/eligibility/bad-facts", test_bad_facts);
  g_test_add_func ("/eligibility/bad-rules", test_bad_rules);
  g_test_add_func ("/eligibility/parameter-gap", test_param_gap);
  g_test_add_func ("/eligibility/result-json", test_result_json);

  rc = g_test_run ();
  g_object_unref (catalog);
  return rc;
}
