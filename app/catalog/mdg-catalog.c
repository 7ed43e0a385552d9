/* mdg-catalog.c: the procedure catalog in memory (docs/catalog.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mdg-app-error.h"
#include "mdg-catalog-json.h"
#include "mdg-catalog.h"
#include "mdg-jcs.h"

#define FORMAT_VERSION 1

struct _MdgCatalog
{
  GObject parent_instance;

  guint64     version;
  GPtrArray  *documents;       /* JsonNode, keeps every parsed file alive */
  GPtrArray  *municipalities;  /* JsonObject */
  GPtrArray  *programs;        /* JsonObject */
  GPtrArray  *procedures;      /* JsonObject */
  GHashTable *procedure_municipality; /* procedure id → code */
  GHashTable *procedure_program; /* procedure id → program id */
  GHashTable *forms;           /* id → JsonObject */
  GHashTable *program_rules;   /* id → MdgRuleSet */
  GHashTable *procedure_rules; /* id → MdgRuleSet */
  GPtrArray  *address_prefixes; /* "埼玉県川口市", same order as municipalities */
};

G_DEFINE_FINAL_TYPE (MdgCatalog, mdg_catalog, G_TYPE_OBJECT)

static void
mdg_catalog_finalize (GObject *object)
{
  MdgCatalog *self = MDG_CATALOG (object);

  g_ptr_array_unref (self->municipalities);
  g_ptr_array_unref (self->programs);
  g_ptr_array_unref (self->procedures);
  g_hash_table_unref (self->procedure_municipality);
  g_hash_table_unref (self->procedure_program);
  g_hash_table_unref (self->forms);
  g_hash_table_unref (self->program_rules);
  g_hash_table_unref (self->procedure_rules);
  g_ptr_array_unref (self->address_prefixes);
  g_ptr_array_unref (self->documents);

  G_OBJECT_CLASS (mdg_catalog_parent_class)->finalize (object);
}

static void
mdg_catalog_class_init (MdgCatalogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_catalog_finalize;
}

static void
mdg_catalog_init (MdgCatalog *self)
{
  self->documents = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  self->municipalities = g_ptr_array_new ();
  self->programs = g_ptr_array_new ();
  self->procedures = g_ptr_array_new ();
  self->procedure_municipality = g_hash_table_new (g_str_hash, g_str_equal);
  self->procedure_program = g_hash_table_new (g_str_hash, g_str_equal);
  self->forms = g_hash_table_new (g_str_hash, g_str_equal);
  self->program_rules = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->procedure_rules = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->address_prefixes = g_ptr_array_new_with_free_func (g_free);
}

static gboolean
catalog_error (GError **error,
               const char *path,
               const char *what)
{
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG,
               _("The catalog file “%s” is unusable: %s."), path, what);
  return FALSE;
}

const char *
mdg_catalog_text (JsonObject *object,
                  const char *member,
                  const char *lang)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  JsonObject *text;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  text = json_node_get_object (node);
  return mdg_json_string_member (text, g_strcmp0 (lang, "ja") == 0 ? "ja" : "en",
                                                     NULL);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint
compare_by (JsonObject *a,
            JsonObject *b,
            const char *key)
{
  return g_strcmp0 (string_member (a, key), string_member (b, key));
}

static gint
compare_code (gconstpointer a,
              gconstpointer b)
{
  return compare_by (*(JsonObject **) a, *(JsonObject **) b, "code");
}

static gint
compare_id (gconstpointer a,
            gconstpointer b)
{
  return compare_by (*(JsonObject **) a, *(JsonObject **) b, "id");
}

/* facts.json must name only facts the engine can compute, with the enum
 * values it knows in the same order. */
static gboolean
check_facts (JsonObject *root,
             const char *path,
             GError **error)
{
  static const char * const known[] = {
    "age_on", "school_year_grade", "municipality_code", "disability_certified",
    "public_assistance", "other_insurance", "income_category", "other_medical_subsidy",
  };
  JsonArray *facts = mdg_json_array_member (root, "facts");

  for (guint i = 0; facts != NULL && i < json_array_get_length (facts); i++)
    {
      JsonObject *fact = mdg_json_array_object (facts, i);
      const char *id = fact != NULL ? string_member (fact, "id") : NULL;
      gboolean found = FALSE;

      for (guint k = 0; k < G_N_ELEMENTS (known) && id != NULL; k++)
        found |= g_str_equal (id, known[k]);
      if (!found)
        return catalog_error (error, path, _("a fact the eligibility engine does not know"));

      if (json_object_has_member (fact, "values"))
        {
          MdgFact input = g_str_equal (id, "other_insurance") ? MDG_FACT_OTHER_INSURANCE
                                                              : MDG_FACT_INCOME_CATEGORY;
          JsonArray *values = mdg_json_array_member (fact, "values");
          const char * const *engine = mdg_fact_get_values (input);

          if (values == NULL || engine == NULL
              || json_array_get_length (values) != g_strv_length ((char **) engine))
            return catalog_error (error, path, _("fact values differ from the engine's"));
          for (guint k = 0; k < json_array_get_length (values); k++)
            {
              if (g_strcmp0 (mdg_json_array_string (values, k), engine[k]) != 0)
                return catalog_error (error, path, _("fact values differ from the engine's"));
            }
        }
    }
  return TRUE;
}

