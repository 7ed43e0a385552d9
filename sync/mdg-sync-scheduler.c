/* mdg-sync-scheduler.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "mdg-sync-error.h"
#include "mdg-sync-scheduler.h"

struct _MdgSyncScheduler
{
  GObject          parent_instance;

  GNetworkMonitor *monitor;
  GSocketConnectable *destination;
  gulong           network_handler;
  MdgSyncJobFunc   job;
  gpointer         user_data;
  GDestroyNotify   destroy;
  GRand           *rand;
  GTimeSpan        base;
  GTimeSpan        cap;

  gboolean         started;
  GCancellable    *running;   /* non-NULL while a job runs */
  guint            retry_source;
  guint            failures;
};

G_DEFINE_FINAL_TYPE (MdgSyncScheduler, mdg_sync_scheduler, G_TYPE_OBJECT)

enum
{
  SIGNAL_FINISHED,
  SIGNAL_RETRY_SCHEDULED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GTimeSpan
mdg_sync_backoff_delay (guint attempt,
                        GTimeSpan base,
                        GTimeSpan cap,
                        GRand *rand)
{
  GTimeSpan d = base;

  for (guint i = 0; i < attempt && d < cap; i++)
    d *= 2;
  d = MIN (d, cap);

  return d / 2 + (GTimeSpan) (g_rand_double (rand) * (double) (d - d / 2));
}

static void run_now (MdgSyncScheduler *self);

static gboolean
network_up (MdgSyncScheduler *self)
{
  if (self->destination != NULL)
    return g_network_monitor_can_reach (self->monitor, self->destination, NULL, NULL);
  return g_network_monitor_get_network_available (self->monitor);
}

static void
job_thread (GTask *task,
            gpointer source,
            gpointer task_data,
            GCancellable *cancellable)
{
  MdgSyncScheduler *self = source;
  GError *error = NULL;

  if (self->job (self->user_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
retry_due (gpointer data)
{
  MdgSyncScheduler *self = data;

  self->retry_source = 0;
  if (network_up (self))
    run_now (self);
  /* Otherwise network-changed runs it when the network is back. */
  return G_SOURCE_REMOVE;
}

static void
job_done (GObject *source,
          GAsyncResult *result,
          gpointer data)
{
  MdgSyncScheduler *self = MDG_SYNC_SCHEDULER (source);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  g_clear_object (&self->running);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->failures = ok ? 0 : self->failures + 1;
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, ok, error);

  if (!ok && self->started && mdg_sync_error_is_transient (error))
    {
      GTimeSpan delay = mdg_sync_backoff_delay (self->failures - 1, self->base, self->cap, self->rand);

      g_signal_emit (self, signals[SIGNAL_RETRY_SCHEDULED], 0, (gint64) delay);
      self->retry_source = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (delay / 1000), retry_due,
                                               g_object_ref (self), g_object_unref);
    }
}

static void
run_now (MdgSyncScheduler *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->running != NULL)
    return;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->running = g_cancellable_new ();
  task = g_task_new (self, self->running, job_done, NULL);
  g_task_set_source_tag (task, run_now);
  g_task_run_in_thread (task, job_thread);
}

static void
network_changed (GNetworkMonitor *monitor,
                 gboolean available,
                 gpointer data)
{
  MdgSyncScheduler *self = data;

  /* Back online: no need to sit out the rest of a backoff. */
  if (self->started && self->running == NULL
      && (self->retry_source != 0 || self->failures == 0) && network_up (self))
    run_now (self);
}

static void
mdg_sync_scheduler_dispose (GObject *object)
{
  MdgSyncScheduler *self = MDG_SYNC_SCHEDULER (object);

  mdg_sync_scheduler_stop (self);
  g_clear_signal_handler (&self->network_handler, self->monitor);
  g_clear_object (&self->monitor);
  g_clear_object (&self->destination);

  G_OBJECT_CLASS (mdg_sync_scheduler_parent_class)->dispose (object);
}

static void
mdg_sync_scheduler_finalize (GObject *object)
{
  MdgSyncScheduler *self = MDG_SYNC_SCHEDULER (object);

  if (self->destroy != NULL)
    self->destroy (self->user_data);
  g_rand_free (self->rand);

  G_OBJECT_CLASS (mdg_sync_scheduler_parent_class)->finalize (object);
}

static void
mdg_sync_scheduler_class_init (MdgSyncSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mdg_sync_scheduler_dispose;
  object_class->finalize = mdg_sync_scheduler_finalize;

  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_ERROR);
  signals[SIGNAL_RETRY_SCHEDULED] =
    g_signal_new ("retry-scheduled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
mdg_sync_scheduler_init (MdgSyncScheduler *self)
{
  self->rand = g_rand_new ();
  self->base = MDG_SYNC_BACKOFF_BASE;
  self->cap = MDG_SYNC_BACKOFF_CAP;
}

MdgSyncScheduler *
mdg_sync_scheduler_new (GNetworkMonitor *monitor,
                        MdgSyncJobFunc job,
                        gpointer user_data,
                        GDestroyNotify destroy)
{
  MdgSyncScheduler *self;

  g_return_val_if_fail (job != NULL, NULL);

  self = g_object_new (MDG_TYPE_SYNC_SCHEDULER, NULL);
  self->monitor = g_object_ref (monitor != NULL ? monitor : g_network_monitor_get_default ());
  self->job = job;
  self->user_data = user_data;
  self->destroy = destroy;
  self->network_handler = g_signal_connect (self->monitor, "network-changed",
                                            G_CALLBACK (network_changed), self);
  return self;
}

void
mdg_sync_scheduler_set_backoff (MdgSyncScheduler *self,
                                GTimeSpan base,
                                GTimeSpan cap)
{
  g_return_if_fail (MDG_IS_SYNC_SCHEDULER (self));
  g_return_if_fail (base > 0 && cap >= base);

  self->base = base;
  self->cap = cap;
}

void
mdg_sync_scheduler_set_destination (MdgSyncScheduler *self,
                                    GSocketConnectable *destination)
{
  g_return_if_fail (MDG_IS_SYNC_SCHEDULER (self));

  g_set_object (&self->destination, destination);
}

void
mdg_sync_scheduler_set_seed (MdgSyncScheduler *self,
                             guint32 seed)
{
  g_return_if_fail (MDG_IS_SYNC_SCHEDULER (self));

  g_rand_set_seed (self->rand, seed);
}

void
mdg_sync_scheduler_start (MdgSyncScheduler *self)
{
  g_return_if_fail (MDG_IS_SYNC_SCHEDULER (self));

  self->started = TRUE;
  if (network_up (self))
    run_now (self);
}

void
mdg_sync_scheduler_stop (MdgSyncScheduler *self)
{
  g_return_if_fail (MDG_IS_SYNC_SCHEDULER (self));

  self->started = FALSE;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (self->running != NULL)
    g_cancellable_cancel (self->running);
}

gboolean
mdg_sync_scheduler_is_running (MdgSyncScheduler *self)
{
  g_return_val_if_fail (MDG_IS_SYNC_SCHEDULER (self), FALSE);

  return self->running != NULL;
}

guint
mdg_sync_scheduler_get_failures (MdgSyncScheduler *self)
{
  g_return_val_if_fail (MDG_IS_SYNC_SCHEDULER (self), 0);

  return self->failures;
}
