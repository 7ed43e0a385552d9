/* test-pki.h: throw-away keys and JPKI-like certificates for unit tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

G_BEGIN_DECLS

#define TEST_PKI_SAN_NAME "黒桐　幹也"
#define TEST_PKI_SAN_ADDRESS "北海道札幌市中央区北一条西二丁目一番"

/* RSA-2048, e = 65537. */
EVP_PKEY *test_pki_generate_key (void);
/* A self-signed certificate valid 2025-10-27 00:00:00 to 2030-02-17
 * 23:59:59 UTC, serial 1234ABCD, subject C=JP, L=東京都, CN=<cn>. With
 * @jpki_san: the six JPKI otherNames (address substitute omitted) and
 * KeyUsage digitalSignature + nonRepudiation. */
GBytes   *test_pki_make_certificate (EVP_PKEY *key,
                                     const char *cn,
                                     gboolean jpki_san);
/* What the card does: PKCS#1 v1.5 type 1 over @data as given. */
GBytes   *test_pki_sign_raw (EVP_PKEY *key,
                             const guint8 *data,
                             gsize len);

G_END_DECLS
