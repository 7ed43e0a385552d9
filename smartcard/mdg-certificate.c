/* mdg-certificate.c: what the card's X.509 certificates say (OpenSSL)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mdg-card-error.h"
#include "mdg-certificate.h"
#include "mdg-pin.h"

struct _MdgCertificate
{
  X509   *x509;
  GBytes *der;
};

/* DER prefix of a SHA-256 DigestInfo (jpki-card.md §3.7). */
static const guint8 sha256_prefix[19] = {
  0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
  0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
};

MdgCertificate *
mdg_certificate_new_from_der (GBytes *der,
                              GError **error)
{
  MdgCertificate *self;
  const unsigned char *p;
  const unsigned char *start;
  gsize size = 0;
  X509 *x509;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (der == NULL || g_bytes_get_size (der) == 0 || g_bytes_get_size (der) > G_MAXINT)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The certificate is empty or too large"));
      return NULL;
    }

  start = p = g_bytes_get_data (der, &size);
  x509 = d2i_X509 (NULL, &p, (long) size);
  if (x509 == NULL || (gsize) (p - start) != size)
    {
      X509_free (x509);
      ERR_clear_error ();
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The certificate does not parse as X.509"));
      return NULL;
    }

  self = g_new0 (MdgCertificate, 1);
  self->x509 = x509;
  self->der = g_bytes_ref (der);
  return self;
}

void
mdg_certificate_free (MdgCertificate *self)
{
  if (self == NULL)
    return;
  X509_free (self->x509);
  g_bytes_unref (self->der);
  g_free (self);
}

GBytes *
mdg_certificate_get_der (MdgCertificate *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_bytes_ref (self->der);
}

static char *
name_to_string (const X509_NAME *name)
{
  BIO *bio;
  char *data = NULL;
  long len;
  char *result;

  if (name == NULL)
    return g_strdup ("");

  bio = BIO_new (BIO_s_mem ());
  if (bio == NULL)
    return g_strdup ("");

  /* Without ESC_MSB the UTF-8 of Japanese names stays readable. */
  if (X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    {
      BIO_free (bio);
      ERR_clear_error ();
      return g_strdup ("");
    }

  len = BIO_get_mem_data (bio, &data);
  result = g_utf8_make_valid (data != NULL ? data : "", len > 0 ? len : 0);
  BIO_free (bio);
  return result;
}

char *
mdg_certificate_get_subject (MdgCertificate *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return name_to_string (X509_get_subject_name (self->x509));
}

char *
mdg_certificate_get_issuer (MdgCertificate *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return name_to_string (X509_get_issuer_name (self->x509));
}

char *
mdg_certificate_get_serial_hex (MdgCertificate *self)
{
  const ASN1_INTEGER *serial;
  BIGNUM *bn;
  char *hex;
  char *result;

  g_return_val_if_fail (self != NULL, NULL);

  serial = X509_get0_serialNumber (self->x509);
  bn = ASN1_INTEGER_to_BN (serial, NULL);
  if (bn == NULL)
    {
      ERR_clear_error ();
      return g_strdup ("");
    }
  hex = BN_bn2hex (bn);
  BN_free (bn);
  if (hex == NULL)
    {
      ERR_clear_error ();
      return g_strdup ("");
    }
  result = g_ascii_strup (hex, -1);
  OPENSSL_free (hex);
  return result;
}

static GDateTime *
time_to_datetime (const ASN1_TIME *t)
{
  struct tm tm = { 0 };

  if (t == NULL || ASN1_TIME_to_tm (t, &tm) != 1)
    {
      ERR_clear_error ();
      return NULL;
    }

  return g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
}

GDateTime *
mdg_certificate_get_not_before (MdgCertificate *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return time_to_datetime (X509_get0_notBefore (self->x509));
}

GDateTime *
mdg_certificate_get_not_after (MdgCertificate *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return time_to_datetime (X509_get0_notAfter (self->x509));
}

gboolean
mdg_certificate_is_valid_at (MdgCertificate *self,
                             GDateTime *now)
{
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (now != NULL, FALSE);

  not_before = mdg_certificate_get_not_before (self);
  not_after = mdg_certificate_get_not_after (self);
  if (not_before == NULL || not_after == NULL)
    return FALSE;

  return g_date_time_compare (not_before, now) <= 0 &&
         g_date_time_compare (now, not_after) <= 0;
}

gboolean
mdg_certificate_has_non_repudiation (MdgCertificate *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  /* X509_get_key_usage() caches extensions; it returns UINT32_MAX when the
   * extension is absent, which must not count as consent. */
  if (X509_get_ext_by_NID (self->x509, NID_key_usage, -1) < 0)
    return FALSE;
  return (X509_get_key_usage (self->x509) & KU_NON_REPUDIATION) != 0;
}

static void
wipe_free_string (char *s)
{
  if (s != NULL)
    {
      mdg_secure_wipe (s, strlen (s));
      g_free (s);
    }
}

void
mdg_jpki_attributes_free (MdgJpkiAttributes *attrs)
{
  if (attrs == NULL)
    return;
  wipe_free_string (attrs->name);
  wipe_free_string (attrs->name_substitute);
  wipe_free_string (attrs->sex);
  wipe_free_string (attrs->birth_date);
  wipe_free_string (attrs->address);
  wipe_free_string (attrs->address_substitute);
  g_free (attrs);
}

/* Index 1..6 for the JPKI otherName OIDs 1.2.392.200149.8.5.5.x, else 0. */
static guint
jpki_oid_index (const ASN1_OBJECT *oid)
{
  char text[64];
  const char *prefix = "1.2.392.200149.8.5.5.";
  int n;

  n = OBJ_obj2txt (text, sizeof text, oid, 1);
  if (n <= 0 || (gsize) n >= sizeof text)
    return 0;
  if (!g_str_has_prefix (text, prefix))
    return 0;
  if (strlen (text) != strlen (prefix) + 1)
    return 0;
  if (text[strlen (prefix)] < '1' || text[strlen (prefix)] > '6')
    return 0;
  return text[strlen (prefix)] - '0';
}

MdgJpkiAttributes *
mdg_certificate_get_jpki_attributes (MdgCertificate *self,
                                     GError **error)
{
  g_autoptr(MdgJpkiAttributes) attrs = NULL;
  GENERAL_NAMES *names;
  int crit = 0;
  gboolean found = FALSE;
  gboolean failed = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  names = X509_get_ext_d2i (self->x509, NID_subject_alt_name, &crit, NULL);
  if (names == NULL)
    {
      ERR_clear_error ();
      /* -1: no SAN; -2: several SAN extensions, which X.509 forbids;
       * otherwise the extension is there but does not decode. */
      if (crit != -1)
        {
          g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                       _("The certificate has an invalid subjectAltName"));
          return NULL;
        }
      return NULL;
    }

  attrs = g_new0 (MdgJpkiAttributes, 1);

  for (int i = 0; i < sk_GENERAL_NAME_num (names) && !failed; i++)
    {
      const GENERAL_NAME *gn = sk_GENERAL_NAME_value (names, i);
      const ASN1_TYPE *value;
      const ASN1_UTF8STRING *str;
      char **slot = NULL;
      guint index;

      if (gn->type != GEN_OTHERNAME || gn->d.otherName == NULL)
        continue;

      index = jpki_oid_index (gn->d.otherName->type_id);
      if (index == 0)
        continue;

      value = gn->d.otherName->value;
      if (value == NULL || value->type != V_ASN1_UTF8STRING)
        {
          failed = TRUE;
          break;
        }
      str = value->value.utf8string;

      switch (index)
        {
        case 1: slot = &attrs->name; break;
        case 2: slot = &attrs->name_substitute; break;
        case 3: slot = &attrs->sex; break;
        case 4: slot = &attrs->birth_date; break;
        case 5: slot = &attrs->address; break;
        case 6: slot = &attrs->address_substitute; break;
        default: g_assert_not_reached ();
        }

      if (*slot != NULL ||
          !g_utf8_validate ((const char *) ASN1_STRING_get0_data (str), ASN1_STRING_length (str), NULL) ||
          memchr (ASN1_STRING_get0_data (str), '\0', ASN1_STRING_length (str)) != NULL)
        {
          failed = TRUE;
          break;
        }

      *slot = g_strndup ((const char *) ASN1_STRING_get0_data (str), ASN1_STRING_length (str));
      found = TRUE;
    }

  GENERAL_NAMES_free (names);

  if (failed)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The certificate holds an invalid JPKI attribute"));
      return NULL;
    }
  if (!found)
    return NULL;

  return g_steal_pointer (&attrs);
}

