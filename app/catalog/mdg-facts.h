/* mdg-facts.h: what the resident told us (or the card prefilled), typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mdg-civil-date.h"

G_BEGIN_DECLS

/* The inputs the engine knows (facts.json). age_on and school_year_grade
 * are derived from the birth date on the reference date of each rule. */
typedef enum
{
  MDG_FACT_BIRTH_DATE,
  MDG_FACT_MUNICIPALITY_CODE,
  MDG_FACT_DISABILITY_CERTIFIED,
  MDG_FACT_PUBLIC_ASSISTANCE,
  MDG_FACT_OTHER_INSURANCE,
  MDG_FACT_INCOME_CATEGORY,
  MDG_FACT_OTHER_MEDICAL_SUBSIDY,
  MDG_N_FACTS
} MdgFact;

typedef enum
{
  MDG_OTHER_INSURANCE_NONE,
  MDG_OTHER_INSURANCE_EMPLOYEES,
  MDG_OTHER_INSURANCE_NATIONAL,
  MDG_OTHER_INSURANCE_LATE_STAGE_ELDERLY,
  MDG_OTHER_INSURANCE_OTHER,
} MdgOtherInsurance;

typedef enum
{
  MDG_INCOME_NON_TAXABLE_HOUSEHOLD,
  MDG_INCOME_TAXABLE_HOUSEHOLD,
} MdgIncomeCategory;

/* Plain data: no personal data leaves it unless the caller copies it.
 * @known has bit (1 << MdgFact) for every answered fact. */
typedef struct
{
  guint32      known;
  MdgCivilDate birth_date;
  guint32      municipality_code;  /* the six digits as a number */
  guint8       disability_certified;
  guint8       public_assistance;
  guint8       other_medical_subsidy;
  guint8       other_insurance;    /* MdgOtherInsurance */
  guint8       income_category;    /* MdgIncomeCategory */
} MdgFacts;

#define MDG_FACTS_INIT { 0 }

/* The catalog name of @fact ("birth_date", "municipality_code", …). */
const char *mdg_fact_get_name           (MdgFact fact);
/* The enum value names of other_insurance / income_category, in order;
 * NULL-terminated. NULL for other facts. */
const char * const *mdg_fact_get_values (MdgFact fact);
/* Index of @value in mdg_fact_get_values(), or -1. */
gint        mdg_fact_value_index        (MdgFact fact,
                                         const char *value);
/* A six-digit municipality code as a number, or 0 when malformed. */
guint32     mdg_municipality_code_parse (const char *code);

void        mdg_facts_set_birth_date    (MdgFacts *facts,
                                         MdgCivilDate birth_date);
void        mdg_facts_set_municipality  (MdgFacts *facts,
                                         guint32 code);
void        mdg_facts_set_boolean       (MdgFacts *facts,
                                         MdgFact fact,
                                         gboolean value);
void        mdg_facts_set_enum          (MdgFacts *facts,
                                         MdgFact fact,
                                         guint value);
gboolean    mdg_facts_is_known          (const MdgFacts *facts,
                                         MdgFact fact);
/* Wipes everything, for facts that held a resident's answers. */
void        mdg_facts_clear             (MdgFacts *facts);

/* Reads {"birth_date": "YYYY-MM-DD", "municipality_code": "112038",
 * "disability_certified": true, …}: every member a fact name, null for
 * "not answered". FACTS names the member (never its value) on any other
 * key, type or value. */
gboolean    mdg_facts_load_json         (MdgFacts *facts,
                                         JsonObject *object,
                                         GError **error);

G_END_DECLS
