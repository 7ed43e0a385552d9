/* mdg-sync-status-cache.h: the resident's application statuses, fetched
 * and kept in the encrypted store for offline viewing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-store.h"
#include "mdg-sync-client.h"

G_BEGIN_DECLS

/* How long a fetched status list may be shown offline. */
#define MDG_SYNC_STATUS_CACHE_LIFETIME (14 * G_TIME_SPAN_DAY)

typedef struct
{
  char *uuid;
  char *receipt_number;
  char *old_status;   /* NULL: not seen before */
  char *new_status;
  char *comment;      /* the municipality's latest comment, or NULL */
} MdgSyncStatusChange;

void        mdg_sync_status_change_free (MdgSyncStatusChange *change);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgSyncStatusChange, mdg_sync_status_change_free)

/* Fetches the statuses, stores them, and returns what changed since the
 * last fetch (MdgSyncStatusChange): a new status or a new history step. */
GPtrArray  *mdg_sync_status_refresh     (MdgStore *store,
                                         MdgSyncClient *client,
                                         GCancellable *cancellable,
                                         GError **error);
/* The last fetched list and its time; NULL without error when there is
 * none (or it is older than the cache lifetime). */
JsonArray  *mdg_sync_status_cached      (MdgStore *store,
                                         GDateTime **fetched,
                                         GError **error);
/* Fetches the resident's subsidy records (受給者証, 公費負担者番号, …) and
 * keeps them for offline viewing. */
gboolean    mdg_sync_records_refresh    (MdgStore *store,
                                         MdgSyncClient *client,
                                         GCancellable *cancellable,
                                         GError **error);
/* The last fetched records and their time; NULL without error when none. */
JsonArray  *mdg_sync_records_cached     (MdgStore *store,
                                         GDateTime **fetched,
                                         GError **error);
/* "just now", "5 minutes ago", "3 days ago" (translated). */
char       *mdg_sync_format_age         (GTimeSpan age);

G_END_DECLS
