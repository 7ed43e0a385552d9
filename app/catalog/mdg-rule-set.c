/* mdg-rule-set.c: an eligibility rule set compiled for fast evaluation
 *
 * The JSON rule set is turned once into flat arrays: condition nodes with
 * child indices, parameters with their dated versions as integers, and
 * value lists in one pool. Evaluation walks those arrays only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mdg-app-error.h"
#include "mdg-catalog-json.h"
#include "mdg-rule-set.h"

typedef enum
{
  NODE_ALL,
  NODE_ANY,
  NODE_NOT,
  NODE_PREDICATE,
} NodeKind;

/* The facts a condition can name: two are derived from the birth date. */
typedef enum
{
  COND_AGE_ON,
  COND_SCHOOL_YEAR_GRADE,
  COND_MUNICIPALITY_CODE,
  COND_DISABILITY_CERTIFIED,
  COND_PUBLIC_ASSISTANCE,
  COND_OTHER_INSURANCE,
  COND_INCOME_CATEGORY,
  COND_OTHER_MEDICAL_SUBSIDY,
  N_COND_FACTS
} CondFact;

typedef enum
{
  VALUE_INTEGER,
  VALUE_CODE,
  VALUE_BOOLEAN,
  VALUE_ENUM,
} ValueKind;

static const struct
{
  const char *name;
  MdgFact     input;
  ValueKind   kind;
} cond_facts[N_COND_FACTS] = {
  { "age_on", MDG_FACT_BIRTH_DATE, VALUE_INTEGER },
  { "school_year_grade", MDG_FACT_BIRTH_DATE, VALUE_INTEGER },
  { "municipality_code", MDG_FACT_MUNICIPALITY_CODE, VALUE_CODE },
  { "disability_certified", MDG_FACT_DISABILITY_CERTIFIED, VALUE_BOOLEAN },
  { "public_assistance", MDG_FACT_PUBLIC_ASSISTANCE, VALUE_BOOLEAN },
  { "other_insurance", MDG_FACT_OTHER_INSURANCE, VALUE_ENUM },
  { "income_category", MDG_FACT_INCOME_CATEGORY, VALUE_ENUM },
  { "other_medical_subsidy", MDG_FACT_OTHER_MEDICAL_SUBSIDY, VALUE_BOOLEAN },
};

typedef enum
{
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOT_IN, N_OPS
} Op;

static const char * const op_names[N_OPS] = { "eq", "ne", "lt", "le", "gt", "ge", "in", "not_in" };

typedef enum
{
  REF_EVALUATION_DATE,
  REF_FISCAL_YEAR_START,
  REF_FISCAL_YEAR_END,
  REF_LITERAL,
} RefKind;

typedef struct
{
  guint8       kind;      /* NodeKind */
  guint8       fact;      /* CondFact */
  guint8       op;        /* Op */
  guint8       ref;       /* RefKind */
  guint16      n_children;
  guint32      first;     /* into children[] for combinators, pool[] for lists */
  gint32       param;     /* into params[], or -1 for a literal */
  MdgCivilDate ref_date;
  gint64       value;     /* literal; for enum lists a bit mask */
} Node;

typedef struct
{
  MdgCivilDate from;
  MdgCivilDate to;
  gint64       value;
} ParamVersion;

typedef struct
{
  char    *id;
  guint    first;    /* into versions[] */
  guint    n;
  gboolean numeric;  /* integer or boolean: usable in conditions */
} Param;

typedef struct
{
  char         *id;
  MdgCivilDate  from;
  MdgCivilDate  to;
  guint32       root;
  MdgEligibilityOutcome result;
  char         *reason[2];          /* ja, en */
  char         *unknown_reason[2];  /* may be NULL */
  GStrv         legal_basis;
} Rule;

typedef struct
{
  char         *id;
  MdgCivilDate  from;
  MdgCivilDate  to;
  char         *title[2];
} LegalBasis;

struct _MdgRuleSet
{
  GObject parent_instance;

  char    *id;
  GArray  *nodes;     /* Node */
  GArray  *children;  /* guint32 */
  GArray  *pool;      /* gint64 */
  GArray  *params;    /* Param */
  GArray  *versions;  /* ParamVersion */
  GArray  *rules;     /* Rule */
  GArray  *legal_bases; /* LegalBasis */
  MdgEligibilityOutcome default_result;
  char    *default_reason[2];
};

