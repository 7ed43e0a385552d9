/* test-sim-pki.c: the generated test PKI follows the JPKI profile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mdg-sim-card.h"
#include "mdg-sim-persona.h"
#include "mdg-sim-pki.h"

typedef struct
{
  char *dir;
  char *personas;
  char *out;
} Fixture;

/* Copies a shipped persona, optionally replacing @from by @to. */
static char *
copy_persona (const char *into,
              const char *id,
              const char *from,
              const char *to)
{
  g_autofree char *src = g_strdup_printf ("%s/%s.json", SIM_PERSONAS_DIR, id);
  g_autofree char *dst = g_strdup_printf ("%s/%s.json", into, id);
  g_autofree char *data = NULL;

  g_assert_true (g_file_get_contents (src, &data, NULL, NULL));
  if (from != NULL)
    {
      char *at = strstr (data, from);
      g_autofree char *patched = NULL;

      g_assert_nonnull (at);
      *at = '\0';
      patched = g_strconcat (data, to, at + strlen (from), NULL);
      g_assert_true (g_file_set_contents (dst, patched, -1, NULL));
    }
  else
    g_assert_true (g_file_set_contents (dst, data, -1, NULL));
  return g_steal_pointer (&dst);
}

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_setup (Fixture *f,
               gconstpointer data)
{
  f->dir = g_dir_make_tmp ("mdg-sim-pki-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->personas = g_build_filename (f->dir, "personas", NULL);
  f->out = g_build_filename (f->dir, "pki", NULL);
  g_assert_cmpint (g_mkdir (f->personas, 0700), ==, 0);
}

static void
fixture_teardown (Fixture *f,
                  gconstpointer data)
{
  rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->personas);
  g_free (f->out);
}

static X509 *
load_cert (const char *dir,
           const char *id,
           const char *name)
{
  g_autofree char *path = id != NULL ? g_build_filename (dir, id, name, NULL) : g_build_filename (dir, name, NULL);
  g_autofree char *data = NULL;
  gsize len;
  const guint8 *p;
  X509 *cert;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  p = (const guint8 *) data;
  cert = d2i_X509 (NULL, &p, len);
  g_assert_nonnull (cert);
  return cert;
}

static char *
name_string (const X509_NAME *name)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data;
  long len;
  char *s;

  X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  len = BIO_get_mem_data (bio, &data);
  s = g_strndup (data, len);
  BIO_free (bio);
  return s;
}

static void
assert_policy (X509 *cert,
               const char *oid)
{
  CERTIFICATEPOLICIES *policies = X509_get_ext_d2i (cert, NID_certificate_policies, NULL, NULL);
  char buf[64];

  g_assert_nonnull (policies);
  g_assert_cmpint (sk_POLICYINFO_num (policies), ==, 1);
  OBJ_obj2txt (buf, sizeof buf, sk_POLICYINFO_value (policies, 0)->policyid, 1);
  g_assert_cmpstr (buf, ==, oid);
  CERTIFICATEPOLICIES_free (policies);
}

static void
assert_key_usage_critical (X509 *cert,
                           guint32 usage)
{
  int idx = X509_get_ext_by_NID (cert, NID_key_usage, -1);

  g_assert_cmpint (idx, >=, 0);
  g_assert_true (X509_EXTENSION_get_critical (X509_get_ext (cert, idx)));
  g_assert_cmphex (X509_get_key_usage (cert), ==, usage);
}

static gboolean
verify_chain (X509 *ca,
              X509 *ee)
{
  EVP_PKEY *key = X509_get0_pubkey (ca);

  return X509_verify (ee, key) == 1 && X509_check_issued (ca, ee) == X509_V_OK;
}

