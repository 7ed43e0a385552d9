/* mdg-application.c: the application document and its canonical bytes
 *
 * The document is held as parsed JSON; what is signed is its RFC 8785 form,
 * so two clients that build the same document sign the same bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mdg-app-error.h"
#include "mdg-application.h"
#include "mdg-jcs.h"
#include "mdg-text-ap.h"

struct _MdgApplication
{
  GObject    parent_instance;
  JsonNode  *root;
  GBytes    *canonical;
  GDateTime *created;
};

G_DEFINE_FINAL_TYPE (MdgApplication, mdg_application, G_TYPE_OBJECT)

static const char *person_roles[] = {
  "spouse", "child", "household_head", "member", "insured_person", "deceased", NULL
};

static void
mdg_application_finalize (GObject *object)
{
  MdgApplication *self = MDG_APPLICATION (object);

  g_clear_pointer (&self->root, json_node_unref);
  g_clear_pointer (&self->canonical, g_bytes_unref);
  g_clear_pointer (&self->created, g_date_time_unref);
  G_OBJECT_CLASS (mdg_application_parent_class)->finalize (object);
}

static void
mdg_application_class_init (MdgApplicationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_application_finalize;
}

static void
mdg_application_init (MdgApplication *self)
{
}

gboolean
mdg_municipality_code_is_valid (const char *code)
{
  guint sum = 0;

  if (code == NULL || strlen (code) != 6)
    return FALSE;
  for (int i = 0; i < 6; i++)
    if (!g_ascii_isdigit (code[i]))
      return FALSE;
  for (int i = 0; i < 5; i++)
    sum += (guint) (code[i] - '0') * (guint) (6 - i);
  return (guint) (code[5] - '0') == (11 - sum % 11) % 10;
}

char *
mdg_sha256_hex (GBytes *data)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
}

static gboolean
invalid (GError **error,
         const char *member,
         const char *why)
{
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT,
               _("The application document is invalid: “%s” %s."), member, why);
  return FALSE;
}

static const char *
get_string (JsonObject *object,
            const char *member,
            gboolean required,
            GError **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    {
      if (required)
        invalid (error, member, _("is missing"));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || *json_node_get_string (node) == '\0')
    {
      invalid (error, member, _("must be a non-empty string"));
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
check_members (JsonObject *object,
               const char *where,
               const char * const *allowed,
               GError **error)
{
  g_autoptr(GList) names = json_object_get_members (object);

  for (GList *l = names; l != NULL; l = l->next)
    {
      if (g_strv_contains (allowed, l->data))
        continue;
      if (g_strcmp0 (l->data, "my_number") == 0)
        {
          /* Data minimisation: a My Number only travels in a form field
           * that its procedure declares. */
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_MY_NUMBER_REFUSED,
                       _("A My Number is only accepted in a form field that the procedure declares, not in “%s”."),
                       where);
          return FALSE;
        }
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT,
                   _("The application document is invalid: unknown member “%s” in “%s”."),
                   (const char *) l->data, where);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_iso_date (const char *s)
{
  int y, m, d;

  if (s == NULL || strlen (s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && !g_ascii_isdigit (s[i]))
      return FALSE;
  y = atoi (s);
  m = atoi (s + 5);
  d = atoi (s + 8);
  return g_date_valid_dmy (d, m, y);
}

static gboolean
check_person (JsonObject *person,
              const char *where,
              gboolean applicant,
              GError **error)
{
  static const char *applicant_members[] = {
    "name", "name_kana", "sex", "birth_date", "address", NULL
  };
  static const char *person_members[] = {
    "role", "name", "name_kana", "sex", "birth_date", "address", NULL
  };
  const char *sex, *birth;

  if (!check_members (person, where, applicant ? applicant_members : person_members, error))
    return FALSE;
  if (!applicant)
    {
      const char *role = get_string (person, "role", TRUE, error);

      if (role == NULL)
        return FALSE;
      if (!g_strv_contains (person_roles, role))
        return invalid (error, "role", _("is not a known role"));
    }
  if (get_string (person, "name", TRUE, error) == NULL)
    return FALSE;
  if (json_object_has_member (person, "name_kana")
      && get_string (person, "name_kana", FALSE, error) == NULL)
    return FALSE;
  sex = get_string (person, "sex", applicant, error);
  if (sex == NULL && (applicant || json_object_has_member (person, "sex")))
    return FALSE;
  if (sex != NULL && strcmp (sex, "1") != 0 && strcmp (sex, "2") != 0 && strcmp (sex, "9") != 0)
    return invalid (error, "sex", _("must be \"1\", \"2\" or \"9\""));
  birth = get_string (person, "birth_date", applicant, error);
  if (birth == NULL && (applicant || json_object_has_member (person, "birth_date")))
    return FALSE;
  if (birth != NULL && !is_iso_date (birth))
    return invalid (error, "birth_date", _("must be a date YYYY-MM-DD"));
  if (get_string (person, "address", applicant, error) == NULL
      && (applicant || json_object_has_member (person, "address")))
    return FALSE;
  return TRUE;
}

static gboolean
check_attachment (JsonObject *att,
                  GError **error)
{
  static const char *members[] = { "field", "name", "media_type", "size", "sha256", NULL };
  JsonNode *size;
  const char *sha;
  const char *media;

  if (!check_members (att, "attachments", members, error))
    return FALSE;
  if (get_string (att, "field", TRUE, error) == NULL
      || get_string (att, "name", TRUE, error) == NULL
      || (media = get_string (att, "media_type", TRUE, error)) == NULL
      || (sha = get_string (att, "sha256", TRUE, error)) == NULL)
    return FALSE;
  if (strchr (media, '/') == NULL)
    return invalid (error, "media_type", _("must be a media type"));
  if (strlen (sha) != 64 || strspn (sha, "0123456789abcdef") != 64)
    return invalid (error, "sha256", _("must be 64 lower-case hex digits"));
  size = json_object_get_member (att, "size");
  if (size == NULL || !JSON_NODE_HOLDS_VALUE (size) || json_node_get_value_type (size) != G_TYPE_INT64
      || json_node_get_int (size) < 0)
    return invalid (error, "size", _("must be a non-negative integer"));
  return TRUE;
}

static gboolean
check_structure (MdgApplication *self,
                 GError **error)
{
  static const char *top[] = {
    "format", "format_version", "id", "created", "procedure", "municipality",
    "applicant", "persons", "fields", "attachments", "consents", "corrects", NULL
  };
  static const char *procedure_members[] = { "id", "version", NULL };
  static const char *consent_members[] = { "id", "text", NULL };
  JsonObject *root, *procedure;
  JsonNode *node;
  const char *s;

  if (!JSON_NODE_HOLDS_OBJECT (self->root))
    return invalid (error, "/", _("must be an object"));
  root = json_node_get_object (self->root);
  if (!check_members (root, "/", top, error))
    return FALSE;

  if ((s = get_string (root, "format", TRUE, error)) == NULL)
    return FALSE;
  if (strcmp (s, MDG_APPLICATION_FORMAT) != 0)
    return invalid (error, "format", _("is not “madoguchi-application”"));
  node = json_object_get_member (root, "format_version");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) != MDG_APPLICATION_FORMAT_VERSION)
    return invalid (error, "format_version", _("must be 1"));

  if ((s = get_string (root, "id", TRUE, error)) == NULL)
    return FALSE;
  if (!g_uuid_string_is_valid (s))
    return invalid (error, "id", _("must be a UUID"));

  /* The submission this one answers a correction request (補正依頼) for. */
  if (json_object_has_member (root, "corrects"))
    {
      if ((s = get_string (root, "corrects", TRUE, error)) == NULL)
        return FALSE;
      if (!g_uuid_string_is_valid (s) || g_str_equal (s, json_object_get_string_member (root, "id")))
        return invalid (error, "corrects", _("must be the UUID of another application"));
    }

  if ((s = get_string (root, "created", TRUE, error)) == NULL)
    return FALSE;
  if (s[strlen (s) - 1] != 'Z'
      || (self->created = g_date_time_new_from_iso8601 (s, NULL)) == NULL)
    return invalid (error, "created", _("must be an RFC 3339 time in UTC"));

  node = json_object_get_member (root, "procedure");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "procedure", _("must be an object"));
  procedure = json_node_get_object (node);
  if (!check_members (procedure, "procedure", procedure_members, error)
      || get_string (procedure, "id", TRUE, error) == NULL)
    return FALSE;
  node = json_object_get_member (procedure, "version");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 1)
    return invalid (error, "version", _("must be a positive integer"));

  if ((s = get_string (root, "municipality", TRUE, error)) == NULL)
    return FALSE;
  if (!mdg_municipality_code_is_valid (s))
    return invalid (error, "municipality", _("is not a municipality code with a valid check digit"));

  node = json_object_get_member (root, "applicant");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "applicant", _("must be an object"));
  if (!check_person (json_node_get_object (node), "applicant", TRUE, error))
    return FALSE;

  node = json_object_get_member (root, "persons");
  if (node != NULL)
    {
      JsonArray *persons;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return invalid (error, "persons", _("must be an array"));
      persons = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (persons); i++)
        {
          JsonNode *p = json_array_get_element (persons, i);

          if (!JSON_NODE_HOLDS_OBJECT (p))
            return invalid (error, "persons", _("must hold objects"));
          if (!check_person (json_node_get_object (p), "persons", FALSE, error))
            return FALSE;
        }
    }

  node = json_object_get_member (root, "fields");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "fields", _("must be an object"));

  node = json_object_get_member (root, "attachments");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "attachments", _("must be an array"));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *a = json_array_get_element (json_node_get_array (node), i);

      if (!JSON_NODE_HOLDS_OBJECT (a))
        return invalid (error, "attachments", _("must hold objects"));
      if (!check_attachment (json_node_get_object (a), error))
        return FALSE;
    }

  node = json_object_get_member (root, "consents");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    return invalid (error, "consents", _("must list the consent texts shown"));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *c = json_array_get_element (json_node_get_array (node), i);

      if (!JSON_NODE_HOLDS_OBJECT (c))
        return invalid (error, "consents", _("must hold objects"));
      if (!check_members (json_node_get_object (c), "consents", consent_members, error)
          || get_string (json_node_get_object (c), "id", TRUE, error) == NULL
          || get_string (json_node_get_object (c), "text", TRUE, error) == NULL)
        return FALSE;
    }
  return TRUE;
}

