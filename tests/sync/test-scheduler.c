/* test-scheduler.c: MdgSyncScheduler with a network monitor the test
 * switches on and off (a stand-in for NetworkManager), and the backoff
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "mdg-sync-error.h"
#include "mdg-sync-scheduler.h"

/* ---- a network monitor the test controls ---------------------------------- */

#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum
{
  PROP_0,
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
};

static gboolean
test_monitor_can_reach (GNetworkMonitor *monitor,
                        GSocketConnectable *connectable,
                        GCancellable *cancellable,
                        GError **error)
{
  return TEST_MONITOR (monitor)->available;
}

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = test_monitor_can_reach;
}

static gboolean
test_monitor_initable_init (GInitable *initable,
                            GCancellable *cancellable,
                            GError **error)
{
  return TRUE;
}

static void
test_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_monitor_initable_init;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_monitor_iface_init))

static void
test_monitor_get_property (GObject *object,
                           guint prop_id,
                           GValue *value,
                           GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_NETWORK_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
}

static void
test_monitor_set (TestMonitor *self,
                  gboolean available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}

/* ---- a job that fails as the test says ----------------------------------- */

typedef struct
{
  gint    calls;
  gint    fail_first;   /* this many calls fail */
  gint    error_code;   /* MDG_SYNC_ERROR_* of the failures */
  GArray *delays;       /* retry-scheduled */
  GArray *results;      /* finished: gboolean */
} Job;

static gboolean
job_run (gpointer data,
         GCancellable *cancellable,
         GError **error)
{
  Job *job = data;
  gint call = g_atomic_int_add (&job->calls, 1);

  if (call < job->fail_first)
    {
      g_set_error_literal (error, MDG_SYNC_ERROR, job->error_code, "failed as the test asked");
      return FALSE;
    }
  return TRUE;
}

static void
on_finished (MdgSyncScheduler *scheduler,
             gboolean ok,
             GError *error,
             Job *job)
{
  g_assert_true (ok == (error == NULL));
  g_array_append_val (job->results, ok);
}

static void
on_retry (MdgSyncScheduler *scheduler,
          gint64 delay,
          Job *job)
{
  g_array_append_val (job->delays, delay);
}

static Job *
job_new (gint fail_first,
         gint error_code)
{
  Job *job = g_new0 (Job, 1);

  job->fail_first = fail_first;
  job->error_code = error_code;
  job->delays = g_array_new (FALSE, FALSE, sizeof (gint64));
  job->results = g_array_new (FALSE, FALSE, sizeof (gboolean));
  return job;
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_array_unref (job->delays);
  g_array_unref (job->results);
  g_free (job);
}

static MdgSyncScheduler *
scheduler_new (TestMonitor *monitor,
               Job *job,
               GTimeSpan base,
               GTimeSpan cap)
{
  MdgSyncScheduler *scheduler = mdg_sync_scheduler_new (G_NETWORK_MONITOR (monitor), job_run, job, job_free);

  mdg_sync_scheduler_set_backoff (scheduler, base, cap);
  mdg_sync_scheduler_set_seed (scheduler, 42);
  g_signal_connect (scheduler, "finished", G_CALLBACK (on_finished), job);
  g_signal_connect (scheduler, "retry-scheduled", G_CALLBACK (on_retry), job);
  return scheduler;
}

static gboolean
timed_out (gpointer data)
{
  g_error ("the scheduler did not get there");
  return G_SOURCE_REMOVE;
}

/* Runs the main context until @job has @n results. */
static void
wait_results (Job *job,
              guint n)
{
  guint guard = g_timeout_add_seconds (20, timed_out, NULL);

  while (job->results->len < n)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (guard);
}

