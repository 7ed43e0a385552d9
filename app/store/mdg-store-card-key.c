/* mdg-store-card-key.c: a kiosk resident's store key, bound to the card
 *
 * PKCS#1 v1.5 signatures are deterministic: the same card signs the same
 * challenge to the same bytes, which only the card's private key (behind
 * the PIN) can produce. HKDF turns them into a key and a profile slot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "mdg-app-error.h"
#include "mdg-store-card-key.h"

#define HKDF_SALT "madoguchi kiosk store v1"
#define SLOT_SIZE 16

static gboolean
hkdf_sha256 (const guint8 *ikm,
             gsize ikm_len,
             const char *info,
             guint8 *out,
             gsize out_len)
{
  EVP_KDF *kdf = EVP_KDF_fetch (NULL, "HKDF", NULL);
  EVP_KDF_CTX *ctx = kdf != NULL ? EVP_KDF_CTX_new (kdf) : NULL;
  OSSL_PARAM params[5];
  gboolean ok;

  params[0] = OSSL_PARAM_construct_utf8_string (OSSL_KDF_PARAM_DIGEST, (char *) "SHA256", 0);
  params[1] = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_KEY, (void *) ikm, ikm_len);
  params[2] = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_SALT, (void *) HKDF_SALT,
                                                 strlen (HKDF_SALT));
  params[3] = OSSL_PARAM_construct_octet_string (OSSL_KDF_PARAM_INFO, (void *) info,
                                                 strlen (info));
  params[4] = OSSL_PARAM_construct_end ();

  ok = ctx != NULL && EVP_KDF_derive (ctx, out, out_len, params) == 1;

  EVP_KDF_CTX_free (ctx);
  EVP_KDF_free (kdf);
  return ok;
}

gboolean
mdg_store_card_key_from_signature (GBytes *signature,
                                   guint8 key[MDG_STORE_KEY_SIZE],
                                   char **slot,
                                   GError **error)
{
  gsize len = 0;
  const guint8 *sig = g_bytes_get_data (signature, &len);
  guint8 slot_bytes[SLOT_SIZE];

  /* A 2048-bit RSA signature; anything short is not one. */
  if (sig == NULL || len < 128)
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER,
                           _("The card returned no usable signature for the store key"));
      return FALSE;
    }

  if (!hkdf_sha256 (sig, len, "store data key", key, MDG_STORE_KEY_SIZE) ||
      !hkdf_sha256 (sig, len, "store profile slot", slot_bytes, sizeof slot_bytes))
    {
      OPENSSL_cleanse (key, MDG_STORE_KEY_SIZE);
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_FAILED,
                           _("Cannot derive the store key"));
      return FALSE;
    }

  if (slot != NULL)
    {
      GString *hex = g_string_sized_new (2 * SLOT_SIZE);

      for (guint i = 0; i < SLOT_SIZE; i++)
        g_string_append_printf (hex, "%02x", slot_bytes[i]);
      *slot = g_string_free (hex, FALSE);
    }

  return TRUE;
}

gboolean
mdg_store_card_key_derive (MdgCard *card,
                           const MdgPin *pin,
                           MdgPinFlags flags,
                           guint8 key[MDG_STORE_KEY_SIZE],
                           char **slot,
                           gint *tries_left,
                           GError **error)
{
  g_autoptr(GBytes) signature = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  GChecksum *checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gboolean ok;

  g_checksum_update (checksum, (const guint8 *) MDG_STORE_CARD_KEY_CHALLENGE,
                     strlen (MDG_STORE_CARD_KEY_CHALLENGE));
  g_checksum_get_digest (checksum, digest, &digest_len);
  g_checksum_free (checksum);

  signature = mdg_jpki_sign_sha256 (card, MDG_JPKI_KEY_AUTH, pin, flags, digest, NULL,
                                    tries_left, error);
  if (signature == NULL)
    return FALSE;

  ok = mdg_store_card_key_from_signature (signature, key, slot, error);
  /* The signature is key material now. */
  OPENSSL_cleanse ((gpointer) g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));

  return ok;
}