G_DEFINE_FINAL_TYPE (MdgRuleSet, mdg_rule_set, G_TYPE_OBJECT)

static void
rule_clear (gpointer data)
{
  Rule *rule = data;

  g_free (rule->id);
  for (guint i = 0; i < 2; i++)
    {
      g_free (rule->reason[i]);
      g_free (rule->unknown_reason[i]);
    }
  g_strfreev (rule->legal_basis);
}

static void
param_clear (gpointer data)
{
  g_free (((Param *) data)->id);
}

static void
legal_basis_clear (gpointer data)
{
  LegalBasis *basis = data;

  g_free (basis->id);
  g_free (basis->title[0]);
  g_free (basis->title[1]);
}

static void
mdg_rule_set_finalize (GObject *object)
{
  MdgRuleSet *self = MDG_RULE_SET (object);

  g_free (self->id);
  g_array_unref (self->nodes);
  g_array_unref (self->children);
  g_array_unref (self->pool);
  g_array_unref (self->params);
  g_array_unref (self->versions);
  g_array_unref (self->rules);
  g_array_unref (self->legal_bases);
  g_free (self->default_reason[0]);
  g_free (self->default_reason[1]);

  G_OBJECT_CLASS (mdg_rule_set_parent_class)->finalize (object);
}

static void
mdg_rule_set_class_init (MdgRuleSetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_rule_set_finalize;
}

static void
mdg_rule_set_init (MdgRuleSet *self)
{
  self->nodes = g_array_new (FALSE, TRUE, sizeof (Node));
  self->children = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->pool = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->params = g_array_new (FALSE, TRUE, sizeof (Param));
  g_array_set_clear_func (self->params, param_clear);
  self->versions = g_array_new (FALSE, TRUE, sizeof (ParamVersion));
  self->rules = g_array_new (FALSE, TRUE, sizeof (Rule));
  g_array_set_clear_func (self->rules, rule_clear);
  self->legal_bases = g_array_new (FALSE, TRUE, sizeof (LegalBasis));
  g_array_set_clear_func (self->legal_bases, legal_basis_clear);
}

static const char * const outcome_names[] = { "eligible", "ask_office", "not_eligible" };

const char *
mdg_eligibility_outcome_to_string (MdgEligibilityOutcome outcome)
{
  g_return_val_if_fail (outcome <= MDG_ELIGIBILITY_NOT_ELIGIBLE, NULL);
  return outcome_names[outcome];
}

gboolean
mdg_eligibility_outcome_from_string (const char *text,
                                     MdgEligibilityOutcome *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (outcome_names); i++)
    {
      if (g_strcmp0 (text, outcome_names[i]) == 0)
        {
          *out = (MdgEligibilityOutcome) i;
          return TRUE;
        }
    }
  return FALSE;
}

/* ---- compiling ------------------------------------------------------------ */

typedef struct
{
  MdgRuleSet *self;
  const char *rule_id;
  GError    **error;
} Compiler;

static gboolean
compile_error (Compiler *c,
               const char *what)
{
  g_set_error (c->error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG,
               _("Eligibility rule “%s” of “%s” is unusable: %s."),
               c->rule_id != NULL ? c->rule_id : "-", c->self->id, what);
  return FALSE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
parse_date_member (JsonObject *object,
                   const char *name,
                   MdgCivilDate fallback,
                   MdgCivilDate *out)
{
  const char *text;

  if (!json_object_has_member (object, name))
    {
      *out = fallback;
      return TRUE;
    }
  text = member_string (object, name);
  return mdg_civil_date_parse (text, out);
}

static gboolean
parse_text (JsonObject *object,
            const char *name,
            char *out[2])
{
  JsonNode *node = json_object_get_member (object, name);
  JsonObject *text;
  const char *ja, *en;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  text = json_node_get_object (node);
  ja = member_string (text, "ja");
  en = member_string (text, "en");
  if (ja == NULL || en == NULL)
    return FALSE;
  out[0] = g_strdup (ja);
  out[1] = g_strdup (en);
  return TRUE;
}

/* A literal value of the fact's kind as an integer. */
static gboolean
literal_value (CondFact fact,
               JsonNode *node,
               gint64 *out)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  switch (cond_facts[fact].kind)
    {
    case VALUE_INTEGER:
      if (type != G_TYPE_INT64)
        return FALSE;
      *out = json_node_get_int (node);
      return TRUE;
    case VALUE_BOOLEAN:
      if (type != G_TYPE_BOOLEAN)
        return FALSE;
      *out = json_node_get_boolean (node) ? 1 : 0;
      return TRUE;
    case VALUE_CODE:
      if (type != G_TYPE_STRING)
        return FALSE;
      *out = mdg_municipality_code_parse (json_node_get_string (node));
      return *out != 0;
    case VALUE_ENUM:
      if (type != G_TYPE_STRING)
        return FALSE;
      *out = mdg_fact_value_index (cond_facts[fact].input, json_node_get_string (node));
      return *out >= 0;
    default:
      return FALSE;
    }
}

