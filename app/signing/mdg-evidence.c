/* mdg-evidence.c: everything about one submission, in one ZIP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <zip.h>

#include "mdg-app-error.h"
#include "mdg-evidence.h"
#include "mdg-jcs.h"

static GBytes *
json_bytes (JsonNode *node,
            GError **error)
{
  return mdg_jcs_serialize (node, error);
}

gboolean
mdg_evidence_write (MdgEnvelope *envelope,
                    MdgVerifyReport *report,
                    GBytes *receipt,
                    const char *out_path,
                    GError **error)
{
  g_autoptr(JsonNode) report_json = mdg_verify_report_to_json (report);
  g_autofree char *report_text = mdg_verify_report_to_text (report);
  g_autoptr(JsonNode) parts = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) index = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  zip_t *za;
  int zerr = 0;

  json_node_set_array (parts, mdg_envelope_get_parts (envelope));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, MDG_EVIDENCE_FORMAT);
  json_builder_set_member_name (b, "format_version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "valid");
  json_builder_add_boolean_value (b, mdg_verify_report_is_valid (report));
  json_builder_set_member_name (b, "receipt");
  if (receipt != NULL)
    json_builder_add_string_value (b, "receipt.json");
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  index = json_builder_get_root (b);

#define ADD(name, bytes) G_STMT_START { \
    GBytes *_b = (bytes); \
    if (_b == NULL) return FALSE; \
    g_ptr_array_add (names, (gpointer) (name)); \
    g_ptr_array_add (contents, _b); \
  } G_STMT_END
  ADD ("evidence.json", json_bytes (index, error));
  ADD ("application.json", g_bytes_ref (mdg_envelope_get_document (envelope)));
  ADD ("application.p7s", g_bytes_ref (mdg_envelope_get_signature (envelope)));
  ADD ("attachments.json", json_bytes (parts, error));
  ADD ("verification.json", json_bytes (report_json, error));
  ADD ("verification.txt", g_bytes_new (report_text, strlen (report_text)));
  if (receipt != NULL)
    ADD ("receipt.json", g_bytes_ref (receipt));
#undef ADD

  za = zip_open (out_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (za == NULL)
    {
      g_autofree char *display = g_filename_display_name (out_path);

      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                   _("Cannot create “%s”."), display);
      return FALSE;
    }
  for (guint i = 0; i < names->len; i++)
    {
      GBytes *data = contents->pdata[i];
      zip_source_t *src = zip_source_buffer (za, g_bytes_get_data (data, NULL), g_bytes_get_size (data), 0);

      if (src == NULL || zip_file_add (za, names->pdata[i], src, ZIP_FL_ENC_UTF_8) < 0)
        {
          if (src != NULL)
            zip_source_free (src);
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                       _("The evidence pack could not be written: %s"), zip_strerror (za));
          zip_discard (za);
          return FALSE;
        }
    }
  if (zip_close (za) < 0)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                   _("The evidence pack could not be written: %s"), zip_strerror (za));
      zip_discard (za);
      return FALSE;
    }
  return TRUE;
}
