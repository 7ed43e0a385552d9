/* mdg-cli-catalog.c: `madoguchi-cli catalog …`, `eligibility` and
 * `form validate`: the procedure catalog, the eligibility pre-screen and
 * application documents checked against their forms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/x509.h>

#include "mdg-app-error.h"
#include "mdg-catalog-bundle.h"
#include "mdg-catalog.h"
#include "mdg-cli-catalog.h"
#include "mdg-cli-error.h"
#include "mdg-jcs.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)

/* Where the catalog comes from; every command takes these options. */
typedef struct
{
  char *catalog_dir;  /* an unsigned data/catalog directory */
  char *bundle;       /* one bundle file */
  char *publisher;    /* the publisher certificate */
  char *store_dir;    /* where updates are installed */
} SourceOptions;

static void
source_options_clear (SourceOptions *options)
{
  g_free (options->catalog_dir);
  g_free (options->bundle);
  g_free (options->publisher);
  g_free (options->store_dir);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SourceOptions, source_options_clear)

/* The bundle and publisher certificate shipped with the app;
 * MADOGUCHI_CATALOG_SHIPPED_DIR lets tests use those of the build tree. */
static char *
shipped_path (const char *name)
{
  const char *dir = g_getenv ("MADOGUCHI_CATALOG_SHIPPED_DIR");

  if (dir != NULL)
    return g_build_filename (dir, name, NULL);
  return g_build_filename (PKGDATADIR, "catalog", name, NULL);
}

static char *
default_store_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "madoguchi", "catalog", NULL);
}

static X509 *
load_publisher (const SourceOptions *options,
                GError **error)
{
  g_autofree char *path = options->publisher != NULL ? g_strdup (options->publisher)
                                                      : shipped_path ("publisher.pem");

  return mdg_catalog_publisher_load (path, error);
}

static MdgCatalog *
open_catalog (const SourceOptions *options,
              GError **error)
{
  g_autoptr(X509) publisher = NULL;
  g_autoptr(MdgCatalogBundle) bundle = NULL;

  if (options->catalog_dir != NULL)
    return mdg_catalog_new_from_directory (options->catalog_dir, error);

  publisher = load_publisher (options, error);
  if (publisher == NULL)
    return NULL;

  if (options->bundle != NULL)
    {
      g_autoptr(GMappedFile) file = g_mapped_file_new (options->bundle, FALSE, error);
      g_autoptr(GBytes) bytes = NULL;

      if (file == NULL)
        return NULL;
      bytes = g_mapped_file_get_bytes (file);
      bundle = mdg_catalog_bundle_verify (bytes, publisher, error);
    }
  else
    {
      g_autofree char *store = options->store_dir != NULL ? g_strdup (options->store_dir)
                                                          : default_store_dir ();
      g_autofree char *shipped = shipped_path (MDG_CATALOG_BUNDLE_FILE);

      bundle = mdg_catalog_bundle_open_current (store, shipped, publisher, error);
    }
  if (bundle == NULL)
    return NULL;
  return mdg_catalog_bundle_load (bundle, error);
}

static const char *
user_lang (void)
{
  const char * const *names = g_get_language_names ();

  return names[0] != NULL && g_str_has_prefix (names[0], "ja") ? "ja" : "en";
}

/* Parses options; @argv[0] is the subcommand word, at most @max_args
 * positional arguments may follow. */
