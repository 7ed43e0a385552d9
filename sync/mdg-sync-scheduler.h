/* mdg-sync-scheduler.h: when to deliver: now if the network is up, again
 * after a transient failure with exponential backoff and jitter, and as
 * soon as the network comes back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MDG_SYNC_BACKOFF_BASE (2 * G_TIME_SPAN_SECOND)
#define MDG_SYNC_BACKOFF_CAP  (15 * G_TIME_SPAN_MINUTE)

/* The delay before retry @attempt (0 for the first retry): "equal jitter",
 * a random point in [d/2, d] with d = min(@cap, @base × 2^@attempt), so
 * clients that failed together do not come back together. */
GTimeSpan mdg_sync_backoff_delay (guint attempt,
                                  GTimeSpan base,
                                  GTimeSpan cap,
                                  GRand *rand);

/* The work, run in a worker thread; FALSE with an error on failure. Only a
 * transient error (mdg_sync_error_is_transient()) is retried. */
typedef gboolean (*MdgSyncJobFunc) (gpointer user_data,
                                    GCancellable *cancellable,
                                    GError **error);

#define MDG_TYPE_SYNC_SCHEDULER (mdg_sync_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (MdgSyncScheduler, mdg_sync_scheduler, MDG, SYNC_SCHEDULER, GObject)

/* @monitor NULL is g_network_monitor_get_default(). Signals, on the
 * thread-default main context of the caller of _start():
 *   "finished" (gboolean ok, GError *error): after every run;
 *   "retry-scheduled" (gint64 delay_us): a transient failure, the next run
 *   is due after that delay (or when the network comes back). */
MdgSyncScheduler *mdg_sync_scheduler_new      (GNetworkMonitor *monitor,
                                               MdgSyncJobFunc job,
                                               gpointer user_data,
                                               GDestroyNotify destroy);
void              mdg_sync_scheduler_set_backoff (MdgSyncScheduler *self,
                                                  GTimeSpan base,
                                                  GTimeSpan cap);
/* Only the way to @destination counts (g_network_monitor_can_reach()),
 * not whether there is a default route: a server on the local network or
 * on loopback is reachable without one. */
void              mdg_sync_scheduler_set_destination (MdgSyncScheduler *self,
                                                      GSocketConnectable *destination);
/* For tests: a reproducible jitter. */
void              mdg_sync_scheduler_set_seed (MdgSyncScheduler *self,
                                               guint32 seed);
/* Runs now when the network is up, else as soon as it is. */
void              mdg_sync_scheduler_start    (MdgSyncScheduler *self);
/* Stops: cancels a running job, forgets a pending retry. */
void              mdg_sync_scheduler_stop     (MdgSyncScheduler *self);
gboolean          mdg_sync_scheduler_is_running (MdgSyncScheduler *self);
/* Failed runs in a row (0 after a success). */
guint             mdg_sync_scheduler_get_failures (MdgSyncScheduler *self);

G_END_DECLS
