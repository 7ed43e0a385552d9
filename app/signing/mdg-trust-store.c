/* mdg-trust-store.c: the trust anchors a verification may chain to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "mdg-app-error.h"
#include "mdg-trust-store.h"

struct _MdgTrustStore
{
  GObject          parent_instance;
  MdgTrustMode     mode;
  STACK_OF (X509) *roots[2];
};

G_DEFINE_FINAL_TYPE (MdgTrustStore, mdg_trust_store, G_TYPE_OBJECT)

static void
mdg_trust_store_finalize (GObject *object)
{
  MdgTrustStore *self = MDG_TRUST_STORE (object);

  for (int i = 0; i < 2; i++)
    sk_X509_pop_free (self->roots[i], X509_free);
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
      g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, name, NULL);

          if (g_str_has_suffix (name, ".pem") && !load_pem (self->roots[i], file, error))
            return NULL;
        }
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
