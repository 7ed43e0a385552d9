/* mdg-cms.c: detached CMS SignedData with an external signer
 *
 * jpki-card.md §8 Option A: a partial SignedData from CMS_sign, a signer
 * added with the certificate's public key, the signed attributes set by
 * hand, their DER hashed and signed outside OpenSSL, the signature stored
 * in the SignerInfo. CMS_final is never called: it would try to sign with
 * the (public) key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "mdg-app-error.h"
#include "mdg-cms.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CMS_ContentInfo, CMS_ContentInfo_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE, X509_STORE_free)

static gboolean
cms_error (GError **error,
           const char *what)
{
  unsigned long code = ERR_peek_last_error ();
  const char *reason = code != 0 ? ERR_reason_error_string (code) : NULL;

  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CMS,
               _("The signature could not be built (%s): %s"), what,
               reason != NULL ? reason : _("unknown error"));
  ERR_clear_error ();
  return FALSE;
}

static X509 *
x509_from_der (GBytes *der)
{
  gsize len;
  const unsigned char *p = g_bytes_get_data (der, &len);
  const unsigned char *start = p;
  X509 *x = d2i_X509 (NULL, &p, (long) len);

  if (x != NULL && (gsize) (p - start) != len)
    g_clear_pointer (&x, X509_free);
  ERR_clear_error ();
  return x;
}

static gboolean
self_check (GBytes *der,
            GBytes *content,
            X509 *cert,
            STACK_OF (X509) *chain,
            time_t when,
            GError **error)
{
  g_autoptr(CMS_ContentInfo) cms = NULL;
  g_autoptr(X509_STORE) store = X509_STORE_new ();
  g_autoptr(MdgBioChain) dcont = mdg_cms_content_bio (content);
  const unsigned char *p = g_bytes_get_data (der, NULL);
  X509_VERIFY_PARAM *param = X509_STORE_get0_param (store);

  cms = d2i_CMS_ContentInfo (NULL, &p, (long) g_bytes_get_size (der));
  if (cms == NULL)
    return cms_error (error, "reparse");

  /* The signer's own chain is the anchor here: this checks that the
   * envelope is intact and the card signed what we meant, not trust. */
  if (sk_X509_num (chain) == 0)
    X509_STORE_add_cert (store, cert);
  for (int i = 0; i < sk_X509_num (chain); i++)
    X509_STORE_add_cert (store, sk_X509_value (chain, i));
  X509_VERIFY_PARAM_set_time (param, when);
  X509_VERIFY_PARAM_set_purpose (param, X509_PURPOSE_ANY);

  if (CMS_verify (cms, NULL, store, dcont, NULL, CMS_BINARY) != 1)
    {
      unsigned long code = ERR_peek_last_error ();
      const char *reason = code != 0 ? ERR_reason_error_string (code) : NULL;
      gboolean expired = X509_cmp_time (X509_get0_notAfter (cert), &when) < 0
                         || X509_cmp_time (X509_get0_notBefore (cert), &when) > 0;

      g_set_error (error, MDG_APP_ERROR, expired ? MDG_APP_ERROR_EXPIRED : MDG_APP_ERROR_VERIFY,
                   expired ? _("The certificate is not valid at the signing time.")
                           : _("The new signature does not verify: %s"),
                   reason != NULL ? reason : _("unknown error"));
      ERR_clear_error ();
      return FALSE;
    }
  return TRUE;
}

