/* sync-test-proxy.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE 1 /* accept4 */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sync-test-proxy.h"

struct _SyncTestProxy
{
  int            listen_fd;
  guint16        port;
  guint16        target_port;
  gboolean       connect_mode;
  GThread       *acceptor;
  gint           stop;
  gint           live;
  gint           connections;
  GMutex         lock;
  SyncTestFault  fault;
  gboolean       upload;
  gsize          after;
  guint          generation;
  gint           cut;
  gsize          cut_counted;  /* CUT counts over all connections */
};

typedef struct
{
  SyncTestProxy *proxy;
  int            client;
  guint          generation;
  SyncTestFault  fault;
  gboolean       upload;
  gsize          after;
} Connection;

static int
connect_to (guint16 port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port),
                              .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd >= 0 && connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static void
reset (int fd)
{
  struct linger lin = { .l_onoff = 1, .l_linger = 0 };

  setsockopt (fd, SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
  close (fd);
}

/* In connect mode: reads "CONNECT host:port …\r\n\r\n" and answers 200. */
static guint16
read_connect (int fd)
{
  char head[4096];
  gsize len = 0;
  unsigned port = 0;

  while (len < sizeof head - 1)
    {
      ssize_t n = read (fd, head + len, 1);

      if (n <= 0)
        return 0;
      len += (gsize) n;
      head[len] = '\0';
      if (g_str_has_suffix (head, "\r\n\r\n"))
        break;
    }
  if (sscanf (head, "CONNECT 127.0.0.1:%u ", &port) != 1 || port == 0 || port > 65535)
    return 0;
  if (write (fd, "HTTP/1.1 200 Connection established\r\n\r\n", 39) != 39)
    return 0;
  return (guint16) port;
}

static gpointer
relay (gpointer data)
{
  Connection *c = data;
  SyncTestProxy *self = c->proxy;
  guint16 target = self->target_port;
  int server = -1;
  gsize counted = 0;
  gboolean stalled = FALSE;
  gboolean done = FALSE;

  if (self->connect_mode)
    target = read_connect (c->client);
  if (target != 0)
    server = connect_to (target);

  while (server >= 0 && !done && !g_atomic_int_get (&self->stop))
    {
      struct pollfd fds[2] = { { c->client, POLLIN, 0 }, { server, POLLIN, 0 } };
      int rc = poll (fds, 2, 100);

      if (rc < 0 && errno != EINTR)
        break;
      /* A new fault applies to open (kept-alive) connections too. */
      g_mutex_lock (&self->lock);
      if (c->generation != self->generation)
        {
          c->generation = self->generation;
          c->fault = self->fault;
          c->upload = self->upload;
          c->after = self->after;
          counted = 0;
        }
      g_mutex_unlock (&self->lock);
      if (rc <= 0 || stalled)
        continue;
      for (int i = 0; i < 2 && !done; i++)
        {
          char buffer[16384];
          int from = i == 0 ? c->client : server;
          int to = i == 0 ? server : c->client;
          gboolean faulty_direction = (i == 0) == c->upload;
          ssize_t n;

          if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
          n = read (from, buffer, sizeof buffer);
          if (n <= 0)
            {
              done = TRUE;
              break;
            }
          if (faulty_direction && c->fault == SYNC_TEST_FAULT_CUT)
            {
              /* The network is one: its bytes add up across connections. */
              g_mutex_lock (&self->lock);
              counted = self->cut_counted;
              self->cut_counted += (gsize) n;
              g_mutex_unlock (&self->lock);
            }
          if (faulty_direction && c->fault != SYNC_TEST_FAULT_NONE && counted + (gsize) n > c->after)
            {
              gsize at = c->after > counted ? c->after - counted : 0;

              switch (c->fault)
                {
                case SYNC_TEST_FAULT_CUT:
                  g_atomic_int_set (&self->cut, 1);
                  G_GNUC_FALLTHROUGH;
                case SYNC_TEST_FAULT_RESET:
                  if (at > 0 && write (to, buffer, at) < 0)
                    { /* the reset follows anyway */ }
                  reset (c->client);
                  reset (server);
                  c->client = server = -1;
                  done = TRUE;
                  continue;
                case SYNC_TEST_FAULT_STALL:
                  if (at > 0 && write (to, buffer, at) < 0)
                    done = TRUE;
                  stalled = TRUE;
                  continue;
                case SYNC_TEST_FAULT_CORRUPT:
                  buffer[at] ^= 0x5a;
                  c->fault = SYNC_TEST_FAULT_NONE;
                  break;
                case SYNC_TEST_FAULT_NONE:
                default:
                  break;
                }
            }
          if (faulty_direction && c->fault != SYNC_TEST_FAULT_CUT)
            counted += (gsize) n;
          if (write (to, buffer, (size_t) n) != n)
            done = TRUE;
        }
    }

  if (server >= 0)
    close (server);
  if (c->client >= 0)
    close (c->client);
  g_free (c);
  g_atomic_int_dec_and_test (&self->live);
  return NULL;
}

static gpointer
accept_loop (gpointer data)
{
  SyncTestProxy *self = data;

  while (!g_atomic_int_get (&self->stop))
    {
      struct pollfd pfd = { self->listen_fd, POLLIN, 0 };
      Connection *c;
      int fd;

      if (poll (&pfd, 1, 100) <= 0)
        continue;
      fd = accept4 (self->listen_fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      if (g_atomic_int_get (&self->cut))
        {
          reset (fd);
          continue;
        }
      c = g_new0 (Connection, 1);
      c->proxy = self;
      c->client = fd;
      g_mutex_lock (&self->lock);
      c->fault = self->fault;
      c->upload = self->upload;
      c->after = self->after;
      c->generation = self->generation;
      g_mutex_unlock (&self->lock);
      g_atomic_int_inc (&self->connections);
      g_atomic_int_inc (&self->live);
      g_thread_unref (g_thread_new ("relay", relay, c));
    }
  return NULL;
}

SyncTestProxy *
sync_test_proxy_new (guint16 target_port,
                     gboolean connect_mode)
{
  SyncTestProxy *self = g_new0 (SyncTestProxy, 1);
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;

  g_mutex_init (&self->lock);
  self->target_port = target_port;
  self->connect_mode = connect_mode;
  self->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (self->listen_fd, >=, 0);
  g_assert_cmpint (bind (self->listen_fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (self->listen_fd, 64), ==, 0);
  g_assert_cmpint (getsockname (self->listen_fd, (struct sockaddr *) &addr, &len), ==, 0);
  self->port = ntohs (addr.sin_port);
  self->acceptor = g_thread_new ("proxy", accept_loop, self);
  return self;
}

guint16
sync_test_proxy_get_port (SyncTestProxy *self)
{
  return self->port;
}

void
sync_test_proxy_set_fault (SyncTestProxy *self,
                           SyncTestFault fault,
                           gboolean upload,
                           gsize after)
{
  g_mutex_lock (&self->lock);
  self->fault = fault;
  self->upload = upload;
  self->after = after;
  self->generation++;
  self->cut_counted = 0;
  g_atomic_int_set (&self->cut, 0);
  g_mutex_unlock (&self->lock);
}

guint
sync_test_proxy_get_connections (SyncTestProxy *self)
{
  return (guint) g_atomic_int_get (&self->connections);
}

void
sync_test_proxy_free (SyncTestProxy *self)
{
  g_atomic_int_set (&self->stop, 1);
  g_thread_join (self->acceptor);
  while (g_atomic_int_get (&self->live) > 0)
    g_usleep (10000);
  close (self->listen_fd);
  g_mutex_clear (&self->lock);
  g_free (self);
}
