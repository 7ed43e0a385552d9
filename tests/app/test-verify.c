/* test-verify.c: verification reports, good and bad input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "app-test-util.h"
#include "mdg-app-error.h"
#include "mdg-application.h"
#include "mdg-cms.h"
#include "mdg-software-signer.h"
#include "mdg-verify.h"

static MdgTrustStore *
test_trust (void)
{
  g_autoptr(GError) error = NULL;
  MdgTrustStore *trust = mdg_trust_store_new_test (app_test_pki_dir (), &error);

  g_assert_no_error (error);
  return trust;
}

static GBytes *
document_bytes (const char *persona,
                const char *from,
                const char *to)
{
  g_autofree char *json = app_test_document_json (persona, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgApplication) doc = NULL;

  if (from != NULL)
    {
      char *at = strstr (json, from);
      char *edited;

      g_assert_nonnull (at);
      edited = g_strdup_printf ("%.*s%s%s", (int) (at - json), json, to, at + strlen (from));
      g_free (json);
      json = edited;
    }
  doc = mdg_application_new_from_data (json, -1, &error);
  g_assert_no_error (error);
  return g_bytes_ref (mdg_application_get_canonical (doc));
}

static GBytes *
sign_with (const char *persona,
           const char *key,
           GBytes *content,
           GDateTime *when)
{
  g_autoptr(MdgSigner) signer = app_test_software_signer (persona, key);
  g_autoptr(GError) error = NULL;
  GBytes *cms;

  cms = mdg_cms_sign_detached (signer, content, when, &error);
  g_assert_no_error (error);
  return cms;
}

static void
assert_fails (MdgVerifyReport *report,
              const char *check,
              MdgAppError code)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (mdg_verify_report_is_valid (report));
  g_assert_cmpint (mdg_verify_report_get_check (report, check, NULL), ==, MDG_CHECK_FAIL);
  g_assert_true (mdg_verify_report_to_error (report, &error));
  g_assert_error (error, MDG_APP_ERROR, (int) code);
}

static void
test_good (void)
{
  g_autoptr(MdgTrustStore) trust = test_trust ();
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", NULL, NULL);
  g_autoptr(GBytes) cms = sign_with ("kawaguchi-76", "sign", doc, NULL);
  g_autoptr(GHashTable) atts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  JsonObject *root;

  g_hash_table_insert (atts, (gpointer) "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                       g_bytes_new_static ("hello", 5));
  report = mdg_verify_application (trust, doc, cms, atts, NULL, &error);
  g_assert_no_error (error);
  text = mdg_verify_report_to_text (report);
  g_test_message ("%s", text);
  g_assert_true (mdg_verify_report_is_valid (report));
  g_assert_false (mdg_verify_report_to_error (report, NULL));
  for (const char * const *id = (const char * const[]) { "signature", "canonical", "attributes", "chain",
                                                         "validity.signing_time", "validity.now", "key_usage",
                                                         "applicant.name", "applicant.sex",
                                                         "applicant.birth_date", "applicant.address",
                                                         "attachments", NULL }; *id; id++)
    g_assert_cmpint (mdg_verify_report_get_check (report, *id, NULL), ==, MDG_CHECK_PASS);
  g_assert_cmpint (mdg_verify_report_get_check (report, "revocation", NULL), ==, MDG_CHECK_NOT_CHECKED);

  json = mdg_verify_report_to_json (report);
  root = json_node_get_object (json);
  g_assert_true (json_object_get_boolean_member (root, "valid"));
  g_assert_cmpstr (json_object_get_string_member (root, "trust"), ==, "test");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "checks")), >=, 13);
  g_assert_nonnull (strstr (text, "Signature valid"));
  g_assert_nonnull (strstr (text, "[--  ] revocation"));
  /* No personal data in the report. */
  g_assert_null (strstr (text, "青木"));
}