static gint32
find_param (MdgRuleSet *self,
            const char *id)
{
  for (guint i = 0; id != NULL && i < self->params->len; i++)
    {
      if (g_str_equal (g_array_index (self->params, Param, i).id, id))
        return (gint32) i;
    }
  return -1;
}

static gboolean compile_node (Compiler *c, JsonNode *json, guint32 *out);

static gboolean
compile_predicate (Compiler *c,
                   JsonObject *object,
                   Node *node)
{
  const char *fact = member_string (object, "fact");
  const char *op = member_string (object, "op");
  JsonNode *value = json_object_get_member (object, "value");
  guint i;

  for (i = 0; i < N_COND_FACTS; i++)
    {
      if (g_strcmp0 (fact, cond_facts[i].name) == 0)
        break;
    }
  if (i == N_COND_FACTS)
    return compile_error (c, _("unknown fact"));
  node->fact = (guint8) i;

  for (i = 0; i < N_OPS; i++)
    {
      if (g_strcmp0 (op, op_names[i]) == 0)
        break;
    }
  if (i == N_OPS)
    return compile_error (c, _("unknown operator"));
  node->op = (guint8) i;
  if (node->op >= OP_LT && node->op <= OP_GE && cond_facts[node->fact].kind != VALUE_INTEGER)
    return compile_error (c, _("an order comparison on a fact that is not a number"));

  if (node->fact == COND_AGE_ON || node->fact == COND_SCHOOL_YEAR_GRADE)
    {
      const char *ref = member_string (object, "ref");

      if (g_strcmp0 (ref, "evaluation_date") == 0)
        node->ref = REF_EVALUATION_DATE;
      else if (g_strcmp0 (ref, "fiscal_year_start") == 0)
        node->ref = REF_FISCAL_YEAR_START;
      else if (g_strcmp0 (ref, "fiscal_year_end") == 0)
        node->ref = REF_FISCAL_YEAR_END;
      else if (mdg_civil_date_parse (ref, &node->ref_date))
        node->ref = REF_LITERAL;
      else
        return compile_error (c, _("a date fact without a valid reference date"));
    }

  node->param = -1;
  if (node->op == OP_IN || node->op == OP_NOT_IN)
    {
      JsonArray *list;

      if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
        return compile_error (c, _("“in” needs a list"));
      list = json_node_get_array (value);
      node->first = c->self->pool->len;
      node->n_children = (guint16) json_array_get_length (list);
      for (guint j = 0; j < json_array_get_length (list); j++)
        {
          gint64 v;

          if (!literal_value (node->fact, json_array_get_element (list, j), &v))
            return compile_error (c, _("a list value of the wrong type"));
          if (cond_facts[node->fact].kind == VALUE_ENUM)
            node->value |= (gint64) 1 << v;
          else
            g_array_append_val (c->self->pool, v);
        }
      return TRUE;
    }

  if (value != NULL && JSON_NODE_HOLDS_OBJECT (value))
    {
      const char *param = member_string (json_node_get_object (value), "param");

      node->param = find_param (c->self, param);
      if (node->param < 0)
        return compile_error (c, _("unknown parameter"));
      if (!g_array_index (c->self->params, Param, node->param).numeric
          || (cond_facts[node->fact].kind != VALUE_INTEGER
              && cond_facts[node->fact].kind != VALUE_BOOLEAN))
        return compile_error (c, _("a parameter of the wrong type"));
      return TRUE;
    }

  if (!literal_value (node->fact, value, &node->value))
    return compile_error (c, _("a value of the wrong type"));
  return TRUE;
}

