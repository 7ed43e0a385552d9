/* mdg-login-signature.h: a server challenge signed with the authentication key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-signer.h"
#include "mdg-trust-store.h"

G_BEGIN_DECLS

/* A challenge is opaque bytes chosen by the server; the bounds keep the
 * authentication key from signing anything document-sized. */
#define MDG_LOGIN_CHALLENGE_MIN 16
#define MDG_LOGIN_CHALLENGE_MAX 1024

/* Signs the exact @challenge bytes with @auth_signer (the card's
 * authentication key and its 4-digit PIN, MDG_JPKI_KEY_AUTH) as a detached
 * CMS SignedData (DER) carrying the authentication certificate and its CA
 * (docs/signing.md §5). INVALID_DOCUMENT for a challenge outside the bounds. */
GBytes *mdg_login_signature_sign   (MdgSigner *auth_signer,
                                    GBytes *challenge,
                                    GDateTime *signing_time,
                                    GError **error);
/* Verifies @cms over exactly @expected_challenge: one detached SignedData
 * whose signature verifies (VERIFY), a certificate that chains to an
 * authentication root of @trust (UNTRUSTED; WRONG_KEY for a signature-key
 * certificate; TEST_ROOT for a known test root in production), valid at
 * @now (EXPIRED; NULL means now), with digitalSignature (WRONG_KEY).
 * Returns the authentication certificate (DER); malformed input is CMS. */
GBytes *mdg_login_signature_verify (MdgTrustStore *trust,
                                    GBytes *expected_challenge,
                                    GBytes *cms,
                                    GDateTime *now,
                                    GError **error);

G_END_DECLS
