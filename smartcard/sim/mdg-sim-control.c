/* mdg-sim-control.c: a one-line-per-command Unix socket protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include "mdg-sim-control.h"

struct _MdgSimControl
{
  GSocketService *service;
  char *path;
  MdgSimCard *card;
  MdgSimVpcd *vpcd;
  GMainLoop *loop;
};

static gboolean
quit_idle (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

char *
mdg_sim_control_execute (MdgSimCard *card,
                         MdgSimVpcd *vpcd,
                         GMainLoop *loop,
                         const char *line)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (line));
  const char *cmd;
  guint argc;

  argv = g_strsplit_set (stripped, " \t", -1);
  /* Drop empty fields from repeated blanks. */
  {
    guint j = 0;
    for (guint i = 0; argv[i] != NULL; i++)
      if (*argv[i] != '\0')
        argv[j++] = argv[i];
      else
        g_free (argv[i]);
    argv[j] = NULL;
    argc = j;
  }
  if (argc == 0)
    return g_strdup ("error empty command");
  cmd = argv[0];

  if (strcmp (cmd, "insert") == 0 || strcmp (cmd, "remove") == 0)
    {
      if (vpcd == NULL)
        return g_strdup ("error no vpcd connection in this mode");
      if (cmd[0] == 'i')
        mdg_sim_vpcd_insert (vpcd);
      else
        mdg_sim_vpcd_remove (vpcd);
      return g_strdup ("ok");
    }
  if (strcmp (cmd, "fault") == 0)
    {
      if (argc < 2 || argc > 3)
        return g_strdup ("error usage: fault NAME [ARG]");
      if (!mdg_sim_card_set_fault (card, argv[1], argc == 3 ? argv[2] : NULL, &error))
        return g_strdup_printf ("error %s", error->message);
      return g_strdup ("ok");
    }
  if (strcmp (cmd, "quirk") == 0)
    {
      if (argc != 3 || (strcmp (argv[2], "on") != 0 && strcmp (argv[2], "off") != 0))
        return g_strdup ("error usage: quirk NAME on|off");
      if (!mdg_sim_card_set_quirk (card, argv[1], strcmp (argv[2], "on") == 0, &error))
        return g_strdup_printf ("error %s", error->message);
      return g_strdup ("ok");
    }
  if (strcmp (cmd, "atr") == 0)
    {
      if (argc != 2)
        return g_strdup ("error usage: atr NAME|HEX");
      if (!mdg_sim_card_set_atr (card, argv[1], &error))
        return g_strdup_printf ("error %s", error->message);
      return g_strdup ("ok");
    }
  if (strcmp (cmd, "stats") == 0)
    return g_strdup_printf ("ok %u", mdg_sim_card_get_apdu_count (card));
  if (strcmp (cmd, "reset-stats") == 0)
    {
      mdg_sim_card_reset_apdu_count (card);
      return g_strdup ("ok");
    }
  if (strcmp (cmd, "tries") == 0)
    {
      g_autofree char *tries = mdg_sim_card_describe_tries (card);
      return g_strdup_printf ("ok %s", tries);
    }
  if (strcmp (cmd, "status") == 0)
    return g_strdup_printf ("ok %s", vpcd != NULL && mdg_sim_vpcd_is_inserted (vpcd) ? "inserted" : "removed");
  if (strcmp (cmd, "quit") == 0)
    {
      if (loop != NULL)
        g_idle_add (quit_idle, loop);
      return g_strdup ("ok");
    }
  return g_strdup_printf ("error unknown command “%s”", cmd);
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection *conn,
        GObject *source,
        gpointer user_data)
{
  MdgSimControl *self = user_data;
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  for (;;)
    {
      gsize len;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, &len, NULL, NULL);
      g_autofree char *reply = NULL;
      g_autofree char *framed = NULL;

      if (line == NULL)
        break;
      reply = mdg_sim_control_execute (self->card, self->vpcd, self->loop, line);
      framed = g_strconcat (reply, "\n", NULL);
      if (!g_output_stream_write_all (out, framed, strlen (framed), NULL, NULL, NULL))
        break;
    }
  return TRUE;
}

MdgSimControl *
mdg_sim_control_new (const char *path,
                     MdgSimCard *card,
                     MdgSimVpcd *vpcd,
                     GMainLoop *loop,
                     GError **error)
{
  MdgSimControl *self = g_new0 (MdgSimControl, 1);
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);

  g_unlink (path);
  self->service = g_threaded_socket_service_new (4);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                      NULL, NULL, error))
    {
      g_object_unref (self->service);
      g_free (self);
      return NULL;
    }
  self->path = g_strdup (path);
  self->card = g_object_ref (card);
  self->vpcd = vpcd;
  self->loop = loop;
  g_signal_connect (self->service, "run", G_CALLBACK (on_run), self);
  g_socket_service_start (self->service);
  return self;
}

void
mdg_sim_control_free (MdgSimControl *self)
{
  if (self == NULL)
    return;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_object_unref (self->service);
  g_unlink (self->path);
  g_free (self->path);
  g_object_unref (self->card);
  g_free (self);
}

gboolean
mdg_sim_control_send (const char *path,
                      const char *command,
                      char **reply,
                      GError **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  g_autofree char *framed = g_strconcat (command, "\n", NULL);
  gsize len;

  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, error);
  if (conn == NULL)
    return FALSE;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                  framed, strlen (framed), NULL, NULL, error))
    return FALSE;
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  line = g_data_input_stream_read_line_utf8 (in, &len, NULL, error);
  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("The simulator closed the control connection"));
      return FALSE;
    }
  *reply = g_steal_pointer (&line);
  return TRUE;
}
