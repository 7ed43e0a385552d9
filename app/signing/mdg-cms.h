/* mdg-cms.h: detached CMS SignedData with an external signer (jpki-card.md §8 Option A)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <openssl/cms.h>

#include "mdg-signer.h"

G_BEGIN_DECLS

/* Signs @content (the exact bytes, e.g. a canonical document) as a detached
 * CMS SignedData (RFC 5652) in DER: signed attributes contentType,
 * messageDigest, signingTime (@signing_time; NULL means now) and
 * signingCertificateV2 (RFC 5035); certificates: the signer's certificate
 * and its chain. The signer sees one SHA-256, of the DER signed attributes.
 * Before returning, the result is parsed again and checked with CMS_verify
 * against the signer's chain at @signing_time, so a bad signature or a
 * certificate not valid at that time never leaves this function (VERIFY,
 * EXPIRED). Signer failures keep their own domain (e.g. MDG_CARD_ERROR). */
GBytes *mdg_cms_sign_detached (MdgSigner *signer,
                               GBytes *content,
                               GDateTime *signing_time,
                               GError **error);

/* Parses @der as exactly one DER detached SignedData (no trailing bytes)
 * with one SignerInfo whose certificate is included; CMS otherwise. Returns
 * the certificates in @certs_out (free with sk_X509_pop_free) and the
 * signer's among them in @cert_out (borrowed from @certs_out). */
CMS_ContentInfo *mdg_cms_parse_detached (GBytes *der,
                                         X509 **cert_out,
                                         STACK_OF (X509) **certs_out,
                                         GError **error);
/* The DER of @cert. */
GBytes          *mdg_x509_to_der        (X509 *cert);

/* @content as the detached content for CMS_verify(): a read-only memory
 * BIO behind a null filter (see mdg-cms.c); free the chain with
 * BIO_free_all(), e.g. as g_autoptr(MdgBioChain). */
typedef BIO MdgBioChain;
MdgBioChain     *mdg_cms_content_bio    (GBytes *content);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgBioChain, BIO_free_all)

G_END_DECLS
