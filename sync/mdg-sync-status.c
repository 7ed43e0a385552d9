/* mdg-sync-status.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mdg-sync-status.h"

static const struct
{
  const char *name;
  const char *label_ja;
  const char *label;
} statuses[] = {
  { "received", "受付", N_("Received") },
  { "under-review", "審査中", N_("Under review") },
  { "correction-requested", "補正依頼", N_("Correction requested") },
  { "awaiting-original", "原本待ち", N_("Awaiting the paper original") },
  { "decided", "決定", N_("Decided") },
  { "rejected", "却下", N_("Rejected") },
  { "notified", "通知済", N_("Notified") },
};

const char *
mdg_sync_status_get_label (const char *status)
{
  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (statuses); i++)
    if (g_str_equal (statuses[i].name, status))
      return _(statuses[i].label);
  return status;
}

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
