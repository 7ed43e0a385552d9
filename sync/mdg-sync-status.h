/* mdg-sync-status.h: the statuses of a submitted application (docs/sync-protocol.md §5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MDG_SYNC_STATUS_RECEIVED "received"

/* TRUE for one of the protocol's status names, e.g. "correction-requested". */
gboolean     mdg_sync_status_is_valid (const char *status);
/* The status in the user's language (received → 受付 in Japanese);
 * an unknown status as it is. */
const char  *mdg_sync_status_get_label (const char *status);
/* The Japanese label the municipality uses (受付, 審査中, …); NULL if unknown. */
const char  *mdg_sync_status_label_ja (const char *status);

G_END_DECLS