static void
test_tampered (void)
{
  g_autoptr(MdgTrustStore) trust = test_trust ();
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", NULL, NULL);
  g_autoptr(GBytes) other = document_bytes ("kawaguchi-76", "\"birth\"", "\"move_in\"");
  g_autoptr(GBytes) cms = sign_with ("kawaguchi-76", "sign", doc, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = mdg_verify_application (trust, other, cms, NULL, NULL, &error);

  g_assert_no_error (error);
  assert_fails (report, "signature", MDG_APP_ERROR_VERIFY);
}

/* The same document signed by another resident's key but presented with
 * this certificate: the signature does not verify. */
static void
test_swapped_certificate (void)
{
  g_autofree char *key_path = app_test_pki_path ("nagaoka-74", "sign.key.pem");
  g_autofree char *cert_path = app_test_pki_path ("kawaguchi-76", "sign.pem");
  g_autofree char *ca_path = app_test_pki_path (NULL, "sign-ca.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgSigner) signer = mdg_software_signer_new_from_files (key_path, cert_path, ca_path, &error);
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", NULL, NULL);
  g_autoptr(GBytes) cms = NULL;

  g_assert_no_error (error);
  cms = mdg_cms_sign_detached (signer, doc, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY);
}

static void
test_expired (void)
{
  g_autoptr(MdgTrustStore) trust = test_trust ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -60);
  g_autoptr(GBytes) doc = document_bytes ("expired-cert", NULL, NULL);
  g_autoptr(GBytes) cms = sign_with ("expired-cert", "sign", doc, then);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = mdg_verify_application (trust, doc, cms, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (mdg_verify_report_get_check (report, "validity.signing_time", NULL), ==, MDG_CHECK_PASS);
  g_assert_cmpint (mdg_verify_report_get_check (report, "validity.now", NULL), ==, MDG_CHECK_FAIL);
  g_assert_false (mdg_verify_report_is_valid (report));
}

static void
test_auth_key (void)
{
  g_autoptr(MdgTrustStore) trust = test_trust ();
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", NULL, NULL);
  g_autoptr(GBytes) cms = sign_with ("kawaguchi-76", "auth", doc, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = mdg_verify_application (trust, doc, cms, NULL, NULL, &error);

  g_assert_no_error (error);
  assert_fails (report, "chain", MDG_APP_ERROR_WRONG_KEY);
  g_assert_cmpint (mdg_verify_report_get_check (report, "key_usage", NULL), ==, MDG_CHECK_FAIL);
}

static void
test_production_refuses_test_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mdg-prod-trust-XXXXXX", &error);
  g_autofree char *sign_dir = g_build_filename (dir, "sign", NULL);
  g_autofree char *root = g_build_filename (sign_dir, "root.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "root.key", NULL);
  g_autofree char *empty_dir = g_build_filename (dir, "none", NULL);
  const char *argv[] = {
    "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", key, "-out", root, "-subj", "/C=JP/O=JPKI/OU=stand-in production root",
    "-days", "1", NULL
  };
  g_autoptr(MdgTrustStore) production = NULL;
  g_autoptr(MdgTrustStore) none = NULL;
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", NULL, NULL);
  g_autoptr(GBytes) cms = sign_with ("kawaguchi-76", "sign", doc, NULL);
  g_autoptr(MdgVerifyReport) report = NULL;
  const char *message = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (sign_dir, 0700), ==, 0);
  g_assert_cmpint (app_test_run (argv, NULL), ==, 0);

  none = mdg_trust_store_new_production (empty_dir, &error);
  g_assert_null (none);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_TRUST_STORE);
  g_clear_error (&error);

  production = mdg_trust_store_new_production (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mdg_trust_store_get_mode (production), ==, MDG_TRUST_MODE_PRODUCTION);
  /* A root the store does not know is untrusted, whatever its name says. */
  report = mdg_verify_application (production, doc, cms, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_fails (report, "chain", MDG_APP_ERROR_UNTRUSTED);
  g_clear_pointer (&report, mdg_verify_report_free);

  /* The message depends on the anchor: a known test root is refused as such. */
  g_assert_true (mdg_trust_store_add_known_test_roots (production, app_test_pki_dir (), &error));
  g_assert_no_error (error);
  report = mdg_verify_application (production, doc, cms, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_fails (report, "chain", MDG_APP_ERROR_TEST_ROOT);
  mdg_verify_report_get_check (report, "chain", &message);
  g_assert_nonnull (strstr (message, "test"));

  g_remove (root);
  g_remove (key);
  g_rmdir (sign_dir);
  g_rmdir (dir);
}

/* The shipped production anchors (data/trust): the J-LIS roots load, and
 * a simulator signature does not chain to them. */
static void
test_shipped_jlis_roots (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_getenv ("MDG_SOURCE_ROOT"), "data", "trust", NULL);
  g_autoptr(MdgTrustStore) production = mdg_trust_store_new_production (dir, &error);
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", NULL, NULL);
  g_autoptr(GBytes) cms = sign_with ("kawaguchi-76", "sign", doc, NULL);
  g_autoptr(MdgVerifyReport) report = NULL;
  X509_STORE *store;
  STACK_OF (X509_OBJECT) *objects;
  guint roots = 0;

  g_assert_no_error (error);
  g_assert_cmpint (mdg_trust_store_get_mode (production), ==, MDG_TRUST_MODE_PRODUCTION);

  /* Two generations (2015, 2023) for each purpose. */
  for (int purpose = MDG_TRUST_PURPOSE_SIGN; purpose <= MDG_TRUST_PURPOSE_AUTH; purpose++)
    {
      store = mdg_trust_store_build (production, purpose);
      objects = X509_STORE_get0_objects (store);
      roots = 0;
      for (int i = 0; i < sk_X509_OBJECT_num (objects); i++)
        if (X509_OBJECT_get_type (sk_X509_OBJECT_value (objects, i)) == X509_LU_X509)
          roots++;
      g_assert_cmpuint (roots, ==, 2);
      X509_STORE_free (store);
    }

  report = mdg_verify_application (production, doc, cms, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (mdg_verify_report_is_valid (report));
  g_assert_cmpint (mdg_verify_report_get_check (report, "chain", NULL), ==, MDG_CHECK_FAIL);
}

static void
test_san_mismatch (void)
{
  g_autoptr(MdgTrustStore) trust = test_trust ();
  /* The applicant moved: the document has the new address. */
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", "埼玉県川口市", "埼玉県さいたま市");
  g_autoptr(GBytes) cms = sign_with ("kawaguchi-76", "sign", doc, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = mdg_verify_application (trust, doc, cms, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (mdg_verify_report_get_check (report, "signature", NULL), ==, MDG_CHECK_PASS);
  g_assert_cmpint (mdg_verify_report_get_check (report, "applicant.name", NULL), ==, MDG_CHECK_PASS);
  assert_fails (report, "applicant.address", MDG_APP_ERROR_VERIFY);
}

static void
test_bad_cms (void)
{
  g_autoptr(MdgTrustStore) trust = test_trust ();
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", NULL, NULL);
  g_autoptr(GBytes) cms = sign_with ("kawaguchi-76", "sign", doc, NULL);
  gsize len = g_bytes_get_size (cms);

  for (gsize cut = 0; cut < len; cut += 97)
    {
      g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (cms, 0, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(MdgVerifyReport) report = mdg_verify_application (trust, doc, truncated, NULL, NULL, &error);

      g_assert_null (report);
      g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CMS);
    }
  {
    g_autoptr(GBytes) garbage = g_bytes_new_static ("\x30\x82\xff\xff garbage", 13);
    g_autoptr(GBytes) trailing = NULL;
    g_autoptr(GByteArray) extended = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(MdgVerifyReport) report = mdg_verify_application (trust, doc, garbage, NULL, NULL, &error);

    g_assert_null (report);
    g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CMS);
    g_clear_error (&error);
    g_byte_array_append (extended, g_bytes_get_data (cms, NULL), len);
    g_byte_array_append (extended, (const guint8 *) "x", 1);
    trailing = g_byte_array_free_to_bytes (g_steal_pointer (&extended));
    report = mdg_verify_application (trust, doc, trailing, NULL, NULL, &error);
    g_assert_null (report);
    g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CMS);
  }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)

static EVP_PKEY *
read_key (const char *persona,
          const char *file)
{
  g_autofree char *path = app_test_pki_path (persona, file);
  g_autofree char *pem = NULL;
  gsize len;
  BIO *bio;
  EVP_PKEY *key;

  g_assert_true (g_file_get_contents (path, &pem, &len, NULL));
  bio = BIO_new_mem_buf (pem, (int) len);
  key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  BIO_free (bio);
  g_assert_nonnull (key);
  return key;
}

/* The certificate inside an existing CMS replaced by one with the same
 * issuer, serial and length but another key, issued by the real CA (the
 * worst case: only the signature can tell). */
static void
test_swapped_certificate_in_cms (void)
{
  g_autoptr(MdgTrustStore) trust = test_trust ();
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", NULL, NULL);
  g_autoptr(GBytes) cms = sign_with ("kawaguchi-76", "sign", doc, NULL);
  g_autofree char *cert_path = app_test_pki_path ("kawaguchi-76", "sign.pem");
  g_autoptr(GBytes) cert_der = mdg_certificate_file_to_der (cert_path, NULL);
  g_autoptr(EVP_PKEY) other_key = read_key ("kawasaki-parent", "sign.key.pem");
  g_autoptr(EVP_PKEY) ca_key = read_key (NULL, "sign-ca.key.pem");
  const unsigned char *p = g_bytes_get_data (cert_der, NULL);
  g_autoptr(X509) forged = d2i_X509 (NULL, &p, (long) g_bytes_get_size (cert_der));
  g_autoptr(GBytes) forged_der = NULL;
  g_autoptr(GBytes) swapped = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  guint8 *copy;
  guint8 *at;

  g_assert_nonnull (forged);
  g_assert_true (X509_set_pubkey (forged, other_key));
  g_assert_cmpint (X509_sign (forged, ca_key, EVP_sha256 ()), >, 0);
  forged_der = mdg_x509_to_der (forged);
  g_assert_cmpuint (g_bytes_get_size (forged_der), ==, g_bytes_get_size (cert_der));

  copy = g_memdup2 (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  at = NULL;
  for (gsize i = 0; at == NULL && i + g_bytes_get_size (cert_der) <= g_bytes_get_size (cms); i++)
    if (memcmp (copy + i, g_bytes_get_data (cert_der, NULL), g_bytes_get_size (cert_der)) == 0)
      at = copy + i;
  g_assert_nonnull (at);
  memcpy (at, g_bytes_get_data (forged_der, NULL), g_bytes_get_size (forged_der));
  swapped = g_bytes_new_take (copy, g_bytes_get_size (cms));

  report = mdg_verify_application (trust, doc, swapped, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_fails (report, "signature", MDG_APP_ERROR_VERIFY);
  /* The forged certificate itself chains: the signature check is what catches it. */
  g_assert_cmpint (mdg_verify_report_get_check (report, "chain", NULL), ==, MDG_CHECK_PASS);
}

static void
test_bad_document (void)
{
  g_autoptr(MdgTrustStore) trust = test_trust ();
  g_autoptr(GBytes) doc = document_bytes ("kawaguchi-76", NULL, NULL);
  g_autoptr(GBytes) cms = sign_with ("kawaguchi-76", "sign", doc, NULL);
  g_autoptr(GBytes) dup = g_bytes_new_static ("{\"a\":1,\"a\":2}", 13);
  g_autoptr(GBytes) latin1 = g_bytes_new_static ("{\"a\":\"\xe9\"}", 9);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgVerifyReport) r1 = mdg_verify_application (trust, dup, cms, NULL, NULL, &error);

  g_assert_null (r1);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_DUPLICATE_KEY);
  g_clear_error (&error);
  g_assert_null (mdg_verify_application (trust, latin1, cms, NULL, NULL, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_UTF8);
}

int
main (int argc,
      char *argv[])
{
  app_test_parse_args (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/verify/good", test_good);
  g_test_add_func ("/verify/tampered", test_tampered);
  g_test_add_func ("/verify/swapped-certificate", test_swapped_certificate);
  g_test_add_func ("/verify/swapped-certificate-in-cms", test_swapped_certificate_in_cms);
  g_test_add_func ("/verify/expired", test_expired);
  g_test_add_func ("/verify/auth-key", test_auth_key);
  g_test_add_func ("/verify/production-refuses-test-root", test_production_refuses_test_root);
  g_test_add_func ("/verify/shipped-jlis-roots", test_shipped_jlis_roots);
  g_test_add_func ("/verify/san-mismatch", test_san_mismatch);
  g_test_add_func ("/verify/bad-cms", test_bad_cms);
  g_test_add_func ("/verify/bad-document", test_bad_document);

  return g_test_run ();
}
