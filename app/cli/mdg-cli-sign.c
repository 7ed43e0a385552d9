/* mdg-cli-sign.c: madoguchi-cli sign, verify and evidence
 *
 * sign builds the canonical document (attachments hashed while streaming),
 * signs it with the card's signature key and writes the envelope; verify
 * and evidence only read an envelope.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "madoguchi-card.h"
#include "mdg-app-error.h"
#include "mdg-application.h"
#include "mdg-cli-card-signer.h"
#include "mdg-cli-error.h"
#include "mdg-cli-pin-prompt.h"
#include "mdg-cli-sign.h"
#include "mdg-cms.h"
#include "mdg-envelope.h"
#include "mdg-evidence.h"
#include "mdg-form-schema.h"
#include "mdg-jcs.h"

/* Parses @entries; no positional argument beyond @max_args. */
static int
parse (const char *usage,
       const char *summary,
       GOptionEntry *entries,
       int *argc,
       char ***argv,
       int max_args)
{
  g_autoptr(GOptionContext) context = g_option_context_new (usage);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    return mdg_cli_usage_error ("%s", error->message);
  if (*argc - 1 > max_args)
    return mdg_cli_usage_error (_("unexpected argument “%s”"), (*argv)[max_args + 1]);
  return MDG_CLI_EXIT_OK;
}

static MdgTrustStore *
open_trust (const char *mode,
            const char *dir,
            GError **error)
{
  /* The simulator's PKI is made at build time and never installed: there
   * is no default to point at. */
  if (g_strcmp0 (mode, "test") == 0 && dir == NULL)
    {
      g_set_error (error, MDG_CLI_ERROR, MDG_CLI_ERROR_USAGE,
                   _("--trust test needs --trust-dir (the simulator's PKI directory)"));
      return NULL;
    }
  if (g_strcmp0 (mode, "test") == 0)
    return mdg_trust_store_new_test (dir, error);
  if (mode == NULL || g_strcmp0 (mode, "production") == 0)
    return mdg_trust_store_new_production (dir != NULL ? dir : PKGDATADIR "/trust", error);
  g_set_error (error, MDG_CLI_ERROR, MDG_CLI_ERROR_USAGE, _("--trust must be test or production"));
  return NULL;
}

/* Fills the document's attachments from the files: an entry whose name is
 * the file's gets its size and hash; FIELD=FILE adds an entry. */
static GPtrArray *
attach_files (JsonObject *root,
              char **specs,
              GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) mdg_envelope_file_free);
  JsonArray *atts;

  if (!json_object_has_member (root, "attachments"))
    json_object_set_array_member (root, "attachments", json_array_new ());
  atts = json_object_get_array_member (root, "attachments");
  if (atts == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT, _("“attachments” must be an array."));
      return NULL;
    }
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      const char *eq = strchr (specs[i], '=');
      g_autofree char *field = eq ? g_strndup (specs[i], eq - specs[i]) : NULL;
      const char *path = eq ? eq + 1 : specs[i];
      g_autofree char *name = g_path_get_basename (path);
      g_autofree char *guessed = g_content_type_guess (path, NULL, 0, NULL);
      g_autofree char *mime = g_content_type_get_mime_type (guessed);
      JsonObject *entry = NULL;
      MdgEnvelopeFile *file;

      for (guint j = 0; entry == NULL && j < json_array_get_length (atts); j++)
        {
          JsonObject *candidate = json_array_get_object_element (atts, j);

          if (candidate != NULL
              && g_strcmp0 (json_object_get_string_member_with_default (candidate, "name", NULL), name) == 0)
            entry = candidate;
        }
      if (entry == NULL && field == NULL)
        {
          g_set_error (error, MDG_CLI_ERROR, MDG_CLI_ERROR_USAGE,
                       _("the document lists no attachment “%s”: use --attach FIELD=FILE"), name);
          return NULL;
        }
      if (entry == NULL)
        {
          entry = json_object_new ();
          json_object_set_string_member (entry, "field", field);
          json_object_set_string_member (entry, "name", name);
          json_object_set_string_member (entry, "media_type", mime != NULL ? mime : "application/octet-stream");
          json_array_add_object_element (atts, entry);
        }
      file = mdg_envelope_file_new (path, name, json_object_get_string_member (entry, "media_type"), error);
      if (file == NULL)
        return NULL;
      json_object_set_int_member (entry, "size", file->size);
      json_object_set_string_member (entry, "sha256", file->sha256);
      g_ptr_array_add (files, file);
    }
  if (files->len != json_array_get_length (atts))
    {
      g_set_error (error, MDG_CLI_ERROR, MDG_CLI_ERROR_USAGE,
                   _("every attachment the document lists needs its file (--attach)"));
      return NULL;
    }
  return g_steal_pointer (&files);
}

