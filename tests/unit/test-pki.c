/* test-pki.c: throw-away keys and JPKI-like certificates for unit tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "test-pki.h"

EVP_PKEY *
test_pki_generate_key (void)
{
  EVP_PKEY *key = EVP_RSA_gen (2048);

  g_assert_nonnull (key);
  return key;
}

static void
add_other_name (GENERAL_NAMES *names,
                const char *oid,
                const char *value)
{
  GENERAL_NAME *gn = GENERAL_NAME_new ();
  ASN1_OBJECT *obj = OBJ_txt2obj (oid, 1);
  ASN1_TYPE *type = ASN1_TYPE_new ();
  ASN1_UTF8STRING *str = ASN1_UTF8STRING_new ();

  g_assert_true (ASN1_STRING_set (str, value, -1));
  ASN1_TYPE_set (type, V_ASN1_UTF8STRING, str);
  g_assert_true (GENERAL_NAME_set0_othername (gn, obj, type));
  g_assert_true (sk_GENERAL_NAME_push (names, gn) > 0);
}

GBytes *
test_pki_make_certificate (EVP_PKEY *key,
                           const char *cn,
                           gboolean jpki_san)
{
  X509 *x = X509_new ();
  X509_NAME *name = X509_NAME_new ();
  unsigned char *der = NULL;
  GBytes *bytes;
  int len;

  g_assert_true (X509_set_version (x, 2));
  g_assert_true (ASN1_INTEGER_set (X509_get_serialNumber (x), 0x1234ABCD));
  g_assert_true (ASN1_TIME_set_string (X509_getm_notBefore (x), "20251027000000Z"));
  g_assert_true (ASN1_TIME_set_string (X509_getm_notAfter (x), "20300217235959Z"));

  g_assert_true (X509_NAME_add_entry_by_txt (name, "C", MBSTRING_UTF8, (const unsigned char *) "JP", -1, -1, 0));
  g_assert_true (X509_NAME_add_entry_by_txt (name, "L", MBSTRING_UTF8, (const unsigned char *) "東京都", -1, -1, 0));
  g_assert_true (X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8, (const unsigned char *) cn, -1, -1, 0));
  g_assert_true (X509_set_subject_name (x, name));
  g_assert_true (X509_set_issuer_name (x, name));
  g_assert_true (X509_set_pubkey (x, key));

  if (jpki_san)
    {
      GENERAL_NAMES *names = sk_GENERAL_NAME_new_null ();
      ASN1_BIT_STRING *usage = ASN1_BIT_STRING_new ();

      add_other_name (names, "1.2.392.200149.8.5.5.1", TEST_PKI_SAN_NAME);
      add_other_name (names, "1.2.392.200149.8.5.5.2", "黒桐　幹也");
      add_other_name (names, "1.2.392.200149.8.5.5.3", "1");
      add_other_name (names, "1.2.392.200149.8.5.5.4", "419800217");
      add_other_name (names, "1.2.392.200149.8.5.5.5", TEST_PKI_SAN_ADDRESS);
      g_assert_true (X509_add1_ext_i2d (x, NID_subject_alt_name, names, 0, 0));
      GENERAL_NAMES_free (names);

      g_assert_true (ASN1_BIT_STRING_set_bit (usage, 0, 1));  /* digitalSignature */
      g_assert_true (ASN1_BIT_STRING_set_bit (usage, 1, 1));  /* nonRepudiation */
      g_assert_true (X509_add1_ext_i2d (x, NID_key_usage, usage, 1, 0));
      ASN1_BIT_STRING_free (usage);
    }

  g_assert_true (X509_sign (x, key, EVP_sha256 ()) > 0);

  len = i2d_X509 (x, &der);
  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, len);

  OPENSSL_free (der);
  X509_NAME_free (name);
  X509_free (x);
  return bytes;
}

GBytes *
test_pki_sign_raw (EVP_PKEY *key,
                   const guint8 *data,
                   gsize len)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (NULL, key, NULL);
  guint8 *sig;
  size_t sig_len = 0;

  g_assert_nonnull (ctx);
  g_assert_cmpint (EVP_PKEY_sign_init (ctx), ==, 1);
  g_assert_cmpint (EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING), ==, 1);
  g_assert_cmpint (EVP_PKEY_sign (ctx, NULL, &sig_len, data, len), ==, 1);
  sig = g_malloc (sig_len);
  g_assert_cmpint (EVP_PKEY_sign (ctx, sig, &sig_len, data, len), ==, 1);
  EVP_PKEY_CTX_free (ctx);

  return g_bytes_new_take (sig, sig_len);
}
