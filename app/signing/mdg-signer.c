/* mdg-signer.c: the signer interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "mdg-signer.h"

G_DEFINE_INTERFACE (MdgSigner, mdg_signer, G_TYPE_OBJECT)

static void
mdg_signer_default_init (MdgSignerInterface *iface)
{
}

GBytes *
mdg_signer_get_certificate (MdgSigner *self,
                            GError **error)
{
  g_return_val_if_fail (MDG_IS_SIGNER (self), NULL);
  return MDG_SIGNER_GET_IFACE (self)->get_certificate (self, error);
}

GPtrArray *
mdg_signer_get_chain (MdgSigner *self,
                      GError **error)
{
  g_return_val_if_fail (MDG_IS_SIGNER (self), NULL);
  return MDG_SIGNER_GET_IFACE (self)->get_chain (self, error);
}

GBytes *
mdg_signer_sign_sha256 (MdgSigner *self,
                        const guint8 sha256[32],
                        GError **error)
{
  g_return_val_if_fail (MDG_IS_SIGNER (self), NULL);
  g_return_val_if_fail (sha256 != NULL, NULL);
  return MDG_SIGNER_GET_IFACE (self)->sign_sha256 (self, sha256, error);
}