static int
parse_options (const char *usage,
               const char *summary,
               const GOptionEntry *entries,
               SourceOptions *source,
               int *argc,
               char ***argv,
               int max_args)
{
  g_autoptr(GOptionContext) context = g_option_context_new (usage);
  g_autoptr(GError) error = NULL;
  const GOptionEntry source_entries[] = {
    { "catalog-dir", 0, 0, G_OPTION_ARG_FILENAME, &source->catalog_dir,
      N_("Read the unsigned catalog in DIR (development)"), N_("DIR") },
    { "bundle", 0, 0, G_OPTION_ARG_FILENAME, &source->bundle,
      N_("Use the signed catalog bundle FILE"), N_("FILE") },
    { "publisher", 0, 0, G_OPTION_ARG_FILENAME, &source->publisher,
      N_("Verify bundles against the publisher certificate CERT"), N_("CERT") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &source->store_dir,
      N_("Install and look for catalog updates in DIR"), N_("DIR") },
    { NULL }
  };

  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, source_entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    return mdg_cli_usage_error ("%s", error->message);
  if (*argc - 1 > max_args)
    return mdg_cli_usage_error (_("unexpected argument “%s”"), (*argv)[max_args + 1]);
  return MDG_CLI_EXIT_OK;
}

static gboolean
parse_date_option (const char *text,
                   MdgCivilDate *out)
{
  if (text == NULL)
    {
      *out = mdg_civil_date_today ();
      return TRUE;
    }
  return mdg_civil_date_parse (text, out) && g_utf8_strlen (text, -1) == 10;
}

/* The municipality's card term valid at @date replaces {card_term}. */
static char *
expand_card_term (MdgCatalog *catalog,
                  const char *municipality,
                  const char *program,
                  const char *text,
                  MdgCivilDate date)
{
  JsonObject *m = mdg_catalog_lookup_municipality (catalog, municipality);
  JsonArray *programs = m != NULL ? json_object_get_array_member (m, "programs") : NULL;
  const char *term = NULL;

  if (text == NULL)
    return NULL;
  for (guint i = 0; programs != NULL && i < json_array_get_length (programs); i++)
    {
      JsonObject *p = json_array_get_object_element (programs, i);
      JsonArray *terms;

      if (g_strcmp0 (json_object_get_string_member_with_default (p, "program", NULL), program) != 0
          || !json_object_has_member (p, "card_term"))
        continue;
      terms = json_object_get_array_member (p, "card_term");
      for (guint j = 0; terms != NULL && j < json_array_get_length (terms); j++)
        {
          JsonObject *t = json_array_get_object_element (terms, j);
          MdgCivilDate from = 0, to = MDG_CIVIL_DATE_MAX;
          const char *to_text = json_object_get_string_member_with_default (t, "effective_to", NULL);

          mdg_civil_date_parse (json_object_get_string_member_with_default (t, "effective_from", NULL), &from);
          if (to_text != NULL)
            mdg_civil_date_parse (to_text, &to);
          if (from <= date && date <= to)
            term = mdg_catalog_text (t, "term", user_lang ());
        }
    }
  if (term == NULL)
    return g_strdup (text);
  {
    g_auto(GStrv) parts = g_strsplit (text, "{card_term}", -1);

    return g_strjoinv (term, parts);
  }
}

/* ---- catalog list / show ---------------------------------------------------- */

