/* mdg-facts.c: what the resident told us (or the card prefilled), typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mdg-app-error.h"
#include "mdg-facts.h"

static const char * const fact_names[MDG_N_FACTS] = {
  "birth_date",
  "municipality_code",
  "disability_certified",
  "public_assistance",
  "other_insurance",
  "income_category",
  "other_medical_subsidy",
};

/* Same order as MdgOtherInsurance and MdgIncomeCategory; the catalog
 * loader checks facts.json against these lists. */
static const char * const other_insurance_values[] = {
  "none", "employees_health_insurance", "national_health_insurance",
  "late_stage_elderly", "other", NULL
};
static const char * const income_category_values[] = {
  "non_taxable_household", "taxable_household", NULL
};

const char *
mdg_fact_get_name (MdgFact fact)
{
  g_return_val_if_fail (fact < MDG_N_FACTS, NULL);
  return fact_names[fact];
}

const char * const *
mdg_fact_get_values (MdgFact fact)
{
  switch (fact)
    {
    case MDG_FACT_OTHER_INSURANCE:
      return other_insurance_values;
    case MDG_FACT_INCOME_CATEGORY:
      return income_category_values;
    case MDG_FACT_BIRTH_DATE:
    case MDG_FACT_MUNICIPALITY_CODE:
    case MDG_FACT_DISABILITY_CERTIFIED:
    case MDG_FACT_PUBLIC_ASSISTANCE:
    case MDG_FACT_OTHER_MEDICAL_SUBSIDY:
    case MDG_N_FACTS:
    default:
      return NULL;
    }
}

gint
mdg_fact_value_index (MdgFact fact,
                      const char *value)
{
  const char * const *values = mdg_fact_get_values (fact);

  for (gint i = 0; values != NULL && value != NULL && values[i] != NULL; i++)
    {
      if (g_str_equal (values[i], value))
        return i;
    }
  return -1;
}

guint32
mdg_municipality_code_parse (const char *code)
{
  guint32 value = 0;

  if (code == NULL || strlen (code) != 6)
    return 0;
  for (guint i = 0; i < 6; i++)
    {
      if (!g_ascii_isdigit (code[i]))
        return 0;
      value = value * 10 + (guint32) (code[i] - '0');
    }
  return value;
}

void
mdg_facts_set_birth_date (MdgFacts *facts,
                          MdgCivilDate birth_date)
{
  facts->birth_date = birth_date;
  facts->known |= 1u << MDG_FACT_BIRTH_DATE;
}

void
mdg_facts_set_municipality (MdgFacts *facts,
                            guint32 code)
{
  facts->municipality_code = code;
  facts->known |= 1u << MDG_FACT_MUNICIPALITY_CODE;
}

void
mdg_facts_set_boolean (MdgFacts *facts,
                       MdgFact fact,
                       gboolean value)
{
  switch (fact)
    {
    case MDG_FACT_DISABILITY_CERTIFIED:
      facts->disability_certified = value ? 1 : 0;
      break;
    case MDG_FACT_PUBLIC_ASSISTANCE:
      facts->public_assistance = value ? 1 : 0;
      break;
    case MDG_FACT_OTHER_MEDICAL_SUBSIDY:
      facts->other_medical_subsidy = value ? 1 : 0;
      break;
    case MDG_FACT_BIRTH_DATE:
    case MDG_FACT_MUNICIPALITY_CODE:
    case MDG_FACT_OTHER_INSURANCE:
    case MDG_FACT_INCOME_CATEGORY:
    case MDG_N_FACTS:
    default:
      g_return_if_reached ();
    }
  facts->known |= 1u << fact;
}

void
mdg_facts_set_enum (MdgFacts *facts,
                    MdgFact fact,
                    guint value)
{
  const char * const *values = mdg_fact_get_values (fact);

  g_return_if_fail (values != NULL && value < g_strv_length ((char **) values));
  if (fact == MDG_FACT_OTHER_INSURANCE)
    facts->other_insurance = (guint8) value;
  else
    facts->income_category = (guint8) value;
  facts->known |= 1u << fact;
}

gboolean
mdg_facts_is_known (const MdgFacts *facts,
                    MdgFact fact)
{
  return (facts->known & (1u << fact)) != 0;
}

void
mdg_facts_clear (MdgFacts *facts)
{
  /* volatile stores so that the wipe is not optimised away */
  volatile guint8 *p = (volatile guint8 *) facts;

  for (gsize i = 0; i < sizeof *facts; i++)
    p[i] = 0;
}

static gboolean
facts_error (GError **error,
             const char *name)
{
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_FACTS,
               _("The fact “%s” has a value of the wrong type or an unknown value."), name);
  return FALSE;
}

static gboolean
load_member (MdgFacts *facts,
             MdgFact fact,
             JsonNode *node,
             GError **error)
{
  const char *name = fact_names[fact];
  GType type = json_node_get_value_type (node);

  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return facts_error (error, name);

  switch (fact)
    {
    case MDG_FACT_BIRTH_DATE:
      {
        MdgCivilDate date;

        if (type != G_TYPE_STRING || !mdg_civil_date_parse (json_node_get_string (node), &date))
          return facts_error (error, name);
        mdg_facts_set_birth_date (facts, date);
        return TRUE;
      }
    case MDG_FACT_MUNICIPALITY_CODE:
      {
        guint32 code;

        if (type != G_TYPE_STRING
            || (code = mdg_municipality_code_parse (json_node_get_string (node))) == 0)
          return facts_error (error, name);
        mdg_facts_set_municipality (facts, code);
        return TRUE;
      }
    case MDG_FACT_DISABILITY_CERTIFIED:
    case MDG_FACT_PUBLIC_ASSISTANCE:
    case MDG_FACT_OTHER_MEDICAL_SUBSIDY:
      if (type != G_TYPE_BOOLEAN)
        return facts_error (error, name);
      mdg_facts_set_boolean (facts, fact, json_node_get_boolean (node));
      return TRUE;
    case MDG_FACT_OTHER_INSURANCE:
    case MDG_FACT_INCOME_CATEGORY:
      {
        gint index;

        if (type != G_TYPE_STRING
            || (index = mdg_fact_value_index (fact, json_node_get_string (node))) < 0)
          return facts_error (error, name);
        mdg_facts_set_enum (facts, fact, (guint) index);
        return TRUE;
      }
    case MDG_N_FACTS:
    default:
      break;
    }
  return facts_error (error, name);
}

gboolean
mdg_facts_load_json (MdgFacts *facts,
                     JsonObject *object,
                     GError **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    {
      guint fact;

      for (fact = 0; fact < MDG_N_FACTS; fact++)
        {
          if (g_str_equal (name, fact_names[fact]))
            break;
        }
      if (fact == MDG_N_FACTS)
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_FACTS,
                       _("“%s” is not a fact the eligibility check knows."), name);
          return FALSE;
        }
      if (!load_member (facts, (MdgFact) fact, node, error))
        return FALSE;
    }
  return TRUE;
}
