/* mdg-cli-draft.c: `madoguchi-cli draft save|list|show|delete` and
 * `madoguchi-cli data erase`: the encrypted local store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>

#include "mdg-app-error.h"
#include "mdg-cli-draft.h"
#include "mdg-cli-error.h"
#include "mdg-store-key.h"
#include "mdg-store.h"

#define MAX_PASSPHRASE 1024

typedef struct
{
  char *profile;
  gint  passphrase_fd;
} StoreOptions;

static void
store_options_clear (StoreOptions *options)
{
  g_clear_pointer (&options->profile, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StoreOptions, store_options_clear)

static const char *
profile_dir (StoreOptions *options)
{
  if (options->profile == NULL)
    options->profile = g_build_filename (g_get_user_data_dir (), "madoguchi", "profile", NULL);

  return options->profile;
}

static int
parse_options (const char *usage,
               const char *summary,
               GOptionEntry *entries,
               StoreOptions *options,
               int *argc,
               char ***argv,
               int n_args)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry common_entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &options->profile,
      N_("Use the profile in DIR (default: the user’s data directory)"), N_("DIR") },
    { "passphrase-fd", 0, 0, G_OPTION_ARG_INT, &options->passphrase_fd,
      N_("Read the passphrase from file descriptor FD instead of the terminal"), N_("FD") },
    { NULL }
  };

  options->passphrase_fd = -1;
  context = g_option_context_new (usage);
  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    return mdg_cli_usage_error ("%s", error->message);

  if (*argc - 1 != n_args)
    return mdg_cli_usage_error (g_dngettext (GETTEXT_PACKAGE, "expected %d argument",
                                             "expected %d arguments", n_args),
                                n_args);

  return MDG_CLI_EXIT_OK;
}

/* ---- passphrase ---------------------------------------------------------- */

/* One line from @fd, or from /dev/tty with echo off when @fd is -1. Never
 * from argv or the environment. */
static char *
read_passphrase (gint fd,
                 const char *prompt,
                 GError **error)
{
  char *buffer = g_malloc0 (MAX_PASSPHRASE + 1);
  struct termios saved, quiet;
  gboolean tty = fd < 0;
  gsize len = 0;

  if (tty)
    {
      fd = open ("/dev/tty", O_RDWR | O_CLOEXEC);
      if (fd < 0)
        {
          g_free (buffer);
          g_set_error_literal (error, MDG_CLI_ERROR, MDG_CLI_ERROR_NO_TERMINAL,
                               _("no terminal to ask for the passphrase; use --passphrase-fd"));
          return NULL;
        }
      if (write (fd, prompt, strlen (prompt)) < 0)
        { /* the prompt is a courtesy */ }
      tcgetattr (fd, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (fd, TCSAFLUSH, &quiet);
    }

  while (len < MAX_PASSPHRASE)
    {
      char c;
      ssize_t n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || c == '\n')
        break;
      buffer[len++] = c;
    }
  if (len > 0 && buffer[len - 1] == '\r')
    buffer[--len] = '\0';

  if (tty)
    {
      tcsetattr (fd, TCSAFLUSH, &saved);
      if (write (fd, "\n", 1) < 0)
        { /* nothing to do */ }
      close (fd);
    }

  if (len == 0)
    {
      OPENSSL_cleanse (buffer, MAX_PASSPHRASE + 1);
      g_free (buffer);
      g_set_error_literal (error, MDG_CLI_ERROR, MDG_CLI_ERROR_CANCELLED,
                           _("no passphrase given"));
      return NULL;
    }

  return buffer;
}

typedef char Passphrase;

static void
free_passphrase (Passphrase *passphrase)
{
  if (passphrase != NULL)
    {
      OPENSSL_cleanse (passphrase, strlen (passphrase));
      g_free (passphrase);
    }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Passphrase, free_passphrase)

/* Unlocks the profile's data key, creating it on first use (the keyring
 * when there is one, else a passphrase), and opens the store. */
