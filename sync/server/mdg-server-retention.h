/* mdg-server-retention.h: purging the envelopes of finished, exported submissions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-server-config.h"
#include "mdg-server-db.h"

G_BEGIN_DECLS

/* Deletes the envelope bytes (and the resident's uploads of the same
 * bytes) of every submission that was exported and whose status has been
 * final (decided, rejected, notified) for more than purge_after_days; the
 * row keeps its uuid, receipt and history and gets a "purged" time. Each
 * purge is audited as @actor in the same transaction. */
gboolean mdg_server_retention_purge (MdgServerDb *db,
                                     MdgServerConfig *config,
                                     const char *actor,
                                     guint *n_purged,
                                     GError **error);

G_END_DECLS