int
mdg_cli_sign_main (const MdgCliGlobal *global,
                   int argc,
                   char **argv)
{
  g_autofree char *procedure = NULL;
  g_autofree char *in_path = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *catalog = NULL;
  g_auto(GStrv) attach = NULL;
  gint pin_fd = -1;
  gboolean confirm_last_try = FALSE;
  GOptionEntry entries[] = {
    { "procedure", 0, 0, G_OPTION_ARG_STRING, &procedure, N_("The catalog procedure"), N_("ID") },
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in_path, N_("The application document (JSON)"), N_("DOC.json") },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &attach,
      N_("An attachment; FIELD= when the document does not list it yet"), N_("[FIELD=]FILE") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, N_("The envelope to write"), N_("ENVELOPE") },
    { "catalog", 0, 0, G_OPTION_ARG_FILENAME, &catalog, N_("The catalog directory"), N_("DIR") },
    { "pin-fd", 0, 0, G_OPTION_ARG_INT, &pin_fd,
      N_("Read the signature password from this file descriptor instead of the terminal"), N_("FD") },
    { "confirm-last-try", 0, 0, G_OPTION_ARG_NONE, &confirm_last_try,
      N_("Allow the attempt when only one try is left"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(MdgApplication) doc = NULL;
  g_autoptr(MdgFormSchema) schema = NULL;
  g_autoptr(MdgSigner) signer = NULL;
  g_autoptr(GBytes) cms = NULL;
  int exit_code;

  exit_code = parse ("sign --procedure ID --in DOC.json [--attach FILE]... --out ENVELOPE [--confirm-last-try]",
                     _("Sign an application with the card's signature key and write its envelope."),
                     entries, &argc, &argv, 0);
  if (exit_code != MDG_CLI_EXIT_OK)
    return exit_code;
  if (procedure == NULL || in_path == NULL || out_path == NULL)
    return mdg_cli_usage_error (_("sign needs --procedure, --in and --out"));
  if (pin_fd < -1)
    return mdg_cli_usage_error (_("--pin-fd needs a file descriptor"));

  if (!g_file_get_contents (in_path, &data, &len, &error)
      || (root = mdg_jcs_parse (data, (gssize) len, &error)) == NULL)
    return mdg_cli_report_error (error, -1, -1);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (&error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT, _("The document is not a JSON object."));
      return mdg_cli_report_error (error, -1, -1);
    }
  files = attach_files (json_node_get_object (root), attach, &error);
  if (files == NULL)
    return mdg_cli_report_error (error, -1, -1);
  doc = mdg_application_new_from_json (root, &error);
  if (doc == NULL)
    return mdg_cli_report_error (error, -1, -1);
  if (g_strcmp0 (mdg_application_get_procedure_id (doc), procedure) != 0)
    return mdg_cli_usage_error (_("the document is for another procedure than --procedure"));
  schema = mdg_form_schema_new_from_catalog (catalog != NULL ? catalog : PKGDATADIR "/catalog", procedure, &error);
  if (schema == NULL || !mdg_form_schema_validate (schema, doc, &error))
    return mdg_cli_report_error (error, -1, -1);

  signer = mdg_cli_card_signer_open (global, pin_fd, MDG_JPKI_KEY_SIGN, confirm_last_try, &exit_code);
  if (signer == NULL)
    return exit_code;
  cms = mdg_cms_sign_detached (signer, mdg_application_get_canonical (doc), NULL, &error);
  if (cms == NULL)
    return mdg_cli_card_signer_report (signer, error);
  if (!mdg_envelope_write (out_path, mdg_application_get_canonical (doc), cms, files, &error))
    return mdg_cli_report_error (error, -1, -1);
  return MDG_CLI_EXIT_OK;
}

