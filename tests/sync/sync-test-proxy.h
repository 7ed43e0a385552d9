/* sync-test-proxy.h: a TCP relay in front of the test server that can
 * reset, stall or corrupt connections, or act as an HTTP CONNECT proxy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SYNC_TEST_FAULT_NONE,
  SYNC_TEST_FAULT_RESET,    /* TCP RST after the byte count */
  SYNC_TEST_FAULT_STALL,    /* stops relaying after the byte count */
  SYNC_TEST_FAULT_CORRUPT,  /* flips one byte of the answer at the byte count */
  SYNC_TEST_FAULT_CUT,      /* resets at the byte count, then every new
                             * connection until the next fault: the
                             * network is gone */
} SyncTestFault;

typedef struct _SyncTestProxy SyncTestProxy;

/* Listens on 127.0.0.1 (a free port) and relays to 127.0.0.1:@target_port;
 * with @connect_mode it is an HTTP proxy that expects CONNECT first. */
SyncTestProxy *sync_test_proxy_new         (guint16 target_port,
                                            gboolean connect_mode);
guint16        sync_test_proxy_get_port    (SyncTestProxy *self);
/* From now on, on every connection: @fault once @after more bytes of the
 * server's answer went through (of the upload with @upload). */
void           sync_test_proxy_set_fault   (SyncTestProxy *self,
                                            SyncTestFault fault,
                                            gboolean upload,
                                            gsize after);
/* Connections accepted so far (CONNECT requests in connect mode). */
guint          sync_test_proxy_get_connections (SyncTestProxy *self);
void           sync_test_proxy_free        (SyncTestProxy *self);

G_END_DECLS
