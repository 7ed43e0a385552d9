/* mdg-catalog-json.h: typed reads of catalog and bundle JSON
 *
 * json-glib's getters emit a critical for a member of another type; catalog
 * files and bundles come from outside, so every read goes through these,
 * which return NULL or the default instead. (Found by fuzz-catalog-bundle.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

static inline JsonNode *
mdg_json_member (JsonObject *object,
                 const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

static inline JsonObject *
mdg_json_object_member (JsonObject *object,
                        const char *name)
{
  JsonNode *node = mdg_json_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static inline JsonArray *
mdg_json_array_member (JsonObject *object,
                       const char *name)
{
  JsonNode *node = mdg_json_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static inline const char *
mdg_json_string_member (JsonObject *object,
                        const char *name,
                        const char *fallback)
{
  JsonNode *node = mdg_json_member (object, name);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node)
                                                                           : fallback;
}

/* Only a JSON integer counts: 1.5 or "1" give @fallback. */
static inline gint64
mdg_json_int_member (JsonObject *object,
                     const char *name,
                     gint64 fallback)
{
  JsonNode *node = mdg_json_member (object, name);

  return node != NULL && json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node)
                                                                          : fallback;
}

static inline JsonObject *
mdg_json_array_object (JsonArray *array,
                       guint index)
{
  JsonNode *node = array != NULL && index < json_array_get_length (array)
                     ? json_array_get_element (array, index) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static inline const char *
mdg_json_array_string (JsonArray *array,
                       guint index)
{
  JsonNode *node = array != NULL && index < json_array_get_length (array)
                     ? json_array_get_element (array, index) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node)
                                                                           : NULL;
}

G_END_DECLS
