/* test-envelope.c: envelopes written, read, verified, refused
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <zip.h>

#include "app-test-util.h"
#include "mdg-app-error.h"
#include "mdg-application.h"
#include "mdg-cms.h"
#include "mdg-envelope.h"
#include "mdg-evidence.h"
#include "mdg-jcs.h"

typedef struct
{
  char      *dir;
  char      *attachment;
  char      *envelope;
  GPtrArray *files;
  GBytes    *document;
  GBytes    *cms;
} Fixture;

static void
write_file (const char *path,
            const char *data)
{
  g_assert_true (g_file_set_contents (path, data, -1, NULL));
}

/* A document whose one attachment is @file, signed by kawaguchi-76. */
static void
sign_with_attachment (Fixture *f)
{
  g_autofree char *json = app_test_document_json ("kawaguchi-76", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = mdg_jcs_parse (json, -1, &error);
  g_autoptr(MdgApplication) doc = NULL;
  g_autoptr(MdgSigner) signer = app_test_software_signer ("kawaguchi-76", "sign");
  MdgEnvelopeFile *file;
  JsonObject *att;

  g_assert_no_error (error);
  file = mdg_envelope_file_new (f->attachment, "card.png", "image/png", &error);
  g_assert_no_error (error);
  g_ptr_array_add (f->files, file);
  att = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "attachments"), 0);
  json_object_set_int_member (att, "size", file->size);
  json_object_set_string_member (att, "sha256", file->sha256);
  doc = mdg_application_new_from_json (root, &error);
  g_assert_no_error (error);
  f->document = g_bytes_ref (mdg_application_get_canonical (doc));
  f->cms = mdg_cms_sign_detached (signer, f->document, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f,
               gconstpointer data)
{
  f->dir = g_dir_make_tmp ("mdg-envelope-XXXXXX", NULL);
  f->attachment = g_build_filename (f->dir, "card.png", NULL);
  f->envelope = g_build_filename (f->dir, "application.zip", NULL);
  f->files = g_ptr_array_new_with_free_func ((GDestroyNotify) mdg_envelope_file_free);
  write_file (f->attachment, "\x89PNG not really an image");
  sign_with_attachment (f);
}

static void
fixture_teardown (Fixture *f,
                  gconstpointer data)
{
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->attachment);
  g_free (f->envelope);
  g_ptr_array_unref (f->files);
  g_bytes_unref (f->document);
  g_bytes_unref (f->cms);
}

static MdgVerifyReport *
open_and_verify (const char *path)
{
  g_autoptr(MdgTrustStore) trust = app_test_trust ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgEnvelope) env = mdg_envelope_open (path, &error);
  MdgVerifyReport *report;

  g_assert_no_error (error);
  report = mdg_envelope_verify (env, trust, NULL, &error);
  g_assert_no_error (error);
  return report;
}

static void
assert_open_refused (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgEnvelope) env = mdg_envelope_open (path, &error);

  g_assert_null (env);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE);
  g_test_message ("refused: %s", error->message);
}

