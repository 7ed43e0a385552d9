/* mdg-sim-pki.c: test CAs and JPKI-profile certificates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mdg-sim-card.h"
#include "mdg-sim-persona.h"
#include "mdg-sim-pki.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_NAME, X509_NAME_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)

#define DAY (24 * 60 * 60)

void
mdg_sim_pki_material_free (MdgSimPkiMaterial *m)
{
  if (m == NULL)
    return;
  EVP_PKEY_free (m->sign_key);
  EVP_PKEY_free (m->auth_key);
  EVP_PKEY_free (m->text_key);
  g_clear_pointer (&m->sign_cert, g_bytes_unref);
  g_clear_pointer (&m->sign_ca, g_bytes_unref);
  g_clear_pointer (&m->auth_cert, g_bytes_unref);
  g_clear_pointer (&m->auth_ca, g_bytes_unref);
  g_free (m);
}

static gboolean
ssl_fail (GError **error,
          const char *what)
{
  char buf[256] = "";
  unsigned long e = ERR_get_error ();

  if (e != 0)
    ERR_error_string_n (e, buf, sizeof buf);
  ERR_clear_error ();
  g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI, _("Test PKI: %s failed %s"), what, buf);
  return FALSE;
}

static gboolean
write_bio (BIO *bio,
           const char *path,
           int mode,
           GError **error)
{
  char *data;
  long len = BIO_get_mem_data (bio, &data);

  return g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, mode, error);
}

static gboolean
write_key (EVP_PKEY *key,
           const char *path,
           GError **error)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());

  if (!PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL))
    return ssl_fail (error, "PEM_write_bio_PrivateKey");
  return write_bio (bio, path, 0600, error);
}

static gboolean
write_cert (X509 *cert,
            const char *dir,
            const char *base,
            GError **error)
{
  g_autoptr(BIO) der = BIO_new (BIO_s_mem ());
  g_autoptr(BIO) pem = BIO_new (BIO_s_mem ());
  g_autofree char *der_name = g_strconcat (base, ".der", NULL);
  g_autofree char *pem_name = g_strconcat (base, ".pem", NULL);
  g_autofree char *der_path = g_build_filename (dir, der_name, NULL);
  g_autofree char *pem_path = g_build_filename (dir, pem_name, NULL);

  if (!i2d_X509_bio (der, cert) || !PEM_write_bio_X509 (pem, cert))
    return ssl_fail (error, "i2d_X509");
  return write_bio (der, der_path, 0644, error) && write_bio (pem, pem_path, 0644, error);
}

static gboolean
add_ext (X509 *cert,
         X509 *issuer,
         int nid,
         const char *value,
         GError **error)
{
  X509V3_CTX ctx;
  X509_EXTENSION *ext;
  gboolean ok;

  X509V3_set_ctx (&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
  ext = X509V3_EXT_nconf_nid (NULL, &ctx, nid, value);
  if (ext == NULL)
    return ssl_fail (error, OBJ_nid2sn (nid));
  ok = X509_add_ext (cert, ext, -1);
  X509_EXTENSION_free (ext);
  return ok ? TRUE : ssl_fail (error, "X509_add_ext");
}

static gboolean
add_policy (X509 *cert,
            const char *oid,
            GError **error)
{
  CERTIFICATEPOLICIES *policies = sk_POLICYINFO_new_null ();
  POLICYINFO *info = POLICYINFO_new ();
  gboolean ok = FALSE;

  if (policies != NULL && info != NULL)
    {
      ASN1_OBJECT_free (info->policyid);
      info->policyid = OBJ_txt2obj (oid, 1);
      if (info->policyid != NULL && sk_POLICYINFO_push (policies, info))
        {
          info = NULL;
          ok = X509_add1_ext_i2d (cert, NID_certificate_policies, policies, 0, X509V3_ADD_DEFAULT) == 1;
        }
    }
  POLICYINFO_free (info);
  CERTIFICATEPOLICIES_free (policies);
  return ok ? TRUE : ssl_fail (error, "certificatePolicies");
}

static gboolean
add_other_name (GENERAL_NAMES *gens,
                const char *oid,
                const char *value)
{
  ASN1_OBJECT *obj = OBJ_txt2obj (oid, 1);
  ASN1_UTF8STRING *str = ASN1_UTF8STRING_new ();
  ASN1_TYPE *type = ASN1_TYPE_new ();
  GENERAL_NAME *gen = GENERAL_NAME_new ();

  if (obj == NULL || str == NULL || type == NULL || gen == NULL
      || !ASN1_STRING_set (str, value != NULL ? value : "", -1))
    goto fail;
  ASN1_TYPE_set (type, V_ASN1_UTF8STRING, str);
  str = NULL;
  if (!GENERAL_NAME_set0_othername (gen, obj, type))
    goto fail;
  if (!sk_GENERAL_NAME_push (gens, gen))
    {
      GENERAL_NAME_free (gen);
      return FALSE;
    }
  return TRUE;

fail:
  ASN1_OBJECT_free (obj);
  ASN1_UTF8STRING_free (str);
  ASN1_TYPE_free (type);
  GENERAL_NAME_free (gen);
  return FALSE;
}

static X509_NAME *
make_name (const char * const *pairs)
{
  X509_NAME *name = X509_NAME_new ();

  for (guint i = 0; pairs[i] != NULL; i += 2)
    if (!X509_NAME_add_entry_by_txt (name, pairs[i], MBSTRING_UTF8,
                                     (const unsigned char *) pairs[i + 1], -1, -1, 0))
      {
        X509_NAME_free (name);
        return NULL;
      }
  return name;
}

/* A certificate skeleton: version 3, random positive serial, validity. */
static X509 *
new_cert (EVP_PKEY *key,
          X509_NAME *subject,
          X509_NAME *issuer,
          time_t not_before,
          time_t not_after,
          GError **error)
{
  g_autoptr(X509) cert = X509_new ();
  guint8 serial[9];
  BIGNUM *bn;
  gboolean ok;

  if (RAND_bytes (serial + 1, sizeof serial - 1) != 1)
    return ssl_fail (error, "RAND_bytes"), NULL;
  serial[0] = 0;
  serial[1] &= 0x7f;
  serial[1] |= 0x10;
  bn = BN_bin2bn (serial, sizeof serial, NULL);
  ok = bn != NULL && X509_set_version (cert, X509_VERSION_3)
       && BN_to_ASN1_INTEGER (bn, X509_get_serialNumber (cert)) != NULL
       && X509_set_subject_name (cert, subject)
       && X509_set_issuer_name (cert, issuer)
       && ASN1_TIME_set (X509_getm_notBefore (cert), not_before) != NULL
       && ASN1_TIME_set (X509_getm_notAfter (cert), not_after) != NULL
       && X509_set_pubkey (cert, key);
  BN_free (bn);
  if (!ok)
    return ssl_fail (error, "X509 setup"), NULL;
  return g_steal_pointer (&cert);
}

