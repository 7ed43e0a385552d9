/* mdg-sync-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "mdg-sync-status.h"

static const struct
{
  const char *name;
  const char *label_ja;
} statuses[] = {
  { "received", "受付" },
  { "under-review", "審査中" },
  { "correction-requested", "補正依頼" },
  { "awaiting-original", "原本待ち" },
  { "decided", "決定" },
  { "rejected", "却下" },
  { "notified", "通知済" },
};

const char *
mdg_sync_status_label_ja (const char *status)
{
  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (statuses); i++)
    if (g_str_equal (statuses[i].name, status))
      return statuses[i].label_ja;
  return NULL;
}

gboolean
mdg_sync_status_is_valid (const char *status)
{
  return mdg_sync_status_label_ja (status) != NULL;
}
