/* fuzz-envelope.c: the envelope reader (ZIP structure, manifest, parts)
 * and its verification
 *
 * libzip opens files by name, so each input is written to one temporary
 * file first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "mdg-envelope.h"
#include "fuzz-signing-common.h"

static MdgTrustStore *trust;
static char *tmp_path;

static void
remove_tmp (void)
{
  g_unlink (tmp_path);
}

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  int fd;

  trust = fuzz_signing_init ("fuzz-envelope", argc, argv);
  fd = g_file_open_tmp ("mdg-fuzz-envelope-XXXXXX.zip", &tmp_path, &error);
  if (fd < 0)
    g_error ("fuzz-envelope: %s", error->message);
  close (fd);
  atexit (remove_tmp);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgEnvelope) envelope = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);

  if (!g_file_set_contents (tmp_path, (const char *) data, size, &error))
    g_error ("fuzz-envelope: %s", error->message);

  envelope = mdg_envelope_open (tmp_path, &error);
  if (envelope == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  g_assert (mdg_envelope_get_document (envelope) != NULL);
  g_assert (mdg_envelope_get_signature (envelope) != NULL);
  g_assert (mdg_envelope_get_parts (envelope) != NULL);

  report = mdg_envelope_verify (envelope, trust, now, &error);
  if (report != NULL)
    {
      g_autoptr(JsonNode) json = mdg_verify_report_to_json (report);
      g_autofree char *text = mdg_verify_report_to_text (report);
      g_autoptr(GError) first = NULL;
      gboolean valid = mdg_verify_report_is_valid (report);

      g_assert (json != NULL && text != NULL);
      /* A failure always has a first error, and only a failure. */
      g_assert (mdg_verify_report_to_error (report, &first) == !valid);
      g_assert ((first != NULL) == !valid);
    }
  else
    g_assert (error != NULL);
  return 0;
}
