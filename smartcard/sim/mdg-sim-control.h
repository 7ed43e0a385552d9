/* mdg-sim-control.h: runtime control of the simulator for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "mdg-sim-card.h"
#include "mdg-sim-vpcd.h"

G_BEGIN_DECLS

typedef struct _MdgSimControl MdgSimControl;

/* Listens on the Unix socket @path (replacing a stale one). @vpcd may be
 * NULL (insert/remove then fail). @loop is quit by the `quit` command. */
MdgSimControl *mdg_sim_control_new     (const char *path,
                                        MdgSimCard *card,
                                        MdgSimVpcd *vpcd,
                                        GMainLoop *loop,
                                        GError **error);
void           mdg_sim_control_free    (MdgSimControl *self);

/* Runs one command line; returns the reply line ("ok …" / "error …"). */
char          *mdg_sim_control_execute (MdgSimCard *card,
                                        MdgSimVpcd *vpcd,
                                        GMainLoop *loop,
                                        const char *line);

/* The `ctl` client: sends @command, prints the reply; FALSE on "error". */
gboolean       mdg_sim_control_send    (const char *path,
                                        const char *command,
                                        char **reply,
                                        GError **error);

G_END_DECLS