static void
test_round_trip (Fixture *f,
                 gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  g_autoptr(MdgEnvelope) env = NULL;
  g_autofree char *evidence = g_build_filename (f->dir, "evidence.zip", NULL);
  g_autofree char *doc_out = g_build_filename (f->dir, "doc.json", NULL);
  g_autofree char *sig_out = g_build_filename (f->dir, "doc.p7s", NULL);
  g_autofree char *ca = app_test_pki_path (NULL, "sign-ca.pem");
  zip_t *za;
  int zerr;

  g_assert_true (mdg_envelope_write (f->envelope, f->document, f->cms, f->files, &error));
  g_assert_no_error (error);
  report = open_and_verify (f->envelope);
  g_assert_true (mdg_verify_report_is_valid (report));
  g_assert_cmpint (mdg_verify_report_get_check (report, "attachments", NULL), ==, MDG_CHECK_PASS);
  g_assert_cmpint (mdg_verify_report_get_check (report, "envelope", NULL), ==, MDG_CHECK_PASS);

  /* Standard tools: the parts extracted, openssl cms -verify. */
  env = mdg_envelope_open (f->envelope, &error);
  g_assert_no_error (error);
  g_assert_true (mdg_envelope_extract (env, MDG_ENVELOPE_DOCUMENT, doc_out, &error));
  g_assert_true (mdg_envelope_extract (env, MDG_ENVELOPE_SIGNATURE, sig_out, &error));
  g_assert_no_error (error);
  {
    const char *argv[] = { "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig_out,
                           "-content", doc_out, "-CAfile", ca, "-out", "/dev/null", NULL };
    const char *unzip[] = { "unzip", "-tq", f->envelope, NULL };

    g_assert_cmpint (app_test_run (argv, NULL), ==, 0);
    g_assert_cmpint (app_test_run (unzip, NULL), ==, 0);
  }

  /* The evidence pack: a ZIP with the report and no receipt yet. */
  g_assert_true (mdg_evidence_write (env, report, NULL, evidence, &error));
  g_assert_no_error (error);
  za = zip_open (evidence, ZIP_RDONLY, &zerr);
  g_assert_nonnull (za);
  for (const char * const *n = (const char * const[]) { "evidence.json", "application.json", "application.p7s",
                                                         "attachments.json", "verification.json",
                                                         "verification.txt", NULL }; *n; n++)
    g_assert_cmpint (zip_name_locate (za, *n, 0), >=, 0);
  g_assert_cmpint (zip_name_locate (za, "receipt.json", 0), <, 0);
  zip_discard (za);
}

static void
test_tampered_attachment (Fixture *f,
                          gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  MdgEnvelopeFile *file = f->files->pdata[0];

  /* Same length, other bytes, hashed before the change: the manifest and
   * the document both disagree with what travels. */
  write_file (f->attachment, "\x89PNG NOT really an image");
  g_assert_true (mdg_envelope_write (f->envelope, f->document, f->cms, f->files, &error));
  g_assert_no_error (error);
  report = open_and_verify (f->envelope);
  g_assert_false (mdg_verify_report_is_valid (report));
  g_assert_cmpint (mdg_verify_report_get_check (report, "attachments", NULL), ==, MDG_CHECK_FAIL);
  g_assert_cmpint (mdg_verify_report_get_check (report, "envelope", NULL), ==, MDG_CHECK_FAIL);
  g_assert_cmpint (mdg_verify_report_get_check (report, "signature", NULL), ==, MDG_CHECK_PASS);
  (void) file;
}

static void
test_tampered_document (Fixture *f,
                        gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  g_autoptr(GBytes) other = NULL;
  g_autofree char *copy = g_strndup (g_bytes_get_data (f->document, NULL), g_bytes_get_size (f->document));
  char *at = strstr (copy, "privacy-v1");

  g_assert_nonnull (at);
  at[0] = 'P';
  other = g_bytes_new (copy, strlen (copy));
  g_assert_true (mdg_envelope_write (f->envelope, other, f->cms, f->files, &error));
  report = open_and_verify (f->envelope);
  g_assert_cmpint (mdg_verify_report_get_check (report, "signature", NULL), ==, MDG_CHECK_FAIL);
}

/* Rewrites the envelope with python's zipfile, which allows what libzip
 * does not: duplicate names, "../" names, extra members. */
static void
python_zip (Fixture *f,
            const char *extra_name,
            gboolean duplicate)
{
  g_autofree char *script = g_strdup_printf (
    "import sys, zipfile, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "src = zipfile.ZipFile(sys.argv[1])\n"
    "items = [(i.filename, src.read(i.filename)) for i in src.infolist()]\n"
    "with zipfile.ZipFile(sys.argv[1], 'w') as out:\n"
    "    for n, d in items:\n"
    "        out.writestr(n, d)\n"
    "    if %s:\n"
    "        out.writestr(items[1][0], items[1][1])\n"
    "    if sys.argv[2]:\n"
    "        out.writestr(sys.argv[2], b'x')\n",
    duplicate ? "True" : "False");
  const char *argv[] = { "python3", "-c", script, f->envelope, extra_name ? extra_name : "", NULL };

  g_assert_cmpint (app_test_run (argv, NULL), ==, 0);
}