static int
catalog_list (const MdgCliGlobal *global,
              int argc,
              char **argv)
{
  g_auto(SourceOptions) source = { 0 };
  g_autofree char *municipality = NULL;
  g_autoptr(MdgCatalog) catalog = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *date_text = NULL;
  const char *lang = user_lang ();
  MdgCivilDate today;
  GPtrArray *procedures;
  int rc;
  const GOptionEntry entries[] = {
    { "municipality", 'm', 0, G_OPTION_ARG_STRING, &municipality,
      N_("Only the procedures of municipality CODE"), N_("CODE") },
    { "date", 'd', 0, G_OPTION_ARG_STRING, &date_text,
      N_("Name things as on DATE (default: today)"), N_("YYYY-MM-DD") },
    { NULL }
  };

  rc = parse_options ("", _("List the procedures of the catalog."), entries, &source,
                      &argc, &argv, 0);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (!parse_date_option (date_text, &today))
    return mdg_cli_usage_error (_("--date needs a date as YYYY-MM-DD"));
  catalog = open_catalog (&source, &error);
  if (catalog == NULL)
    return mdg_cli_report_error (error, -1, -1);
  if (municipality != NULL && mdg_catalog_lookup_municipality (catalog, municipality) == NULL)
    return mdg_cli_usage_error (_("municipality “%s” is not in the catalog"), municipality);

  procedures = mdg_catalog_get_procedures (catalog);
  for (guint i = 0; i < procedures->len; i++)
    {
      JsonObject *procedure = procedures->pdata[i];
      const char *id = json_object_get_string_member (procedure, "id");
      const char *code = NULL;
      g_autofree char *name = NULL;
      JsonObject *m;

      mdg_catalog_lookup_procedure (catalog, id, &code);
      if (municipality != NULL && g_strcmp0 (code, municipality) != 0)
        continue;
      m = mdg_catalog_lookup_municipality (catalog, code);
      name = expand_card_term (catalog, code, mdg_catalog_get_procedure_program (catalog, id),
                               mdg_catalog_text (procedure, "name", lang), today);
      if (name == NULL)
        name = g_strdup (mdg_catalog_text (procedure, "name", lang));
      g_print ("%s\t%s\t%s\n", id, mdg_catalog_text (m, "name", lang), name);
    }
  return MDG_CLI_EXIT_OK;
}

static void
print_text_line (const char *label,
                 const char *value)
{
  if (value != NULL)
    g_print ("%-16s %s\n", label, value);
}

static int
catalog_show (const MdgCliGlobal *global,
              int argc,
              char **argv)
{
  g_auto(SourceOptions) source = { 0 };
  g_autoptr(MdgCatalog) catalog = NULL;
  g_autoptr(GError) error = NULL;
  gboolean json = FALSE;
  const char *lang = user_lang ();
  const char *code = NULL;
  const char *program_id = NULL;
  JsonObject *procedure, *program = NULL;
  MdgCivilDate today;
  g_autofree char *date_text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  JsonArray *array;
  int rc;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the catalog entry as JSON"), NULL },
    { "date", 'd', 0, G_OPTION_ARG_STRING, &date_text,
      N_("Name things as on DATE (default: today)"), N_("YYYY-MM-DD") },
    { NULL }
  };

  rc = parse_options (_("PROCEDURE"), _("Show one procedure of the catalog."), entries, &source,
                      &argc, &argv, 1);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (!parse_date_option (date_text, &today))
    return mdg_cli_usage_error (_("--date needs a date as YYYY-MM-DD"));
  if (argc < 2)
    return mdg_cli_usage_error (_("catalog show needs a procedure id"));
  catalog = open_catalog (&source, &error);
  if (catalog == NULL)
    return mdg_cli_report_error (error, -1, -1);
  procedure = mdg_catalog_lookup_procedure (catalog, argv[1], &code);
  if (procedure == NULL)
    {
      g_set_error (&error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG,
                   _("Procedure “%s” is not in the catalog."), argv[1]);
      return mdg_cli_report_error (error, -1, -1);
    }
  if (json)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), procedure);
      g_autofree char *text = json_to_string (node, TRUE);

      g_print ("%s\n", text);
      return MDG_CLI_EXIT_OK;
    }

  program_id = mdg_catalog_get_procedure_program (catalog, argv[1]);
  program = mdg_catalog_lookup_program (catalog, program_id);
  name = expand_card_term (catalog, code, program_id, mdg_catalog_text (procedure, "name", lang), today);
  description = expand_card_term (catalog, code, program_id,
                                  mdg_catalog_text (procedure, "description", lang), today);

  print_text_line (_("Procedure:"), argv[1]);
  print_text_line (_("Name:"), name);
  print_text_line (_("Municipality:"),
                   mdg_catalog_text (mdg_catalog_lookup_municipality (catalog, code), "name", lang));
  print_text_line (_("Program:"), program != NULL ? mdg_catalog_text (program, "name", lang) : NULL);
  print_text_line (_("Kind:"), json_object_get_string_member_with_default (procedure, "kind", NULL));
  print_text_line (_("Form:"), json_object_get_string_member_with_default (procedure, "form", NULL));
  print_text_line (_("Status model:"),
                   json_object_get_string_member_with_default (procedure, "status_model", NULL));
  print_text_line (_("Description:"), description);

  array = json_object_has_member (procedure, "my_numbers")
            ? json_object_get_array_member (procedure, "my_numbers") : NULL;
  if (array == NULL || json_array_get_length (array) == 0)
    print_text_line (_("My Numbers:"), _("none (this procedure carries no My Number)"));
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    print_text_line (_("My Numbers:"),
                     json_object_get_string_member_with_default (json_array_get_object_element (array, i),
                                                                 "role", "?"));

  array = json_object_has_member (procedure, "legal_basis")
            ? json_object_get_array_member (procedure, "legal_basis") : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      const char *basis = json_array_get_string_element (array, i);
      MdgRuleSet *rules = mdg_catalog_get_program_rules (catalog, program_id);
      const char *title = rules != NULL && basis != NULL
                            ? mdg_rule_set_get_legal_basis_title (rules, basis, today, lang) : NULL;

      print_text_line (_("Legal basis:"), title != NULL ? title : basis);
    }

  array = json_object_has_member (procedure, "attachments")
            ? json_object_get_array_member (procedure, "attachments") : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *a = json_array_get_object_element (array, i);

      print_text_line (_("Attachment:"), mdg_catalog_text (a, "name", lang));
    }
  return MDG_CLI_EXIT_OK;
}

