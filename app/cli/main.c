/* main.c: madoguchi-cli, the command line of Madoguchi
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n-lib.h>

#include "mdg-cli.h"
#include "mdg-cli-card.h"
#include "mdg-cli-draft.h"
#include "mdg-cli-catalog.h"
#include "mdg-cli-sign.h"
#include "mdg-cli-sync.h"
#include "mdg-cli-error.h"

static const MdgCliCommand commands[] = {
  { "card", N_("Use the My Number card: readers, status, certificates, PINs, signatures"),
    mdg_cli_card_main },
  { "draft", N_("Encrypted drafts: save, list, show, delete"), mdg_cli_draft_main },
  { "data", N_("Your data on this device: erase"), mdg_cli_data_main },
  { "catalog", N_("The procedure catalog: list, show, and signed catalog bundles"),
    mdg_cli_catalog_main },
  { "eligibility", N_("Pre-screen eligibility for a program, with reasons (guidance only)"),
    mdg_cli_eligibility_main },
  { "form", N_("Check application documents against their forms"),
    mdg_cli_form_main },
  { "sign", N_("Sign an application and write its envelope"), mdg_cli_sign_main },
  { "verify", N_("Verify a signed envelope"), mdg_cli_verify_main },
  { "evidence", N_("Write the evidence pack of a signed envelope"), mdg_cli_evidence_main },
  { "outbox", N_("Signed envelopes waiting to be sent: add, list, delete"), mdg_cli_outbox_main },
  { "sync", N_("Send the outbox to the municipality and fetch your applications’ status"),
    mdg_cli_sync_main },
  { "status", N_("Show your applications’ status as last fetched"), mdg_cli_status_main },
  { "records", N_("Show your subsidy records as last fetched"), mdg_cli_records_main },
};

static char *
commands_description (void)
{
  GString *text = g_string_new (_("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "\n  %-8s %s", commands[i].name, _(commands[i].summary));
  g_string_append_c (text, '\n');
  g_string_append (text, _("Run “madoguchi-cli COMMAND --help” for the options of a command."));

  return g_string_free (text, FALSE);
}

int
main (int argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reader = NULL;
  g_autofree char *description = NULL;
  gboolean version = FALSE;
  MdgCliGlobal global = { 0 };
  const GOptionEntry entries[] = {
    { "reader", 'r', 0, G_OPTION_ARG_STRING, &reader,
      N_("Use the card reader NAME (default: the first reader with a card)"), N_("NAME") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* MADOGUCHI_LOCALEDIR lets tests use the catalogue of the build tree. */
  bindtextdomain (GETTEXT_PACKAGE,
                  g_getenv ("MADOGUCHI_LOCALEDIR") != NULL ? g_getenv ("MADOGUCHI_LOCALEDIR")
                                                           : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("madoguchi-cli");

  description = commands_description ();
  context = g_option_context_new (_("COMMAND [ARGUMENT…]"));
  g_option_context_set_summary (context, _("Madoguchi on the command line."));
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* Stop at the command word: the rest belongs to the command. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return mdg_cli_usage_error ("%s", error->message);

  if (version)
    {
      g_print ("madoguchi-cli %s\n", PACKAGE_VERSION);
      return MDG_CLI_EXIT_OK;
    }

  if (argc < 2)
    return mdg_cli_usage_error (_("no command given; run “madoguchi-cli --help”"));

  global.reader = reader;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        return commands[i].run (&global, argc - 1, argv + 1);
    }

  return mdg_cli_usage_error (_("unknown command “%s”; run “madoguchi-cli --help”"), argv[1]);
}
