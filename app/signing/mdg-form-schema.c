/* mdg-form-schema.c: a procedure's form, checked against a document
 *
 * The schema is the catalog's own form format (docs/catalog.md §6) plus the
 * procedure's my_numbers declaration (§5.1), so there is one source of truth
 * for what a form may carry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mdg-app-error.h"
#include "mdg-form-schema.h"
#include "mdg-jcs.h"
#include "mdg-text-ap.h"

struct _MdgFormSchema
{
  GObject     parent_instance;
  char       *municipality;
  char       *procedure_id;
  gint64      version;
  GStrv       my_number_roles;
  JsonObject *procedure;
  JsonObject *form;
  GHashTable *fields;  /* id -> JsonObject (borrowed from form) */
};

G_DEFINE_FINAL_TYPE (MdgFormSchema, mdg_form_schema, G_TYPE_OBJECT)

static void
mdg_form_schema_finalize (GObject *object)
{
  MdgFormSchema *self = MDG_FORM_SCHEMA (object);

  g_free (self->municipality);
  g_free (self->procedure_id);
  g_strfreev (self->my_number_roles);
  g_clear_pointer (&self->fields, g_hash_table_unref);
  g_clear_pointer (&self->procedure, json_object_unref);
  g_clear_pointer (&self->form, json_object_unref);
  G_OBJECT_CLASS (mdg_form_schema_parent_class)->finalize (object);
}

static void
mdg_form_schema_class_init (MdgFormSchemaClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_form_schema_finalize;
}

static void
mdg_form_schema_init (MdgFormSchema *self)
{
  self->fields = g_hash_table_new (g_str_hash, g_str_equal);
}

static gboolean
catalog_error (GError **error,
               const char *what)
{
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG,
               _("The catalog entry is unusable: %s."), what);
  return FALSE;
}

MdgFormSchema *
mdg_form_schema_new (const char *municipality,
                     JsonObject *procedure,
                     JsonObject *form,
                     GError **error)
{
  g_autoptr(MdgFormSchema) self = g_object_new (MDG_TYPE_FORM_SCHEMA, NULL);
  g_autoptr(GStrvBuilder) roles = g_strv_builder_new ();
  JsonArray *sections;

  g_return_val_if_fail (procedure != NULL && form != NULL, NULL);

  self->municipality = g_strdup (municipality);
  self->procedure = json_object_ref (procedure);
  self->form = json_object_ref (form);
  if (!json_object_has_member (procedure, "id")
      || !JSON_NODE_HOLDS_VALUE (json_object_get_member (procedure, "id")))
    {
      catalog_error (error, _("the procedure has no id"));
      return NULL;
    }
  self->procedure_id = g_strdup (json_object_get_string_member (procedure, "id"));
  self->version = json_object_get_int_member_with_default (procedure, "version", 1);

  if (json_object_has_member (procedure, "my_numbers"))
    {
      JsonArray *decl = json_object_get_array_member (procedure, "my_numbers");

      for (guint i = 0; decl != NULL && i < json_array_get_length (decl); i++)
        {
          JsonObject *d = json_array_get_object_element (decl, i);
          const char *role = d ? json_object_get_string_member_with_default (d, "role", NULL) : NULL;

          if (role == NULL)
            {
              catalog_error (error, _("a My Number declaration has no role"));
              return NULL;
            }
          g_strv_builder_add (roles, role);
        }
    }
  self->my_number_roles = g_strv_builder_end (roles);

  sections = json_object_get_array_member (form, "sections");
  for (guint i = 0; sections != NULL && i < json_array_get_length (sections); i++)
    {
      JsonObject *section = json_array_get_object_element (sections, i);
      JsonArray *fields = section ? json_object_get_array_member (section, "fields") : NULL;

      for (guint j = 0; fields != NULL && j < json_array_get_length (fields); j++)
        {
          JsonObject *field = json_array_get_object_element (fields, j);
          const char *id = field ? json_object_get_string_member_with_default (field, "id", NULL) : NULL;
          const char *type = field ? json_object_get_string_member_with_default (field, "type", NULL) : NULL;

          if (id == NULL || type == NULL)
            {
              catalog_error (error, _("a form field has no id or type"));
              return NULL;
            }
          g_hash_table_insert (self->fields, (gpointer) id, field);
        }
    }
  if (g_hash_table_size (self->fields) == 0)
    {
      catalog_error (error, _("the form has no fields"));
      return NULL;
    }
  return g_steal_pointer (&self);
}