static gboolean
compile_node (Compiler *c,
              JsonNode *json,
              guint32 *out)
{
  JsonObject *object;
  Node node = { 0 };
  static const char * const combinators[] = { "all", "any", "not" };

  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json))
    return compile_error (c, _("a condition is not an object"));
  object = json_node_get_object (json);
  node.param = -1;

  for (guint k = 0; k < G_N_ELEMENTS (combinators); k++)
    {
      g_autoptr(GArray) kids = NULL;
      JsonNode *member = json_object_get_member (object, combinators[k]);

      if (member == NULL)
        continue;
      kids = g_array_new (FALSE, FALSE, sizeof (guint32));
      node.kind = (guint8) (NODE_ALL + k);
      if (k == 2)
        {
          guint32 child;

          if (!compile_node (c, member, &child))
            return FALSE;
          g_array_append_val (kids, child);
        }
      else
        {
          JsonArray *parts;

          if (!JSON_NODE_HOLDS_ARRAY (member)
              || json_array_get_length (parts = json_node_get_array (member)) == 0)
            return compile_error (c, _("“all” and “any” need a non-empty list"));
          for (guint j = 0; j < json_array_get_length (parts); j++)
            {
              guint32 child;

              if (!compile_node (c, json_array_get_element (parts, j), &child))
                return FALSE;
              g_array_append_val (kids, child);
            }
        }
      /* Children go after any grandchildren, contiguous in children[]. */
      node.first = c->self->children->len;
      node.n_children = (guint16) kids->len;
      g_array_append_vals (c->self->children, kids->data, kids->len);
      *out = c->self->nodes->len;
      g_array_append_val (c->self->nodes, node);
      return TRUE;
    }

  node.kind = NODE_PREDICATE;
  if (!compile_predicate (c, object, &node))
    return FALSE;
  *out = c->self->nodes->len;
  g_array_append_val (c->self->nodes, node);
  return TRUE;
}

static gboolean
compile_parameters (Compiler *c,
                    JsonArray *parameters)
{
  for (guint i = 0; parameters != NULL && i < json_array_get_length (parameters); i++)
    {
      JsonObject *object = mdg_json_array_object (parameters, i);
      const char *id = member_string (object, "id");
      const char *type = member_string (object, "type");
      JsonArray *versions;
      Param param = { 0 };

      c->rule_id = id;
      if (id == NULL || type == NULL || !json_object_has_member (object, "versions"))
        return compile_error (c, _("a parameter without id, type or versions"));
      param.id = g_strdup (id);
      param.first = c->self->versions->len;
      param.numeric = g_str_equal (type, "integer") || g_str_equal (type, "boolean");
      g_array_append_val (c->self->params, param);
      if (!param.numeric)
        continue;  /* amounts, rates, lists: shown, never compared by rules */

      versions = mdg_json_array_member (object, "versions");
      for (guint j = 0; versions != NULL && j < json_array_get_length (versions); j++)
        {
          JsonObject *v = mdg_json_array_object (versions, j);
          JsonNode *value = v != NULL ? json_object_get_member (v, "value") : NULL;
          ParamVersion version = { 0 };

          if (v == NULL || value == NULL || !JSON_NODE_HOLDS_VALUE (value)
              || !parse_date_member (v, "effective_from", 0, &version.from) || version.from == 0
              || !parse_date_member (v, "effective_to", MDG_CIVIL_DATE_MAX, &version.to))
            return compile_error (c, _("a parameter version without valid dates or value"));
          if (json_node_get_value_type (value) == G_TYPE_INT64)
            version.value = json_node_get_int (value);
          else if (json_node_get_value_type (value) == G_TYPE_BOOLEAN)
            version.value = json_node_get_boolean (value);
          else
            return compile_error (c, _("a parameter value of the wrong type"));
          g_array_append_val (c->self->versions, version);
          g_array_index (c->self->params, Param, c->self->params->len - 1).n++;
        }
    }
  return TRUE;
}

static gboolean
compile_legal_bases (Compiler *c,
                     JsonArray *legal_bases)
{
  for (guint i = 0; legal_bases != NULL && i < json_array_get_length (legal_bases); i++)
    {
      JsonObject *object = mdg_json_array_object (legal_bases, i);
      LegalBasis basis = { 0 };

      if (member_string (object, "id") == NULL
          || !parse_date_member (object, "effective_from", 0, &basis.from)
          || !parse_date_member (object, "effective_to", MDG_CIVIL_DATE_MAX, &basis.to)
          || !parse_text (object, "title", basis.title))
        {
          legal_basis_clear (&basis);
          c->rule_id = member_string (object, "id");
          return compile_error (c, _("a legal basis without id, dates or title"));
        }
      basis.id = g_strdup (member_string (object, "id"));
      g_array_append_val (c->self->legal_bases, basis);
    }
  return TRUE;
}

