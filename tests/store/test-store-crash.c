/* test-store-crash.c: SIGKILL at random points during writes leaves a
 * store that opens, with every committed draft whole and no partial one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mdg-app-error.h"
#include "mdg-store-private.h"
#include "store-test-util.h"

#define RUNS 100
#define KEY_INDEX 20
#define DELETED_FLAG 0x80000000u

/* Draft @seq's document: its size and bytes follow from @seq alone, so a
 * partial or mixed-up draft cannot pass for a whole one. */
static GBytes *
draft_for (guint seq)
{
  gsize size = 200 + (seq * 997) % 6000;
  GString *doc = g_string_sized_new (size + 32);

  g_string_append_printf (doc, "{\"seq\":%u,\"pad\":\"", seq);
  while (doc->len < size)
    g_string_append_c (doc, (char) ('a' + (doc->len + seq) % 26));
  g_string_append (doc, "\"}");

  return g_string_free_to_bytes (doc);
}

static guint
seq_of (GBytes *doc)
{
  const char *text = g_bytes_get_data (doc, NULL);

  g_assert_true (g_str_has_prefix (text, "{\"seq\":"));
  return (guint) g_ascii_strtoull (text + 7, NULL, 10);
}

/* The child: commits drafts (and deletes some) until killed, reporting
 * each committed draft's sequence number after its commit. */
G_GNUC_NORETURN static void
writer (const char *dir,
        guint first_seq,
        int report_fd)
{
  g_autoptr(GError) error = NULL;
  MdgStore *store = mdg_store_open (dir, store_test_key (KEY_INDEX), &error);

  if (store == NULL)
    _exit (3);

  for (guint seq = first_seq;; seq++)
    {
      g_autoptr(GBytes) doc = draft_for (seq);
      g_autofree char *procedure = g_strdup_printf ("crash-%u", seq);
      g_autofree char *id = mdg_store_draft_save (store, procedure, doc, &error);
      guint32 report = seq;

      if (id == NULL)
        {
          g_printerr ("writer: %s\n", error->message);
          _exit (4);
        }
      if (write (report_fd, &report, sizeof report) != sizeof report)
        _exit (5);
      /* Deletions make free pages and secure_delete overwrites. */
      if (seq % 7 == 0)
        {
          g_autoptr(GPtrArray) list = mdg_store_draft_list (store, NULL);

          if (list != NULL && list->len > 20)
            {
              MdgDraftInfo *oldest = list->pdata[list->len - 1];

              /* Announced before the delete: missing or present, both fine. */
              report = DELETED_FLAG | (guint32) g_ascii_strtoull (oldest->procedure + 6, NULL, 10);
              if (write (report_fd, &report, sizeof report) != sizeof report)
                _exit (5);
              mdg_store_draft_delete (store, oldest->id, NULL);
            }
        }
    }
}

static void
check_store (const char *dir,
             GHashTable *committed,
             GHashTable *deleted_ok)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = mdg_store_open (dir, store_test_key (KEY_INDEX), &error);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  sqlite3_stmt *stmt = NULL;
  GHashTableIter iter;
  gpointer key;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_prepare_v2 (mdg_store_get_handle (store), "PRAGMA integrity_check",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);

  list = mdg_store_draft_list (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      MdgDraftInfo *info = list->pdata[i];
      g_autoptr(GBytes) doc = mdg_store_draft_load (store, info->id, NULL, &error);
      g_autoptr(GBytes) expected = NULL;
      guint seq;

      g_assert_no_error (error);
      seq = seq_of (doc);
      g_assert_cmpuint (seq, ==, (guint) g_ascii_strtoull (info->procedure + 6, NULL, 10));
      expected = draft_for (seq);
      /* Whole: exactly the bytes that were written. */
      g_assert_true (g_bytes_equal (doc, expected));
      g_hash_table_add (present, GUINT_TO_POINTER (seq));
    }

  /* Every reported commit is there, unless the writer deleted it itself. */
  g_hash_table_iter_init (&iter, committed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_hash_table_contains (present, key) && !g_hash_table_contains (deleted_ok, key))
        g_error ("committed draft %u is missing", GPOINTER_TO_UINT (key));
    }

}

static void
test_sigkill (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autoptr(GHashTable) committed = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) deleted_ok = g_hash_table_new (NULL, NULL);
  guint next_seq = 1;
  guint killed_mid_write = 0;

  for (guint run = 0; run < RUNS; run++)
    {
      int fds[2];
      pid_t pid;
      int status = 0;
      guint32 report;
      ssize_t n;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          writer (dir, next_seq, fds[1]);
        }
      close (fds[1]);

      /* Let it open the store and write for a random while. */
      g_usleep (g_test_rand_int_range (2000, 60000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      if (!WIFSIGNALED (status))
        g_error ("the writer exited with %d", WEXITSTATUS (status));

      while ((n = read (fds[0], &report, sizeof report)) == sizeof report)
        {
          if (report & DELETED_FLAG)
            {
              g_hash_table_add (deleted_ok, GUINT_TO_POINTER (report & ~DELETED_FLAG));
              continue;
            }
          g_hash_table_add (committed, GUINT_TO_POINTER (report));
          next_seq = MAX (next_seq, report + 1);
        }
      close (fds[0]);
      /* The draft after the last report may have been committed unreported. */
      next_seq += 1;
      killed_mid_write++;

      check_store (dir, committed, deleted_ok);
    }

  g_test_message ("%u runs, %u drafts committed", killed_mid_write,
                  g_hash_table_size (committed));
  g_assert_cmpuint (g_hash_table_size (committed), >, 0);
  store_test_remove_dir (dir);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/crash/sigkill", test_sigkill);

  return g_test_run ();
}