static void
test_profile (Fixture *f,
              gconstpointer data)
{
  g_autofree char *file = copy_persona (f->personas, "gaiji", NULL, NULL);
  const char *files[] = { file, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgSimPersona) p = NULL;
  g_autofree char *resolved = g_build_filename (f->out, "gaiji", "persona.json", NULL);
  g_autofree char *era_birth = NULL;
  X509 *sign_ca, *auth_ca, *sign, *auth;
  GENERAL_NAMES *san;
  const char *want_oid[6] = {
    MDG_SIM_OID_SAN_NAME, MDG_SIM_OID_SAN_NAME_SUBST, MDG_SIM_OID_SAN_SEX,
    MDG_SIM_OID_SAN_BIRTH, MDG_SIM_OID_SAN_ADDRESS, MDG_SIM_OID_SAN_ADDRESS_SUBST,
  };
  const char *want_value[6];

  g_assert_true (mdg_sim_pki_generate (files, f->out, FALSE, &error));
  g_assert_no_error (error);

  /* Without --force an existing PKI is kept. */
  g_assert_false (mdg_sim_pki_generate (files, f->out, FALSE, &error));
  g_assert_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI);
  g_clear_error (&error);

  p = mdg_sim_persona_load (resolved, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (p->birth_date), ==, 8);
  era_birth = mdg_sim_birth_date_with_era (p->birth_date);
  want_value[0] = p->name;
  want_value[1] = p->substitute_name;
  want_value[2] = p->sex;
  want_value[3] = era_birth;
  want_value[4] = p->address;
  want_value[5] = p->substitute_address;

  sign_ca = load_cert (f->out, NULL, "sign-ca.der");
  auth_ca = load_cert (f->out, NULL, "auth-ca.der");
  sign = load_cert (f->out, "gaiji", "sign.der");
  auth = load_cert (f->out, "gaiji", "auth.der");

  /* CAs: self-signed test roots that say so. */
  {
    g_autofree char *s = name_string (X509_get_subject_name (sign_ca));
    g_autofree char *a = name_string (X509_get_subject_name (auth_ca));
    g_assert_nonnull (strstr (s, "O=JPKI-TEST"));
    g_assert_nonnull (strstr (s, "OU=TEST JPKI for digital signature"));
    g_assert_nonnull (strstr (a, "OU=TEST JPKI for user authentication"));
    g_assert_true (X509_check_ca (sign_ca) >= 1);
    g_assert_true (verify_chain (sign_ca, sign_ca));
  }

  /* Sign EE: subject, SAN, KeyUsage, policy, AKI/SKI, algorithm, chain. */
  {
    g_autofree char *subject = name_string (X509_get_subject_name (sign));
    g_autofree char *issuer = name_string (X509_get_issuer_name (sign));
    g_assert_cmpstr (subject, ==, "CN=TEST265708F98D77B7DF33F,L=Kurashiki-shi,L=Okayama-ken,C=JP");
    g_assert_nonnull (strstr (issuer, "TEST"));
  }
  san = X509_get_ext_d2i (sign, NID_subject_alt_name, NULL, NULL);
  g_assert_nonnull (san);
  g_assert_cmpint (sk_GENERAL_NAME_num (san), ==, 6);
  for (int i = 0; i < 6; i++)
    {
      GENERAL_NAME *gen = sk_GENERAL_NAME_value (san, i);
      ASN1_OBJECT *oid;
      ASN1_TYPE *value;
      char buf[64];

      g_assert_true (GENERAL_NAME_get0_otherName (gen, &oid, &value));
      OBJ_obj2txt (buf, sizeof buf, oid, 1);
      g_assert_cmpstr (buf, ==, want_oid[i]);
      g_assert_cmpint (value->type, ==, V_ASN1_UTF8STRING);
      g_assert_cmpmem (ASN1_STRING_get0_data (value->value.utf8string),
                       ASN1_STRING_length (value->value.utf8string),
                       want_value[i], strlen (want_value[i]));
    }
  GENERAL_NAMES_free (san);
  g_assert_nonnull (strstr (want_value[0], "\xF0\xA0\xAE\xB7"));
  assert_key_usage_critical (sign, KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION);
  assert_policy (sign, MDG_SIM_OID_POLICY_SIGN);
  g_assert_nonnull (X509_get0_subject_key_id (sign));
  g_assert_nonnull (X509_get0_authority_key_id (sign));
  g_assert_cmpint (X509_get_signature_nid (sign), ==, NID_sha256WithRSAEncryption);
  g_assert_cmpint (EVP_PKEY_get_bits (X509_get0_pubkey (sign)), ==, 2048);
  g_assert_true (verify_chain (sign_ca, sign));
  g_assert_false (verify_chain (auth_ca, sign));
  g_assert_cmpint (X509_cmp_current_time (X509_get0_notBefore (sign)), <, 0);
  g_assert_cmpint (X509_cmp_current_time (X509_get0_notAfter (sign)), >, 0);

  /* Auth EE: C and CN only, no personal data. */
  {
    g_autofree char *subject = name_string (X509_get_subject_name (auth));
    g_assert_true (g_str_has_prefix (subject, "CN=TEST"));
    g_assert_true (g_str_has_suffix (subject, ",C=JP"));
    g_assert_cmpint (X509_NAME_entry_count (X509_get_subject_name (auth)), ==, 2);
  }
  g_assert_cmpint (X509_get_ext_by_NID (auth, NID_subject_alt_name, -1), <, 0);
  assert_key_usage_critical (auth, KU_DIGITAL_SIGNATURE);
  assert_policy (auth, MDG_SIM_OID_POLICY_AUTH);
  g_assert_true (verify_chain (auth_ca, auth));

  /* The card serves exactly these certificates. */
  {
    g_autoptr(MdgSimCard) card = mdg_sim_card_new (file, f->out, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (card);
  }

  X509_free (sign_ca);
  X509_free (auth_ca);
  X509_free (sign);
  X509_free (auth);
}