/* Lets whatever is due now happen. */
static void
settle (void)
{
  for (guint i = 0; i < 50; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

/* ---- tests --------------------------------------------------------------- */

static void
test_backoff_bounds (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  GTimeSpan base = 2 * G_TIME_SPAN_SECOND;
  GTimeSpan cap = 15 * G_TIME_SPAN_MINUTE;
  GTimeSpan d = base;

  for (guint attempt = 0; attempt < 20; attempt++)
    {
      GTimeSpan lo = G_MAXINT64;
      GTimeSpan hi = 0;

      for (guint i = 0; i < 200; i++)
        {
          GTimeSpan delay = mdg_sync_backoff_delay (attempt, base, cap, rand);

          g_assert_cmpint (delay, >=, d / 2);
          g_assert_cmpint (delay, <=, d);
          lo = MIN (lo, delay);
          hi = MAX (hi, delay);
        }
      /* Jitter: the draws spread over the window. */
      g_assert_cmpint (hi - lo, >, d / 4);
      d = MIN (d * 2, cap);
    }
}

static void
test_retry_then_success (void)
{
  g_autoptr(TestMonitor) monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  Job *job = job_new (3, MDG_SYNC_ERROR_NETWORK);
  g_autoptr(MdgSyncScheduler) scheduler = NULL;
  GTimeSpan base = 4 * G_TIME_SPAN_MILLISECOND;

  monitor->available = TRUE;
  scheduler = scheduler_new (monitor, job, base, 64 * G_TIME_SPAN_MILLISECOND);
  mdg_sync_scheduler_start (scheduler);
  wait_results (job, 4);

  g_assert_cmpint (g_atomic_int_get (&job->calls), ==, 4);
  g_assert_false (g_array_index (job->results, gboolean, 0));
  g_assert_false (g_array_index (job->results, gboolean, 2));
  g_assert_true (g_array_index (job->results, gboolean, 3));
  g_assert_cmpuint (mdg_sync_scheduler_get_failures (scheduler), ==, 0);
  /* Three retries, each in its doubling window. */
  g_assert_cmpuint (job->delays->len, ==, 3);
  for (guint i = 0; i < job->delays->len; i++)
    {
      gint64 window = base << i;

      g_assert_cmpint (g_array_index (job->delays, gint64, i), >=, window / 2);
      g_assert_cmpint (g_array_index (job->delays, gint64, i), <=, window);
    }
  /* Success: nothing more is scheduled. */
  settle ();
  g_assert_cmpint (g_atomic_int_get (&job->calls), ==, 4);
}

static void
test_waits_for_network (void)
{
  g_autoptr(TestMonitor) monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  Job *job = job_new (0, 0);
  g_autoptr(MdgSyncScheduler) scheduler = scheduler_new (monitor, job, G_TIME_SPAN_MILLISECOND,
                                                         G_TIME_SPAN_SECOND);

  mdg_sync_scheduler_start (scheduler);
  settle ();
  g_assert_cmpint (g_atomic_int_get (&job->calls), ==, 0);

  test_monitor_set (monitor, TRUE);
  wait_results (job, 1);
  g_assert_true (g_array_index (job->results, gboolean, 0));

  /* Offline and online again: what was queued meanwhile goes out. */
  test_monitor_set (monitor, FALSE);
  settle ();
  g_assert_cmpint (g_atomic_int_get (&job->calls), ==, 1);
  test_monitor_set (monitor, TRUE);
  wait_results (job, 2);
}

static void
test_network_back_cuts_backoff (void)
{
  g_autoptr(TestMonitor) monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  Job *job = job_new (1, MDG_SYNC_ERROR_NETWORK);
  /* A backoff far longer than the test. */
  g_autoptr(MdgSyncScheduler) scheduler = scheduler_new (monitor, job, G_TIME_SPAN_HOUR, G_TIME_SPAN_HOUR);

  monitor->available = TRUE;
  mdg_sync_scheduler_start (scheduler);
  wait_results (job, 1);
  g_assert_cmpuint (job->delays->len, ==, 1);
  g_assert_cmpuint (mdg_sync_scheduler_get_failures (scheduler), ==, 1);

  test_monitor_set (monitor, FALSE);
  test_monitor_set (monitor, TRUE);
  wait_results (job, 2);
  g_assert_true (g_array_index (job->results, gboolean, 1));
  g_assert_cmpuint (mdg_sync_scheduler_get_failures (scheduler), ==, 0);
}

static void
test_permanent_failure_stops (void)
{
  g_autoptr(TestMonitor) monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  Job *job = job_new (100, MDG_SYNC_ERROR_LOGIN);
  g_autoptr(MdgSyncScheduler) scheduler = scheduler_new (monitor, job, G_TIME_SPAN_MILLISECOND,
                                                         G_TIME_SPAN_MILLISECOND);

  monitor->available = TRUE;
  mdg_sync_scheduler_start (scheduler);
  wait_results (job, 1);
  settle ();
  /* A refused login needs the resident (a PIN), not another try. */
  g_assert_cmpint (g_atomic_int_get (&job->calls), ==, 1);
  g_assert_cmpuint (job->delays->len, ==, 0);
  test_monitor_set (monitor, TRUE);
  settle ();
  g_assert_cmpint (g_atomic_int_get (&job->calls), ==, 1);
}

static void
test_stop (void)
{
  g_autoptr(TestMonitor) monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  Job *job = job_new (100, MDG_SYNC_ERROR_SERVER);
  g_autoptr(MdgSyncScheduler) scheduler = scheduler_new (monitor, job, 20 * G_TIME_SPAN_MILLISECOND,
                                                         20 * G_TIME_SPAN_MILLISECOND);

  monitor->available = TRUE;
  mdg_sync_scheduler_start (scheduler);
  wait_results (job, 1);
  g_assert_cmpuint (job->delays->len, ==, 1);
  mdg_sync_scheduler_stop (scheduler);
  settle ();
  settle ();
  g_assert_cmpint (g_atomic_int_get (&job->calls), ==, 1);
  g_assert_false (mdg_sync_scheduler_is_running (scheduler));
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/scheduler/backoff-bounds", test_backoff_bounds);
  g_test_add_func ("/sync/scheduler/retry-then-success", test_retry_then_success);
  g_test_add_func ("/sync/scheduler/waits-for-network", test_waits_for_network);
  g_test_add_func ("/sync/scheduler/network-back-cuts-backoff", test_network_back_cuts_backoff);
  g_test_add_func ("/sync/scheduler/permanent-failure-stops", test_permanent_failure_stops);
  g_test_add_func ("/sync/scheduler/stop", test_stop);

  return g_test_run ();
}
