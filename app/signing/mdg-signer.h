/* mdg-signer.h: "SHA-256 in, signature out", with the certificates to show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define MDG_TYPE_SIGNER (mdg_signer_get_type ())
G_DECLARE_INTERFACE (MdgSigner, mdg_signer, MDG, SIGNER, GObject)

struct _MdgSignerInterface
{
  GTypeInterface parent_iface;

  /* The end-entity certificate (DER). */
  GBytes    *(*get_certificate) (MdgSigner *self,
                                 GError **error);
  /* The issuing CA certificates (DER GBytes), nearest first; may be empty. */
  GPtrArray *(*get_chain)       (MdgSigner *self,
                                 GError **error);
  /* RSASSA-PKCS1-v1_5 over the SHA-256 DigestInfo of @sha256. */
  GBytes    *(*sign_sha256)     (MdgSigner *self,
                                 const guint8 sha256[32],
                                 GError **error);
};

GBytes    *mdg_signer_get_certificate (MdgSigner *self,
                                       GError **error);
GPtrArray *mdg_signer_get_chain       (MdgSigner *self,
                                       GError **error);
GBytes    *mdg_signer_sign_sha256     (MdgSigner *self,
                                       const guint8 sha256[32],
                                       GError **error);

G_END_DECLS