static MdgStore *
open_store (StoreOptions *options,
            gboolean create,
            GError **error)
{
  const char *dir = profile_dir (options);
  guint8 key[MDG_STORE_KEY_SIZE];
  MdgStoreKeyMethod method = MDG_STORE_KEY_AUTO;
  g_autoptr(Passphrase) passphrase = NULL;
  MdgStore *store;
  gboolean ok;

  if (!mdg_store_key_exists (dir))
    {
      if (!create)
        {
          g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY,
                               _("no drafts are stored in this profile"));
          return NULL;
        }
      if (options->passphrase_fd >= 0 || !mdg_store_secret_service_available ())
        {
          passphrase = read_passphrase (options->passphrase_fd,
                                        _("New passphrase for your drafts: "), error);
          if (passphrase == NULL)
            return NULL;
          method = MDG_STORE_KEY_PASSPHRASE;
        }
      ok = mdg_store_key_create (dir, method, passphrase, NULL, key, NULL, error);
    }
  else
    {
      if (!mdg_store_key_get_method (dir, &method, error))
        return NULL;
      if (method == MDG_STORE_KEY_PASSPHRASE)
        {
          passphrase = read_passphrase (options->passphrase_fd,
                                        _("Passphrase for your drafts: "), error);
          if (passphrase == NULL)
            return NULL;
        }
      ok = mdg_store_key_unlock (dir, passphrase, key, error);
    }

  if (!ok)
    return NULL;

  store = mdg_store_open (dir, key, error);
  OPENSSL_cleanse (key, sizeof key);

  return store;
}

/* ---- draft --------------------------------------------------------------- */

static int
draft_save (const MdgCliGlobal *global,
            int argc,
            char **argv)
{
  g_auto(StoreOptions) options = { 0 };
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

  rc = parse_options (_("— save a draft and print its ID"), NULL, entries, &options, &argc,
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

  store = open_store (&options, TRUE, &error);
  if (store == NULL)
    return mdg_cli_report_error (error, -1, -1);

  id = mdg_store_draft_save (store, procedure, document, &error);
  if (id == NULL)
    return mdg_cli_report_error (error, -1, -1);

  g_print ("%s\n", id);
  return MDG_CLI_EXIT_OK;
}

static char *
format_unix (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (seconds);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

static int
draft_list (const MdgCliGlobal *global,
            int argc,
            char **argv)
{
  g_auto(StoreOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  int rc;

  rc = parse_options (_("— list the drafts (no personal data is shown)"), NULL, NULL, &options,
                      &argc, &argv, 0);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;

  store = open_store (&options, FALSE, &error);
  if (store == NULL)
    {
      /* No key yet: no drafts, which is not an error for a list. */
      if (g_error_matches (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY))
        return MDG_CLI_EXIT_OK;
      return mdg_cli_report_error (error, -1, -1);
    }

  drafts = mdg_store_draft_list (store, &error);
  if (drafts == NULL)
    return mdg_cli_report_error (error, -1, -1);

  for (guint i = 0; i < drafts->len; i++)
    {
      MdgDraftInfo *info = drafts->pdata[i];
      g_autofree char *updated = format_unix (info->updated);

      g_print ("%s  %s  %s\n", info->id, updated, info->procedure);
    }

  return MDG_CLI_EXIT_OK;
}

static int
draft_show_or_delete (int argc,
                      char **argv,
                      gboolean delete)
{
  g_auto(StoreOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  int rc;

  rc = parse_options (delete ? _("ID — delete a draft") : _("ID — print a draft’s document"),
                      NULL, NULL, &options, &argc, &argv, 1);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;

  store = open_store (&options, FALSE, &error);
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
};

static int
run_subcommand (const MdgCliGlobal *global,
                int argc,
                char **argv,
                const char *word,
                const MdgCliCommand *commands,
                guint n_commands)
{
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      g_print (_("Usage: madoguchi-cli %s SUBCOMMAND [OPTION…]\n"), word);
      for (guint i = 0; i < n_commands; i++)
        g_print ("  %-8s %s\n", commands[i].name, _(commands[i].summary));
      return argc < 2 ? MDG_CLI_EXIT_USAGE : MDG_CLI_EXIT_OK;
    }

  for (guint i = 0; i < n_commands; i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        return commands[i].run (global, argc - 1, argv + 1);
    }

  return mdg_cli_usage_error (_("unknown %s subcommand “%s”; run “madoguchi-cli %s --help”"),
                              word, argv[1], word);
}

int
mdg_cli_draft_main (const MdgCliGlobal *global,
                    int argc,
                    char **argv)
{
  return run_subcommand (global, argc, argv, "draft", draft_commands,
                         G_N_ELEMENTS (draft_commands));
}

/* ---- data ---------------------------------------------------------------- */

static int
data_erase (const MdgCliGlobal *global,
            int argc,
            char **argv)
{
  g_auto(StoreOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  int rc;

  rc = parse_options (_("— delete all my data: destroy the data key, then the drafts"), NULL,
                      NULL, &options, &argc, &argv, 0);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;

  if (!mdg_store_erase_profile (profile_dir (&options), &error))
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
  return run_subcommand (global, argc, argv, "data", data_commands,
                         G_N_ELEMENTS (data_commands));
}
