/* replay-main.c: runs a fuzz target without libFuzzer (gcc builds)
 *
 * Replays every seed file given (files or directories), then a fixed
 * number of deterministic mutations of each, through
 * LLVMFuzzerTestOneInput.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

#define MUTATIONS_PER_SEED 1500
#define REPLAY_MAX_INPUT 8192

static void
mutate (GRand *rand,
        GByteArray *buf)
{
  guint rounds = g_rand_int_range (rand, 1, 5);

  for (guint r = 0; r < rounds; r++)
    {
      guint pos = buf->len > 0 ? g_rand_int_range (rand, 0, buf->len) : 0;

      switch (g_rand_int_range (rand, 0, 7))
        {
        case 0:  /* flip a bit */
          if (buf->len > 0)
            buf->data[pos] ^= 1 << g_rand_int_range (rand, 0, 8);
          break;
        case 1:  /* set a byte */
          if (buf->len > 0)
            buf->data[pos] = g_rand_int_range (rand, 0, 256);
          break;
        case 2:  /* interesting values */
          if (buf->len > 0)
            {
              static const guint8 values[] = { 0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xFF, 0x61, 0x6C, 0x90 };
              buf->data[pos] = values[g_rand_int_range (rand, 0, G_N_ELEMENTS (values))];
            }
          break;
        case 3:  /* truncate */
          g_byte_array_set_size (buf, pos);
          break;
        case 4:  /* insert a byte */
          if (buf->len < REPLAY_MAX_INPUT)
            {
              guint8 b = g_rand_int_range (rand, 0, 256);
              g_array_insert_val ((GArray *) buf, pos, b);
            }
          break;
        case 5:  /* delete a range */
          if (buf->len > 0)
            {
              guint n = g_rand_int_range (rand, 1, 17);
              g_byte_array_remove_range (buf, pos, MIN (n, buf->len - pos));
            }
          break;
        default:  /* duplicate a range */
          if (buf->len > 0 && buf->len < REPLAY_MAX_INPUT)
            {
              guint n = g_rand_int_range (rand, 1, 33);
              g_autofree guint8 *copy = NULL;

              n = MIN (n, buf->len - pos);
              copy = g_memdup2 (buf->data + pos, n);
              g_byte_array_append (buf, copy, n);
            }
          break;
        }
    }
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

static void
collect (const char *path,
         GPtrArray *files)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  /* Sorted: the same order on every run. */
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    if (g_file_test (names->pdata[i], G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add (files, g_strdup (names->pdata[i]));
}

int
main (int argc,
      char *argv[])
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x6D646721);
  guint runs = 0;

  /* A GLib critical is a bug the fuzzer found. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    collect (argv[i], files);
  g_ptr_array_sort (files, compare_paths);

  if (files->len == 0)
    {
      g_printerr ("replay: no seed files given\n");
      return 1;
    }

  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *contents = NULL;
      g_autoptr(GByteArray) buf = NULL;
      g_autoptr(GError) error = NULL;
      gsize len = 0;

      if (!g_file_get_contents (files->pdata[i], &contents, &len, &error))
        {
          g_printerr ("replay: %s\n", error->message);
          return 1;
        }

      LLVMFuzzerTestOneInput ((const guint8 *) contents, len);
      runs++;

      buf = g_byte_array_new ();
      for (guint m = 0; m < MUTATIONS_PER_SEED; m++)
        {
          g_byte_array_set_size (buf, 0);
          g_byte_array_append (buf, (const guint8 *) contents, len);
          mutate (rand, buf);
          LLVMFuzzerTestOneInput (buf->data, buf->len);
          runs++;
        }
    }

  g_print ("replay: %u seeds, %u inputs, no crash\n", files->len, runs);
  return 0;
}
