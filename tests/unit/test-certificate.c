/* test-certificate.c: certificate fields, JPKI otherNames, signature checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <openssl/evp.h>

#include "madoguchi-card.h"
#include "test-pki.h"

static EVP_PKEY *key;
static EVP_PKEY *other_key;

static void
test_fields (void)
{
  g_autoptr(GBytes) der = test_pki_make_certificate (key, "JPKI-TEST 署名用", TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgCertificate) cert = NULL;
  g_autoptr(GBytes) der_back = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *serial = NULL;
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;

  cert = mdg_certificate_new_from_der (der, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cert);

  der_back = mdg_certificate_get_der (cert);
  g_assert_true (g_bytes_equal (der, der_back));

  /* RFC 2253 order is reversed; UTF-8 stays readable. */
  subject = mdg_certificate_get_subject (cert);
  g_assert_cmpstr (subject, ==, "CN=JPKI-TEST 署名用,L=東京都,C=JP");
  issuer = mdg_certificate_get_issuer (cert);
  g_assert_cmpstr (issuer, ==, subject);

  serial = mdg_certificate_get_serial_hex (cert);
  g_assert_cmpstr (serial, ==, "1234ABCD");

  not_before = mdg_certificate_get_not_before (cert);
  not_after = mdg_certificate_get_not_after (cert);
  g_assert_cmpint (g_date_time_get_year (not_before), ==, 2025);
  g_assert_cmpint (g_date_time_get_month (not_before), ==, 10);
  g_assert_cmpint (g_date_time_get_day_of_month (not_before), ==, 27);
  g_assert_cmpint (g_date_time_get_year (not_after), ==, 2030);
  g_assert_cmpint (g_date_time_get_hour (not_after), ==, 23);
  g_assert_cmpint (g_date_time_get_second (not_after), ==, 59);

  g_assert_true (mdg_certificate_has_non_repudiation (cert));
}

static void
test_validity (void)
{
  g_autoptr(GBytes) der = test_pki_make_certificate (key, "validity", FALSE);
  g_autoptr(MdgCertificate) cert = mdg_certificate_new_from_der (der, NULL);
  g_autoptr(GDateTime) before = g_date_time_new_utc (2025, 10, 26, 23, 59, 59);
  g_autoptr(GDateTime) start = g_date_time_new_utc (2025, 10, 27, 0, 0, 0);
  g_autoptr(GDateTime) inside = g_date_time_new_utc (2028, 1, 1, 12, 0, 0);
  g_autoptr(GDateTime) end = g_date_time_new_utc (2030, 2, 17, 23, 59, 59);
  g_autoptr(GDateTime) after = g_date_time_new_utc (2030, 2, 18, 0, 0, 0);

  g_assert_false (mdg_certificate_is_valid_at (cert, before));
  g_assert_true (mdg_certificate_is_valid_at (cert, start));
  g_assert_true (mdg_certificate_is_valid_at (cert, inside));
  g_assert_true (mdg_certificate_is_valid_at (cert, end));
  g_assert_false (mdg_certificate_is_valid_at (cert, after));

  /* No KeyUsage extension: no nonRepudiation. */
  g_assert_false (mdg_certificate_has_non_repudiation (cert));
}

static void
test_jpki_attributes (void)
{
  g_autoptr(GBytes) der = test_pki_make_certificate (key, "sign", TRUE);
  g_autoptr(GBytes) auth_der = test_pki_make_certificate (key, "997794E9AGCIEG13221003A", FALSE);
  g_autoptr(MdgCertificate) cert = mdg_certificate_new_from_der (der, NULL);
  g_autoptr(MdgCertificate) auth = mdg_certificate_new_from_der (auth_der, NULL);
  g_autoptr(MdgJpkiAttributes) attrs = NULL;
  g_autoptr(MdgJpkiAttributes) none = NULL;
  g_autoptr(GError) error = NULL;

  attrs = mdg_certificate_get_jpki_attributes (cert, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attrs);
  g_assert_cmpstr (attrs->name, ==, TEST_PKI_SAN_NAME);
  g_assert_cmpstr (attrs->name_substitute, ==, "黒桐　幹也");
  g_assert_cmpstr (attrs->sex, ==, "1");
  g_assert_cmpstr (attrs->birth_date, ==, "419800217");
  g_assert_cmpstr (attrs->address, ==, TEST_PKI_SAN_ADDRESS);
  g_assert_null (attrs->address_substitute);

  /* The authentication certificate carries no personal data. */
  none = mdg_certificate_get_jpki_attributes (auth, &error);
  g_assert_no_error (error);
  g_assert_null (none);
}