GBytes *
mdg_cms_sign_detached (MdgSigner *signer,
                       GBytes *content,
                       GDateTime *signing_time,
                       GError **error)
{
  const unsigned int flags = CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP | CMS_DETACHED;
  g_autoptr(GBytes) cert_der = NULL;
  g_autoptr(GPtrArray) chain_der = NULL;
  g_autoptr(X509) cert = NULL;
  g_autoptr(CMS_ContentInfo) cms = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GDateTime) now = NULL;
  STACK_OF (X509) *chain = NULL;
  STACK_OF (X509_ATTRIBUTE) *attrs = NULL;
  CMS_SignerInfo *si;
  ASN1_TIME *stime = NULL;
  ESS_SIGNING_CERT_V2 *scv2 = NULL;
  unsigned char *scv2_der = NULL;
  unsigned char *attrs_der = NULL;
  unsigned char *out = NULL;
  int scv2_len, attrs_len, out_len;
  guint8 content_hash[32];
  guint8 attrs_hash[32];
  time_t when;
  GBytes *result = NULL;

  g_return_val_if_fail (MDG_IS_SIGNER (signer), NULL);
  g_return_val_if_fail (content != NULL, NULL);

  if (signing_time == NULL)
    signing_time = now = g_date_time_new_now_utc ();
  when = (time_t) g_date_time_to_unix (signing_time);

  cert_der = mdg_signer_get_certificate (signer, error);
  if (cert_der == NULL)
    return NULL;
  chain_der = mdg_signer_get_chain (signer, error);
  if (chain_der == NULL)
    return NULL;
  cert = x509_from_der (cert_der);
  if (cert == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CMS,
                   _("The signer's certificate does not parse."));
      return NULL;
    }
  chain = sk_X509_new_null ();
  for (guint i = 0; i < chain_der->len; i++)
    {
      X509 *ca = x509_from_der (chain_der->pdata[i]);

      if (ca == NULL)
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CMS,
                       _("A CA certificate of the signer does not parse."));
          goto out;
        }
      sk_X509_push (chain, ca);
    }

  cms = CMS_sign (NULL, NULL, NULL, NULL, flags);
  if (cms == NULL)
    {
      cms_error (error, "CMS_sign");
      goto out;
    }
  /* The public key passes CMS_add1_signer's key check; it never signs. */
  si = CMS_add1_signer (cms, cert, X509_get0_pubkey (cert), EVP_sha256 (), flags);
  if (si == NULL)
    {
      cms_error (error, "CMS_add1_signer");
      goto out;
    }
  for (int i = 0; i < sk_X509_num (chain); i++)
    if (!CMS_add1_cert (cms, sk_X509_value (chain, i)))
      {
        cms_error (error, "CMS_add1_cert");
        goto out;
      }

  g_assert (EVP_Digest (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                        content_hash, NULL, EVP_sha256 (), NULL) == 1);
  stime = ASN1_TIME_set (NULL, when);
  scv2 = OSSL_ESS_signing_cert_v2_new_init (EVP_sha256 (), cert, NULL, 1);
  scv2_len = scv2 != NULL ? i2d_ESS_SIGNING_CERT_V2 (scv2, &scv2_der) : -1;
  if (stime == NULL || scv2_len <= 0
      || !CMS_signed_add1_attr_by_NID (si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                       OBJ_nid2obj (NID_pkcs7_data), -1)
      || !CMS_signed_add1_attr_by_NID (si, NID_pkcs9_signingTime, stime->type, stime, -1)
      || !CMS_signed_add1_attr_by_NID (si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                       content_hash, sizeof content_hash)
      || !CMS_signed_add1_attr_by_NID (si, NID_id_smime_aa_signingCertificateV2,
                                       V_ASN1_SEQUENCE, scv2_der, scv2_len))
    {
      cms_error (error, "signed attributes");
      goto out;
    }

  /* The DER SET of the signed attributes is what the signature covers;
   * PKCS7_ATTR_SIGN sorts the SET as CMS does (the self-check guards it). */
  attrs = sk_X509_ATTRIBUTE_new_null ();
  for (int i = 0; i < CMS_signed_get_attr_count (si); i++)
    sk_X509_ATTRIBUTE_push (attrs, CMS_signed_get_attr (si, i));
  attrs_len = ASN1_item_i2d ((ASN1_VALUE *) attrs, &attrs_der, ASN1_ITEM_rptr (PKCS7_ATTR_SIGN));
  if (attrs_len <= 0)
    {
      cms_error (error, "signed attributes DER");
      goto out;
    }
  g_assert (EVP_Digest (attrs_der, attrs_len, attrs_hash, NULL, EVP_sha256 (), NULL) == 1);

  signature = mdg_signer_sign_sha256 (signer, attrs_hash, error);
  if (signature == NULL)
    goto out;
  if (!ASN1_STRING_set (CMS_SignerInfo_get0_signature (si), g_bytes_get_data (signature, NULL),
                        (int) g_bytes_get_size (signature)))
    {
      cms_error (error, "signature");
      goto out;
    }

  out_len = i2d_CMS_ContentInfo (cms, &out);
  if (out_len <= 0)
    {
      cms_error (error, "DER");
      goto out;
    }
  result = g_bytes_new (out, out_len);
  if (!self_check (result, content, cert, chain, when, error))
    g_clear_pointer (&result, g_bytes_unref);