/* ---- catalog bundle / verify / install -------------------------------------- */

static int
catalog_bundle (const MdgCliGlobal *global,
                int argc,
                char **argv)
{
  g_auto(SourceOptions) source = { 0 };
  g_autofree char *key = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *out = NULL;
  gint64 version = 0;
  g_autoptr(GBytes) bundle = NULL;
  g_autoptr(GError) error = NULL;
  int rc;
  const GOptionEntry entries[] = {
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, N_("The publisher's private key (PEM)"), N_("KEY") },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, N_("The publisher's certificate (PEM)"), N_("CERT") },
    { "version", 0, 0, G_OPTION_ARG_INT64, &version, N_("The bundle version, 1 or more"), N_("N") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Write the bundle to FILE"), N_("FILE") },
    { NULL }
  };

  rc = parse_options ("", _("Sign the catalog in --catalog-dir as a versioned bundle."), entries,
                      &source, &argc, &argv, 0);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (source.catalog_dir == NULL || key == NULL || cert == NULL || out == NULL || version < 1)
    return mdg_cli_usage_error (_("catalog bundle needs --catalog-dir, --key, --cert, --version and --out"));

  bundle = mdg_catalog_bundle_create (source.catalog_dir, (guint64) version, key, cert, &error);
  if (bundle == NULL
      || !g_file_set_contents (out, g_bytes_get_data (bundle, NULL), (gssize) g_bytes_get_size (bundle),
                               &error))
    return mdg_cli_report_error (error, -1, -1);
  return MDG_CLI_EXIT_OK;
}

static MdgCatalogBundle *
verify_bundle_file (const SourceOptions *source,
                    const char *path,
                    GBytes **data_out,
                    GError **error)
{
  g_autoptr(X509) publisher = load_publisher (source, error);
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) data = NULL;
  MdgCatalogBundle *bundle;

  if (publisher == NULL)
    return NULL;
  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return NULL;
  data = g_mapped_file_get_bytes (file);
  if (data_out != NULL)
    {
      *data_out = g_bytes_ref (data);
      return mdg_catalog_bundle_install (source->store_dir, data, publisher, error);
    }
  bundle = mdg_catalog_bundle_verify (data, publisher, error);
  return bundle;
}

