/* mdg-sync-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mdg-sync-batch.h"
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
  GBytes *envelope;
  GBytes *receipt;
  char   *problem;
  GError *error;
} Item;

static void
item_free (Item *item)
{
  g_free (item->uuid);
  g_free (item->sha256);
  g_clear_pointer (&item->envelope, g_bytes_unref);
  g_clear_pointer (&item->receipt, g_bytes_unref);
  g_free (item->problem);
  g_clear_error (&item->error);
  g_free (item);
}

/* What one worker sends at once: one envelope, or several small ones in
 * one request. */
typedef struct
{
  GPtrArray *items;
  gsize      bytes;
} Job;

static Job *
job_new (void)
{
  Job *job = g_new0 (Job, 1);

  job->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  return job;
}

static void
job_free (Job *job)
{
  g_ptr_array_unref (job->items);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

typedef struct
{
  MdgSyncClient *client;
  GCancellable  *cancellable;
  GAsyncQueue   *jobs;
  GAsyncQueue   *done;
  gint           no_batches;   /* atomic: the server refused a batch */
} Workers;

/* Pushed once per worker to end it. */
static Job stop_job;

static void
send_alone (Workers *w,
            Item *item)
{
  if (g_bytes_get_size (item->envelope) > mdg_sync_client_get_upload_threshold (w->client))
    item->receipt = mdg_sync_client_submit_resumable (w->client, item->uuid, item->envelope, item->sha256,
                                                      &item->problem, w->cancellable, &item->error);
  else
    item->receipt = mdg_sync_client_submit (w->client, item->uuid, item->envelope, &item->problem,
                                            w->cancellable, &item->error);
}

/* A failure of the request as a whole that sending one by one would meet
 * too: every item keeps it, and stays in the outbox. */
static gboolean
fails_alone_too (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         || g_error_matches (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_NETWORK)
         || g_error_matches (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_TLS)
         || g_error_matches (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_SERVER)
         || g_error_matches (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_UNAUTHORIZED);
}

static void
send_batch (Workers *w,
            Job *job)
{
  g_autofree const char **uuids = g_new (const char *, job->items->len);
  g_autofree GBytes **envelopes = g_new (GBytes *, job->items->len);
  g_autofree MdgSyncBatchResult *results = g_new0 (MdgSyncBatchResult, job->items->len);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < job->items->len; i++)
    {
      Item *item = job->items->pdata[i];

      uuids[i] = item->uuid;
      envelopes[i] = item->envelope;
    }
  if (mdg_sync_client_submit_batch (w->client, uuids, envelopes, job->items->len, results, w->cancellable,
                                    &error))
    {
      for (guint i = 0; i < job->items->len; i++)
        {
          Item *item = job->items->pdata[i];

          item->receipt = g_steal_pointer (&results[i].receipt);
          item->problem = g_steal_pointer (&results[i].problem);
          item->error = g_steal_pointer (&results[i].error);
        }
      return;
    }
  if (fails_alone_too (error))
    {
      for (guint i = 0; i < job->items->len; i++)
        ((Item *) job->items->pdata[i])->error = g_error_copy (error);
      return;
    }
  /* Refused as a batch (an older server, a proxy's limit): nothing was
   * stored; the envelopes go one by one, now and from then on. */
  g_atomic_int_set (&w->no_batches, TRUE);
  for (guint i = 0; i < job->items->len; i++)
    send_alone (w, job->items->pdata[i]);
}

static gpointer
worker (gpointer data)
{
  Workers *w = data;
  Job *job;

  while ((job = g_async_queue_pop (w->jobs)) != &stop_job)
    {
      if (job->items->len == 1 || g_atomic_int_get (&w->no_batches))
        for (guint i = 0; i < job->items->len; i++)
          send_alone (w, job->items->pdata[i]);
      else
        send_batch (w, job);

      for (guint i = 0; i < job->items->len; i++)
        {
          Item *item = job->items->pdata[i];
          g_autoptr(JsonNode) checked = NULL;

          if (item->receipt == NULL)
            continue;
          checked = mdg_sync_receipt_check (item->receipt, mdg_sync_client_get_receipt_key (w->client),
                                            mdg_sync_client_get_receipt_key_id (w->client), item->uuid,
                                            item->sha256, g_bytes_get_size (item->envelope), &item->error);
          if (checked == NULL)
            g_clear_pointer (&item->receipt, g_bytes_unref);
        }
      g_async_queue_push (w->done, job);
    }
  return NULL;
}

