/* mdg-server-idle.c
 *
 * libsoup 3.2.2 never notices when a client closes a kept-alive connection
 * between two requests (fixed upstream in libsoup 3.3.0, commit
 * d20c6601): every resident's sync would leave a socket in CLOSE_WAIT and
 * its buffers behind, until the server ran out of file descriptors. So
 * the server does what servers do anyway: a connection that waits longer
 * than io_timeout for its next request is closed, which frees its file
 * descriptor (/sync/hostile/idle-connections-closed counts them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "mdg-server-idle.h"

/* How often the connections are looked at, in seconds. */
#define CHECK_INTERVAL 5

typedef struct
{
  gint64   idle_since;   /* µs; 0 while a request is under way */
} Connection;

struct _MdgServerIdle
{
  SoupServer *server;
  GHashTable *connections;   /* GSocket (ref) → Connection */
  guint       timeout_s;
  guint       source;
};

/* @msg's connection is busy (@idle_since 0) or idle since then. */
static void
mark (MdgServerIdle *self,
      SoupServerMessage *msg,
      gint64 idle_since)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *conn;

  if (socket == NULL)
    return;
  conn = g_hash_table_lookup (self->connections, socket);
  if (conn == NULL)
    {
      conn = g_new0 (Connection, 1);
      g_hash_table_insert (self->connections, g_object_ref (socket), conn);
    }
  conn->idle_since = idle_since;
}

static void
request_started (SoupServer *server,
                 SoupServerMessage *msg,
                 gpointer data)
{
  mark (data, msg, 0);
}

static void
request_ended (SoupServer *server,
               SoupServerMessage *msg,
               gpointer data)
{
  mark (data, msg, g_get_monotonic_time ());
}

static gboolean
check (gpointer data)
{
  MdgServerIdle *self = data;
  gint64 limit = g_get_monotonic_time () - (gint64) self->timeout_s * G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer socket;
  gpointer value;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, &socket, &value))
    {
      Connection *conn = value;

      if (g_socket_is_closed (socket))
        g_hash_table_iter_remove (&iter);
      else if (conn->idle_since != 0 && conn->idle_since < limit)
        {
          g_socket_close (socket, NULL);
          g_hash_table_iter_remove (&iter);
        }
    }
  return G_SOURCE_CONTINUE;
}

MdgServerIdle *
mdg_server_idle_new (SoupServer *server,
                     guint timeout_s)
{
  MdgServerIdle *self = g_new0 (MdgServerIdle, 1);

  self->server = g_object_ref (server);
  self->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, g_free);
  self->timeout_s = timeout_s;
  g_signal_connect (server, "request-started", G_CALLBACK (request_started), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (request_ended), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_ended), self);
  self->source = g_timeout_add_seconds (MIN (CHECK_INTERVAL, MAX (timeout_s, 1)), check, self);
  return self;
}

void
mdg_server_idle_free (MdgServerIdle *self)
{
  if (self == NULL)
    return;
  g_source_remove (self->source);
  g_signal_handlers_disconnect_by_data (self->server, self);
  g_object_unref (self->server);
  g_hash_table_destroy (self->connections);
  g_free (self);
}
