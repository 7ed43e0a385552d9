/* mdg-cli-store.c: what every command that touches the encrypted store
 * shares: --profile, --passphrase-fd, unlocking, subcommand dispatch
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
#include <openssl/crypto.h>

#include "mdg-app-error.h"
#include "mdg-cli-error.h"
#include "mdg-cli-store.h"
#include "mdg-store-key.h"

#define MAX_PASSPHRASE 1024

void
mdg_cli_store_options_clear (MdgCliStoreOptions *options)
{
  g_clear_pointer (&options->profile, g_free);
}

const char *
mdg_cli_store_profile_dir (MdgCliStoreOptions *options)
{
  if (options->profile == NULL)
    options->profile = g_build_filename (g_get_user_data_dir (), "madoguchi", "profile", NULL);

  return options->profile;
}

int
mdg_cli_store_parse (const char *usage,
               const char *summary,
               GOptionEntry *entries,
               MdgCliStoreOptions *options,
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
MdgStore *
mdg_cli_store_open (MdgCliStoreOptions *options,
            gboolean create,
            GError **error)
{
  const char *dir = mdg_cli_store_profile_dir (options);
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

int
mdg_cli_store_open_to_list (const char *usage,
                            MdgCliStoreOptions *options,
                            int *argc,
                            char ***argv,
                            MdgStore **store_out)
{
  g_autoptr(GError) error = NULL;
  int rc = mdg_cli_store_parse (usage, NULL, NULL, options, argc, argv, 0);

  *store_out = NULL;
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  *store_out = mdg_cli_store_open (options, FALSE, &error);
  if (*store_out != NULL)
    return MDG_CLI_EXIT_OK;
  /* No key yet: nothing stored, which is not an error for a list. */
  if (g_error_matches (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY))
    return MDG_CLI_EXIT_OK;
  return mdg_cli_report_error (error, -1, -1);
}

char *
mdg_cli_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_seconds);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%d %H:%M") : g_strdup ("?");
}

int
mdg_cli_run_subcommand (const MdgCliGlobal *global,
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

