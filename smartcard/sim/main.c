/* main.c: madoguchi-card-sim — run, pki, ctl
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib-unix.h>

#include "mdg-sim-card.h"
#include "mdg-sim-control.h"
#include "mdg-sim-persona.h"
#include "mdg-sim-pki.h"
#include "mdg-sim-vpcd.h"

static int exit_status = 0;

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_vpcd_fatal (gpointer data)
{
  exit_status = 1;
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static int
cmd_pki (int argc,
         char **argv)
{
  g_autofree char *personas = NULL;
  g_autofree char *out = NULL;
  g_autofree char *stamp = NULL;
  gboolean force = FALSE;
  g_auto(GStrv) files = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("pki — generate the test PKI"));
  GOptionEntry entries[] = {
    { "personas", 0, 0, G_OPTION_ARG_FILENAME, &personas, N_("Directory of persona *.json files"), "DIR" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("Output directory"), "DIR" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Replace an existing PKI"), NULL },
    { "stamp", 0, 0, G_OPTION_ARG_FILENAME, &stamp, N_("Touch this file when done (for the build)"), "FILE" },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    goto fail;
  if (personas == NULL || out == NULL)
    {
      g_printerr (_("madoguchi-card-sim pki: --personas and --out are required\n"));
      return 2;
    }
  files = mdg_sim_pki_list_personas (personas, &error);
  if (files == NULL)
    goto fail;
  if (files[0] == NULL)
    {
      g_printerr (_("madoguchi-card-sim pki: no *.json personas in %s\n"), personas);
      return 1;
    }
  if (!mdg_sim_pki_generate ((const char * const *) files, out, force, &error))
    goto fail;
  if (stamp != NULL && !g_file_set_contents (stamp, "", 0, &error))
    goto fail;
  g_printerr (_("madoguchi-card-sim: test PKI for %u personas in %s\n"), g_strv_length (files), out);
  return 0;

fail:
  g_printerr ("madoguchi-card-sim pki: %s\n", error->message);
  return 1;
}

static int
cmd_ctl (int argc,
         char **argv)
{
  g_autofree char *control = NULL;
  g_autofree char *command = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("ctl COMMAND… — send a control command"));
  GOptionEntry entries[] = {
    { "control", 0, 0, G_OPTION_ARG_FILENAME, &control, N_("Control socket"), "SOCKET" },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("madoguchi-card-sim ctl: %s\n", error->message);
      return 2;
    }
  if (control == NULL || argc < 2)
    {
      g_printerr (_("usage: madoguchi-card-sim ctl --control SOCKET COMMAND [ARG…]\n"));
      return 2;
    }
  command = g_strjoinv (" ", argv + 1);
  if (!mdg_sim_control_send (control, command, &reply, &error))
    {
      g_printerr ("madoguchi-card-sim ctl: %s\n", error->message);
      return 1;
    }
  g_print ("%s\n", reply);
  return g_str_has_prefix (reply, "ok") ? 0 : 1;
}

static int
cmd_run (int argc,
         char **argv)
{
  g_autofree char *persona = NULL;
  g_autofree char *pki = NULL;
  g_autofree char *state = NULL;
  g_autofree char *host = NULL;
  g_autofree char *control_path = NULL;
  g_autofree char *atr = NULL;
  g_auto(GStrv) quirks = NULL;
  g_auto(GStrv) faults = NULL;
  gint port = 35963;
  gdouble connect_timeout = 30.0;
  gboolean no_insert = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgSimCard) card = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  MdgSimVpcd *vpcd;
  MdgSimControl *control = NULL;
  g_autoptr(GOptionContext) ctx = g_option_context_new (_("[run] — a simulated My Number card in vpcd"));
  GOptionEntry entries[] = {
    { "persona", 0, 0, G_OPTION_ARG_FILENAME, &persona, N_("Persona file or id"), "FILE|ID" },
    { "pki", 0, 0, G_OPTION_ARG_FILENAME, &pki, N_("Test PKI directory (madoguchi-card-sim pki)"), "DIR" },
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &state, N_("State file (default PKI/ID/state.json)"), "FILE" },
    { "vpcd-host", 0, 0, G_OPTION_ARG_STRING, &host, N_("vpcd host (default localhost)"), "HOST" },
    { "vpcd-port", 0, 0, G_OPTION_ARG_INT, &port, N_("vpcd port (default 35963)"), "PORT" },
    { "connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &connect_timeout, N_("Seconds to wait for vpcd (default 30)"), "S" },
    { "control", 0, 0, G_OPTION_ARG_FILENAME, &control_path, N_("Control socket"), "SOCKET" },
    { "atr", 0, 0, G_OPTION_ARG_STRING, &atr, N_("ATR name or hex"), "NAME|HEX" },
    { "quirk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &quirks, N_("Quirk on or off"), "NAME=on|off" },
    { "fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &faults, N_("Inject a fault"), "NAME[=ARG]" },
    { "no-insert", 0, 0, G_OPTION_ARG_NONE, &no_insert, N_("Start with the card out of the reader"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("madoguchi-card-sim: %s\n", error->message);
      return 2;
    }
  if (persona == NULL || pki == NULL)
    {
      g_printerr (_("madoguchi-card-sim: --persona and --pki are required\n"));
      return 2;
    }
  if (port <= 0 || port > 65535 || connect_timeout < 0)
    {
      g_printerr (_("madoguchi-card-sim: bad --vpcd-port or --connect-timeout\n"));
      return 2;
    }

  card = mdg_sim_card_new (persona, pki, NULL, &error);
  if (card != NULL)
    {
      /* Reopen with the state file, now that the id is known. */
      if (state == NULL)
        state = g_build_filename (pki, mdg_sim_card_get_persona_id (card), "state.json", NULL);
      g_clear_object (&card);
      card = mdg_sim_card_new (persona, pki, state, &error);
    }
  if (card == NULL)
    {
      g_printerr ("madoguchi-card-sim: %s\n", error->message);
      return 1;
    }
  if (atr != NULL && !mdg_sim_card_set_atr (card, atr, &error))
    {
      g_printerr ("madoguchi-card-sim: %s\n", error->message);
      return 2;
    }
  for (guint i = 0; quirks != NULL && quirks[i] != NULL; i++)
    {
      const char *eq = strchr (quirks[i], '=');
      g_autofree char *name = eq != NULL ? g_strndup (quirks[i], eq - quirks[i]) : g_strdup (quirks[i]);
      gboolean on = eq == NULL || strcmp (eq + 1, "on") == 0;

      if ((eq != NULL && strcmp (eq + 1, "on") != 0 && strcmp (eq + 1, "off") != 0)
          || !mdg_sim_card_set_quirk (card, name, on, &error))
        {
          g_printerr (_("madoguchi-card-sim: bad --quirk %s%s%s\n"), quirks[i],
                      error != NULL ? ": " : "", error != NULL ? error->message : "");
          return 2;
        }
    }
  for (guint i = 0; faults != NULL && faults[i] != NULL; i++)
    {
      const char *eq = strchr (faults[i], '=');
      g_autofree char *name = eq != NULL ? g_strndup (faults[i], eq - faults[i]) : g_strdup (faults[i]);

      if (!mdg_sim_card_set_fault (card, name, eq != NULL ? eq + 1 : NULL, &error))
        {
          g_printerr ("madoguchi-card-sim: %s\n", error->message);
          return 2;
        }
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  vpcd = mdg_sim_vpcd_new (card, host != NULL ? host : "localhost", port,
                           (guint) (connect_timeout * 1000), on_vpcd_fatal, loop);
  if (control_path != NULL)
    {
      control = mdg_sim_control_new (control_path, card, vpcd, loop, &error);
      if (control == NULL)
        {
          g_printerr (_("madoguchi-card-sim: control socket %s: %s\n"), control_path, error->message);
          mdg_sim_vpcd_free (vpcd);
          return 1;
        }
    }
  if (!no_insert)
    mdg_sim_vpcd_insert (vpcd);
  g_printerr (_("madoguchi-card-sim: persona %s ready\n"), mdg_sim_card_get_persona_id (card));

  g_main_loop_run (loop);

  mdg_sim_control_free (control);
  mdg_sim_vpcd_free (vpcd);
  return exit_status;
}

int
main (int argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc >= 2 && strcmp (argv[1], "pki") == 0)
    return cmd_pki (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "ctl") == 0)
    return cmd_ctl (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "run") == 0)
    return cmd_run (argc - 1, argv + 1);
  return cmd_run (argc, argv);
}