static gboolean
add_document (MdgCatalog *self,
              const char *path,
              JsonObject *root,
              GError **error)
{
  const char *kind = string_member (root, "kind");

  if (kind == NULL
      || mdg_json_int_member (root, "format_version", 0) != FORMAT_VERSION)
    return catalog_error (error, path, _("no kind or an unsupported format version"));

  if (g_str_equal (kind, "municipality"))
    g_ptr_array_add (self->municipalities, root);
  else if (g_str_equal (kind, "program"))
    g_ptr_array_add (self->programs, root);
  else if (g_str_equal (kind, "form"))
    {
      const char *id = string_member (root, "id");

      if (id == NULL)
        return catalog_error (error, path, _("a form without id"));
      g_hash_table_insert (self->forms, (gpointer) id, root);
    }
  else if (g_str_equal (kind, "procedure_set"))
    {
      const char *municipality = string_member (root, "municipality");
      const char *program = string_member (root, "program");
      JsonArray *procedures = json_object_has_member (root, "procedures")
                                ? mdg_json_array_member (root, "procedures") : NULL;

      if (municipality == NULL || program == NULL || procedures == NULL)
        return catalog_error (error, path, _("a procedure set without municipality or procedures"));
      for (guint i = 0; i < json_array_get_length (procedures); i++)
        {
          JsonObject *procedure = mdg_json_array_object (procedures, i);
          const char *id = procedure != NULL ? string_member (procedure, "id") : NULL;

          if (id == NULL || g_hash_table_contains (self->procedure_municipality, id))
            return catalog_error (error, path, _("a procedure without id, or a repeated id"));
          g_ptr_array_add (self->procedures, procedure);
          g_hash_table_insert (self->procedure_municipality, (gpointer) id, (gpointer) municipality);
          g_hash_table_insert (self->procedure_program, (gpointer) id, (gpointer) program);
        }
      /* its program is resolved in compile_rules(), once all is loaded */
    }
  else if (g_str_equal (kind, "facts"))
    return check_facts (root, path, error);
  /* status_models and anything newer are carried, not interpreted here */
  return TRUE;
}

static gboolean
compile_rules (MdgCatalog *self,
               GError **error)
{
  for (guint i = 0; i < self->programs->len; i++)
    {
      JsonObject *program = self->programs->pdata[i];
      const char *id = string_member (program, "id");
      JsonObject *eligibility;
      MdgRuleSet *rules;

      if (id == NULL || !json_object_has_member (program, "eligibility"))
        return catalog_error (error, id != NULL ? id : "?", _("a program without id or eligibility"));
      eligibility = mdg_json_object_member (program, "eligibility");
      rules = mdg_rule_set_compile (id, eligibility,
                                    mdg_json_array_member (program, "parameters"),
                                    mdg_json_array_member (program, "legal_bases"),
                                    error);
      if (rules == NULL)
        return FALSE;
      g_hash_table_insert (self->program_rules, (gpointer) id, rules);
    }

  for (guint i = 0; i < self->documents->len; i++)
    {
      JsonObject *set = json_node_get_object (self->documents->pdata[i]);
      JsonObject *program;
      JsonArray *procedures;

      if (g_strcmp0 (string_member (set, "kind"), "procedure_set") != 0)
        continue;
      program = mdg_catalog_lookup_program (self, string_member (set, "program"));
      if (program == NULL)
        return catalog_error (error, string_member (set, "municipality"), _("a procedure set of an unknown program"));
      procedures = mdg_json_array_member (set, "procedures");
      for (guint j = 0; j < json_array_get_length (procedures); j++)
        {
          JsonObject *procedure = mdg_json_array_object (procedures, j);
          const char *id = string_member (procedure, "id");
          MdgRuleSet *rules;

          if (!json_object_has_member (procedure, "eligibility"))
            continue;
          rules = mdg_rule_set_compile (id, mdg_json_object_member (procedure, "eligibility"),
                                        mdg_json_array_member (program, "parameters"),
                                        mdg_json_array_member (program, "legal_bases"),
                                        error);
          if (rules == NULL)
            return FALSE;
          g_hash_table_insert (self->procedure_rules, (gpointer) id, rules);
        }
    }
  return TRUE;
}

