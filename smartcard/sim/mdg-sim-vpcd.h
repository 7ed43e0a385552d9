/* mdg-sim-vpcd.h: puts the simulated card into vsmartcard's vpcd reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-sim-card.h"

G_BEGIN_DECLS

typedef struct _MdgSimVpcd MdgSimVpcd;

/* @connect_timeout_ms: how long to keep retrying while vpcd is not
 * listening yet. @on_fatal runs in the main context when that runs out. */
MdgSimVpcd *mdg_sim_vpcd_new    (MdgSimCard *card,
                                 const char *host,
                                 guint16 port,
                                 guint connect_timeout_ms,
                                 GSourceFunc on_fatal,
                                 gpointer user_data);
/* Card present = TCP connection up. */
void        mdg_sim_vpcd_insert (MdgSimVpcd *self);
void        mdg_sim_vpcd_remove (MdgSimVpcd *self);
gboolean    mdg_sim_vpcd_is_inserted (MdgSimVpcd *self);
/* Stops the I/O thread and frees. */
void        mdg_sim_vpcd_free   (MdgSimVpcd *self);

G_END_DECLS
