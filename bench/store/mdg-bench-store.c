/* mdg-bench-store.c: the encrypted store against plain SQLite (the same
 * library opened without a key, the same schema) in the same run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "mdg-store.h"

typedef struct
{
  double open_ms, save_ms, list_ms, load_ms;
  gint64 file_size;
} Result;

static double
ms_since (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / 1000.0;
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
  gint64 t;

  memset (doc, 'd', sizeof doc);
  store = mdg_store_open (dir, key, &error);
  g_assert_no_error (error);
  t = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) bytes = NULL;

      g_snprintf (doc, 32, "{\"n\":%u,\"pad\":\"", i);
      doc[strlen (doc)] = 'd';
      bytes = g_bytes_new (doc, sizeof doc);
      g_ptr_array_add (ids, mdg_store_draft_save (store, "bench", bytes, &error));
      g_assert_no_error (error);
    }
  r.save_ms = ms_since (t);
  g_clear_object (&store);

  t = g_get_monotonic_time ();
  store = mdg_store_open (dir, key, &error);
  g_assert_no_error (error);
  r.open_ms = ms_since (t);

  t = g_get_monotonic_time ();
  list = mdg_store_draft_list (store, &error);
  g_assert_cmpuint (list->len, ==, n);
  r.list_ms = ms_since (t);

  t = g_get_monotonic_time ();
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GBytes) loaded = mdg_store_draft_load (store, ids->pdata[i], NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (loaded), ==, sizeof doc);
    }
  r.load_ms = ms_since (t);
  g_clear_object (&store);

  if (g_stat (db, &st) == 0)
    r.file_size = st.st_size;
  remove_profile (dir);

  return r;
}

#define ROUNDS 3

static void
best_of (Result *best,
         Result r,
         guint round)
{
  if (round == 0)
    {
      *best = r;
      return;
    }
  best->open_ms = MIN (best->open_ms, r.open_ms);
  best->save_ms = MIN (best->save_ms, r.save_ms);
  best->list_ms = MIN (best->list_ms, r.list_ms);
  best->load_ms = MIN (best->load_ms, r.load_ms);
  best->file_size = r.file_size;
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

  printf ("Store benchmark: 2 KB drafts, one transaction per save (WAL, synchronous=NORMAL)\n");
  printf ("baseline: plain SQLite (SQLCipher without a key, same schema); best of %d runs\n\n",
          ROUNDS);
  printf ("%-7s %-10s %10s %10s %10s %10s %12s\n", "drafts", "store", "open ms", "save ms",
          "list ms", "load ms", "file bytes");

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      Result plain = { 0 }, enc = { 0 };

      /* Best of ROUNDS, plain and encrypted interleaved, so that a noisy
       * neighbour on the machine does not decide the ratio. */
      for (guint round = 0; round < ROUNDS; round++)
        {
          best_of (&plain, run (dir, NULL, counts[c]), round);
          best_of (&enc, run (dir, key, counts[c]), round);
        }

      printf ("%-7u %-10s %10.1f %10.1f %10.1f %10.1f %12" G_GINT64_FORMAT "\n", counts[c],
              "plain", plain.open_ms, plain.save_ms, plain.list_ms, plain.load_ms,
              plain.file_size);
      printf ("%-7u %-10s %10.1f %10.1f %10.1f %10.1f %12" G_GINT64_FORMAT "\n", counts[c],
              "encrypted", enc.open_ms, enc.save_ms, enc.list_ms, enc.load_ms, enc.file_size);
      printf ("%-7u %-10s %9.2fx %9.2fx %9.2fx %9.2fx %11.2fx   (goal: save/list/load <= 1.5x)\n",
              counts[c], "ratio", enc.open_ms / plain.open_ms, enc.save_ms / plain.save_ms,
              enc.list_ms / plain.list_ms, enc.load_ms / plain.load_ms,
              (double) enc.file_size / (double) plain.file_size);
    }

  g_rmdir (tmp);
  return 0;
}