static void
test_structure_refused (Fixture *f,
                        gconstpointer data)
{
  const char *extras[] = { "../escape.txt", "/etc/evil", "attachments/unlisted.bin", "a\\b", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *garbage = g_build_filename (f->dir, "garbage.zip", NULL);

  for (guint i = 0; extras[i] != NULL; i++)
    {
      g_assert_true (mdg_envelope_write (f->envelope, f->document, f->cms, f->files, &error));
      python_zip (f, extras[i], FALSE);
      assert_open_refused (f->envelope);
    }
  g_assert_true (mdg_envelope_write (f->envelope, f->document, f->cms, f->files, &error));
  python_zip (f, NULL, TRUE);
  assert_open_refused (f->envelope);

  write_file (garbage, "PK\x03\x04 this is not a zip");
  assert_open_refused (garbage);
}

static void
test_oversized_manifest (Fixture *f,
                         gconstpointer data)
{
  g_autofree char *big = g_malloc (MDG_ENVELOPE_MAX_MANIFEST + 2);
  zip_t *za;
  int zerr;
  g_autoptr(GError) error = NULL;

  g_assert_true (mdg_envelope_write (f->envelope, f->document, f->cms, f->files, &error));
  memset (big, ' ', MDG_ENVELOPE_MAX_MANIFEST + 1);
  big[MDG_ENVELOPE_MAX_MANIFEST + 1] = '\0';
  za = zip_open (f->envelope, 0, &zerr);
  g_assert_nonnull (za);
  g_assert_cmpint (zip_file_add (za, MDG_ENVELOPE_MANIFEST,
                                 zip_source_buffer (za, big, MDG_ENVELOPE_MAX_MANIFEST + 1, 0),
                                 ZIP_FL_OVERWRITE), >=, 0);
  g_assert_cmpint (zip_close (za), ==, 0);
  assert_open_refused (f->envelope);
}

static glong
vm_hwm_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return strtol (line + 6, NULL, 10);
}

/* 2 GiB streamed through hashing, ZIP writing and verification; the peak
 * resident size must stay near where it started. */
static void
test_two_gigabytes (Fixture *f,
                    gconstpointer data)
{
  const gsize chunk = 1024 * 1024;
  const gsize total = (gsize) 2 * 1024 * chunk;
  g_autofree guint8 *buf = g_malloc (chunk);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  glong before, after;
  FILE *out;

  for (gsize i = 0; i < chunk; i++)
    buf[i] = (guint8) (i * 31 + 7);
  before = vm_hwm_kb ();
  out = g_fopen (f->attachment, "wb");
  g_assert_nonnull (out);
  for (gsize done = 0; done < total; done += chunk)
    {
      buf[0] = (guint8) (done >> 20);
      g_assert_cmpuint (fwrite (buf, 1, chunk, out), ==, chunk);
    }
  g_assert_cmpint (fclose (out), ==, 0);
  g_ptr_array_set_size (f->files, 0);
  g_clear_pointer (&f->document, g_bytes_unref);
  g_clear_pointer (&f->cms, g_bytes_unref);
  sign_with_attachment (f);
  g_assert_cmpint (((MdgEnvelopeFile *) f->files->pdata[0])->size, ==, (gint64) total);
  g_assert_cmpint (vm_hwm_kb () - before, <, 64 * 1024);

  g_assert_true (mdg_envelope_write (f->envelope, f->document, f->cms, f->files, &error));
  g_assert_no_error (error);
  g_remove (f->attachment);
  report = open_and_verify (f->envelope);
  g_assert_true (mdg_verify_report_is_valid (report));
  after = vm_hwm_kb ();
  g_test_message ("VmHWM before %ld kB, after %ld kB", before, after);
  g_assert_cmpint (after - before, <, 64 * 1024);
}

int
main (int argc,
      char *argv[])
{
  app_test_parse_args (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ((path), Fixture, NULL, fixture_setup, (func), fixture_teardown)
  ADD ("/envelope/round-trip", test_round_trip);
  ADD ("/envelope/tampered-attachment", test_tampered_attachment);
  ADD ("/envelope/tampered-document", test_tampered_document);
  ADD ("/envelope/structure-refused", test_structure_refused);
  ADD ("/envelope/oversized-manifest", test_oversized_manifest);
  ADD ("/envelope/two-gigabytes", test_two_gigabytes);
#undef ADD

  return g_test_run ();
}