static EVP_PKEY *
new_key (GError **error)
{
  EVP_PKEY *key = EVP_RSA_gen (2048);

  if (key == NULL)
    ssl_fail (error, "EVP_RSA_gen");
  return key;
}

static X509 *
make_ca (EVP_PKEY *key,
         const char *ou,
         time_t now,
         GError **error)
{
  const char *pairs[] = { "C", "JP", "O", MDG_SIM_PKI_ORGANIZATION, "OU", ou,
                          "OU", "TEST CA - not for production", NULL };
  g_autoptr(X509_NAME) name = make_name (pairs);
  g_autoptr(X509) cert = NULL;

  if (name == NULL)
    return ssl_fail (error, "X509_NAME"), NULL;
  cert = new_cert (key, name, name, now - 3650L * DAY, now + 7300L * DAY, error);
  if (cert == NULL
      || !add_ext (cert, NULL, NID_basic_constraints, "critical,CA:TRUE", error)
      || !add_ext (cert, NULL, NID_key_usage, "critical,keyCertSign,cRLSign", error)
      || !add_ext (cert, NULL, NID_subject_key_identifier, "hash", error))
    return NULL;
  if (X509_sign (cert, key, EVP_sha256 ()) <= 0)
    return ssl_fail (error, "X509_sign"), NULL;
  return g_steal_pointer (&cert);
}

/* A stable, opaque, serial-like CN: "TEST" + 19 characters. */
static char *
opaque_id (const char *persona_id,
           const char *kind)
{
  g_autofree char *seed = g_strconcat (persona_id, "/", kind, NULL);
  g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
  g_autofree char *id = g_ascii_strup (hex, 19);

  return g_strconcat ("TEST", id, NULL);
}

static void
validity_window (const MdgSimPersona *p,
                 time_t now,
                 time_t *not_before,
                 time_t *not_after)
{
  switch (p->validity)
    {
    case MDG_SIM_VALIDITY_EXPIRED:
      *not_before = now - 5 * 365L * DAY;
      *not_after = now - 30L * DAY;
      break;
    case MDG_SIM_VALIDITY_NOT_YET_VALID:
      *not_before = now + 30L * DAY;
      *not_after = now + 5 * 365L * DAY;
      break;
    case MDG_SIM_VALIDITY_VALID:
    default:
      *not_before = now - 30L * DAY;
      *not_after = now + 4 * 365L * DAY;
      break;
    }
}

