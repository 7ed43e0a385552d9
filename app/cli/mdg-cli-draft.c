/* mdg-cli-draft.c: `madoguchi-cli draft save|list|show|delete` and
 * `madoguchi-cli data erase`: the encrypted local store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "mdg-app-error.h"
#include "mdg-cli-draft.h"
#include "mdg-cli-error.h"
#include "mdg-cli-store.h"
#include "mdg-cli-sync.h"
#include "mdg-store-key.h"
#include "mdg-store.h"

/* ---- draft --------------------------------------------------------------- */

static int
draft_save (const MdgCliGlobal *global,
            int argc,
            char **argv)
{
  g_auto(MdgCliStoreOptions) options = { 0 };
  g_autofree char *procedure = NULL;
  g_autofree char *in = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *id = NULL;
  gsize len = 0;
  int rc;
  GOptionEntry entries[] = {
    { "procedure", 0, 0, G_OPTION_ARG_STRING, &procedure, N_("The catalog procedure ID"),
      N_("ID") },
    { "in", 0, 0, G_OPTION_ARG_FILENAME, &in, N_("The application document (JSON)"),
      N_("FILE") },
    { NULL }
  };

  rc = mdg_cli_store_parse (_("— save a draft and print its ID"), NULL, entries, &options, &argc,
                      &argv, 0);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (procedure == NULL || in == NULL)
    return mdg_cli_usage_error (_("draft save needs --procedure and --in"));

  if (!g_file_get_contents (in, &contents, &len, &error))
    return mdg_cli_report_error (error, -1, -1);
  /* Only well-formed JSON is kept; the parser's message names no values. */
  if (!json_parser_load_from_data (parser, contents, (gssize) len, &error))
    return mdg_cli_usage_error (_("the document is not valid JSON: %s"), error->message);
  document = g_bytes_new_take (g_steal_pointer (&contents), len);

  store = mdg_cli_store_open (&options, TRUE, &error);
  if (store == NULL)
    return mdg_cli_report_error (error, -1, -1);

  id = mdg_store_draft_save (store, procedure, document, &error);
  if (id == NULL)
    return mdg_cli_report_error (error, -1, -1);

  g_print ("%s\n", id);
  return MDG_CLI_EXIT_OK;
}

static int
draft_list (const MdgCliGlobal *global,
            int argc,
            char **argv)
{
  g_auto(MdgCliStoreOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  int rc;

  rc = mdg_cli_store_open_to_list (_("— list the drafts (no personal data is shown)"), &options,
                                   &argc, &argv, &store);
  if (store == NULL)
    return rc;

  drafts = mdg_store_draft_list (store, &error);
  if (drafts == NULL)
    return mdg_cli_report_error (error, -1, -1);

  for (guint i = 0; i < drafts->len; i++)
    {
      MdgDraftInfo *info = drafts->pdata[i];
      g_autofree char *updated = mdg_cli_format_time (info->updated);

      g_print ("%s  %s  %s\n", info->id, updated, info->procedure);
    }

  return MDG_CLI_EXIT_OK;
}

static int
draft_show_or_delete (int argc,
                      char **argv,
                      gboolean delete)
{
  g_auto(MdgCliStoreOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  int rc;

  rc = mdg_cli_store_parse (delete ? _("ID — delete a draft") : _("ID — print a draft’s document"),
                      NULL, NULL, &options, &argc, &argv, 1);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;

  store = mdg_cli_store_open (&options, FALSE, &error);
  if (store == NULL)
    return mdg_cli_report_error (error, -1, -1);

  if (delete)
    {
      if (!mdg_store_draft_delete (store, argv[1], &error))
        return mdg_cli_report_error (error, -1, -1);
    }
  else
    {
      g_autoptr(GBytes) document = mdg_store_draft_load (store, argv[1], NULL, &error);
      gsize len = 0;
      const char *data;

      if (document == NULL)
        return mdg_cli_report_error (error, -1, -1);
      data = g_bytes_get_data (document, &len);
      if (fwrite (data, 1, len, stdout) != len)
        return MDG_CLI_EXIT_FAILED;
      if (len > 0 && data[len - 1] != '\n')
        g_print ("\n");
    }

  return MDG_CLI_EXIT_OK;
}

static int
draft_show (const MdgCliGlobal *global,
            int argc,
            char **argv)
{
  return draft_show_or_delete (argc, argv, FALSE);
}

static int
draft_delete (const MdgCliGlobal *global,
              int argc,
              char **argv)
{
  return draft_show_or_delete (argc, argv, TRUE);
}

static const MdgCliCommand draft_commands[] = {
  { "save", N_("Save a document as a new encrypted draft and print its ID"), draft_save },
  { "list", N_("List the drafts: ID, last change, procedure"), draft_list },
  { "show", N_("Print a draft’s document"), draft_show },
  { "delete", N_("Delete a draft"), draft_delete },
  { "correct", N_("Start a new draft from an application the municipality asked to correct"),
    mdg_cli_draft_correct_main },
};

int
mdg_cli_draft_main (const MdgCliGlobal *global,
                    int argc,
                    char **argv)
{
  return mdg_cli_run_subcommand (global, argc, argv, "draft", draft_commands,
                         G_N_ELEMENTS (draft_commands));
}

/* ---- data ---------------------------------------------------------------- */

static int
data_erase (const MdgCliGlobal *global,
            int argc,
            char **argv)
{
  g_auto(MdgCliStoreOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  int rc;

  rc = mdg_cli_store_parse (_("— delete all my data: destroy the data key, then the drafts"), NULL,
                      NULL, &options, &argc, &argv, 0);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;

  if (!mdg_store_erase_profile (mdg_cli_store_profile_dir (&options), &error))
    return mdg_cli_report_error (error, -1, -1);

  return MDG_CLI_EXIT_OK;
}

static const MdgCliCommand data_commands[] = {
  { "erase", N_("Delete all my data (crypto-erase: the key first, then the files)"), data_erase },
};

int
mdg_cli_data_main (const MdgCliGlobal *global,
                   int argc,
                   char **argv)
{
  return mdg_cli_run_subcommand (global, argc, argv, "data", data_commands,
                         G_N_ELEMENTS (data_commands));
}