static JsonNode *
load_json (const char *path,
           GError **error)
{
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  return mdg_jcs_parse (data, len, error);
}

MdgFormSchema *
mdg_form_schema_new_from_catalog (const char *catalog_dir,
                                  const char *procedure_id,
                                  GError **error)
{
  g_autofree char *procedures_dir = g_build_filename (catalog_dir, "procedures", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (procedures_dir, 0, error);
  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(JsonNode) set = NULL;
      JsonArray *procedures;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (procedures_dir, name, NULL);
      set = load_json (path, error);
      if (set == NULL)
        return NULL;
      if (!JSON_NODE_HOLDS_OBJECT (set))
        continue;
      procedures = json_object_get_array_member (json_node_get_object (set), "procedures");
      for (guint i = 0; procedures != NULL && i < json_array_get_length (procedures); i++)
        {
          JsonObject *procedure = json_array_get_object_element (procedures, i);
          const char *form_id;
          g_autofree char *form_file = NULL;
          g_autofree char *form_path = NULL;
          g_autoptr(JsonNode) form = NULL;

          if (procedure == NULL
              || g_strcmp0 (json_object_get_string_member_with_default (procedure, "id", NULL), procedure_id) != 0)
            continue;
          form_id = json_object_get_string_member_with_default (procedure, "form", NULL);
          if (form_id == NULL)
            {
              g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG,
                           _("Procedure “%s” takes no application form."), procedure_id);
              return NULL;
            }
          form_file = g_strconcat (form_id, ".json", NULL);
          form_path = g_build_filename (catalog_dir, "forms", form_file, NULL);
          form = load_json (form_path, error);
          if (form == NULL)
            return NULL;
          if (!JSON_NODE_HOLDS_OBJECT (form))
            {
              catalog_error (error, _("the form is not an object"));
              return NULL;
            }
          return mdg_form_schema_new (json_object_get_string_member_with_default (json_node_get_object (set),
                                                                                  "municipality", NULL),
                                      procedure, json_node_get_object (form), error);
        }
    }
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG,
               _("Procedure “%s” is not in the catalog."), procedure_id);
  return NULL;
}

const char *
mdg_form_schema_get_procedure_id (MdgFormSchema *self)
{
  return self->procedure_id;
}

gint64
mdg_form_schema_get_version (MdgFormSchema *self)
{
  return self->version;
}

const char * const *
mdg_form_schema_get_my_number_roles (MdgFormSchema *self)
{
  return (const char * const *) self->my_number_roles;
}

static gboolean
field_error (GError **error,
             const char *field_id,
             const char *why)
{
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SCHEMA,
               _("Form field “%s” %s."), field_id, why);
  return FALSE;
}

static gboolean
all_digits (const char *s,
            gsize min,
            gsize max)
{
  gsize n = strlen (s);

  return n >= min && n <= max && strspn (s, "0123456789") == n;
}

static gboolean
matches (const char *pattern,
         const char *s)
{
  return g_regex_match_simple (pattern, s, 0, 0);
}

