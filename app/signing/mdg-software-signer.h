/* mdg-software-signer.h: an MdgSigner over an OpenSSL private key
 *
 * For tests and for cross-checks of the CMS code without a card.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <openssl/evp.h>

#include "mdg-signer.h"

G_BEGIN_DECLS

#define MDG_TYPE_SOFTWARE_SIGNER (mdg_software_signer_get_type ())
G_DECLARE_FINAL_TYPE (MdgSoftwareSigner, mdg_software_signer, MDG, SOFTWARE_SIGNER, GObject)

/* Takes a reference on @key. @chain holds DER GBytes (may be NULL). */
MdgSigner *mdg_software_signer_new            (EVP_PKEY *key,
                                               GBytes *certificate,
                                               GPtrArray *chain);
/* PEM files; @ca_path may be NULL. */
MdgSigner *mdg_software_signer_new_from_files (const char *key_path,
                                               const char *cert_path,
                                               const char *ca_path,
                                               GError **error);

/* Reads one PEM or DER certificate file into DER. */
GBytes    *mdg_certificate_file_to_der        (const char *path,
                                               GError **error);

G_END_DECLS