static gboolean
has_legal_basis (MdgRuleSet *self,
                 const char *id)
{
  for (guint i = 0; i < self->legal_bases->len; i++)
    {
      if (g_str_equal (g_array_index (self->legal_bases, LegalBasis, i).id, id))
        return TRUE;
    }
  return FALSE;
}

static gboolean
compile_rule (Compiler *c,
              JsonObject *object)
{
  Rule rule = { 0 };
  JsonArray *bases;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  MdgRuleSet *self = c->self;

  c->rule_id = member_string (object, "id");
  if (c->rule_id == NULL)
    return compile_error (c, _("a rule without id"));
  if (!parse_date_member (object, "effective_from", 0, &rule.from) || rule.from == 0
      || !parse_date_member (object, "effective_to", MDG_CIVIL_DATE_MAX, &rule.to))
    return compile_error (c, _("invalid effective dates"));
  if (!mdg_eligibility_outcome_from_string (member_string (object, "result"), &rule.result))
    return compile_error (c, _("unknown result"));
  if (!compile_node (c, json_object_get_member (object, "when"), &rule.root))
    return FALSE;

  bases = json_object_has_member (object, "legal_basis")
            ? mdg_json_array_member (object, "legal_basis") : NULL;
  for (guint i = 0; bases != NULL && i < json_array_get_length (bases); i++)
    {
      const char *basis = mdg_json_array_string (bases, i);

      if (basis == NULL || !has_legal_basis (self, basis))
        return compile_error (c, _("unknown legal basis"));
      g_strv_builder_add (builder, basis);
    }

  if (!parse_text (object, "reason", rule.reason))
    {
      rule_clear (&rule);
      return compile_error (c, _("no reason in Japanese and English"));
    }
  if (json_object_has_member (object, "unknown_reason")
      && !parse_text (object, "unknown_reason", rule.unknown_reason))
    {
      rule_clear (&rule);
      return compile_error (c, _("no reason in Japanese and English"));
    }
  rule.id = g_strdup (c->rule_id);
  rule.legal_basis = g_strv_builder_end (builder);
  g_array_append_val (self->rules, rule);
  return TRUE;
}

MdgRuleSet *
mdg_rule_set_compile (const char *id,
                      JsonObject *rule_set,
                      JsonArray *parameters,
                      JsonArray *legal_bases,
                      GError **error)
{
  g_autoptr(MdgRuleSet) self = g_object_new (MDG_TYPE_RULE_SET, NULL);
  Compiler c = { self, NULL, error };
  JsonObject *def;
  JsonArray *rules;

  g_return_val_if_fail (id != NULL && rule_set != NULL, NULL);
  self->id = g_strdup (id);

  if (!compile_parameters (&c, parameters) || !compile_legal_bases (&c, legal_bases))
    return NULL;

  c.rule_id = "default";
  def = json_object_has_member (rule_set, "default")
          ? mdg_json_object_member (rule_set, "default") : NULL;
  if (def == NULL
      || !mdg_eligibility_outcome_from_string (member_string (def, "result"), &self->default_result)
      || !parse_text (def, "reason", self->default_reason))
    {
      compile_error (&c, _("no default result with a reason"));
      return NULL;
    }

  rules = json_object_has_member (rule_set, "rules")
            ? mdg_json_array_member (rule_set, "rules") : NULL;
  if (rules == NULL || json_array_get_length (rules) > MDG_RULE_SET_MAX_RULES)
    {
      compile_error (&c, _("no rule list, or more than 64 rules"));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (rules); i++)
    {
      JsonObject *rule = mdg_json_array_object (rules, i);

      if (rule == NULL)
        {
          compile_error (&c, _("a rule is not an object"));
          return NULL;
        }
      if (!compile_rule (&c, rule))
        return NULL;
    }
  return g_steal_pointer (&self);
}

/* ---- evaluating ----------------------------------------------------------- */

typedef enum
{
  TV_FALSE,
  TV_TRUE,
  TV_UNKNOWN,
} Truth;

