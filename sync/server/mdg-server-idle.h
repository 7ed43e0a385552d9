/* mdg-server-idle.h: closing kept-alive connections that stay idle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _MdgServerIdle MdgServerIdle;

/* Watches @server's connections: one that has waited more than
 * @timeout_s seconds for its next request is closed (checked every few
 * seconds on the thread-default main context). */
MdgServerIdle *mdg_server_idle_new    (SoupServer *server,
                                       guint timeout_s);
void           mdg_server_idle_free   (MdgServerIdle *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgServerIdle, mdg_server_idle_free)

G_END_DECLS