static gboolean
is_katakana (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!((c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || c == 0x30FB || c == 0x3000 || c == ' '))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_date_value (const char *s,
               gboolean month_only)
{
  int y, m, d = 1;

  if (month_only)
    {
      if (!matches ("^[0-9]{4}-[0-9]{2}$", s))
        return FALSE;
    }
  else if (!matches ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", s))
    return FALSE;
  y = atoi (s);
  m = atoi (s + 5);
  if (!month_only)
    d = atoi (s + 8);
  return g_date_valid_dmy (d, m, y);
}

static gboolean
validate_scalar (MdgFormSchema *self,
                 JsonObject *field,
                 const char *id,
                 JsonNode *value,
                 GError **error)
{
  const char *type = json_object_get_string_member (field, "type");
  GType vtype = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_INVALID;
  const char *s = vtype == G_TYPE_STRING ? json_node_get_string (value) : NULL;

  if (strcmp (type, "boolean") == 0)
    return vtype == G_TYPE_BOOLEAN ? TRUE : field_error (error, id, _("must be true or false"));
  if (strcmp (type, "amount_yen") == 0)
    {
      gint64 v;

      if (vtype != G_TYPE_INT64 || (v = json_node_get_int (value)) < 0)
        return field_error (error, id, _("must be a non-negative whole number of yen"));
      if (json_object_has_member (field, "min") && v < json_object_get_int_member (field, "min"))
        return field_error (error, id, _("is below its minimum"));
      if (json_object_has_member (field, "max") && v > json_object_get_int_member (field, "max"))
        return field_error (error, id, _("is above its maximum"));
      return TRUE;
    }
  if (strcmp (type, "attachment") == 0)
    return field_error (error, id, _("is an attachment and belongs in “attachments”"));

  /* Every other type is a string. */
  if (s == NULL)
    return field_error (error, id, _("must be a string"));
  if (*s == '\0')
    return field_error (error, id, _("must not be empty"));
  if (json_object_has_member (field, "max_length")
      && g_utf8_strlen (s, -1) > json_object_get_int_member (field, "max_length"))
    return field_error (error, id, _("is too long"));
  for (const char *p = s; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return field_error (error, id, _("contains a control character"));
  if (json_object_has_member (field, "pattern")
      && !matches (json_object_get_string_member (field, "pattern"), s))
    return field_error (error, id, _("does not have the expected form"));

  if (strcmp (type, "my_number") == 0)
    {
      const char *role = json_object_get_string_member_with_default (field, "my_number_role", NULL);

      if (role == NULL || !g_strv_contains ((const char * const *) self->my_number_roles, role))
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_MY_NUMBER_REFUSED,
                       _("Procedure “%s” does not declare a My Number for field “%s”."),
                       self->procedure_id, id);
          return FALSE;
        }
      return mdg_my_number_is_valid (s) ? TRUE
        : field_error (error, id, _("is not a My Number with a valid check digit"));
    }
  if (strcmp (type, "text") == 0)
    return TRUE;
  if (strcmp (type, "kana") == 0)
    return is_katakana (s) ? TRUE : field_error (error, id, _("must be in full-width katakana"));
  if (strcmp (type, "postal_code") == 0)
    return matches ("^[0-9]{3}-[0-9]{4}$", s) ? TRUE : field_error (error, id, _("must be a postal code NNN-NNNN"));
  if (strcmp (type, "phone") == 0)
    {
      g_autoptr(GString) digits = g_string_new (NULL);

      for (const char *p = s; *p != '\0'; p++)
        if (g_ascii_isdigit (*p))
          g_string_append_c (digits, *p);
        else if (*p != '-')
          return field_error (error, id, _("must be a phone number"));
      return (digits->len >= 10 && digits->len <= 11 && digits->str[0] == '0') ? TRUE
        : field_error (error, id, _("must be a phone number"));
    }
  if (strcmp (type, "email") == 0)
    return matches ("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", s) ? TRUE : field_error (error, id, _("must be an e-mail address"));
  if (strcmp (type, "date") == 0)
    {
      gboolean month = g_strcmp0 (json_object_get_string_member_with_default (field, "precision", "day"), "month") == 0;

      return is_date_value (s, month) ? TRUE : field_error (error, id, _("must be a date"));
    }
  if (strcmp (type, "bank_code") == 0)
    return all_digits (s, 4, 4) ? TRUE : field_error (error, id, _("must be 4 digits"));
  if (strcmp (type, "branch_code") == 0)
    return all_digits (s, 3, 3) ? TRUE : field_error (error, id, _("must be 3 digits"));
  if (strcmp (type, "account_number") == 0)
    return all_digits (s, 7, 7) ? TRUE : field_error (error, id, _("must be 7 digits"));
  if (strcmp (type, "account_type") == 0)
    return (strcmp (s, "1") == 0 || strcmp (s, "2") == 0 || strcmp (s, "4") == 0) ? TRUE
      : field_error (error, id, _("must be 1, 2 or 4"));
  if (strcmp (type, "choice") == 0)
    {
      JsonArray *choices = json_object_get_array_member (field, "choices");

      for (guint i = 0; choices != NULL && i < json_array_get_length (choices); i++)
        {
          JsonObject *c = json_array_get_object_element (choices, i);

          if (c != NULL && g_strcmp0 (json_object_get_string_member_with_default (c, "value", NULL), s) == 0)
            return TRUE;
        }
      return field_error (error, id, _("is not one of its choices"));
    }
  return field_error (error, id, _("has a type this version does not know"));
}

/* required_when / shown_when: {field, eq} against the document's value. */
static gboolean
condition_holds (JsonObject *fields,
                 JsonObject *cond)
{
  JsonNode *value = json_object_get_member (fields, json_object_get_string_member_with_default (cond, "field", ""));
  JsonNode *eq = json_object_get_member (cond, "eq");

  return value != NULL && eq != NULL && json_node_equal (value, eq);
}

gboolean
mdg_form_schema_validate (MdgFormSchema *self,
                          MdgApplication *doc,
                          GError **error)
{
  JsonObject *fields = mdg_application_get_fields (doc);
  JsonArray *atts = mdg_application_get_attachments (doc);
  g_autoptr(GList) names = json_object_get_members (fields);
  g_autoptr(GHashTable) att_counts = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, val;

  g_return_val_if_fail (MDG_IS_FORM_SCHEMA (self), FALSE);
  g_return_val_if_fail (MDG_IS_APPLICATION (doc), FALSE);

  if (g_strcmp0 (mdg_application_get_procedure_id (doc), self->procedure_id) != 0
      || mdg_application_get_procedure_version (doc) != self->version)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SCHEMA,
                   _("The document is for another procedure or procedure version."));
      return FALSE;
    }
  if (self->municipality != NULL
      && g_strcmp0 (mdg_application_get_municipality (doc), self->municipality) != 0)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SCHEMA,
                   _("The document is addressed to another municipality than the procedure's."));
      return FALSE;
    }

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *id = l->data;
      JsonObject *field = g_hash_table_lookup (self->fields, id);
      JsonNode *value = json_object_get_member (fields, id);

      if (field == NULL)
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SCHEMA,
                       _("Form field “%s” is not part of this procedure's form."), id);
          return FALSE;
        }
      if (json_object_get_boolean_member_with_default (field, "repeatable", FALSE))
        {
          JsonArray *values;

          if (!JSON_NODE_HOLDS_ARRAY (value))
            return field_error (error, id, _("repeats and must be an array"));
          values = json_node_get_array (value);
          for (guint i = 0; i < json_array_get_length (values); i++)
            if (!validate_scalar (self, field, id, json_array_get_element (values, i), error))
              return FALSE;
        }
      else if (!validate_scalar (self, field, id, value, error))
        return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (atts); i++)
    {
      JsonObject *att = json_array_get_object_element (atts, i);
      const char *id = json_object_get_string_member (att, "field");
      JsonObject *field = g_hash_table_lookup (self->fields, id);
      JsonArray *accept;
      const char *media = json_object_get_string_member (att, "media_type");
      gboolean accepted = FALSE;
      guint count;

      if (field == NULL || g_strcmp0 (json_object_get_string_member (field, "type"), "attachment") != 0)
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SCHEMA,
                       _("Attachment field “%s” is not part of this procedure's form."), id);
          return FALSE;
        }
      accept = json_object_get_array_member (field, "accept");
      for (guint j = 0; accept != NULL && j < json_array_get_length (accept); j++)
        if (g_strcmp0 (json_array_get_string_element (accept, j), media) == 0)
          accepted = TRUE;
      if (!accepted)
        return field_error (error, id, _("does not accept this file type"));
      count = GPOINTER_TO_UINT (g_hash_table_lookup (att_counts, id)) + 1;
      g_hash_table_insert (att_counts, (gpointer) id, GUINT_TO_POINTER (count));
      if (json_object_has_member (field, "max_files")
          && count > json_object_get_int_member (field, "max_files"))
        return field_error (error, id, _("has too many files"));
    }

  g_hash_table_iter_init (&iter, self->fields);
  while (g_hash_table_iter_next (&iter, &key, &val))
    {
      JsonObject *field = val;
      gboolean required = json_object_get_boolean_member_with_default (field, "required", FALSE);
      gboolean present;

      if (!required && json_object_has_member (field, "required_when"))
        required = condition_holds (fields, json_object_get_object_member (field, "required_when"));
      if (required && json_object_has_member (field, "shown_when")
          && !condition_holds (fields, json_object_get_object_member (field, "shown_when")))
        required = FALSE;
      if (!required)
        continue;
      if (g_strcmp0 (json_object_get_string_member (field, "type"), "attachment") == 0)
        present = g_hash_table_contains (att_counts, key);
      else
        present = json_object_has_member (fields, key);
      if (!present)
        return field_error (error, key, _("is required"));
    }
  return TRUE;
}
