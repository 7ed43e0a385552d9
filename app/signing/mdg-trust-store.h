/* mdg-trust-store.h: the trust anchors a verification may chain to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

typedef enum
{
  MDG_TRUST_MODE_PRODUCTION,  /* J-LIS roots of every generation */
  MDG_TRUST_MODE_TEST,        /* the simulator's test roots; never in production */
} MdgTrustMode;

typedef enum
{
  MDG_TRUST_PURPOSE_SIGN,     /* JPKI for digital signature */
  MDG_TRUST_PURPOSE_AUTH,     /* JPKI for user authentication */
} MdgTrustPurpose;

#define MDG_TYPE_TRUST_STORE (mdg_trust_store_get_type ())
G_DECLARE_FINAL_TYPE (MdgTrustStore, mdg_trust_store, MDG, TRUST_STORE, GObject)

/* Every *.pem under @dir/sign and @dir/auth (a PEM file may hold several
 * roots). TRUST_STORE when there is no signature root. Roots are matched
 * by key identifier and signature, never by name, as every J-LIS
 * generation has the same DN. */
MdgTrustStore *mdg_trust_store_new_production (const char *dir,
                                               GError **error);
/* The simulator's PKI directory: sign-ca.pem and auth-ca.pem. */
MdgTrustStore *mdg_trust_store_new_test       (const char *pki_dir,
                                               GError **error);
MdgTrustMode   mdg_trust_store_get_mode       (MdgTrustStore *self);
/* A new X509_STORE with the roots for @purpose. */
X509_STORE    *mdg_trust_store_build          (MdgTrustStore *self,
                                               MdgTrustPurpose purpose);
/* Production only: test roots to recognise and refuse (TEST_ROOT rather
 * than UNTRUSTED), e.g. the simulator's PKI directory (sign-ca.pem,
 * auth-ca.pem). A production store also loads the PEM files in @dir/test. */
gboolean       mdg_trust_store_add_known_test_roots (MdgTrustStore *self,
                                                     const char *pki_dir,
                                                     GError **error);
/* Finds the root that anchors @cert (with @untrusted intermediates), by key
 * identifier and signature, ignoring validity times. TRUE when one of the
 * configured roots or known test roots does: @purpose_out says which kind
 * and @test_out whether that root is a test root (always in a test store).
 * For a known test root in production, @purpose_out means nothing.
 * @verify_error gets OpenSSL's reason otherwise. */
gboolean       mdg_trust_store_find_anchor    (MdgTrustStore *self,
                                               X509 *cert,
                                               STACK_OF (X509) *untrusted,
                                               MdgTrustPurpose *purpose_out,
                                               gboolean *test_out,
                                               int *verify_error);

G_END_DECLS
