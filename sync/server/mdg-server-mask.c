/* mdg-server-mask.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mdg-server-mask.h"

/* The check digit of 個人番号 (総務省令第85号 第5条). */
gboolean
mdg_server_is_my_number (const char *text)
{
  int sum = 0;
  int check;

  if (text == NULL || strlen (text) != 12 || strspn (text, "0123456789") != 12)
    return FALSE;
  for (int n = 1; n <= 11; n++)
    {
      int p = text[11 - n] - '0';
      int q = n <= 6 ? n + 1 : n - 5;

      sum += p * q;
    }
  check = sum % 11 <= 1 ? 0 : 11 - sum % 11;
  return check == text[11] - '0';
}

static gboolean
is_my_number_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return strstr (lower, "my_number") != NULL || strstr (lower, "mynumber") != NULL
         || strstr (lower, "my-number") != NULL;
}

static guint mask_node (JsonNode *node, gboolean force);

static guint
mask_object (JsonObject *obj)
{
  g_autoptr(GList) names = json_object_get_members (obj);
  guint n = 0;

  for (GList *l = names; l != NULL; l = l->next)
    n += mask_node (json_object_get_member (obj, l->data), is_my_number_name (l->data));
  return n;
}

/* With @force every scalar below is a My Number (or its role's value). */
static guint
mask_node (JsonNode *node,
           gboolean force)
{
  guint n = 0;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return mask_object (json_node_get_object (node));
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          n += mask_node (json_array_get_element (array, i), force);
        return n;
      }
    case JSON_NODE_VALUE:
      if (force || (json_node_get_value_type (node) == G_TYPE_STRING
                    && mdg_server_is_my_number (json_node_get_string (node))))
        {
          json_node_set_string (node, MDG_SERVER_MASK);
          return 1;
        }
      return 0;
    case JSON_NODE_NULL:
    default:
      return 0;
    }
}

guint
mdg_server_mask_my_numbers (JsonNode *node)
{
  return node != NULL ? mask_node (node, FALSE) : 0;
}