MdgCatalog *
mdg_catalog_new_from_files (GHashTable *files,
                            guint64 version,
                            GError **error)
{
  g_autoptr(MdgCatalog) self = g_object_new (MDG_TYPE_CATALOG, NULL);
  g_autoptr(GList) paths = g_list_sort (g_hash_table_get_keys (files), (GCompareFunc) g_strcmp0);

  self->version = version;
  for (GList *l = paths; l != NULL; l = l->next)
    {
      const char *path = l->data;
      GBytes *bytes = g_hash_table_lookup (files, path);
      g_autoptr(JsonNode) node = NULL;
      gsize len;
      const char *data;

      /* the schema travels with the data but is the validator's business */
      if (!g_str_has_suffix (path, ".json") || g_str_has_prefix (path, "schema/"))
        continue;
      data = g_bytes_get_data (bytes, &len);
      node = mdg_jcs_parse (data, len, error);
      if (node == NULL)
        {
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          catalog_error (error, path, _("not a JSON object"));
          return NULL;
        }
      g_ptr_array_add (self->documents, json_node_ref (node));
      if (!add_document (self, path, json_node_get_object (node), error))
        return NULL;
    }

  if (self->municipalities->len == 0 || self->programs->len == 0)
    {
      catalog_error (error, "-", _("no municipalities or no programs"));
      return NULL;
    }
  g_ptr_array_sort (self->municipalities, compare_code);
  g_ptr_array_sort (self->programs, compare_id);
  g_ptr_array_sort (self->procedures, compare_id);

  for (guint i = 0; i < self->municipalities->len; i++)
    {
      JsonObject *m = self->municipalities->pdata[i];
      const char *prefecture = mdg_catalog_text (m, "prefecture", "ja");
      const char *name = mdg_catalog_text (m, "name", "ja");

      if (prefecture == NULL || name == NULL || string_member (m, "code") == NULL)
        {
          catalog_error (error, "municipalities", _("a municipality without code, name or prefecture"));
          return NULL;
        }
      g_ptr_array_add (self->address_prefixes, g_strconcat (prefecture, name, NULL));
    }

  if (!compile_rules (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

static gboolean
read_tree (GHashTable *files,
           const char *root,
           const char *relative,
           GError **error)
{
  g_autofree char *dir_path = g_build_filename (root, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *rel = *relative != '\0' ? g_strconcat (relative, "/", name, NULL) : g_strdup (name);
      g_autofree char *full = g_build_filename (root, rel, NULL);

      if (g_file_test (full, G_FILE_TEST_IS_DIR))
        {
          if (!read_tree (files, root, rel, error))
            return FALSE;
        }
      else if (g_str_has_suffix (name, ".json"))
        {
          char *data;
          gsize len;

          if (!g_file_get_contents (full, &data, &len, error))
            return FALSE;
          g_hash_table_insert (files, g_steal_pointer (&rel), g_bytes_new_take (data, len));
        }
    }
  return TRUE;
}

GHashTable *
mdg_catalog_read_directory (const char *dir,
                            GError **error)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_bytes_unref);

  if (!read_tree (files, dir, "", error))
    return NULL;
  return g_steal_pointer (&files);
}

MdgCatalog *
mdg_catalog_new_from_directory (const char *dir,
                                GError **error)
{
  g_autoptr(GHashTable) files = mdg_catalog_read_directory (dir, error);

  if (files == NULL)
    return NULL;
  return mdg_catalog_new_from_files (files, 0, error);
}

guint64
mdg_catalog_get_version (MdgCatalog *self)
{
  g_return_val_if_fail (MDG_IS_CATALOG (self), 0);
  return self->version;
}

GPtrArray *
mdg_catalog_get_municipalities (MdgCatalog *self)
{
  return self->municipalities;
}

GPtrArray *
mdg_catalog_get_programs (MdgCatalog *self)
{
  return self->programs;
}

GPtrArray *
mdg_catalog_get_procedures (MdgCatalog *self)
{
  return self->procedures;
}

static JsonObject *
find_in (GPtrArray *array,
         const char *key,
         const char *value)
{
  for (guint i = 0; value != NULL && i < array->len; i++)
    {
      if (g_strcmp0 (string_member (array->pdata[i], key), value) == 0)
        return array->pdata[i];
    }
  return NULL;
}

JsonObject *
mdg_catalog_lookup_municipality (MdgCatalog *self,
                                 const char *code)
{
  return find_in (self->municipalities, "code", code);
}

JsonObject *
mdg_catalog_lookup_program (MdgCatalog *self,
                            const char *id)
{
  return find_in (self->programs, "id", id);
}

JsonObject *
mdg_catalog_lookup_procedure (MdgCatalog *self,
                              const char *id,
                              const char **municipality)
{
  JsonObject *procedure = find_in (self->procedures, "id", id);

  if (municipality != NULL)
    *municipality = procedure != NULL ? g_hash_table_lookup (self->procedure_municipality, id) : NULL;
  return procedure;
}

const char *
mdg_catalog_get_procedure_program (MdgCatalog *self,
                                   const char *id)
{
  return id != NULL ? g_hash_table_lookup (self->procedure_program, id) : NULL;
}

JsonObject *
mdg_catalog_lookup_form (MdgCatalog *self,
                         const char *id)
{
  return id != NULL ? g_hash_table_lookup (self->forms, id) : NULL;
}

MdgRuleSet *
mdg_catalog_get_program_rules (MdgCatalog *self,
                               const char *program)
{
  return program != NULL ? g_hash_table_lookup (self->program_rules, program) : NULL;
}

MdgRuleSet *
mdg_catalog_get_procedure_rules (MdgCatalog *self,
                                 const char *procedure)
{
  return procedure != NULL ? g_hash_table_lookup (self->procedure_rules, procedure) : NULL;
}

MdgFormSchema *
mdg_catalog_get_form_schema (MdgCatalog *self,
                             const char *procedure_id,
                             GError **error)
{
  const char *municipality = NULL;
  JsonObject *procedure = mdg_catalog_lookup_procedure (self, procedure_id, &municipality);
  const char *form_id;
  JsonObject *form;

  if (procedure == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG,
                   _("Procedure “%s” is not in the catalog."), procedure_id);
      return NULL;
    }
  form_id = mdg_json_string_member (procedure, "form", NULL);
  form = mdg_catalog_lookup_form (self, form_id);
  if (form == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG,
                   _("Procedure “%s” takes no application form."), procedure_id);
      return NULL;
    }
  return mdg_form_schema_new (municipality, procedure, form, error);
}