MdgApplication *
mdg_application_new_from_json (JsonNode *root,
                               GError **error)
{
  g_autoptr(MdgApplication) self = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  self = g_object_new (MDG_TYPE_APPLICATION, NULL);
  self->root = json_node_copy (root);
  if (!check_structure (self, error))
    return NULL;
  self->canonical = mdg_jcs_serialize (self->root, error);
  if (self->canonical == NULL)
    return NULL;
  /* A tree of its own, equal to the signed bytes: json_node_copy() shares
   * the caller's object, which the caller may still change. */
  json_node_unref (self->root);
  self->root = mdg_jcs_parse (g_bytes_get_data (self->canonical, NULL),
                              (gssize) g_bytes_get_size (self->canonical), error);
  if (self->root == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

MdgApplication *
mdg_application_new_correction (MdgApplication *original,
                                const char *submission,
                                GDateTime *now,
                                GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *created = NULL;
  JsonObject *obj;

  g_return_val_if_fail (MDG_IS_APPLICATION (original), NULL);
  g_return_val_if_fail (g_uuid_string_is_valid (submission), NULL);

  utc = g_date_time_to_utc (now);
  created = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  /* A tree of its own: json_node_copy() would share the original's object. */
  root = mdg_jcs_parse (g_bytes_get_data (original->canonical, NULL),
                        (gssize) g_bytes_get_size (original->canonical), error);
  if (root == NULL)
    return NULL;
  obj = json_node_get_object (root);
  json_object_set_string_member (obj, "id", id);
  json_object_set_string_member (obj, "created", created);
  json_object_set_string_member (obj, "corrects", submission);
  return mdg_application_new_from_json (root, error);
}

MdgApplication *
mdg_application_new_from_data (const char *data,
                               gssize len,
                               GError **error)
{
  g_autoptr(JsonNode) root = mdg_jcs_parse (data, len, error);

  if (root == NULL)
    return NULL;
  return mdg_application_new_from_json (root, error);
}

GBytes *
mdg_application_get_canonical (MdgApplication *self)
{
  g_return_val_if_fail (MDG_IS_APPLICATION (self), NULL);
  return self->canonical;
}

JsonObject *
mdg_application_get_root (MdgApplication *self)
{
  return json_node_get_object (self->root);
}

const char *
mdg_application_get_id (MdgApplication *self)
{
  return json_object_get_string_member (mdg_application_get_root (self), "id");
}

const char *
mdg_application_get_procedure_id (MdgApplication *self)
{
  JsonObject *procedure = json_object_get_object_member (mdg_application_get_root (self), "procedure");

  return json_object_get_string_member (procedure, "id");
}

gint64
mdg_application_get_procedure_version (MdgApplication *self)
{
  JsonObject *procedure = json_object_get_object_member (mdg_application_get_root (self), "procedure");

  return json_object_get_int_member (procedure, "version");
}

const char *
mdg_application_get_municipality (MdgApplication *self)
{
  return json_object_get_string_member (mdg_application_get_root (self), "municipality");
}

GDateTime *
mdg_application_get_created (MdgApplication *self)
{
  return self->created;
}

JsonObject *
mdg_application_get_applicant (MdgApplication *self)
{
  return json_object_get_object_member (mdg_application_get_root (self), "applicant");
}

JsonObject *
mdg_application_get_fields (MdgApplication *self)
{
  return json_object_get_object_member (mdg_application_get_root (self), "fields");
}

JsonArray *
mdg_application_get_attachments (MdgApplication *self)
{
  return json_object_get_array_member (mdg_application_get_root (self), "attachments");
}

gboolean
mdg_application_check_attachments (MdgApplication *self,
                                   GHashTable *contents,
                                   GError **error)
{
  g_autoptr(GHashTable) digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  /* Keyed by the hash actually computed, so a tampered file is "missing". */
  if (contents != NULL)
    {
      g_hash_table_iter_init (&iter, contents);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (digests, mdg_sha256_hex (value),
                             g_memdup2 (&(gint64) { (gint64) g_bytes_get_size (value) }, sizeof (gint64)));
    }
  return mdg_application_check_attachment_digests (self, digests, error);
}

gboolean
mdg_application_check_attachment_digests (MdgApplication *self,
                                          GHashTable *digests,
                                          GError **error)
{
  JsonArray *atts = mdg_application_get_attachments (self);

  for (guint i = 0; i < json_array_get_length (atts); i++)
    {
      JsonObject *att = json_array_get_object_element (atts, i);
      const char *sha = json_object_get_string_member (att, "sha256");
      const char *name = json_object_get_string_member (att, "name");
      const gint64 *size = digests ? g_hash_table_lookup (digests, sha) : NULL;

      if (size == NULL || *size != json_object_get_int_member (att, "size"))
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY,
                       _("Attachment “%s” is missing or does not match the signed hash or size."), name);
          return FALSE;
        }
    }
  return TRUE;
}