static int
catalog_verify_or_install (int argc,
                           char **argv,
                           gboolean install)
{
  g_auto(SourceOptions) source = { 0 };
  g_autoptr(MdgCatalogBundle) bundle = NULL;
  g_autoptr(MdgCatalog) catalog = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  rc = parse_options (_("FILE"),
                      install ? _("Verify a catalog bundle and install it atomically.")
                              : _("Verify a catalog bundle and the catalog it carries."),
                      NULL, &source, &argc, &argv, 1);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (argc < 2)
    return mdg_cli_usage_error (_("a bundle file is needed"));
  if (install && source.store_dir == NULL)
    source.store_dir = default_store_dir ();

  bundle = verify_bundle_file (&source, argv[1], install ? &data : NULL, &error);
  if (bundle != NULL)
    catalog = mdg_catalog_bundle_load (bundle, &error);
  if (catalog == NULL)
    return mdg_cli_report_error (error, -1, -1);

  g_print (install ? _("Installed catalog version %llu.\n")
                   : _("Catalog version %llu verified.\n"),
           (unsigned long long) mdg_catalog_bundle_get_version (bundle));
  return MDG_CLI_EXIT_OK;
}

static int
catalog_verify (const MdgCliGlobal *global,
                int argc,
                char **argv)
{
  return catalog_verify_or_install (argc, argv, FALSE);
}

static int
catalog_install (const MdgCliGlobal *global,
                 int argc,
                 char **argv)
{
  return catalog_verify_or_install (argc, argv, TRUE);
}

static const MdgCliCommand catalog_commands[] = {
  { "list", N_("List procedures, optionally of one municipality"), catalog_list },
  { "show", N_("Show one procedure"), catalog_show },
  { "bundle", N_("Sign a catalog directory as a versioned bundle"), catalog_bundle },
  { "verify", N_("Verify a catalog bundle"), catalog_verify },
  { "install", N_("Verify and install a newer catalog bundle"), catalog_install },
};

static int
dispatch (const char *word,
          const MdgCliCommand *commands,
          guint n_commands,
          const MdgCliGlobal *global,
          int argc,
          char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      g_autofree char *usage = g_strdup_printf (_("Usage: madoguchi-cli %s SUBCOMMAND [OPTION…]"), word);

      g_print ("%s\n\n%s\n", usage, _("Subcommands:"));
      for (guint i = 0; i < n_commands; i++)
        g_print ("  %-8s %s\n", commands[i].name, _(commands[i].summary));
      return argc < 2 ? MDG_CLI_EXIT_USAGE : MDG_CLI_EXIT_OK;
    }
  for (guint i = 0; i < n_commands; i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        return commands[i].run (global, argc - 1, argv + 1);
    }
  return mdg_cli_usage_error (_("unknown %s subcommand “%s”"), word, argv[1]);
}

int
mdg_cli_catalog_main (const MdgCliGlobal *global,
                      int argc,
                      char **argv)
{
  return dispatch ("catalog", catalog_commands, G_N_ELEMENTS (catalog_commands), global, argc, argv);
}

/* ---- eligibility ------------------------------------------------------------- */

static gboolean
load_facts_file (MdgCatalog *catalog,
                 const char *path,
                 MdgFacts *facts,
                 guint32 *prefilled,
                 GError **error)
{
  g_autofree char *data = NULL;
  gboolean ok;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, error))
    return FALSE;
  ok = mdg_catalog_load_facts (catalog, data, len, facts, prefilled, error);
  /* the file may hold a date of birth and an address: wipe our copy */
  memset (data, 0, len);
  return ok;
}

