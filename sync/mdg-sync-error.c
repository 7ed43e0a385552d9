/* mdg-sync-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "mdg-sync-error.h"

G_DEFINE_QUARK (madoguchi-sync-error-quark, mdg_sync_error)

gboolean
mdg_sync_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != MDG_SYNC_ERROR)
    return FALSE;

  switch ((MdgSyncError) error->code)
    {
    case MDG_SYNC_ERROR_NETWORK:
    case MDG_SYNC_ERROR_SERVER:
    case MDG_SYNC_ERROR_PROTOCOL:
    case MDG_SYNC_ERROR_TLS:
      return TRUE;
    case MDG_SYNC_ERROR_UNAUTHORIZED:
    case MDG_SYNC_ERROR_LOGIN:
    case MDG_SYNC_ERROR_NOT_FOUND:
    case MDG_SYNC_ERROR_REJECTED:
    case MDG_SYNC_ERROR_CONFIG:
    default:
      return FALSE;
    }
}