const char *
mdg_catalog_municipality_for_address (MdgCatalog *self,
                                      const char *address)
{
  g_autofree char *normalized = NULL;
  const char *code = NULL;

  if (address == NULL || !g_utf8_validate (address, -1, NULL))
    return NULL;
  /* The card may use a full-width space; only the start matters here. */
  normalized = g_utf8_normalize (address, -1, G_NORMALIZE_NFKC);
  g_strchug (normalized);
  for (guint i = 0; i < self->address_prefixes->len && code == NULL; i++)
    {
      if (g_str_has_prefix (normalized, self->address_prefixes->pdata[i]))
        code = string_member (self->municipalities->pdata[i], "code");
    }
  /* the address is personal data */
  memset (normalized, 0, strlen (normalized));
  return code;
}

guint32
mdg_catalog_prefill_facts (MdgCatalog *self,
                           MdgFacts *facts,
                           const char *card_birth_date,
                           const char *card_address)
{
  MdgCivilDate birth;
  const char *code;
  guint32 set = 0;

  if (card_birth_date != NULL && mdg_civil_date_parse (card_birth_date, &birth))
    {
      mdg_facts_set_birth_date (facts, birth);
      set |= 1u << MDG_FACT_BIRTH_DATE;
    }
  code = mdg_catalog_municipality_for_address (self, card_address);
  if (code != NULL && mdg_municipality_code_parse (code) != 0)
    {
      mdg_facts_set_municipality (facts, mdg_municipality_code_parse (code));
      set |= 1u << MDG_FACT_MUNICIPALITY_CODE;
    }
  return set;
}

gboolean
mdg_catalog_load_facts (MdgCatalog *self,
                        const char *data,
                        gsize len,
                        MdgFacts *facts,
                        guint32 *prefilled,
                        GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) answers = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  guint32 set = 0;

  g_return_val_if_fail (MDG_IS_CATALOG (self), FALSE);

  if (prefilled != NULL)
    *prefilled = 0;
  root = mdg_jcs_parse (data, (gssize) len, error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_FACTS,
                           _("The facts must be one JSON object."));
      return FALSE;
    }

  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &name, &node))
    {
      if (!g_str_equal (name, "address"))
        {
          json_object_set_member (answers, name, json_node_ref (node));
          continue;
        }
      if (JSON_NODE_HOLDS_NULL (node))
        continue;
      if (json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_FACTS,
                       _("The fact “%s” has a value of the wrong type or an unknown value."), name);
          return FALSE;
        }
      set |= mdg_catalog_prefill_facts (self, facts, NULL, json_node_get_string (node));
    }
  if (!mdg_facts_load_json (facts, answers, error))
    return FALSE;
  /* an explicit answer overrides what the address gave */
  if (json_object_has_member (answers, "municipality_code"))
    set &= ~(1u << MDG_FACT_MUNICIPALITY_CODE);
  if (prefilled != NULL)
    *prefilled = set;
  return TRUE;
}