static void
print_result (MdgRuleSet *rules,
              const MdgEligibilityResult *result)
{
  const char *lang = user_lang ();
  const char *outcome;

  switch (result->outcome)
    {
    case MDG_ELIGIBILITY_ELIGIBLE:
      outcome = _("likely eligible");
      break;
    case MDG_ELIGIBILITY_NOT_ELIGIBLE:
      outcome = _("likely not eligible");
      break;
    case MDG_ELIGIBILITY_ASK_OFFICE:
    default:
      outcome = _("ask the office");
      break;
    }
  g_print ("%s: %s\n", mdg_rule_set_get_id (rules), outcome);
  if (result->is_default)
    g_print ("  - %s\n", mdg_rule_set_get_default_reason (rules, lang));
  for (guint i = 0; i < mdg_rule_set_get_n_rules (rules); i++)
    {
      gboolean fired = (result->fired >> i) & 1;
      gboolean unknown = (result->unknown >> i) & 1;
      const char *reason;
      const char * const *bases;

      if (!fired && !unknown)
        continue;
      reason = mdg_rule_set_get_rule_reason (rules, i, unknown, lang);
      g_print ("  - %s\n", reason != NULL ? reason
                                          : _("Some answers are missing, so this cannot be judged."));
      bases = mdg_rule_set_get_rule_legal_basis (rules, i);
      for (guint j = 0; bases[j] != NULL; j++)
        {
          const char *title = mdg_rule_set_get_legal_basis_title (rules, bases[j], result->date, lang);

          g_print ("    %s %s\n", _("Legal basis:"), title != NULL ? title : bases[j]);
        }
    }
  for (guint f = 0; f < MDG_N_FACTS; f++)
    {
      if (result->missing & (1u << f))
        g_print ("  %s %s\n", _("Missing answer:"), mdg_fact_get_name ((MdgFact) f));
    }
}

int
mdg_cli_eligibility_main (const MdgCliGlobal *global,
                          int argc,
                          char **argv)
{
  g_auto(SourceOptions) source = { 0 };
  g_autofree char *program = NULL;
  g_autofree char *procedure = NULL;
  g_autofree char *facts_path = NULL;
  g_autofree char *date_text = NULL;
  gboolean json = FALSE;
  g_autoptr(MdgCatalog) catalog = NULL;
  g_autoptr(GError) error = NULL;
  MdgFacts facts = MDG_FACTS_INIT;
  MdgEligibilityResult result;
  MdgCivilDate date;
  guint32 prefilled = 0;
  GPtrArray *sets = NULL;
  int rc;
  const GOptionEntry entries[] = {
    { "program", 'p', 0, G_OPTION_ARG_STRING, &program, N_("Check membership of program ID"), N_("ID") },
    { "procedure", 0, 0, G_OPTION_ARG_STRING, &procedure,
      N_("Also check who may use procedure ID"), N_("ID") },
    { "facts", 'f', 0, G_OPTION_ARG_FILENAME, &facts_path, N_("The answers, a JSON object"), N_("FILE") },
    { "date", 'd', 0, G_OPTION_ARG_STRING, &date_text,
      N_("Evaluate on DATE (default: today)"), N_("YYYY-MM-DD") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL }
  };

  rc = parse_options ("", _("Pre-screen eligibility: guidance with reasons, never a decision."),
                      entries, &source, &argc, &argv, 0);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if ((program == NULL && procedure == NULL) || facts_path == NULL)
    return mdg_cli_usage_error (_("eligibility needs --program (or --procedure) and --facts"));
  if (!parse_date_option (date_text, &date))
    return mdg_cli_usage_error (_("--date needs a date as YYYY-MM-DD"));

  catalog = open_catalog (&source, &error);
  if (catalog == NULL || !load_facts_file (catalog, facts_path, &facts, &prefilled, &error))
    {
      mdg_facts_clear (&facts);
      return mdg_cli_report_error (error, -1, -1);
    }

  sets = g_ptr_array_new ();
  if (program != NULL)
    {
      MdgRuleSet *rules = mdg_catalog_get_program_rules (catalog, program);

      if (rules == NULL)
        {
          g_ptr_array_unref (sets);
          mdg_facts_clear (&facts);
          return mdg_cli_usage_error (_("program “%s” is not in the catalog"), program);
        }
      g_ptr_array_add (sets, rules);
    }
  if (procedure != NULL)
    {
      MdgRuleSet *rules = mdg_catalog_get_procedure_rules (catalog, procedure);

      if (mdg_catalog_lookup_procedure (catalog, procedure, NULL) == NULL)
        {
          g_ptr_array_unref (sets);
          mdg_facts_clear (&facts);
          return mdg_cli_usage_error (_("procedure “%s” is not in the catalog"), procedure);
        }
      if (rules != NULL)
        g_ptr_array_add (sets, rules);
    }

  if (json)
    {
      g_autoptr(JsonArray) results = json_array_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *text = NULL;

      for (guint i = 0; i < sets->len; i++)
        {
          mdg_rule_set_evaluate (sets->pdata[i], &facts, date, &result);
          json_array_add_element (results, mdg_rule_set_result_to_json (sets->pdata[i], &result));
        }
      json_node_set_array (root, results);
      text = json_to_string (root, TRUE);
      g_print ("%s\n", text);
    }
  else
    {
      g_autofree char *day = mdg_civil_date_to_string (date);

      g_print (_("Eligibility on %s (guidance only: the municipality decides)\n"), day);
      if (prefilled & (1u << MDG_FACT_MUNICIPALITY_CODE))
        {
          g_autofree char *code = g_strdup_printf ("%06u", facts.municipality_code);
          JsonObject *m = mdg_catalog_lookup_municipality (catalog, code);

          g_print (_("Municipality from the address: %s (%s)\n"),
                   mdg_catalog_text (m, "name", user_lang ()), code);
        }
      for (guint i = 0; i < sets->len; i++)
        {
          mdg_rule_set_evaluate (sets->pdata[i], &facts, date, &result);
          print_result (sets->pdata[i], &result);
        }
    }
  g_ptr_array_unref (sets);
  mdg_facts_clear (&facts);
  return MDG_CLI_EXIT_OK;
}