gboolean
mdg_certificate_verify_digest_info (MdgCertificate *self,
                                    const guint8 *digest_info,
                                    gsize digest_info_len,
                                    const guint8 *signature,
                                    gsize signature_len,
                                    GError **error)
{
  EVP_PKEY *pkey;
  EVP_PKEY_CTX *ctx = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  pkey = X509_get0_pubkey (self->x509);
  if (pkey == NULL || !EVP_PKEY_is_a (pkey, "RSA"))
    {
      ERR_clear_error ();
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The certificate does not hold an RSA key"));
      return FALSE;
    }

  if (digest_info == NULL || signature == NULL || signature_len == 0 ||
      signature_len != (gsize) EVP_PKEY_get_size (pkey))
    goto bad;

  /* No signature digest set: the DigestInfo is compared as it is, exactly
   * what the card signed (PKCS#1 v1.5 type 1, jpki-card.md §3.7). */
  ctx = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
  if (ctx == NULL ||
      EVP_PKEY_verify_init (ctx) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING) <= 0)
    {
      EVP_PKEY_CTX_free (ctx);
      ERR_clear_error ();
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FAILED,
                   _("Could not set up signature verification"));
      return FALSE;
    }

  ok = EVP_PKEY_verify (ctx, signature, signature_len, digest_info, digest_info_len) == 1;
  EVP_PKEY_CTX_free (ctx);

bad:
  ERR_clear_error ();
  if (!ok)
    g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_BAD_SIGNATURE,
                 _("The card's signature does not match its certificate"));
  return ok;
}

void
mdg_digest_info_sha256 (const guint8 sha256[32],
                        guint8 out[51])
{
  memcpy (out, sha256_prefix, sizeof sha256_prefix);
  memcpy (out + sizeof sha256_prefix, sha256, 32);
}
