/* test-store-enospc.c: a real full disk (ENOSPC) under the store
 *
 * Runs in its own mount namespace (meson runs it under `unshare --mount`):
 * the profile lives on a 256 KiB tmpfs that the test fills, then grows
 * with a remount. Needs root (CAP_SYS_ADMIN) for mount(2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include <glib/gstdio.h>

#include "mdg-app-error.h"
#include "mdg-store.h"
#include "store-test-util.h"

#define EARLY_DRAFTS 8

static void
mount_tmpfs (const char *dir,
             const char *size,
             gboolean remount)
{
  g_autofree char *options = g_strconcat ("size=", size, ",mode=0700", NULL);
  int rc = mount ("tmpfs", dir, "tmpfs", remount ? MS_REMOUNT : 0, options);

  if (rc != 0)
    g_error ("mount tmpfs on %s (%s): %s; run under unshare --mount as root", dir, options,
             g_strerror (errno));
}

static GBytes *
early_document (guint i)
{
  char *text = g_strdup_printf ("{\"early\":%u,\"pad\":\"%0512u\"}", i, i);

  return g_bytes_new_take (text, strlen (text));
}

static void
assert_early_drafts (MdgStore *store,
                     char **ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = mdg_store_draft_list (store, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >=, EARLY_DRAFTS);
  for (guint i = 0; i < EARLY_DRAFTS; i++)
    {
      g_autoptr(GBytes) expected = early_document (i);
      g_autoptr(GBytes) loaded = mdg_store_draft_load (store, ids[i], NULL, &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (loaded, expected));
    }
}

static void
test_enospc (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mnt = g_dir_make_tmp ("mdg-store-enospc-XXXXXX", &error);
  g_autofree char *dir = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GBytes) filler = store_test_filler_bytes (2048, 'f');
  g_autoptr(GBytes) big = store_test_filler_bytes (64 * 1024, 'u');
  g_autoptr(GBytes) after = store_test_filler_bytes (2048, 'a');
  g_autoptr(GBytes) loaded = NULL;
  g_autofree char *later = NULL;
  char *ids[EARLY_DRAFTS] = { NULL };
  guint saved = 0;
  gboolean full = FALSE;

  g_assert_no_error (error);
  mount_tmpfs (mnt, "256k", FALSE);
  dir = g_build_filename (mnt, "profile", NULL);

  store = store_test_open (dir, store_test_key (20), NULL);
  for (guint i = 0; i < EARLY_DRAFTS; i++)
    {
      g_autoptr(GBytes) doc = early_document (i);

      ids[i] = mdg_store_draft_save (store, "early", doc, &error);
      g_assert_no_error (error);
    }

  /* Fill the file system with drafts until the store says it is full. */
  for (guint i = 0; i < 1000 && !full; i++)
    {
      g_autofree char *id = mdg_store_draft_save (store, "filler", filler, &error);

      if (id != NULL)
        {
          saved++;
          continue;
        }
      g_test_message ("full after %u filler drafts: %s", saved, error->message);
      g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FULL);
      g_assert_nonnull (strstr (error->message, "disk is full"));
      g_clear_error (&error);
      full = TRUE;
    }
  g_assert_true (full);

  /* An update that does not fit fails as clearly and keeps the old text. */
  g_assert_false (mdg_store_draft_update (store, ids[0], big, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FULL);
  g_clear_error (&error);
  assert_early_drafts (store, ids);

  /* Closing on a full disk (the checkpoint may not fit) loses nothing:
   * a new connection reads the same drafts while the disk is still full. */
  g_clear_object (&store);
  store = store_test_open (dir, store_test_key (20), NULL);
  assert_early_drafts (store, ids);
  g_clear_object (&store);

  /* Space again: reopen, read everything, and save. */
  mount_tmpfs (mnt, "4m", TRUE);
  store = store_test_open (dir, store_test_key (20), NULL);
  assert_early_drafts (store, ids);
  {
    g_autoptr(GPtrArray) list = mdg_store_draft_list (store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, EARLY_DRAFTS + saved);
  }
  later = mdg_store_draft_save (store, "later", after, &error);
  g_assert_no_error (error);
  loaded = mdg_store_draft_load (store, later, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, after));
  g_clear_object (&store);

  for (guint i = 0; i < EARLY_DRAFTS; i++)
    g_free (ids[i]);
  store_test_remove_dir (dir);  /* empties the mount point */
  umount2 (mnt, MNT_DETACH);
  g_rmdir (mnt);
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/failure/enospc", test_enospc);

  return g_test_run ();
}