/* Opens and verifies @path; the exit code on failure. */
static int
open_and_verify (const char *path,
                 const char *trust_mode,
                 const char *trust_dir,
                 MdgEnvelope **envelope_out,
                 MdgVerifyReport **report_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgTrustStore) trust = open_trust (trust_mode, trust_dir, &error);

  if (trust == NULL)
    return mdg_cli_report_error (error, -1, -1);
  *envelope_out = mdg_envelope_open (path, &error);
  if (*envelope_out == NULL)
    return mdg_cli_report_error (error, -1, -1);
  *report_out = mdg_envelope_verify (*envelope_out, trust, NULL, &error);
  if (*report_out == NULL)
    return mdg_cli_report_error (error, -1, -1);
  return MDG_CLI_EXIT_OK;
}

int
mdg_cli_verify_main (const MdgCliGlobal *global,
                     int argc,
                     char **argv)
{
  g_autofree char *trust_mode = NULL;
  g_autofree char *trust_dir = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "trust", 0, 0, G_OPTION_ARG_STRING, &trust_mode,
      N_("Trust anchors: production (J-LIS roots, the default) or test (the simulator's)"), N_("test|production") },
    { "trust-dir", 0, 0, G_OPTION_ARG_FILENAME, &trust_dir, N_("Where the trust anchors are"), N_("DIR") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the report as JSON"), NULL },
    { NULL }
  };
  g_autoptr(MdgEnvelope) envelope = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  int exit_code;

  exit_code = parse ("verify ENVELOPE [--trust test|production] [--json]",
                     _("Verify an envelope; exits with 0 only when the signature is valid."),
                     entries, &argc, &argv, 1);
  if (exit_code != MDG_CLI_EXIT_OK)
    return exit_code;
  if (argc != 2)
    return mdg_cli_usage_error (_("verify needs an envelope"));
  exit_code = open_and_verify (argv[1], trust_mode, trust_dir, &envelope, &report);
  if (exit_code != MDG_CLI_EXIT_OK)
    return exit_code;
  if (json)
    {
      g_autoptr(JsonNode) node = mdg_verify_report_to_json (report);
      g_autofree char *text = json_to_string (node, TRUE);

      g_print ("%s\n", text);
    }
  else
    {
      g_autofree char *text = mdg_verify_report_to_text (report);

      g_print ("%s", text);
    }
  return mdg_verify_report_is_valid (report) ? MDG_CLI_EXIT_OK : MDG_CLI_EXIT_CARD_DATA;
}

int
mdg_cli_evidence_main (const MdgCliGlobal *global,
                       int argc,
                       char **argv)
{
  g_autofree char *trust_mode = NULL;
  g_autofree char *trust_dir = NULL;
  g_autofree char *out_path = NULL;
  GOptionEntry entries[] = {
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_path, N_("The evidence pack to write"), N_("FILE") },
    { "trust", 0, 0, G_OPTION_ARG_STRING, &trust_mode,
      N_("Trust anchors: production (J-LIS roots, the default) or test (the simulator's)"), N_("test|production") },
    { "trust-dir", 0, 0, G_OPTION_ARG_FILENAME, &trust_dir, N_("Where the trust anchors are"), N_("DIR") },
    { NULL }
  };
  g_autoptr(MdgEnvelope) envelope = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code;

  exit_code = parse ("evidence ENVELOPE --out FILE",
                     _("Write the evidence pack of an envelope: document, signature, hashes and verification report."),
                     entries, &argc, &argv, 1);
  if (exit_code != MDG_CLI_EXIT_OK)
    return exit_code;
  if (argc != 2 || out_path == NULL)
    return mdg_cli_usage_error (_("evidence needs an envelope and --out"));
  exit_code = open_and_verify (argv[1], trust_mode, trust_dir, &envelope, &report);
  if (exit_code != MDG_CLI_EXIT_OK)
    return exit_code;
  if (!mdg_evidence_write (envelope, report, NULL, out_path, &error))
    return mdg_cli_report_error (error, -1, -1);
  return MDG_CLI_EXIT_OK;
}