/* The receipts of @job in one transaction; refusals marked; the first
 * error kept in @first_error. A crash before it commits only means the
 * same receipts again. */
static void
store_results (MdgStore *store,
               Job *job,
               MdgSyncDeliveryReport *report,
               GError **first_error)
{
  g_autoptr(GPtrArray) uuids = g_ptr_array_new ();
  g_autoptr(GPtrArray) receipts = g_ptr_array_new ();

  for (guint i = 0; i < job->items->len; i++)
    {
      Item *item = job->items->pdata[i];

      if (item->receipt != NULL)
        {
          g_ptr_array_add (uuids, item->uuid);
          g_ptr_array_add (receipts, item->receipt);
        }
      else if (g_error_matches (item->error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_REJECTED))
        {
          if (mdg_store_outbox_set_rejected (store, item->uuid, item->problem != NULL ? item->problem : "",
                                             *first_error == NULL ? first_error : NULL))
            report->refused++;
        }
      else if (*first_error == NULL)
        *first_error = g_steal_pointer (&item->error);
    }
  if (uuids->len > 0
      && mdg_store_receipts_add_verified (store, (const char * const *) uuids->pdata,
                                          (GBytes * const *) receipts->pdata, uuids->len,
                                          *first_error == NULL ? first_error : NULL))
    report->sent += uuids->len;
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
  Workers w = { client, cancellable, NULL, NULL, FALSE };
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

  /* A few requests in flight hide the round trips and the server's
   * verification time. */
  w.jobs = g_async_queue_new ();
  w.done = g_async_queue_new ();
  for (guint i = 0; i < MIN (list->len, MDG_SYNC_CLIENT_MAX_PARALLEL); i++)
    g_ptr_array_add (threads, g_thread_new ("mdg-sync-send", worker, &w));

  for (;;)
    {
      /* Twice as many queued as there are workers, so that none waits
       * while this thread stores receipts; bounded in bytes too. */
      while (first_error == NULL && in_flight < 2 * threads->len && next < list->len
             && (in_flight == 0 || queued_bytes < MAX_QUEUED_BYTES))
        {
          g_autoptr(Job) job = job_new ();
          /* Small envelopes share a request when there are more than the
           * workers can send one by one: fewer requests, and one disk
           * sync on each side for all of them. */
          guint per_job = CLAMP ((list->len - next) / (2 * threads->len), 1, MDG_SYNC_BATCH_MAX);

          while (first_error == NULL && next < list->len && job->items->len < per_job)
            {
              MdgOutboxInfo *info = list->pdata[next];
              /* A large envelope goes alone, by the resumable API. */
              gboolean large = info->size > mdg_sync_client_get_upload_threshold (client);
              Item *item;

              if (info->rejected != NULL)
                {
                  report->refused++;
                  next++;
                  continue;
                }
              if (job->items->len > 0 && (large || job->bytes + info->size > MDG_SYNC_BATCH_MAX_BYTES))
                break;
              next++;
              item = g_new0 (Item, 1);
              item->uuid = g_strdup (info->uuid);
              item->envelope = mdg_store_outbox_load (store, info->uuid, &item->sha256, &first_error);
              if (item->envelope == NULL)
                {
                  item_free (item);
                  break;
                }
              job->bytes += g_bytes_get_size (item->envelope);
              g_ptr_array_add (job->items, item);
              if (large)
                break;
            }
          if (job->items->len == 0)
            break;
          queued_bytes += job->bytes;
          g_async_queue_push (w.jobs, g_steal_pointer (&job));
          in_flight++;
        }
      if (in_flight == 0)
        break;

      /* Every answer that is in, each job's receipts in one transaction. */
      for (Job *done = g_async_queue_pop (w.done); done != NULL; done = g_async_queue_try_pop (w.done))
        {
          in_flight--;
          queued_bytes -= done->bytes;
          store_results (store, done, report, &first_error);
          job_free (done);
        }
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
