/* mdg-sim-state.c: the simulator's state file (test data only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "mdg-sim-card.h"
#include "mdg-sim-state.h"

gboolean
mdg_sim_state_load (const char *path,
                    MdgSimStatePin *pins,
                    guint n_pins,
                    GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *obj, *tries = NULL, *values = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_STATE,
                   _("State file %s: %s"), path, local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_STATE,
                   _("State file %s: not a JSON object"), path);
      return FALSE;
    }
  obj = json_node_get_object (root);
  if (json_object_has_member (obj, "tries"))
    tries = json_object_get_object_member (obj, "tries");
  if (json_object_has_member (obj, "pins"))
    values = json_object_get_object_member (obj, "pins");

  for (guint i = 0; i < n_pins; i++)
    {
      if (tries != NULL && json_object_has_member (tries, pins[i].name))
        {
          gint64 t = json_object_get_int_member (tries, pins[i].name);
          if (t < 0 || t > 15)
            {
              g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_STATE,
                           _("State file %s: bad counter for %s"), path, pins[i].name);
              return FALSE;
            }
          pins[i].tries = (gint) t;
        }
      if (values != NULL && json_object_has_member (values, pins[i].name))
        {
          const char *v = json_object_get_string_member (values, pins[i].name);
          if (v == NULL || *v == '\0' || strlen (v) > 16)
            {
              g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_STATE,
                           _("State file %s: bad PIN entry for %s"), path, pins[i].name);
              return FALSE;
            }
          if (pins[i].value != NULL)
            memset (pins[i].value, 0, strlen (pins[i].value));
          g_free (pins[i].value);
          pins[i].value = g_strdup (v);
          pins[i].changed = TRUE;
        }
    }
  return TRUE;
}

gboolean
mdg_sim_state_save (const char *path,
                    const MdgSimStatePin *pins,
                    guint n_pins,
                    GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *data = NULL;
  gsize len;
  gboolean ok;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "tries");
  json_builder_begin_object (b);
  for (guint i = 0; i < n_pins; i++)
    {
      json_builder_set_member_name (b, pins[i].name);
      json_builder_add_int_value (b, pins[i].tries);
    }
  json_builder_end_object (b);
  /* Only PINs changed on the card; the persona file has the rest. This is
   * fictional test data, never a real PIN. */
  json_builder_set_member_name (b, "pins");
  json_builder_begin_object (b);
  for (guint i = 0; i < n_pins; i++)
    if (pins[i].changed)
      {
        json_builder_set_member_name (b, pins[i].name);
        json_builder_add_string_value (b, pins[i].value);
      }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  data = json_generator_to_data (gen, &len);
  ok = g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
  if (!ok)
    g_prefix_error (error, _("State file: "));
  return ok;
}
