/* mdg-software-signer.c: an MdgSigner over an OpenSSL private key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "mdg-app-error.h"
#include "mdg-software-signer.h"

struct _MdgSoftwareSigner
{
  GObject    parent_instance;
  EVP_PKEY  *key;
  GBytes    *certificate;
  GPtrArray *chain;
};

static void signer_iface_init (MdgSignerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MdgSoftwareSigner, mdg_software_signer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MDG_TYPE_SIGNER, signer_iface_init))

static void
mdg_software_signer_finalize (GObject *object)
{
  MdgSoftwareSigner *self = MDG_SOFTWARE_SIGNER (object);

  EVP_PKEY_free (self->key);
  g_clear_pointer (&self->certificate, g_bytes_unref);
  g_clear_pointer (&self->chain, g_ptr_array_unref);
  G_OBJECT_CLASS (mdg_software_signer_parent_class)->finalize (object);
}

static void
mdg_software_signer_class_init (MdgSoftwareSignerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_software_signer_finalize;
}

static void
mdg_software_signer_init (MdgSoftwareSigner *self)
{
  self->chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static GBytes *
software_get_certificate (MdgSigner *signer,
                          GError **error)
{
  return g_bytes_ref (MDG_SOFTWARE_SIGNER (signer)->certificate);
}

static GPtrArray *
software_get_chain (MdgSigner *signer,
                    GError **error)
{
  return g_ptr_array_ref (MDG_SOFTWARE_SIGNER (signer)->chain);
}

static GBytes *
software_sign_sha256 (MdgSigner *signer,
                      const guint8 sha256[32],
                      GError **error)
{
  MdgSoftwareSigner *self = MDG_SOFTWARE_SIGNER (signer);
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (self->key, NULL);
  g_autofree guint8 *sig = NULL;
  size_t sig_len = 0;
  gboolean ok;

  ok = ctx != NULL
       && EVP_PKEY_sign_init (ctx) > 0
       && EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING) > 0
       && EVP_PKEY_CTX_set_signature_md (ctx, EVP_sha256 ()) > 0
       && EVP_PKEY_sign (ctx, NULL, &sig_len, sha256, 32) > 0;
  if (ok)
    {
      sig = g_malloc (sig_len);
      ok = EVP_PKEY_sign (ctx, sig, &sig_len, sha256, 32) > 0;
    }
  EVP_PKEY_CTX_free (ctx);
  if (!ok)
    {
      ERR_clear_error ();
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER,
                   _("The software key could not sign."));
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&sig), sig_len);
}

static void
signer_iface_init (MdgSignerInterface *iface)
{
  iface->get_certificate = software_get_certificate;
  iface->get_chain = software_get_chain;
  iface->sign_sha256 = software_sign_sha256;
}

MdgSigner *
mdg_software_signer_new (EVP_PKEY *key,
                         GBytes *certificate,
                         GPtrArray *chain)
{
  MdgSoftwareSigner *self;

  g_return_val_if_fail (key != NULL && certificate != NULL, NULL);

  self = g_object_new (MDG_TYPE_SOFTWARE_SIGNER, NULL);
  EVP_PKEY_up_ref (key);
  self->key = key;
  self->certificate = g_bytes_ref (certificate);
  for (guint i = 0; chain != NULL && i < chain->len; i++)
    g_ptr_array_add (self->chain, g_bytes_ref (chain->pdata[i]));
  return MDG_SIGNER (self);
}

GBytes *
mdg_certificate_file_to_der (const char *path,
                             GError **error)
{
  g_autofree char *data = NULL;
  gsize len;
  BIO *bio;
  X509 *x;
  unsigned char *der = NULL;
  int der_len;
  GBytes *out;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  bio = BIO_new_mem_buf (data, (int) len);
  x = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  if (x == NULL)
    {
      const unsigned char *p = (const unsigned char *) data;

      x = d2i_X509 (NULL, &p, (long) len);
    }
  BIO_free (bio);
  ERR_clear_error ();
  if (x == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_TRUST_STORE,
                   _("“%s” is not a certificate."), path);
      return NULL;
    }
  der_len = i2d_X509 (x, &der);
  X509_free (x);
  if (der_len <= 0)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_TRUST_STORE,
                   _("“%s” is not a certificate."), path);
      return NULL;
    }
  out = g_bytes_new (der, der_len);
  OPENSSL_free (der);
  return out;
}

MdgSigner *
mdg_software_signer_new_from_files (const char *key_path,
                                    const char *cert_path,
                                    const char *ca_path,
                                    GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize len;
  BIO *bio;
  EVP_PKEY *key;
  MdgSigner *signer;

  if (!g_file_get_contents (key_path, &data, &len, error))
    return NULL;
  bio = BIO_new_mem_buf (data, (int) len);
  key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  BIO_free (bio);
  OPENSSL_cleanse (data, len);
  if (key == NULL)
    {
      ERR_clear_error ();
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER,
                   _("“%s” is not a private key."), key_path);
      return NULL;
    }
  cert = mdg_certificate_file_to_der (cert_path, error);
  if (cert == NULL)
    {
      EVP_PKEY_free (key);
      return NULL;
    }
  if (ca_path != NULL)
    {
      GBytes *ca = mdg_certificate_file_to_der (ca_path, error);

      if (ca == NULL)
        {
          EVP_PKEY_free (key);
          return NULL;
        }
      g_ptr_array_add (chain, ca);
    }
  signer = mdg_software_signer_new (key, cert, chain);
  EVP_PKEY_free (key);
  return signer;
}
