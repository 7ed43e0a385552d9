/* mdg-server-records.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mdg-server-config.h"
#include "mdg-server-records.h"

typedef enum
{
  KIND_STRING,
  KIND_DATE_OR_NULL,
  KIND_INT,
  KIND_NUMBER,
  KIND_BOOL,
  KIND_CAPS,
  KIND_ITEMS,
} Kind;

typedef struct
{
  const char *name;
  Kind        kind;
} Member;

static const Member cap_members[] = {
  { "id", KIND_STRING }, { "kind", KIND_STRING }, { "definition", KIND_STRING },
  { "rate", KIND_NUMBER }, { "amount", KIND_INT }, { "count", KIND_INT },
  { NULL, 0 }
};

static const Member item_members[] = {
  { "label", KIND_STRING }, { "value", KIND_STRING }, { "order", KIND_INT },
  { NULL, 0 }
};

static const Member record_members[] = {
  { "certificate_type_id", KIND_STRING }, { "certificate_name", KIND_STRING },
  { "certificate_id", KIND_STRING }, { "public_expense_id", KIND_STRING },
  { "category", KIND_STRING }, { "payer_number", KIND_STRING },
  { "recipient_number", KIND_STRING }, { "copay_caps", KIND_CAPS },
  { "valid_from", KIND_STRING }, { "valid_until", KIND_STRING },
  { "forced_expiry", KIND_DATE_OR_NULL }, { "items", KIND_ITEMS },
  { "suppressed", KIND_BOOL },
  { NULL, 0 }
};

static gboolean
invalid (const char *where,
         GError **error)
{
  g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID,
               _("The records file is not valid at %s."), where);
  return FALSE;
}

static JsonObject *copy_object (JsonNode *node, const Member *members, const char *where, GError **error);

static gboolean
is_value (JsonNode *node,
          GType type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static JsonNode *
copy_array (JsonNode *node,
            const Member *members,
            const char *where,
            GError **error)
{
  g_autoptr(JsonArray) out = json_array_new ();
  JsonArray *in;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      invalid (where, error);
      return NULL;
    }
  in = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (in); i++)
    {
      g_autofree char *at = g_strdup_printf ("%s[%u]", where, i);
      JsonObject *obj = copy_object (json_array_get_element (in, i), members, at, error);

      if (obj == NULL)
        return NULL;
      json_array_add_object_element (out, obj);
    }
  return json_node_init_array (json_node_alloc (), out);
}

static JsonNode *
copy_member (JsonNode *node,
             Kind kind,
             const char *where,
             GError **error)
{
  gboolean ok;

  switch (kind)
    {
    case KIND_CAPS:
      return copy_array (node, cap_members, where, error);
    case KIND_ITEMS:
      return copy_array (node, item_members, where, error);
    case KIND_STRING:
      ok = is_value (node, G_TYPE_STRING);
      break;
    case KIND_DATE_OR_NULL:
      ok = JSON_NODE_HOLDS_NULL (node) || is_value (node, G_TYPE_STRING);
      break;
    case KIND_INT:
      ok = is_value (node, G_TYPE_INT64);
      break;
    case KIND_NUMBER:
      ok = is_value (node, G_TYPE_INT64) || is_value (node, G_TYPE_DOUBLE);
      break;
    case KIND_BOOL:
    default:
      ok = is_value (node, G_TYPE_BOOLEAN);
      break;
    }
  if (!ok)
    {
      invalid (where, error);
      return NULL;
    }
  return json_node_copy (node);
}

/* A copy of @node with only @members, each of its kind. */
static JsonObject *
copy_object (JsonNode *node,
             const Member *members,
             const char *where,
             GError **error)
{
  g_autoptr(JsonObject) out = json_object_new ();
  g_autoptr(GList) names = NULL;
  JsonObject *in;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      invalid (where, error);
      return NULL;
    }
  in = json_node_get_object (node);
  names = json_object_get_members (in);
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *at = g_strdup_printf ("%s.%s", where, (const char *) l->data);
      const Member *m = members;
      JsonNode *value;

      while (m->name != NULL && !g_str_equal (m->name, l->data))
        m++;
      if (m->name == NULL)
        {
          invalid (at, error);
          return NULL;
        }
      value = copy_member (json_object_get_member (in, m->name), m->kind, at, error);
      if (value == NULL)
        return NULL;
      json_object_set_member (out, m->name, value);
    }
  return g_steal_pointer (&out);
}

static JsonObject *
normalize_record (JsonNode *node,
                  const char *where,
                  GError **error)
{
  JsonObject *record = copy_object (node, record_members, where, error);

  if (record == NULL)
    return NULL;
  /* 不開示/閲覧停止: the server keeps nothing it must not show. */
  if (json_object_has_member (record, "suppressed") && json_object_get_boolean_member (record, "suppressed"))
    {
      json_object_unref (record);
      record = json_object_new ();
      json_object_set_boolean_member (record, "suppressed", TRUE);
    }
  else
    json_object_set_boolean_member (record, "suppressed", FALSE);
  return record;
}

JsonNode *
mdg_server_records_normalize (JsonNode *root,
                              guint *n_records,
                              GError **error)
{
  g_autoptr(JsonArray) out = json_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *in;
  guint count = 0;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      invalid ("$", error);
      return NULL;
    }
  in = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (in); i++)
    {
      g_autofree char *at = g_strdup_printf ("$[%u]", i);
      JsonNode *node = json_array_get_element (in, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *resident = entry != NULL ? json_object_get_member (entry, "resident") : NULL;
      JsonNode *records = entry != NULL ? json_object_get_member (entry, "records") : NULL;
      JsonObject *item;
      JsonArray *list;
      JsonArray *in_list;

      if (resident == NULL || !is_value (resident, G_TYPE_STRING) || *json_node_get_string (resident) == '\0'
          || records == NULL || !JSON_NODE_HOLDS_ARRAY (records) || json_object_get_size (entry) != 2
          || !g_hash_table_add (seen, (gpointer) json_node_get_string (resident)))
        {
          invalid (at, error);
          return NULL;
        }
      item = json_object_new ();
      list = json_array_new ();
      json_object_set_string_member (item, "resident", json_node_get_string (resident));
      json_object_set_array_member (item, "records", list);
      json_array_add_object_element (out, item);
      in_list = json_node_get_array (records);
      for (guint j = 0; j < json_array_get_length (in_list); j++)
        {
          g_autofree char *rat = g_strdup_printf ("%s.records[%u]", at, j);
          JsonObject *record = normalize_record (json_array_get_element (in_list, j), rat, error);

          if (record == NULL)
            return NULL;
          json_array_add_object_element (list, record);
          count++;
        }
    }
  if (n_records != NULL)
    *n_records = count;
  return json_node_init_array (json_node_alloc (), out);
}
