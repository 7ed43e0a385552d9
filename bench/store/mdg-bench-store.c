/* mdg-bench-store.c: the encrypted store against plain SQLite (the same
 * library opened without a key, the same schema) in the same run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "mdg-store.h"

enum { OPEN, SAVE, LIST, LOAD, N_METRICS };
enum { WALL, CPU, N_CLOCKS };

typedef struct
{
  double ms[N_METRICS][N_CLOCKS];
  gint64 file_size;
} Result;

typedef struct
{
  gint64 wall_us;
  double cpu_ms;
} Stamp;

/* CPU time of this thread (SQLite works in the caller's thread): less
 * disturbed than wall time by other work on a small shared machine. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

static Stamp
stamp (void)
{
  return (Stamp) { g_get_monotonic_time (), thread_cpu_ms () };
}

static void
record (Result *r,
        guint m,
        Stamp start)
{
  r->ms[m][WALL] = (double) (g_get_monotonic_time () - start.wall_us) / 1000.0;
  r->ms[m][CPU] = thread_cpu_ms () - start.cpu_ms;
}

static void
remove_profile (const char *dir)
{
  static const char * const names[] = { "store.db", "store.db-wal", "store.db-shm", "store.kcv",
                                        "lock" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static Result
run (const char *dir,
     const guint8 *key,
     guint n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *db = g_build_filename (dir, "store.db", NULL);
  char doc[2048];
  Result r = { 0 };
  GStatBuf st;
  Stamp t;

  memset (doc, 'd', sizeof doc);
  store = mdg_store_open (dir, key, &error);
  g_assert_no_error (error);
  t = stamp ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) bytes = NULL;

      g_snprintf (doc, 32, "{\"n\":%u,\"pad\":\"", i);
      doc[strlen (doc)] = 'd';
      bytes = g_bytes_new (doc, sizeof doc);
      g_ptr_array_add (ids, mdg_store_draft_save (store, "bench", bytes, &error));
      g_assert_no_error (error);
    }
  record (&r, SAVE, t);
  g_clear_object (&store);

  t = stamp ();
  store = mdg_store_open (dir, key, &error);
  g_assert_no_error (error);
  record (&r, OPEN, t);

  t = stamp ();
  list = mdg_store_draft_list (store, &error);
  g_assert_cmpuint (list->len, ==, n);
  record (&r, LIST, t);

  t = stamp ();
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GBytes) loaded = mdg_store_draft_load (store, ids->pdata[i], NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (loaded), ==, sizeof doc);
    }
  record (&r, LOAD, t);
  g_clear_object (&store);

  if (g_stat (db, &st) == 0)
    r.file_size = st.st_size;
  remove_profile (dir);

  return r;
}

#define ROUNDS 7


static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint n)
{
  qsort (values, n, sizeof *values, compare_double);

  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* The median of @m over the rounds, and the spread of the per-round
 * ratios (each round runs plain and encrypted back to back). */
static void
summarize (const Result *plain,
           const Result *enc,
           guint m,
           guint clock,
           double *plain_median,
           double *enc_median,
           double *ratio_min,
           double *ratio_max)
{
  double p[ROUNDS], e[ROUNDS];

  *ratio_min = G_MAXDOUBLE;
  *ratio_max = 0;
  for (guint i = 0; i < ROUNDS; i++)
    {
      double ratio;

      p[i] = plain[i].ms[m][clock];
      e[i] = enc[i].ms[m][clock];
      ratio = e[i] / p[i];
      *ratio_min = MIN (*ratio_min, ratio);
      *ratio_max = MAX (*ratio_max, ratio);
    }
  *plain_median = median (p, ROUNDS);
  *enc_median = median (e, ROUNDS);
}

int
main (int argc,
      char **argv)
{
  static const guint counts[] = { 1000, 10000 };
  g_autofree char *tmp = g_dir_make_tmp ("mdg-bench-store-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "profile", NULL);
  guint8 key[MDG_STORE_KEY_SIZE];

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) (i * 13 + 7);

  printf ("Store benchmark: 2 KB drafts, one transaction per save\n");
  printf ("baseline: plain SQLite (SQLCipher without a key, same schema and pragmas)\n");
  printf ("median of %d interleaved rounds; ratio = encrypted / plain medians, with the range of "
          "the per-round ratios\n\n", ROUNDS);
  printf ("%-7s %-6s %-5s %10s %10s %18s %12s\n", "drafts", "step", "clock", "plain ms", "enc ms",
          "ratio (range)", "goal");

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      static const char * const names[N_METRICS] = { "open", "save", "list", "load" };
      static const char * const clocks[N_CLOCKS] = { "wall", "cpu" };
      Result plain[ROUNDS], enc[ROUNDS];

      /* Plain and encrypted interleaved, so that a noisy neighbour on the
       * machine hits both alike. */
      for (guint round = 0; round < ROUNDS; round++)
        {
          plain[round] = run (dir, NULL, counts[c]);
          enc[round] = run (dir, key, counts[c]);
        }

      for (guint m = 0; m < N_METRICS; m++)
        for (guint k = 0; k < N_CLOCKS; k++)
          {
            double p, e, lo, hi;

            summarize (plain, enc, m, k, &p, &e, &lo, &hi);
            printf ("%-7u %-6s %-5s %10.1f %10.1f %6.2fx (%.2f–%.2f) %12s\n", counts[c], names[m],
                    clocks[k], p, e, e / p, lo, hi, m == OPEN ? "(reported)" : "<= 1.5x");
          }
      printf ("%-7u %-12s %10" G_GINT64_FORMAT " %10" G_GINT64_FORMAT " %6.2fx %25s\n\n",
              counts[c], "bytes", plain[0].file_size, enc[0].file_size,
              (double) enc[0].file_size / (double) plain[0].file_size, "(file size)");
    }

  g_rmdir (tmp);
  return 0;
}