static X509 *
make_ee (EVP_PKEY *key,
         X509 *ca,
         EVP_PKEY *ca_key,
         const MdgSimPersona *p,
         gboolean sign,
         time_t now,
         GError **error)
{
  g_autofree char *cn = opaque_id (p->id, sign ? "sign" : "auth");
  const char *sign_pairs[] = { "C", "JP", "L", p->prefecture_roman, "L", p->city_roman, "CN", cn, NULL };
  const char *auth_pairs[] = { "C", "JP", "CN", cn, NULL };
  g_autoptr(X509_NAME) name = make_name (sign ? sign_pairs : auth_pairs);
  g_autoptr(X509) cert = NULL;
  time_t not_before, not_after;

  if (name == NULL)
    return ssl_fail (error, "X509_NAME"), NULL;
  validity_window (p, now, &not_before, &not_after);
  cert = new_cert (key, name, X509_get_subject_name (ca), not_before, not_after, error);
  if (cert == NULL
      || !add_ext (cert, ca, NID_subject_key_identifier, "hash", error)
      || !add_ext (cert, ca, NID_authority_key_identifier, "keyid:always", error)
      || !add_policy (cert, sign ? MDG_SIM_OID_POLICY_SIGN : MDG_SIM_OID_POLICY_AUTH, error)
      || !add_ext (cert, ca, NID_key_usage,
                   sign ? "critical,digitalSignature,nonRepudiation" : "critical,digitalSignature",
                   error))
    return NULL;

  if (sign)
    {
      GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null ();
      g_autofree char *birth = mdg_sim_birth_date_with_era (p->birth_date);
      gboolean ok;

      ok = gens != NULL
           && add_other_name (gens, MDG_SIM_OID_SAN_NAME, p->name)
           && add_other_name (gens, MDG_SIM_OID_SAN_NAME_SUBST, p->substitute_name)
           && add_other_name (gens, MDG_SIM_OID_SAN_SEX, p->sex)
           && add_other_name (gens, MDG_SIM_OID_SAN_BIRTH, birth)
           && add_other_name (gens, MDG_SIM_OID_SAN_ADDRESS, p->address)
           && add_other_name (gens, MDG_SIM_OID_SAN_ADDRESS_SUBST, p->substitute_address)
           && X509_add1_ext_i2d (cert, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
      GENERAL_NAMES_free (gens);
      if (!ok)
        return ssl_fail (error, "subjectAltName"), NULL;
    }

  if (X509_sign (cert, ca_key, EVP_sha256 ()) <= 0)
    return ssl_fail (error, "X509_sign"), NULL;
  return g_steal_pointer (&cert);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char **
mdg_sim_pki_list_personas (const char *dir,
                           GError **error)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (files, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (files, compare_strings);
  g_ptr_array_add (files, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&files), FALSE);
}

static gboolean
generate_persona (const char *file,
                  const char *out_dir,
                  X509 *sign_ca,
                  EVP_PKEY *sign_ca_key,
                  X509 *auth_ca,
                  EVP_PKEY *auth_ca_key,
                  time_t now,
                  GError **error)
{
  g_autoptr(MdgSimPersona) p = mdg_sim_persona_load (file, NULL, error);
  g_autofree char *dir = NULL;
  g_autofree char *json_path = NULL;
  g_autoptr(EVP_PKEY) auth_key = NULL;
  g_autoptr(X509) auth = NULL;
  g_autofree char *auth_key_path = NULL;

  if (p == NULL)
    return FALSE;
  dir = g_build_filename (out_dir, p->id, NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI, _("Cannot create %s: %s"),
                   dir, g_strerror (saved));
      return FALSE;
    }
  /* A regenerated PKI starts with fresh PIN counters. */
  {
    g_autofree char *state = g_build_filename (dir, "state.json", NULL);
    g_unlink (state);
  }

  if (p->has_sign_cert)
    {
      g_autoptr(EVP_PKEY) key = new_key (error);
      g_autoptr(X509) cert = NULL;
      g_autofree char *key_path = g_build_filename (dir, "sign.key.pem", NULL);

      if (key == NULL)
        return FALSE;
      cert = make_ee (key, sign_ca, sign_ca_key, p, TRUE, now, error);
      if (cert == NULL || !write_key (key, key_path, error) || !write_cert (cert, dir, "sign", error))
        return FALSE;
    }
  else
    {
      const char *stale[] = { "sign.key.pem", "sign.der", "sign.pem" };
      for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
        {
          g_autofree char *path = g_build_filename (dir, stale[i], NULL);
          g_unlink (path);
        }
    }

  auth_key = new_key (error);
  if (auth_key == NULL)
    return FALSE;
  auth = make_ee (auth_key, auth_ca, auth_ca_key, p, FALSE, now, error);
  auth_key_path = g_build_filename (dir, "auth.key.pem", NULL);
  if (auth == NULL || !write_key (auth_key, auth_key_path, error) || !write_cert (auth, dir, "auth", error))
    return FALSE;

  json_path = g_build_filename (dir, "persona.json", NULL);
  return g_file_set_contents (json_path, p->resolved_json, -1, error);
}