out:
  OPENSSL_free (out);
  OPENSSL_free (attrs_der);
  OPENSSL_free (scv2_der);
  ESS_SIGNING_CERT_V2_free (scv2);
  ASN1_TIME_free (stime);
  sk_X509_ATTRIBUTE_free (attrs);
  sk_X509_pop_free (chain, X509_free);
  return result;
}

CMS_ContentInfo *
mdg_cms_parse_detached (GBytes *der,
                        X509 **cert_out,
                        STACK_OF (X509) **certs_out,
                        GError **error)
{
  g_autoptr(CMS_ContentInfo) cms = NULL;
  STACK_OF (CMS_SignerInfo) *signers;
  STACK_OF (X509) *certs;
  CMS_SignerInfo *si;
  gsize len;
  const unsigned char *start = g_bytes_get_data (der, &len);
  const unsigned char *p = start;

  if (len > 0 && len <= G_MAXLONG)
    cms = d2i_CMS_ContentInfo (NULL, &p, (long) len);
  if (cms == NULL || (gsize) (p - start) != len
      || OBJ_obj2nid (CMS_get0_type (cms)) != NID_pkcs7_signed
      || !CMS_is_detached (cms)
      || (signers = CMS_get0_SignerInfos (cms)) == NULL || sk_CMS_SignerInfo_num (signers) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CMS,
                   _("The signature is not a detached CMS SignedData with one signer."));
      return NULL;
    }
  si = sk_CMS_SignerInfo_value (signers, 0);
  certs = CMS_get1_certs (cms);
  *cert_out = NULL;
  for (int i = 0; i < sk_X509_num (certs); i++)
    if (CMS_SignerInfo_cert_cmp (si, sk_X509_value (certs, i)) == 0)
      *cert_out = sk_X509_value (certs, i);
  ERR_clear_error ();
  if (*cert_out == NULL)
    {
      sk_X509_pop_free (certs, X509_free);
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CMS,
                   _("The signature does not include the signer's certificate."));
      return NULL;
    }
  *certs_out = certs;
  return g_steal_pointer (&cms);
}

GBytes *
mdg_x509_to_der (X509 *cert)
{
  unsigned char *der = NULL;
  int len = i2d_X509 (cert, &der);
  GBytes *result;

  if (len <= 0)
    return NULL;
  result = g_bytes_new (der, len);
  OPENSSL_free (der);
  return result;
}

/* OpenSSL 3.0's CMS_verify() copies a memory BIO it is given into one of
 * its own, and leaks that copy when it cannot set up the signed content
 * (fuzz-cms found it). Behind a null filter the content is no memory BIO
 * and is read as it is. */
MdgBioChain *
mdg_cms_content_bio (GBytes *content)
{
  BIO *mem = BIO_new_mem_buf (g_bytes_get_data (content, NULL), (int) g_bytes_get_size (content));
  BIO *filter = mem != NULL ? BIO_new (BIO_f_null ()) : NULL;

  if (filter == NULL)
    {
      BIO_free (mem);
      return NULL;
    }
  return BIO_push (filter, mem);
}
