/* mdg-bench-sign.c: one envelope signed or verified with a software key,
 * for bench/sign/run.py
 *
 *   mdg-bench-sign sign KEY CERT CA DOC.json ATTACHMENT OUT.zip|-
 *   mdg-bench-sign verify PKI_DIR ENVELOPE.zip
 *
 * Each run is one process doing what `madoguchi-cli sign`/`verify` do minus
 * the card, so run.py can time it against `openssl cms` processes over the
 * same bytes. The peak resident set (VmHWM, KiB) goes to stdout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdg-application.h"
#include "mdg-cms.h"
#include "mdg-envelope.h"
#include "mdg-jcs.h"
#include "mdg-software-signer.h"

static glong
vmhwm_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? strtol (line + strlen ("VmHWM:"), NULL, 10) : -1;
}

/* The document's single attachment gets the file's size and hash, as
 * `madoguchi-cli sign --attach` does. */
static int
sign (char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgSigner) signer = mdg_software_signer_new_from_files (argv[0], argv[1], argv[2], &error);
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(MdgEnvelopeFile) file = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) mdg_envelope_file_free);
  g_autoptr(MdgApplication) doc = NULL;
  g_autoptr(GBytes) cms = NULL;
  JsonObject *entry;

  if (signer == NULL
      || !g_file_get_contents (argv[3], &data, &len, &error)
      || (root = mdg_jcs_parse (data, (gssize) len, &error)) == NULL)
    goto failed;
  entry = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root),
                                                                       "attachments"), 0);
  file = mdg_envelope_file_new (argv[4], json_object_get_string_member (entry, "name"),
                                json_object_get_string_member (entry, "media_type"), &error);
  if (file == NULL)
    goto failed;
  json_object_set_int_member (entry, "size", file->size);
  json_object_set_string_member (entry, "sha256", file->sha256);
  g_ptr_array_add (files, g_steal_pointer (&file));
  doc = mdg_application_new_from_json (root, &error);
  if (doc == NULL
      || (cms = mdg_cms_sign_detached (signer, mdg_application_get_canonical (doc), NULL, &error)) == NULL
      /* OUT "-": only the hashing/CMS part, which the goal compares with
       * `openssl cms -sign`; the ZIP copy of the attachment is extra work. */
      || (strcmp (argv[5], "-") != 0
          && !mdg_envelope_write (argv[5], mdg_application_get_canonical (doc), cms, files,
                                  &error)))
    goto failed;
  printf ("%ld\n", vmhwm_kb ());
  return 0;

failed:
  fprintf (stderr, "mdg-bench-sign sign: %s\n", error->message);
  return 1;
}

static int
verify (char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgTrustStore) trust = mdg_trust_store_new_test (argv[0], &error);
  g_autoptr(MdgEnvelope) envelope = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;

  if (trust == NULL
      || (envelope = mdg_envelope_open (argv[1], &error)) == NULL
      || (report = mdg_envelope_verify (envelope, trust, NULL, &error)) == NULL)
    {
      fprintf (stderr, "mdg-bench-sign verify: %s\n", error->message);
      return 1;
    }
  if (!mdg_verify_report_is_valid (report))
    {
      g_autofree char *text = mdg_verify_report_to_text (report);

      fprintf (stderr, "mdg-bench-sign verify: not valid\n%s", text);
      return 1;
    }
  printf ("%ld\n", vmhwm_kb ());
  return 0;
}

int
main (int argc,
      char **argv)
{
  if (argc == 8 && strcmp (argv[1], "sign") == 0)
    return sign (argv + 2);
  if (argc == 4 && strcmp (argv[1], "verify") == 0)
    return verify (argv + 2);
  fprintf (stderr, "usage: mdg-bench-sign sign KEY CERT CA DOC.json ATTACHMENT OUT.zip\n"
                   "       mdg-bench-sign verify PKI_DIR ENVELOPE.zip\n");
  return 2;
}