static gboolean
param_value (MdgRuleSet *self,
             gint32 index,
             MdgCivilDate date,
             gint64 *out)
{
  const Param *param = &g_array_index (self->params, Param, index);
  const ParamVersion *versions = &g_array_index (self->versions, ParamVersion, 0);

  for (guint i = param->first; i < param->first + param->n; i++)
    {
      if (versions[i].from <= date && date <= versions[i].to)
        {
          *out = versions[i].value;
          return TRUE;
        }
    }
  return FALSE;
}

static MdgCivilDate
reference_date (const Node *node,
                MdgCivilDate date)
{
  gint fy;

  switch ((RefKind) node->ref)
    {
    case REF_FISCAL_YEAR_START:
      fy = mdg_fiscal_year (date);
      return MDG_CIVIL_DATE (fy, 4, 1);
    case REF_FISCAL_YEAR_END:
      fy = mdg_fiscal_year (date);
      return MDG_CIVIL_DATE (fy + 1, 3, 31);
    case REF_LITERAL:
      return node->ref_date;
    case REF_EVALUATION_DATE:
    default:
      return date;
    }
}

static Truth
compare (const Node *node,
         gint64 fact,
         gint64 value)
{
  gboolean holds;

  switch ((Op) node->op)
    {
    case OP_EQ: holds = fact == value; break;
    case OP_NE: holds = fact != value; break;
    case OP_LT: holds = fact < value; break;
    case OP_LE: holds = fact <= value; break;
    case OP_GT: holds = fact > value; break;
    case OP_GE: holds = fact >= value; break;
    case OP_IN:
    case OP_NOT_IN:
    case N_OPS:
    default: holds = FALSE; break;
    }
  return holds ? TV_TRUE : TV_FALSE;
}

static Truth
eval_predicate (MdgRuleSet *self,
                const Node *node,
                const MdgFacts *facts,
                MdgCivilDate date,
                guint32 *missing)
{
  MdgFact input = cond_facts[node->fact].input;
  gint64 fact;
  gint64 value = node->value;

  if ((facts->known & (1u << input)) == 0)
    {
      *missing |= 1u << input;
      return TV_UNKNOWN;
    }
  if (node->param >= 0 && !param_value (self, node->param, date, &value))
    return TV_UNKNOWN;

  switch ((CondFact) node->fact)
    {
    case COND_AGE_ON:
      fact = mdg_age_on_birthday (facts->birth_date, reference_date (node, date));
      break;
    case COND_SCHOOL_YEAR_GRADE:
      fact = mdg_school_year_grade (facts->birth_date, reference_date (node, date));
      break;
    case COND_MUNICIPALITY_CODE:
      fact = facts->municipality_code;
      break;
    case COND_DISABILITY_CERTIFIED:
      fact = facts->disability_certified;
      break;
    case COND_PUBLIC_ASSISTANCE:
      fact = facts->public_assistance;
      break;
    case COND_OTHER_INSURANCE:
      fact = facts->other_insurance;
      break;
    case COND_INCOME_CATEGORY:
      fact = facts->income_category;
      break;
    case COND_OTHER_MEDICAL_SUBSIDY:
      fact = facts->other_medical_subsidy;
      break;
    case N_COND_FACTS:
    default:
      return TV_UNKNOWN;
    }

  if (node->op == OP_IN || node->op == OP_NOT_IN)
    {
      gboolean found = FALSE;

      if (cond_facts[node->fact].kind == VALUE_ENUM)
        found = (node->value & ((gint64) 1 << fact)) != 0;
      else
        {
          const gint64 *list = &g_array_index (self->pool, gint64, node->first);

          for (guint i = 0; i < node->n_children && !found; i++)
            found = list[i] == fact;
        }
      return (found == (node->op == OP_IN)) ? TV_TRUE : TV_FALSE;
    }
  return compare (node, fact, value);
}

