/* mdg-sync-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mdg-sync-error.h"
#include "mdg-sync-outbox.h"
#include "mdg-sync-receipt.h"

static JsonNode *
receipt_refused (GError **error,
                 const char *what)
{
  g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_PROTOCOL,
               _("The server’s receipt does not match the envelope (%s); the envelope is kept."), what);
  return NULL;
}

JsonNode *
mdg_sync_receipt_check (GBytes *body,
                        EVP_PKEY *key,
                        const char *uuid,
                        const char *sha256,
                        gsize size,
                        GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) receipt = mdg_sync_receipt_verify (body, key, &local);
  JsonObject *r;
  JsonNode *verification;

  if (receipt == NULL)
    {
      g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_PROTOCOL,
                   _("The server’s receipt is not valid (%s); the envelope is kept."), local->message);
      return NULL;
    }
  r = json_node_get_object (receipt);
  if (g_strcmp0 (json_object_get_string_member_with_default (r, "submission", NULL), uuid) != 0)
    return receipt_refused (error, "submission");
  if (g_strcmp0 (json_object_get_string_member_with_default (r, "envelope_sha256", NULL), sha256) != 0)
    return receipt_refused (error, "envelope_sha256");
  if (json_object_get_int_member_with_default (r, "envelope_size", -1) != (gint64) size)
    return receipt_refused (error, "envelope_size");
  verification = json_object_get_member (r, "verification");
  if (verification == NULL || !JSON_NODE_HOLDS_OBJECT (verification)
      || !json_object_get_boolean_member_with_default (json_node_get_object (verification), "valid", FALSE))
    return receipt_refused (error, "verification");
  if (json_object_get_string_member_with_default (r, "receipt_number", NULL) == NULL)
    return receipt_refused (error, "receipt_number");

  return g_steal_pointer (&receipt);
}

static gboolean
deliver_one (MdgStore *store,
             MdgSyncClient *client,
             MdgOutboxInfo *info,
             gboolean *refused,
             GCancellable *cancellable,
             GError **error)
{
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) receipt = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *sha256 = NULL;

  *refused = FALSE;
  envelope = mdg_store_outbox_load (store, info->uuid, &sha256, error);
  if (envelope == NULL)
    return FALSE;

  body = mdg_sync_client_submit (client, info->uuid, envelope, cancellable, &local);
  if (body == NULL)
    {
      if (g_error_matches (local, MDG_SYNC_ERROR, MDG_SYNC_ERROR_REJECTED))
        {
          *refused = TRUE;
          return mdg_store_outbox_set_rejected (store, info->uuid,
                                                mdg_sync_client_get_last_problem (client), error);
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  receipt = mdg_sync_receipt_check (body, mdg_sync_client_get_receipt_key (client), info->uuid,
                                    sha256, g_bytes_get_size (envelope), error);
  if (receipt == NULL)
    return FALSE;

  /* Verified: the receipt is stored and the envelope deleted at once. */
  return mdg_store_receipt_add (store, info->uuid, body, NULL, NULL, TRUE, error);
}

gboolean
mdg_sync_outbox_deliver (MdgStore *store,
                         MdgSyncClient *client,
                         MdgSyncDeliveryReport *report,
                         GCancellable *cancellable,
                         GError **error)
{
  g_autoptr(GPtrArray) list = NULL;
  MdgSyncDeliveryReport local_report = { 0 };

  g_return_val_if_fail (MDG_IS_STORE (store), FALSE);
  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (client), FALSE);

  if (report == NULL)
    report = &local_report;
  memset (report, 0, sizeof *report);

  list = mdg_store_outbox_list (store, error);
  if (list == NULL)
    return FALSE;

  for (guint i = 0; i < list->len; i++)
    {
      MdgOutboxInfo *info = list->pdata[i];
      gboolean refused;

      if (info->rejected != NULL)
        {
          report->refused++;
          continue;
        }
      if (!deliver_one (store, client, info, &refused, cancellable, error))
        {
          report->waiting = list->len - i;
          for (guint j = i + 1; j < list->len; j++)
            if (((MdgOutboxInfo *) list->pdata[j])->rejected != NULL)
              report->waiting--;
          return FALSE;
        }
      if (refused)
        report->refused++;
      else
        report->sent++;
    }

  return TRUE;
}
