/* mdg-card-signer.c: an MdgSigner backed by a JPKI key on the card
 *
 * The certificate is read once (the sign certificate needs the password)
 * and handed to mdg_jpki_sign_digests_with_certificate, so every signature
 * the card returns is checked against the certificate that goes into CMS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "mdg-card-signer.h"

struct _MdgCardSigner
{
  GObject      parent_instance;
  MdgCard     *card;
  MdgJpkiKey   key;
  MdgPin      *pin;
  MdgPinFlags  flags;
  GBytes      *certificate;
  GPtrArray   *chain;
  gint         tries_left;
};

static void signer_iface_init (MdgSignerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MdgCardSigner, mdg_card_signer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MDG_TYPE_SIGNER, signer_iface_init))

static void
mdg_card_signer_finalize (GObject *object)
{
  MdgCardSigner *self = MDG_CARD_SIGNER (object);

  g_clear_object (&self->card);
  g_clear_pointer (&self->pin, mdg_pin_free);
  g_clear_pointer (&self->certificate, g_bytes_unref);
  g_clear_pointer (&self->chain, g_ptr_array_unref);
  G_OBJECT_CLASS (mdg_card_signer_parent_class)->finalize (object);
}

static void
mdg_card_signer_class_init (MdgCardSignerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_card_signer_finalize;
}

static void
mdg_card_signer_init (MdgCardSigner *self)
{
  self->tries_left = -1;
}

static GBytes *
card_get_certificate (MdgSigner *signer,
                      GError **error)
{
  MdgCardSigner *self = MDG_CARD_SIGNER (signer);

  if (self->certificate == NULL)
    {
      if (self->key == MDG_JPKI_KEY_SIGN)
        self->certificate = mdg_jpki_read_sign_certificate (self->card, self->pin, self->flags,
                                                            &self->tries_left, error);
      else
        self->certificate = mdg_jpki_read_certificate (self->card, MDG_JPKI_CERT_AUTH, error);
      if (self->certificate == NULL)
        return NULL;
    }
  return g_bytes_ref (self->certificate);
}

static GPtrArray *
card_get_chain (MdgSigner *signer,
                GError **error)
{
  MdgCardSigner *self = MDG_CARD_SIGNER (signer);

  if (self->chain == NULL)
    {
      MdgJpkiCert which = self->key == MDG_JPKI_KEY_SIGN ? MDG_JPKI_CERT_SIGN_CA : MDG_JPKI_CERT_AUTH_CA;
      GBytes *ca = mdg_jpki_read_certificate (self->card, which, error);

      if (ca == NULL)
        return NULL;
      self->chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_ptr_array_add (self->chain, ca);
    }
  return g_ptr_array_ref (self->chain);
}

static GBytes *
card_sign_sha256 (MdgSigner *signer,
                  const guint8 sha256[32],
                  GError **error)
{
  MdgCardSigner *self = MDG_CARD_SIGNER (signer);
  g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GBytes) cert = NULL;

  g_ptr_array_add (digests, g_bytes_new (sha256, 32));
  sigs = mdg_jpki_sign_digests_with_certificate (self->card, self->key, self->pin, self->flags,
                                                 digests, self->certificate, &cert,
                                                 &self->tries_left, error);
  if (sigs == NULL)
    return NULL;
  if (self->certificate == NULL)
    self->certificate = g_bytes_ref (cert);
  return g_bytes_ref (sigs->pdata[0]);
}

static void
signer_iface_init (MdgSignerInterface *iface)
{
  iface->get_certificate = card_get_certificate;
  iface->get_chain = card_get_chain;
  iface->sign_sha256 = card_sign_sha256;
}

MdgSigner *
mdg_card_signer_new (MdgCard *card,
                     MdgJpkiKey key,
                     const MdgPin *pin,
                     MdgPinFlags flags)
{
  MdgCardSigner *self;

  g_return_val_if_fail (card != NULL && pin != NULL, NULL);

  self = g_object_new (MDG_TYPE_CARD_SIGNER, NULL);
  self->card = g_object_ref (card);
  self->key = key;
  /* A PIN that validated once validates again. */
  self->pin = mdg_pin_new (mdg_pin_get_kind (pin), mdg_pin_get_data (pin), NULL);
  self->flags = flags;
  return MDG_SIGNER (self);
}

gint
mdg_card_signer_get_tries_left (MdgCardSigner *self)
{
  g_return_val_if_fail (MDG_IS_CARD_SIGNER (self), -1);
  return self->tries_left;
}

MdgJpkiKey
mdg_card_signer_get_key (MdgCardSigner *self)
{
  g_return_val_if_fail (MDG_IS_CARD_SIGNER (self), MDG_JPKI_KEY_AUTH);
  return self->key;
}
