/* mdg-trust-store.c: the trust anchors a verification may chain to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "mdg-app-error.h"
#include "mdg-trust-store.h"

struct _MdgTrustStore
{
  GObject          parent_instance;
  MdgTrustMode     mode;
  STACK_OF (X509) *roots[2];
  STACK_OF (X509) *test_roots[2];  /* production: known test roots, refused */
};

G_DEFINE_FINAL_TYPE (MdgTrustStore, mdg_trust_store, G_TYPE_OBJECT)

static void
mdg_trust_store_finalize (GObject *object)
{
  MdgTrustStore *self = MDG_TRUST_STORE (object);

  for (int i = 0; i < 2; i++)
    {
      sk_X509_pop_free (self->roots[i], X509_free);
      sk_X509_pop_free (self->test_roots[i], X509_free);
    }
  G_OBJECT_CLASS (mdg_trust_store_parent_class)->finalize (object);
}

static void
mdg_trust_store_class_init (MdgTrustStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_trust_store_finalize;
}

static void
mdg_trust_store_init (MdgTrustStore *self)
{
  self->roots[0] = sk_X509_new_null ();
  self->roots[1] = sk_X509_new_null ();
  self->test_roots[0] = sk_X509_new_null ();
  self->test_roots[1] = sk_X509_new_null ();
}

static gboolean
load_pem (STACK_OF (X509) *roots,
          const char *path,
          GError **error)
{
  g_autofree char *data = NULL;
  gsize len;
  BIO *bio;
  X509 *x;
  int count = 0;

  if (!g_file_get_contents (path, &data, &len, error))
    return FALSE;
  bio = BIO_new_mem_buf (data, (int) len);
  while ((x = PEM_read_bio_X509 (bio, NULL, NULL, NULL)) != NULL)
    {
      sk_X509_push (roots, x);
      count++;
    }
  BIO_free (bio);
  ERR_clear_error ();
  if (count == 0)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_TRUST_STORE,
                   _("“%s” holds no certificate."), path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_dir (STACK_OF (X509) *roots,
          const char *path,
          GError **error)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      if (g_str_has_suffix (name, ".pem") && !load_pem (roots, file, error))
        return FALSE;
    }
  return TRUE;
}

MdgTrustStore *
mdg_trust_store_new_production (const char *dir,
                                GError **error)
{
  g_autoptr(MdgTrustStore) self = g_object_new (MDG_TYPE_TRUST_STORE, NULL);
  static const char *subdirs[] = { "sign", "auth" };

  self->mode = MDG_TRUST_MODE_PRODUCTION;
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (dir, subdirs[i], NULL);

      if (!load_dir (self->roots[i], path, error))
        return NULL;
    }
  {
    g_autofree char *path = g_build_filename (dir, "test", NULL);

    /* Which purpose a known test root serves does not matter: it is refused. */
    if (!load_dir (self->test_roots[MDG_TRUST_PURPOSE_SIGN], path, error))
      return NULL;
  }
  if (sk_X509_num (self->roots[MDG_TRUST_PURPOSE_SIGN]) == 0)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_TRUST_STORE,
                   _("No J-LIS signature root certificate is installed in “%s”."), dir);
      return NULL;
    }
  return g_steal_pointer (&self);
}

MdgTrustStore *
mdg_trust_store_new_test (const char *pki_dir,
                          GError **error)
{
  g_autoptr(MdgTrustStore) self = g_object_new (MDG_TYPE_TRUST_STORE, NULL);
  g_autofree char *sign = g_build_filename (pki_dir, "sign-ca.pem", NULL);
  g_autofree char *auth = g_build_filename (pki_dir, "auth-ca.pem", NULL);

  self->mode = MDG_TRUST_MODE_TEST;
  if (!load_pem (self->roots[MDG_TRUST_PURPOSE_SIGN], sign, error)
      || !load_pem (self->roots[MDG_TRUST_PURPOSE_AUTH], auth, error))
    return NULL;
  return g_steal_pointer (&self);
}

MdgTrustMode
mdg_trust_store_get_mode (MdgTrustStore *self)
{
  return self->mode;
}

X509_STORE *
mdg_trust_store_build (MdgTrustStore *self,
                       MdgTrustPurpose purpose)
{
  X509_STORE *store = X509_STORE_new ();

  for (int i = 0; i < sk_X509_num (self->roots[purpose]); i++)
    X509_STORE_add_cert (store, sk_X509_value (self->roots[purpose], i));
  return store;
}

gboolean
mdg_trust_store_add_known_test_roots (MdgTrustStore *self,
                                      const char *pki_dir,
                                      GError **error)
{
  g_autofree char *sign = g_build_filename (pki_dir, "sign-ca.pem", NULL);
  g_autofree char *auth = g_build_filename (pki_dir, "auth-ca.pem", NULL);

  g_return_val_if_fail (MDG_IS_TRUST_STORE (self), FALSE);
  g_return_val_if_fail (self->mode == MDG_TRUST_MODE_PRODUCTION, FALSE);

  return load_pem (self->test_roots[MDG_TRUST_PURPOSE_SIGN], sign, error)
         && load_pem (self->test_roots[MDG_TRUST_PURPOSE_AUTH], auth, error);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE, X509_STORE_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE_CTX, X509_STORE_CTX_free)

static gboolean
anchored_by (STACK_OF (X509) *roots,
             X509 *cert,
             STACK_OF (X509) *untrusted,
             int *verify_error)
{
  g_autoptr(X509_STORE) store = X509_STORE_new ();
  g_autoptr(X509_STORE_CTX) ctx = X509_STORE_CTX_new ();
  X509_VERIFY_PARAM *param = X509_STORE_get0_param (store);
  gboolean ok;

  if (sk_X509_num (roots) == 0)
    return FALSE;
  for (int i = 0; i < sk_X509_num (roots); i++)
    X509_STORE_add_cert (store, sk_X509_value (roots, i));
  /* Validity is checked separately, at the signing and verification times. */
  X509_VERIFY_PARAM_set_flags (param, X509_V_FLAG_NO_CHECK_TIME);
  X509_VERIFY_PARAM_set_purpose (param, X509_PURPOSE_ANY);
  if (!X509_STORE_CTX_init (ctx, store, cert, untrusted))
    {
      ERR_clear_error ();
      return FALSE;
    }
  ok = X509_verify_cert (ctx) == 1;
  if (!ok && verify_error != NULL && *verify_error == 0)
    *verify_error = X509_STORE_CTX_get_error (ctx);
  ERR_clear_error ();
  return ok;
}

gboolean
mdg_trust_store_find_anchor (MdgTrustStore *self,
                             X509 *cert,
                             STACK_OF (X509) *untrusted,
                             MdgTrustPurpose *purpose_out,
                             gboolean *test_out,
                             int *verify_error)
{
  g_return_val_if_fail (MDG_IS_TRUST_STORE (self), FALSE);

  if (verify_error != NULL)
    *verify_error = 0;
  for (int test = 0; test < 2; test++)
    for (int purpose = MDG_TRUST_PURPOSE_SIGN; purpose <= MDG_TRUST_PURPOSE_AUTH; purpose++)
      {
        STACK_OF (X509) *roots = test ? self->test_roots[purpose] : self->roots[purpose];

        if (anchored_by (roots, cert, untrusted, verify_error))
          {
            if (purpose_out != NULL)
              *purpose_out = purpose;
            if (test_out != NULL)
              *test_out = test || self->mode == MDG_TRUST_MODE_TEST;
            return TRUE;
          }
      }
  return FALSE;
}