static Truth
eval_node (MdgRuleSet *self,
           guint32 index,
           const MdgFacts *facts,
           MdgCivilDate date,
           guint32 *missing)
{
  const Node *node = &g_array_index (self->nodes, Node, index);
  const guint32 *children = node->kind != NODE_PREDICATE
                              ? &g_array_index (self->children, guint32, node->first) : NULL;
  Truth acc;

  switch ((NodeKind) node->kind)
    {
    case NODE_ALL:
      /* Every part is evaluated, so that all missing facts are reported. */
      acc = TV_TRUE;
      for (guint i = 0; i < node->n_children; i++)
        {
          Truth t = eval_node (self, children[i], facts, date, missing);

          if (t == TV_FALSE)
            acc = TV_FALSE;
          else if (t == TV_UNKNOWN && acc == TV_TRUE)
            acc = TV_UNKNOWN;
        }
      return acc;
    case NODE_ANY:
      acc = TV_FALSE;
      for (guint i = 0; i < node->n_children; i++)
        {
          Truth t = eval_node (self, children[i], facts, date, missing);

          if (t == TV_TRUE)
            acc = TV_TRUE;
          else if (t == TV_UNKNOWN && acc == TV_FALSE)
            acc = TV_UNKNOWN;
        }
      return acc;
    case NODE_NOT:
      acc = eval_node (self, children[0], facts, date, missing);
      return acc == TV_UNKNOWN ? TV_UNKNOWN : (acc == TV_TRUE ? TV_FALSE : TV_TRUE);
    case NODE_PREDICATE:
    default:
      return eval_predicate (self, node, facts, date, missing);
    }
}

void
mdg_rule_set_evaluate (MdgRuleSet *self,
                       const MdgFacts *facts,
                       MdgCivilDate date,
                       MdgEligibilityResult *result)
{
  const Rule *rules = (const Rule *) (gpointer) self->rules->data;
  gboolean contributed = FALSE;
  MdgEligibilityOutcome outcome = MDG_ELIGIBILITY_ELIGIBLE;

  memset (result, 0, sizeof *result);
  result->date = date;

  for (guint i = 0; i < self->rules->len; i++)
    {
      guint32 missing = 0;
      Truth t;

      if (date < rules[i].from || date > rules[i].to)
        continue;
      t = eval_node (self, rules[i].root, facts, date, &missing);
      if (t == TV_TRUE)
        {
          result->fired |= (guint64) 1 << i;
          outcome = MAX (outcome, rules[i].result);
          contributed = TRUE;
        }
      else if (t == TV_UNKNOWN)
        {
          result->unknown |= (guint64) 1 << i;
          result->missing |= missing;
          outcome = MAX (outcome, MDG_ELIGIBILITY_ASK_OFFICE);
          contributed = TRUE;
        }
    }

  result->is_default = !contributed;
  result->outcome = contributed ? outcome : self->default_result;
}

/* ---- accessors ------------------------------------------------------------ */

static guint
lang_index (const char *lang)
{
  return g_strcmp0 (lang, "ja") == 0 ? 0 : 1;
}

const char *
mdg_rule_set_get_id (MdgRuleSet *self)
{
  g_return_val_if_fail (MDG_IS_RULE_SET (self), NULL);
  return self->id;
}

guint
mdg_rule_set_get_n_rules (MdgRuleSet *self)
{
  g_return_val_if_fail (MDG_IS_RULE_SET (self), 0);
  return self->rules->len;
}

#define RULE(self, i) (&g_array_index ((self)->rules, Rule, (i)))

const char *
mdg_rule_set_get_rule_id (MdgRuleSet *self,
                          guint rule)
{
  g_return_val_if_fail (rule < self->rules->len, NULL);
  return RULE (self, rule)->id;
}

MdgEligibilityOutcome
mdg_rule_set_get_rule_result (MdgRuleSet *self,
                              guint rule)
{
  g_return_val_if_fail (rule < self->rules->len, MDG_ELIGIBILITY_ASK_OFFICE);
  return RULE (self, rule)->result;
}

const char *
mdg_rule_set_get_rule_reason (MdgRuleSet *self,
                              guint rule,
                              gboolean unknown,
                              const char *lang)
{
  g_return_val_if_fail (rule < self->rules->len, NULL);
  if (unknown)
    return RULE (self, rule)->unknown_reason[lang_index (lang)];
  return RULE (self, rule)->reason[lang_index (lang)];
}

const char * const *
mdg_rule_set_get_rule_legal_basis (MdgRuleSet *self,
                                   guint rule)
{
  g_return_val_if_fail (rule < self->rules->len, NULL);
  return (const char * const *) RULE (self, rule)->legal_basis;
}

