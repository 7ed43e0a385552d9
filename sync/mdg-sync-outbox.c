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

/* Envelope bytes read ahead for the workers, at most (one envelope may be
 * larger on its own). */
#define MAX_QUEUED_BYTES (64 * 1024 * 1024)

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
                        const char *key_id,
                        const char *uuid,
                        const char *sha256,
                        gsize size,
                        GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) receipt = mdg_sync_receipt_verify_with_id (body, key, key_id, &local);
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

/* One envelope on its way: loaded by the delivering thread (the store is
 * used from that thread only), sent and its receipt checked by a worker. */
typedef struct
{
  char   *uuid;
  char   *sha256;
  gsize   size;
  GBytes *envelope;
  GBytes *receipt;
  char   *problem;
  GError *error;
} Job;

static void
job_free (Job *job)
{
  g_free (job->uuid);
  g_free (job->sha256);
  g_clear_pointer (&job->envelope, g_bytes_unref);
  g_clear_pointer (&job->receipt, g_bytes_unref);
  g_free (job->problem);
  g_clear_error (&job->error);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

typedef struct
{
  MdgSyncClient *client;
  GCancellable  *cancellable;
  GAsyncQueue   *jobs;
  GAsyncQueue   *done;
} Workers;

/* Pushed once per worker to end it. */
static Job stop_job;

static gpointer
worker (gpointer data)
{
  Workers *w = data;
  Job *job;

  while ((job = g_async_queue_pop (w->jobs)) != &stop_job)
    {
      if (g_bytes_get_size (job->envelope) > mdg_sync_client_get_upload_threshold (w->client))
        job->receipt = mdg_sync_client_submit_resumable (w->client, job->uuid, job->envelope, job->sha256,
                                                         &job->problem, w->cancellable, &job->error);
      else
        job->receipt = mdg_sync_client_submit (w->client, job->uuid, job->envelope, &job->problem,
                                               w->cancellable, &job->error);
      if (job->receipt != NULL)
        {
          g_autoptr(JsonNode) checked = mdg_sync_receipt_check (job->receipt,
                                                                mdg_sync_client_get_receipt_key (w->client),
                                                                mdg_sync_client_get_receipt_key_id (w->client),
                                                                job->uuid, job->sha256,
                                                                g_bytes_get_size (job->envelope),
                                                                &job->error);

          if (checked == NULL)
            g_clear_pointer (&job->receipt, g_bytes_unref);
        }
      g_async_queue_push (w->done, job);
    }
  return NULL;
}

gboolean
mdg_sync_outbox_deliver (MdgStore *store,
                         MdgSyncClient *client,
                         MdgSyncDeliveryReport *report,
                         GCancellable *cancellable,
                         GError **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GError) first_error = NULL;
  MdgSyncDeliveryReport local_report = { 0 };
  Workers w = { client, cancellable, NULL, NULL };
  guint next = 0;
  guint in_flight = 0;
  gsize queued_bytes = 0;

  g_return_val_if_fail (MDG_IS_STORE (store), FALSE);
  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (client), FALSE);

  if (report == NULL)
    report = &local_report;
  memset (report, 0, sizeof *report);

  list = mdg_store_outbox_list (store, error);
  if (list == NULL)
    return FALSE;

  /* A few submissions in flight hide the round trips and the server's
   * verification time; the receipts that come in together are stored in
   * one transaction. */
  w.jobs = g_async_queue_new ();
  w.done = g_async_queue_new ();
  for (guint i = 0; i < MIN (list->len, MDG_SYNC_CLIENT_MAX_PARALLEL); i++)
    g_ptr_array_add (threads, g_thread_new ("mdg-sync-send", worker, &w));

  for (;;)
    {
      g_autoptr(GPtrArray) batch = NULL;
      g_autoptr(GPtrArray) uuids = NULL;
      g_autoptr(GPtrArray) receipts = NULL;
      Job *job;

      /* Twice as many queued as there are workers, so that none waits
       * while this thread stores receipts; bounded in bytes too. */
      while (first_error == NULL && in_flight < 2 * threads->len && next < list->len
             && (in_flight == 0 || queued_bytes < MAX_QUEUED_BYTES))
        {
          MdgOutboxInfo *info = list->pdata[next++];
          Job *fresh;

          if (info->rejected != NULL)
            {
              report->refused++;
              continue;
            }
          fresh = g_new0 (Job, 1);
          fresh->uuid = g_strdup (info->uuid);
          fresh->envelope = mdg_store_outbox_load (store, info->uuid, &fresh->sha256, &first_error);
          if (fresh->envelope == NULL)
            {
              job_free (fresh);
              break;
            }
          fresh->size = g_bytes_get_size (fresh->envelope);
          queued_bytes += g_bytes_get_size (fresh->envelope);
          g_async_queue_push (w.jobs, fresh);
          in_flight++;
        }
      if (in_flight == 0)
        break;

      /* Every answer that is in, with one transaction for their receipts:
       * a crash before it commits only means the same receipts again. */
      batch = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
      g_ptr_array_add (batch, g_async_queue_pop (w.done));
      while ((job = g_async_queue_try_pop (w.done)) != NULL)
        g_ptr_array_add (batch, g_steal_pointer (&job));
      in_flight -= batch->len;
      uuids = g_ptr_array_new ();
      receipts = g_ptr_array_new ();
      for (guint i = 0; i < batch->len; i++)
        {
          Job *done = batch->pdata[i];

          queued_bytes -= done->size;
          if (done->receipt != NULL)
            {
              g_ptr_array_add (uuids, done->uuid);
              g_ptr_array_add (receipts, done->receipt);
            }
          else if (g_error_matches (done->error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_REJECTED))
            {
              if (mdg_store_outbox_set_rejected (store, done->uuid, done->problem != NULL ? done->problem : "",
                                                 first_error == NULL ? &first_error : NULL))
                report->refused++;
            }
          else if (first_error == NULL)
            first_error = g_steal_pointer (&done->error);
        }
      if (uuids->len > 0
          && mdg_store_receipts_add_verified (store, (const char * const *) uuids->pdata,
                                              (GBytes * const *) receipts->pdata, uuids->len,
                                              first_error == NULL ? &first_error : NULL))
        report->sent += uuids->len;
      g_clear_pointer (&uuids, g_ptr_array_unref);
      g_clear_pointer (&receipts, g_ptr_array_unref);
      g_clear_pointer (&batch, g_ptr_array_unref);
    }

  for (guint i = 0; i < threads->len; i++)
    g_async_queue_push (w.jobs, &stop_job);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (threads->pdata[i]);
  g_async_queue_unref (w.jobs);
  g_async_queue_unref (w.done);

  if (first_error != NULL)
    {
      g_autoptr(GPtrArray) left = mdg_store_outbox_list (store, NULL);

      for (guint i = 0; left != NULL && i < left->len; i++)
        if (((MdgOutboxInfo *) left->pdata[i])->rejected == NULL)
          report->waiting++;
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }

  return TRUE;
}
