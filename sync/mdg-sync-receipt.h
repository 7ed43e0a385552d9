/* mdg-sync-receipt.h: the server's signed receipt (docs/sync-protocol.md §4.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <openssl/evp.h>

G_BEGIN_DECLS

#define MDG_SYNC_RECEIPT_ALG "Ed25519"

/* SHA-256 (lower-case hex) of @key's SubjectPublicKeyInfo DER. */
char       *mdg_sync_key_id              (EVP_PKEY *key);
/* An Ed25519 public or private key from PEM (TRUST_STORE otherwise). */
EVP_PKEY   *mdg_sync_key_from_pem        (const char *pem,
                                          gsize len,
                                          gboolean private_key,
                                          GError **error);
/* The public key of @key as PEM (SubjectPublicKeyInfo). */
char       *mdg_sync_key_public_pem      (EVP_PKEY *key);

/* Signs the JCS bytes of @receipt (an object) with the Ed25519 @key and
 * returns the canonical bytes of {"receipt": …, "signature": {alg, key_id,
 * value}}. */
GBytes     *mdg_sync_receipt_sign        (JsonNode *receipt,
                                          EVP_PKEY *key,
                                          GError **error);
/* Checks a signed receipt offline against @public_key: the key id, the
 * algorithm and the signature over the JCS bytes of "receipt". Returns the
 * "receipt" object; VERIFY for a bad signature or another key,
 * INVALID_DOCUMENT for a malformed receipt. */
JsonNode   *mdg_sync_receipt_verify      (GBytes *signed_receipt,
                                          EVP_PKEY *public_key,
                                          GError **error);
/* The same with the key's id (mdg_sync_key_id()) computed beforehand. */
JsonNode   *mdg_sync_receipt_verify_with_id (GBytes *signed_receipt,
                                             EVP_PKEY *public_key,
                                             const char *public_key_id,
                                             GError **error);

G_END_DECLS