const char *
mdg_rule_set_get_default_reason (MdgRuleSet *self,
                                 const char *lang)
{
  g_return_val_if_fail (MDG_IS_RULE_SET (self), NULL);
  return self->default_reason[lang_index (lang)];
}

const char *
mdg_rule_set_get_legal_basis_title (MdgRuleSet *self,
                                    const char *id,
                                    MdgCivilDate date,
                                    const char *lang)
{
  for (guint i = 0; i < self->legal_bases->len; i++)
    {
      const LegalBasis *basis = &g_array_index (self->legal_bases, LegalBasis, i);

      if (g_str_equal (basis->id, id) && basis->from <= date && date <= basis->to)
        return basis->title[lang_index (lang)];
    }
  return NULL;
}

/* Both languages, like the catalog's texts: the result is shown in the
 * resident's language and may be stored next to an application. */
static const char * const guidance_notice[2] = {
  "これは案内であり、決定ではありません。資格の有無は自治体(後期高齢者医療は広域連合)が決定します。",
  "This is guidance, not a decision. The municipality (for late-stage elderly care, the association) decides.",
};

static const char * const generic_unknown[2] = {
  "回答のない項目があるため判断できません。窓口にお問い合わせください。",
  "Some answers are missing, so this cannot be judged; please ask the office.",
};

static JsonNode *
text_node (const char *ja,
           const char *en)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ja");
  json_builder_add_string_value (b, ja);
  json_builder_set_member_name (b, "en");
  json_builder_add_string_value (b, en);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
mdg_rule_set_result_to_json (MdgRuleSet *self,
                             const MdgEligibilityResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *date = mdg_civil_date_to_string (result->date);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rule_set");
  json_builder_add_string_value (b, self->id);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, date);
  json_builder_set_member_name (b, "result");
  json_builder_add_string_value (b, mdg_eligibility_outcome_to_string (result->outcome));
  json_builder_set_member_name (b, "is_decision");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "notice");
  json_builder_add_value (b, text_node (guidance_notice[0], guidance_notice[1]));

  json_builder_set_member_name (b, "reasons");
  json_builder_begin_array (b);
  if (result->is_default)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rule");
      json_builder_add_string_value (b, "default");
      json_builder_set_member_name (b, "result");
      json_builder_add_string_value (b, mdg_eligibility_outcome_to_string (self->default_result));
      json_builder_set_member_name (b, "text");
      json_builder_add_value (b, text_node (self->default_reason[0], self->default_reason[1]));
      json_builder_end_object (b);
    }
  for (guint i = 0; i < self->rules->len; i++)
    {
      const Rule *rule = RULE (self, i);
      gboolean fired = (result->fired >> i) & 1;
      gboolean unknown = (result->unknown >> i) & 1;

      if (!fired && !unknown)
        continue;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rule");
      json_builder_add_string_value (b, rule->id);
      json_builder_set_member_name (b, "result");
      json_builder_add_string_value (b, mdg_eligibility_outcome_to_string (fired ? rule->result
                                                                                 : MDG_ELIGIBILITY_ASK_OFFICE));
      json_builder_set_member_name (b, "undecided");
      json_builder_add_boolean_value (b, unknown);
      json_builder_set_member_name (b, "text");
      if (fired)
        json_builder_add_value (b, text_node (rule->reason[0], rule->reason[1]));
      else if (rule->unknown_reason[0] != NULL)
        json_builder_add_value (b, text_node (rule->unknown_reason[0], rule->unknown_reason[1]));
      else
        json_builder_add_value (b, text_node (generic_unknown[0], generic_unknown[1]));
      json_builder_set_member_name (b, "legal_basis");
      json_builder_begin_array (b);
      for (guint j = 0; rule->legal_basis[j] != NULL; j++)
        {
          const char *ja = mdg_rule_set_get_legal_basis_title (self, rule->legal_basis[j], result->date, "ja");
          const char *en = mdg_rule_set_get_legal_basis_title (self, rule->legal_basis[j], result->date, "en");

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, rule->legal_basis[j]);
          if (ja != NULL && en != NULL)
            {
              json_builder_set_member_name (b, "title");
              json_builder_add_value (b, text_node (ja, en));
            }
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "missing_facts");
  json_builder_begin_array (b);
  for (guint f = 0; f < MDG_N_FACTS; f++)
    {
      if (result->missing & (1u << f))
        json_builder_add_string_value (b, mdg_fact_get_name ((MdgFact) f));
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}