static void
test_validity_and_minor (Fixture *f,
                         gconstpointer data)
{
  g_autofree char *expired = copy_persona (f->personas, "expired-cert", NULL, NULL);
  g_autofree char *future = copy_persona (f->personas, "kawaguchi-76", "\"valid\"", "\"not-yet-valid\"");
  g_autofree char *minor = copy_persona (f->personas, "minor-14", NULL, NULL);
  const char *files[] = { expired, future, minor, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *minor_sign = g_build_filename (f->out, "minor-14", "sign.der", NULL);
  X509 *cert;

  g_assert_true (mdg_sim_pki_generate (files, f->out, TRUE, &error));
  g_assert_no_error (error);

  cert = load_cert (f->out, "expired-cert", "sign.der");
  g_assert_cmpint (X509_cmp_current_time (X509_get0_notAfter (cert)), <, 0);
  X509_free (cert);
  cert = load_cert (f->out, "expired-cert", "auth.der");
  g_assert_cmpint (X509_cmp_current_time (X509_get0_notAfter (cert)), <, 0);
  X509_free (cert);
  cert = load_cert (f->out, "kawaguchi-76", "auth.der");
  g_assert_cmpint (X509_cmp_current_time (X509_get0_notBefore (cert)), >, 0);
  X509_free (cert);
  g_assert_false (g_file_test (minor_sign, G_FILE_TEST_EXISTS));
}

static void
test_bad_persona (Fixture *f,
                  gconstpointer data)
{
  g_autofree char *bad = copy_persona (f->personas, "kawaguchi-76", "123456789018", "123456789019");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) listed = mdg_sim_pki_list_personas (f->personas, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (listed[0], ==, bad);
  g_assert_cmpuint (g_strv_length (listed), ==, 1);
  /* A wrong check digit stops generation with a clear error. */
  g_assert_false (mdg_sim_pki_generate ((const char * const *) listed, f->out, FALSE, &error));
  g_assert_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PERSONA);
  g_assert_nonnull (strstr (error->message, "check digit"));
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sim/pki/profile", Fixture, NULL, fixture_setup, test_profile, fixture_teardown);
  g_test_add ("/sim/pki/validity-and-minor", Fixture, NULL, fixture_setup, test_validity_and_minor, fixture_teardown);
  g_test_add ("/sim/pki/bad-persona", Fixture, NULL, fixture_setup, test_bad_persona, fixture_teardown);

  return g_test_run ();
}