gboolean
mdg_sim_pki_generate (const char * const *persona_files,
                      const char *out_dir,
                      gboolean force,
                      GError **error)
{
  g_autofree char *marker = g_build_filename (out_dir, "sign-ca.der", NULL);
  g_autoptr(EVP_PKEY) sign_ca_key = NULL;
  g_autoptr(EVP_PKEY) auth_ca_key = NULL;
  g_autoptr(EVP_PKEY) text_key = NULL;
  g_autoptr(X509) sign_ca = NULL;
  g_autoptr(X509) auth_ca = NULL;
  g_autofree char *path = NULL;
  time_t now = time (NULL);

  if (!force && g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI,
                   _("A test PKI already exists in %s; use --force to replace it"), out_dir);
      return FALSE;
    }
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI, _("Cannot create %s: %s"),
                   out_dir, g_strerror (saved));
      return FALSE;
    }

  if ((sign_ca_key = new_key (error)) == NULL
      || (auth_ca_key = new_key (error)) == NULL
      || (text_key = new_key (error)) == NULL)
    return FALSE;
  sign_ca = make_ca (sign_ca_key, "TEST JPKI for digital signature", now, error);
  if (sign_ca == NULL)
    return FALSE;
  auth_ca = make_ca (auth_ca_key, "TEST JPKI for user authentication", now, error);
  if (auth_ca == NULL)
    return FALSE;

#define KEY(k, base) \
  g_clear_pointer (&path, g_free); \
  path = g_build_filename (out_dir, base, NULL); \
  if (!write_key (k, path, error)) \
    return FALSE;
  KEY (sign_ca_key, "sign-ca.key.pem");
  KEY (auth_ca_key, "auth-ca.key.pem");
  KEY (text_key, "text-ap.key.pem");
#undef KEY
  if (!write_cert (sign_ca, out_dir, "sign-ca", error)
      || !write_cert (auth_ca, out_dir, "auth-ca", error))
    return FALSE;

  for (guint i = 0; persona_files[i] != NULL; i++)
    if (!generate_persona (persona_files[i], out_dir, sign_ca, sign_ca_key,
                           auth_ca, auth_ca_key, now, error))
      return FALSE;
  return TRUE;
}

static EVP_PKEY *
load_key (const char *dir,
          const char *name,
          GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(BIO) bio = NULL;
  EVP_PKEY *key;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  bio = BIO_new_mem_buf (data, (int) len);
  key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  OPENSSL_cleanse (data, len);
  if (key == NULL)
    g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI, _("Test PKI: %s is not a PEM private key"), path);
  return key;
}

static GBytes *
load_der (const char *dir,
          const char *name,
          GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *data;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  return g_bytes_new_take (data, len);
}

MdgSimPkiMaterial *
mdg_sim_pki_load (const char *pki_dir,
                  const char *id,
                  gboolean with_sign,
                  GError **error)
{
  g_autoptr(MdgSimPkiMaterial) m = g_new0 (MdgSimPkiMaterial, 1);
  g_autofree char *dir = g_build_filename (pki_dir, id, NULL);
  g_autoptr(GError) local_error = NULL;

  if ((m->auth_key = load_key (dir, "auth.key.pem", &local_error)) == NULL
      || (m->text_key = load_key (pki_dir, "text-ap.key.pem", &local_error)) == NULL
      || (m->auth_cert = load_der (dir, "auth.der", &local_error)) == NULL
      || (m->auth_ca = load_der (pki_dir, "auth-ca.der", &local_error)) == NULL
      || (m->sign_ca = load_der (pki_dir, "sign-ca.der", &local_error)) == NULL
      || (with_sign && (m->sign_key = load_key (dir, "sign.key.pem", &local_error)) == NULL)
      || (with_sign && (m->sign_cert = load_der (dir, "sign.der", &local_error)) == NULL))
    {
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI,
                   _("Test PKI for “%s” incomplete (run `madoguchi-card-sim pki`): %s"),
                   id, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&m);
}
