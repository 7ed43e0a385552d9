/* main.c: madoguchi-server, the reference application-management server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>

#include "mdg-server-admin.h"
#include "mdg-server.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgServerConfig) config = NULL;
  g_autoptr(MdgServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *uri = NULL;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, N_("The server's configuration FILE"), N_("FILE") },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc > 1 && g_str_equal (argv[1], "admin"))
    return mdg_server_admin_main (argc - 1, argv + 1);

  context = g_option_context_new (_("— the Madoguchi reference application-management server"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
                                    _("Staff administration: madoguchi-server admin --help"));
  if (!g_option_context_parse (context, &argc, &argv, &error) || config_path == NULL)
    {
      g_printerr ("madoguchi-server: %s\n", error != NULL ? error->message : _("Give --config FILE."));
      return MDG_SERVER_EXIT_USAGE;
    }

  config = mdg_server_config_load (config_path, &error);
  if (config == NULL || !mdg_server_config_load_trust (config, config_path, &error))
    {
      g_printerr ("madoguchi-server: %s\n", error->message);
      return MDG_SERVER_EXIT_FAILED;
    }
  server = mdg_server_new (g_steal_pointer (&config), &error);
  if (server == NULL || !(uri = mdg_server_listen (server, &error)))
    {
      g_printerr ("madoguchi-server: %s\n", error->message);
      return MDG_SERVER_EXIT_FAILED;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  /* The bare URI on stdout, for scripts and tests that use port 0. */
  g_print ("%s\n", uri);
  fflush (stdout);
  g_main_loop_run (loop);
  return MDG_SERVER_EXIT_OK;
}
