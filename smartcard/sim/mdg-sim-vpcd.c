/* mdg-sim-vpcd.c: the vpcd client (jpki-card.md §10), blocking I/O in a thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "mdg-sim-vpcd.h"

#define VPCD_POWER_OFF 0x00
#define VPCD_POWER_ON  0x01
#define VPCD_RESET     0x02
#define VPCD_GET_ATR   0x04

struct _MdgSimVpcd
{
  MdgSimCard *card;
  char *host;
  guint16 port;
  guint connect_timeout_ms;
  GSourceFunc on_fatal;
  gpointer user_data;

  GMutex lock;
  GCond cond;
  GThread *thread;
  GCancellable *cancellable;  /* of the current connection */
  gboolean want_inserted;
  gboolean connected;
  gboolean quit;
};

typedef enum
{
  SERVE_CLOSED,    /* vpcd went away or I/O failed */
  SERVE_CANCELLED, /* remove or quit */
  SERVE_PULLED,    /* a fault pulled the card */
} ServeResult;

static gboolean
write_frame (GOutputStream *out,
             const guint8 *payload,
             gsize len,
             GCancellable *cancellable,
             GError **error)
{
  g_autofree guint8 *frame = g_malloc (len + 2);

  frame[0] = len >> 8;
  frame[1] = len & 0xff;
  memcpy (frame + 2, payload, len);
  return g_output_stream_write_all (out, frame, len + 2, NULL, cancellable, error);
}

static ServeResult
serve (MdgSimVpcd *self,
       GSocketConnection *conn,
       GCancellable *cancellable)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_autofree guint8 *command = g_malloc (65536);
  g_autofree guint8 *response = g_malloc (65536 + 2);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      guint8 header[2];
      gsize got = 0, len, response_len;

      /* vpcd writes the length and the APDU in two send() calls; with Nagle on
       * its side, our delayed ACK would stall every APDU by ~40 ms. Quick ACK
       * mode is not sticky, so set it before each read. */
      g_socket_set_option (g_socket_connection_get_socket (conn), IPPROTO_TCP, TCP_QUICKACK, 1, NULL);
      if (!g_input_stream_read_all (in, header, 2, &got, cancellable, &error) || got < 2)
        break;
      len = header[0] << 8 | header[1];
      if (len == 0)
        continue;
      if (!g_input_stream_read_all (in, command, len, &got, cancellable, &error) || got < len)
        break;

      if (len == 1)
        {
          switch (command[0])
            {
            case VPCD_POWER_OFF:
              mdg_sim_card_power (self->card, FALSE);
              break;
            case VPCD_POWER_ON:
              mdg_sim_card_power (self->card, TRUE);
              break;
            case VPCD_RESET:
              mdg_sim_card_warm_reset (self->card);
              break;
            case VPCD_GET_ATR:
              {
                g_autoptr(GBytes) atr = mdg_sim_card_get_atr (self->card);
                if (!write_frame (out, g_bytes_get_data (atr, NULL), g_bytes_get_size (atr),
                                  cancellable, &error))
                  goto done;
              }
              break;
            default:
              g_printerr ("madoguchi-card-sim: ignoring unknown vpcd control byte %02x\n", command[0]);
              break;
            }
          continue;
        }

      /* Never log APDUs: VERIFY carries PINs. */
      response_len = 65536 + 2;
      if (mdg_sim_card_process (self->card, command, len, response, &response_len) == MDG_MEMORY_CARD_REMOVED)
        return SERVE_PULLED;
      if (!write_frame (out, response, response_len, cancellable, &error))
        break;
      continue;

    done:
      break;
    }
  return g_cancellable_is_cancelled (cancellable) ? SERVE_CANCELLED : SERVE_CLOSED;
}

