/* mdg-sync-receipt.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "mdg-app-error.h"
#include "mdg-jcs.h"
#include "mdg-sync-json.h"
#include "mdg-sync-receipt.h"

#define ED25519_SIG_LEN 64

char *
mdg_sync_key_id (EVP_PKEY *key)
{
  unsigned char *der = NULL;
  int len = i2d_PUBKEY (key, &der);
  char *id;

  if (len <= 0)
    return NULL;
  id = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, len);
  OPENSSL_free (der);
  return id;
}

EVP_PKEY *
mdg_sync_key_from_pem (const char *pem,
                       gsize len,
                       gboolean private_key,
                       GError **error)
{
  BIO *bio = BIO_new_mem_buf (pem, (int) MIN (len, G_MAXINT));
  EVP_PKEY *key = NULL;

  if (bio != NULL)
    key = private_key ? PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL)
                      : PEM_read_bio_PUBKEY (bio, NULL, NULL, NULL);
  BIO_free (bio);
  if (key == NULL || !EVP_PKEY_is_a (key, "ED25519"))
    {
      EVP_PKEY_free (key);
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_TRUST_STORE,
                   _("The receipt key is not an Ed25519 key in PEM form."));
      return NULL;
    }
  return key;
}

char *
mdg_sync_key_public_pem (EVP_PKEY *key)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  char *pem = NULL;
  long len;

  if (bio != NULL && PEM_write_bio_PUBKEY (bio, key) == 1)
    {
      len = BIO_get_mem_data (bio, &data);
      pem = g_strndup (data, len);
    }
  BIO_free (bio);
  return pem;
}

GBytes *
mdg_sync_receipt_sign (JsonNode *receipt,
                       EVP_PKEY *key,
                       GError **error)
{
  g_autoptr(GBytes) message = NULL;
  g_autoptr(JsonNode) whole = NULL;
  g_autofree char *key_id = NULL;
  g_autofree char *value = NULL;
  unsigned char sig[ED25519_SIG_LEN];
  size_t sig_len = sizeof sig;
  EVP_MD_CTX *ctx;
  JsonObject *signature;
  JsonObject *top;
  gboolean ok;

  g_return_val_if_fail (JSON_NODE_HOLDS_OBJECT (receipt), NULL);

  message = mdg_jcs_serialize (receipt, error);
  if (message == NULL)
    return NULL;
  ctx = EVP_MD_CTX_new ();
  ok = ctx != NULL
       && EVP_DigestSignInit_ex (ctx, NULL, NULL, NULL, NULL, key, NULL) == 1
       && EVP_DigestSign (ctx, sig, &sig_len, g_bytes_get_data (message, NULL),
                          g_bytes_get_size (message)) == 1;
  EVP_MD_CTX_free (ctx);
  key_id = mdg_sync_key_id (key);
  if (!ok || key_id == NULL || sig_len != ED25519_SIG_LEN)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER,
                   _("The receipt could not be signed."));
      return NULL;
    }

  value = g_base64_encode (sig, sig_len);
  signature = json_object_new ();
  json_object_set_string_member (signature, "alg", MDG_SYNC_RECEIPT_ALG);
  json_object_set_string_member (signature, "key_id", key_id);
  json_object_set_string_member (signature, "value", value);
  top = json_object_new ();
  json_object_set_member (top, "receipt", json_node_copy (receipt));
  json_object_set_object_member (top, "signature", signature);
  whole = json_node_init_object (json_node_alloc (), top);
  json_object_unref (top);
  return mdg_jcs_serialize (whole, error);
}

static gboolean
malformed (GError **error)
{
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT,
               _("The receipt is malformed."));
  return FALSE;
}

JsonNode *
mdg_sync_receipt_verify (GBytes *signed_receipt,
                         EVP_PKEY *public_key,
                         GError **error)
{
  return mdg_sync_receipt_verify_with_id (signed_receipt, public_key, NULL, error);
}

JsonNode *
mdg_sync_receipt_verify_with_id (GBytes *signed_receipt,
                                 EVP_PKEY *public_key,
                                 const char *public_key_id,
                                 GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *key_id = NULL;
  g_autofree guchar *sig = NULL;
  gsize sig_len = 0;
  JsonObject *top;
  JsonObject *signature;
  JsonNode *receipt;
  JsonNode *node;
  const char *alg;
  const char *claimed_id;
  const char *value;
  EVP_MD_CTX *ctx;
  gboolean ok;

  root = mdg_jcs_parse (g_bytes_get_data (signed_receipt, NULL),
                        g_bytes_get_size (signed_receipt), error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return malformed (error), NULL;
  top = json_node_get_object (root);
  receipt = json_object_get_member (top, "receipt");
  node = json_object_get_member (top, "signature");
  if (receipt == NULL || !JSON_NODE_HOLDS_OBJECT (receipt) || node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return malformed (error), NULL;
  signature = json_node_get_object (node);
  alg = mdg_sync_json_get_string (signature, "alg");
  claimed_id = mdg_sync_json_get_string (signature, "key_id");
  value = mdg_sync_json_get_string (signature, "value");
  if (alg == NULL || claimed_id == NULL || value == NULL)
    return malformed (error), NULL;

  /* Encoding the key for its id is costly in OpenSSL 3: callers that
   * check many receipts compute it once. */
  key_id = public_key_id != NULL ? g_strdup (public_key_id) : mdg_sync_key_id (public_key);
  if (!g_str_equal (alg, MDG_SYNC_RECEIPT_ALG) || key_id == NULL
      || !g_str_equal (claimed_id, key_id))
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY,
                   _("The receipt was not signed with this server's receipt key."));
      return NULL;
    }

  sig = g_base64_decode (value, &sig_len);
  message = mdg_jcs_serialize (receipt, error);
  if (message == NULL)
    return NULL;
  ctx = EVP_MD_CTX_new ();
  ok = ctx != NULL && sig_len == ED25519_SIG_LEN
       && EVP_DigestVerifyInit_ex (ctx, NULL, NULL, NULL, NULL, public_key, NULL) == 1
       && EVP_DigestVerify (ctx, sig, sig_len, g_bytes_get_data (message, NULL),
                            g_bytes_get_size (message)) == 1;
  EVP_MD_CTX_free (ctx);
  if (!ok)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY,
                   _("The receipt's signature does not verify."));
      return NULL;
    }
  return json_node_copy (receipt);
}
