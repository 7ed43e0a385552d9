/* store-test-util.c: helpers shared by the store tests and benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "store-test-util.h"

GDateTime *
store_test_clock (gpointer user_data)
{
  StoreTestClock *clock = user_data;

  return g_date_time_new_from_unix_utc (clock->now);
}

const guint8 *
store_test_key (guint n)
{
  static guint8 keys[64][MDG_STORE_KEY_SIZE];

  g_assert_cmpuint (n, <, G_N_ELEMENTS (keys));
  for (guint i = 0; i < MDG_STORE_KEY_SIZE; i++)
    keys[n][i] = (guint8) (n * 31 + i * 7 + 1);

  return keys[n];
}

char *
store_test_make_profile_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_dir_make_tmp ("mdg-store-XXXXXX", &error);

  g_assert_no_error (error);
  return g_build_filename (parent, "profile", NULL);
}

static void
remove_recursive (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_recursive (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

void
store_test_remove_dir (const char *profile_dir)
{
  g_autofree char *parent = g_path_get_dirname (profile_dir);

  remove_recursive (parent);
}

MdgStore *
store_test_open (const char *profile_dir,
                 const guint8 *key,
                 StoreTestClock *clock)
{
  g_autoptr(GError) error = NULL;
  MdgStore *store;

  store = mdg_store_open_full (profile_dir, key, MDG_STORE_DRAFT_MAX_AGE_HOME,
                               clock != NULL ? store_test_clock : NULL, clock, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  return store;
}

GBytes *
store_test_filler_bytes (gsize size,
                         char fill)
{
  char *data = g_malloc (size);

  memset (data, fill, size);
  return g_bytes_new_take (data, size);
}

char *
store_test_hex (const guint8 *data,
                gsize len)
{
  GString *hex = g_string_sized_new (2 * len);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", data[i]);

  return g_string_free (hex, FALSE);
}