static GSocketConnection *
connect_with_retry (MdgSimVpcd *self,
                    GCancellable *cancellable)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  gint64 deadline = g_get_monotonic_time () + (gint64) self->connect_timeout_ms * 1000;
  gboolean told = FALSE;

  /* vpcd is local test plumbing: never via a proxy (libproxy also throws
   * C++ exceptions that break sanitizer builds). */
  g_socket_client_set_enable_proxy (client, FALSE);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GSocketConnection *conn;

      conn = g_socket_client_connect_to_host (client, self->host, self->port, cancellable, &error);
      if (conn != NULL)
        {
          g_socket_set_option (g_socket_connection_get_socket (conn), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
          return conn;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return NULL;
      if (g_get_monotonic_time () >= deadline)
        {
          g_printerr (_("madoguchi-card-sim: vpcd not reachable at %s:%u: %s\n"),
                      self->host, self->port, error->message);
          return NULL;
        }
      if (!told)
        {
          g_printerr (_("madoguchi-card-sim: waiting for vpcd at %s:%u (is pcscd running with the vpcd reader?)\n"),
                      self->host, self->port);
          told = TRUE;
        }
      g_usleep (100 * 1000);
      if (g_cancellable_is_cancelled (cancellable))
        return NULL;
    }
}

static gpointer
vpcd_thread (gpointer data)
{
  MdgSimVpcd *self = data;

  for (;;)
    {
      g_autoptr(GCancellable) cancellable = NULL;
      g_autoptr(GSocketConnection) conn = NULL;
      ServeResult result;

      g_mutex_lock (&self->lock);
      while (!self->quit && !self->want_inserted)
        g_cond_wait (&self->cond, &self->lock);
      if (self->quit)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      g_clear_object (&self->cancellable);
      self->cancellable = g_cancellable_new ();
      cancellable = g_object_ref (self->cancellable);
      g_mutex_unlock (&self->lock);

      conn = connect_with_retry (self, cancellable);
      if (conn == NULL)
        {
          if (g_cancellable_is_cancelled (cancellable))
            continue;
          g_main_context_invoke (NULL, self->on_fatal, self->user_data);
          break;
        }
      g_mutex_lock (&self->lock);
      self->connected = TRUE;
      g_mutex_unlock (&self->lock);
      g_printerr (_("madoguchi-card-sim: card inserted (vpcd %s:%u)\n"), self->host, self->port);

      result = serve (self, conn, cancellable);
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
      mdg_sim_card_power (self->card, FALSE);

      g_mutex_lock (&self->lock);
      self->connected = FALSE;
      if (result == SERVE_PULLED)
        self->want_inserted = FALSE;
      g_mutex_unlock (&self->lock);

      switch (result)
        {
        case SERVE_PULLED:
          g_printerr (_("madoguchi-card-sim: card pulled by a fault; `insert` puts it back\n"));
          break;
        case SERVE_CANCELLED:
          if (!self->quit)
            g_printerr (_("madoguchi-card-sim: card removed\n"));
          break;
        case SERVE_CLOSED:
        default:
          g_printerr (_("madoguchi-card-sim: vpcd closed the connection; reconnecting\n"));
          break;
        }
    }
  return NULL;
}

MdgSimVpcd *
mdg_sim_vpcd_new (MdgSimCard *card,
                  const char *host,
                  guint16 port,
                  guint connect_timeout_ms,
                  GSourceFunc on_fatal,
                  gpointer user_data)
{
  MdgSimVpcd *self = g_new0 (MdgSimVpcd, 1);

  self->card = g_object_ref (card);
  self->host = g_strdup (host);
  self->port = port;
  self->connect_timeout_ms = connect_timeout_ms;
  self->on_fatal = on_fatal;
  self->user_data = user_data;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("vpcd", vpcd_thread, self);
  return self;
}

void
mdg_sim_vpcd_insert (MdgSimVpcd *self)
{
  g_mutex_lock (&self->lock);
  self->want_inserted = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
mdg_sim_vpcd_remove (MdgSimVpcd *self)
{
  g_mutex_lock (&self->lock);
  self->want_inserted = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_mutex_unlock (&self->lock);
}

gboolean
mdg_sim_vpcd_is_inserted (MdgSimVpcd *self)
{
  gboolean connected;

  g_mutex_lock (&self->lock);
  connected = self->connected;
  g_mutex_unlock (&self->lock);
  return connected;
}

void
mdg_sim_vpcd_free (MdgSimVpcd *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  g_clear_object (&self->cancellable);
  g_object_unref (self->card);
  g_free (self->host);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