/* ---- form validate ------------------------------------------------------------ */

static int
form_validate (const MdgCliGlobal *global,
               int argc,
               char **argv)
{
  g_auto(SourceOptions) source = { 0 };
  g_autofree char *procedure = NULL;
  g_autofree char *data = NULL;
  g_autoptr(MdgCatalog) catalog = NULL;
  g_autoptr(MdgFormSchema) schema = NULL;
  g_autoptr(MdgApplication) doc = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  int rc;
  const GOptionEntry entries[] = {
    { "procedure", 'p', 0, G_OPTION_ARG_STRING, &procedure,
      N_("Validate against the form of procedure ID"), N_("ID") },
    { NULL }
  };

  rc = parse_options (_("DOC.json"), _("Check an application document against its form."), entries,
                      &source, &argc, &argv, 1);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (procedure == NULL || argc < 2)
    return mdg_cli_usage_error (_("form validate needs --procedure and a document"));

  catalog = open_catalog (&source, &error);
  if (catalog != NULL)
    schema = mdg_catalog_get_form_schema (catalog, procedure, &error);
  if (schema != NULL && g_file_get_contents (argv[1], &data, &len, &error))
    {
      doc = mdg_application_new_from_data (data, (gssize) len, &error);
      /* the document holds personal data: wipe our copy of the text */
      memset (data, 0, len);
    }
  if (doc == NULL || !mdg_form_schema_validate (schema, doc, &error))
    return mdg_cli_report_error (error, -1, -1);

  g_print (_("The document is valid for procedure %s.\n"), procedure);
  return MDG_CLI_EXIT_OK;
}

static const MdgCliCommand form_commands[] = {
  { "validate", N_("Check an application document against its procedure's form"), form_validate },
};

int
mdg_cli_form_main (const MdgCliGlobal *global,
                   int argc,
                   char **argv)
{
  return dispatch ("form", form_commands, G_N_ELEMENTS (form_commands), global, argc, argv);
}