static void
test_malformed (void)
{
  g_autoptr(GBytes) der = test_pki_make_certificate (key, "x", FALSE);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (der, &size);
  g_autoptr(GBytes) truncated = g_bytes_new (data, size - 10);
  g_autoptr(GByteArray) trailing = g_byte_array_new ();
  g_autoptr(GBytes) trailing_bytes = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x30\x03\x02\x01\x01", 5);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  GBytes *bad[4];

  g_byte_array_append (trailing, data, size);
  g_byte_array_append (trailing, (const guint8 *) "\xFF\xFF", 2);
  trailing_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&trailing));

  bad[0] = truncated;
  bad[1] = trailing_bytes;
  bad[2] = garbage;
  bad[3] = empty;
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MdgCertificate) cert = mdg_certificate_new_from_der (bad[i], &error);

      g_assert_null (cert);
      g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
    }
}

static void
test_verify_digest_info (void)
{
  g_autoptr(GBytes) der = test_pki_make_certificate (key, "sign", TRUE);
  g_autoptr(MdgCertificate) cert = mdg_certificate_new_from_der (der, NULL);
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) other_sig = NULL;
  g_autoptr(GError) error = NULL;
  guint8 hash[32];
  guint8 digest_info[51];
  guint8 tampered[256];
  gsize sig_len = 0;
  const guint8 *sig_data;

  for (guint i = 0; i < sizeof hash; i++)
    hash[i] = i * 7;
  mdg_digest_info_sha256 (hash, digest_info);
  g_assert_cmpmem (digest_info, 19,
                   "\x30\x31\x30\x0D\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20", 19);
  g_assert_cmpmem (digest_info + 19, 32, hash, 32);

  sig = test_pki_sign_raw (key, digest_info, sizeof digest_info);
  sig_data = g_bytes_get_data (sig, &sig_len);
  g_assert_cmpuint (sig_len, ==, 256);
  g_assert_true (mdg_certificate_verify_digest_info (cert, digest_info, sizeof digest_info,
                                                     sig_data, sig_len, &error));
  g_assert_no_error (error);

  /* A flipped bit in the signature. */
  memcpy (tampered, sig_data, sizeof tampered);
  tampered[100] ^= 0x01;
  g_assert_false (mdg_certificate_verify_digest_info (cert, digest_info, sizeof digest_info,
                                                      tampered, sizeof tampered, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* Another digest. */
  digest_info[50] ^= 0x80;
  g_assert_false (mdg_certificate_verify_digest_info (cert, digest_info, sizeof digest_info,
                                                      sig_data, sig_len, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  digest_info[50] ^= 0x80;

  /* Another key. */
  other_sig = test_pki_sign_raw (other_key, digest_info, sizeof digest_info);
  g_assert_false (mdg_certificate_verify_digest_info (cert, digest_info, sizeof digest_info,
                                                      g_bytes_get_data (other_sig, NULL),
                                                      g_bytes_get_size (other_sig), &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* Wrong length, and nothing. */
  g_assert_false (mdg_certificate_verify_digest_info (cert, digest_info, sizeof digest_info,
                                                      sig_data, sig_len - 1, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (mdg_certificate_verify_digest_info (cert, digest_info, sizeof digest_info,
                                                      sig_data, 0, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_BAD_SIGNATURE);
}

int
main (int argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  key = test_pki_generate_key ();
  other_key = test_pki_generate_key ();

  g_test_add_func ("/certificate/fields", test_fields);
  g_test_add_func ("/certificate/validity", test_validity);
  g_test_add_func ("/certificate/jpki-attributes", test_jpki_attributes);
  g_test_add_func ("/certificate/malformed", test_malformed);
  g_test_add_func ("/certificate/verify-digest-info", test_verify_digest_info);

  ret = g_test_run ();
  EVP_PKEY_free (key);
  EVP_PKEY_free (other_key);
  return ret;
}
