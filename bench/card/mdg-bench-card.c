/* mdg-bench-card.c: timings for bench/card/run.sh
 *
 *   mdg-bench-card status N
 *   mdg-bench-card sign N sign|auth [--known-cert]     (PIN on stdin)
 *   mdg-bench-card time N [--stdin FILE] -- COMMAND [ARG…]
 *
 * `status` and `sign` use the card library in this process; each
 * repetition opens its own PC/SC context and exclusive connection, as a
 * one-shot command does. `sign --known-cert` reads the key's certificate
 * once before the timed runs and passes it to
 * mdg_jpki_sign_digests_with_certificate (the application's path once the
 * certificate is known). `time` runs a command N times (its output
 * discarded) and fails when one run fails.
 * Prints one line of key=value pairs: median_ms, min_ms, max_ms, runs and,
 * for the library, apdus (per operation, as the library counts them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "madoguchi-card.h"

typedef struct
{
  MdgPcscContext   *context;
  MdgPcscTransport *transport;
  MdgCard          *card;
} Session;

static void
session_clear (Session *session)
{
  g_clear_object (&session->card);
  g_clear_object (&session->transport);
  g_clear_object (&session->context);
}

static gboolean
session_open (Session *session,
              GError **error)
{
  session->context = mdg_pcsc_context_new (error);
  if (session->context == NULL)
    return FALSE;
  session->transport = mdg_pcsc_transport_connect (session->context, NULL, error);
  if (session->transport == NULL)
    return FALSE;
  session->card = mdg_card_new (MDG_TRANSPORT (session->transport));
  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
print_result (GArray *times_ms,
              gint apdus)
{
  double median;
  guint n = times_ms->len;

  g_array_sort (times_ms, compare_doubles);
  if (n % 2 == 1)
    median = g_array_index (times_ms, double, n / 2);
  else
    median = (g_array_index (times_ms, double, n / 2 - 1) +
              g_array_index (times_ms, double, n / 2)) / 2;

  g_print ("median_ms=%.3f min_ms=%.3f max_ms=%.3f runs=%u", median,
           g_array_index (times_ms, double, 0), g_array_index (times_ms, double, n - 1), n);
  if (apdus >= 0)
    g_print (" apdus=%d", apdus);
  g_print ("\n");
}

static int
fail (const char *what,
      const GError *error)
{
  g_printerr ("mdg-bench-card: %s: %s\n", what, error != NULL ? error->message : "failed");
  return 1;
}

static int
bench_status (guint runs)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  gint apdus = -1;

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MdgCardStatus) status = NULL;
      Session session = { 0 };
      gint64 start = g_get_monotonic_time ();
      double ms;

      if (session_open (&session, &error))
        status = mdg_card_status_read (session.card, &error);
      if (status != NULL)
        apdus = mdg_card_get_apdu_count (session.card);
      session_clear (&session);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      if (status == NULL)
        return fail ("status", error);
      g_array_append_val (times, ms);
    }

  print_result (times, apdus);
  return 0;
}

static MdgPin *
read_pin (MdgPinKind kind,
          GError **error)
{
  char buffer[64];
  gsize len = 0;
  MdgPin *pin;

  while (len + 1 < sizeof buffer)
    {
      char c;

      if (read (STDIN_FILENO, &c, 1) != 1 || c == '\n')
        break;
      buffer[len++] = c;
    }
  buffer[len] = '\0';
  pin = mdg_pin_new (kind, buffer, error);
  mdg_secure_wipe (buffer, sizeof buffer);

  return pin;
}

static int
bench_sign (guint runs,
            const char *key_name,
            gboolean known_cert)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgPin) pin = NULL;
  g_autoptr(GBytes) certificate = NULL;
  MdgJpkiKey key = g_str_equal (key_name, "auth") ? MDG_JPKI_KEY_AUTH : MDG_JPKI_KEY_SIGN;
  guint8 digest[32] = { 0 };
  gint apdus = -1;

  pin = read_pin (mdg_jpki_key_pin_kind (key), &error);
  if (pin == NULL)
    return fail ("PIN", error);

  if (known_cert)
    {
      Session session = { 0 };
      g_autoptr(GBytes) signature = NULL;

      /* One untimed signature yields the certificate that verifies it. */
      if (session_open (&session, &error))
        signature = mdg_jpki_sign_sha256 (session.card, key, pin, MDG_PIN_FLAGS_NONE, digest,
                                          &certificate, NULL, &error);
      session_clear (&session);
      if (signature == NULL)
        return fail ("certificate", error);
    }

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_autoptr(GPtrArray) signatures = NULL;
      Session session = { 0 };
      gint64 start;
      double ms;

      digest[0] = (guint8) i;
      g_ptr_array_add (digests, g_bytes_new (digest, sizeof digest));

      start = g_get_monotonic_time ();
      if (session_open (&session, &error))
        {
          if (known_cert)
            signatures = mdg_jpki_sign_digests_with_certificate (session.card, key, pin,
                                                                 MDG_PIN_FLAGS_NONE, digests,
                                                                 certificate, NULL, NULL,
                                                                 &error);
          else
            signatures = mdg_jpki_sign_digests (session.card, key, pin, MDG_PIN_FLAGS_NONE,
                                                digests, NULL, NULL, &error);
        }
      if (signatures != NULL)
        apdus = mdg_card_get_apdu_count (session.card);
      session_clear (&session);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      if (signatures == NULL)
        return fail ("sign", error);
      g_array_append_val (times, ms);
    }

  print_result (times, apdus);
  return 0;
}

static int
bench_command (guint runs,
               const char *stdin_path,
               char **argv)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) process = NULL;
      gint64 start;
      double ms;

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                            G_SUBPROCESS_FLAGS_STDERR_PIPE);
      if (stdin_path != NULL)
        g_subprocess_launcher_set_stdin_file_path (launcher, stdin_path);

      start = g_get_monotonic_time ();
      process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
      if (process == NULL)
        return fail (argv[0], error);
      {
        g_autofree char *err_text = NULL;

        if (!g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err_text, &error))
          return fail (argv[0], error);
        ms = (g_get_monotonic_time () - start) / 1000.0;
        if (!g_subprocess_get_successful (process))
          {
            g_printerr ("mdg-bench-card: %s failed:\n%s", argv[0], err_text);
            return 1;
          }
      }
      g_array_append_val (times, ms);
    }

  print_result (times, -1);
  return 0;
}

int
main (int argc,
      char **argv)
{
  guint64 runs;

  if (argc < 3 || !g_ascii_string_to_unsigned (argv[2], 10, 1, 10000, &runs, NULL))
    {
      g_printerr ("usage: mdg-bench-card status|sign|time N …\n");
      return 2;
    }

  if (g_str_equal (argv[1], "status"))
    return bench_status (runs);

  if (g_str_equal (argv[1], "sign") && argc >= 4)
    return bench_sign (runs, argv[3], argc >= 5 && g_str_equal (argv[4], "--known-cert"));

  if (g_str_equal (argv[1], "time"))
    {
      const char *stdin_path = NULL;
      int i = 3;

      if (i + 1 < argc && g_str_equal (argv[i], "--stdin"))
        {
          stdin_path = argv[i + 1];
          i += 2;
        }
      if (i < argc && g_str_equal (argv[i], "--"))
        i++;
      if (i >= argc)
        {
          g_printerr ("mdg-bench-card: time needs a command\n");
          return 2;
        }
      return bench_command (runs, stdin_path, argv + i);
    }

  g_printerr ("mdg-bench-card: unknown mode %s\n", argv[1]);
  return 2;
}
