/* mdg-jpki.c: the 公的個人認証AP (JPKI AP)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "mdg-card-error.h"
#include "mdg-jpki.h"
#include "mdg-jpki-private.h"
#include "mdg-text-ap.h"

const guint8 MDG_JPKI_AID[10] = { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
const guint8 MDG_ISD_AID[7] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00 };

/* Certificates on the card are about 1.3 KiB; anything near the 15-bit
 * READ BINARY limit is not a certificate. */
#define MAX_CERT_LENGTH 8192

static gboolean
is_not_there (const GError *error)
{
  return g_error_matches (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FILE_NOT_FOUND) ||
         g_error_matches (error, MDG_CARD_ERROR, MDG_CARD_ERROR_NOT_SUPPORTED) ||
         g_error_matches (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FAILED) ||
         g_error_matches (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_REQUIRED);
}

static gboolean
select_jpki (MdgCard *card,
             gboolean always,
             GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (always)
    ok = mdg_card_select_aid (card, MDG_JPKI_AID, sizeof MDG_JPKI_AID, &local_error);
  else
    ok = mdg_card_ensure_aid (card, MDG_JPKI_AID, sizeof MDG_JPKI_AID, &local_error);

  if (ok)
    return TRUE;

  if (is_not_there (local_error))
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_NOT_MYNUMBER_CARD,
                   _("This card is not a My Number card"));
      return FALSE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
mdg_jpki_select (MdgCard *card,
                 GError **error)
{
  g_return_val_if_fail (MDG_IS_CARD (card), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return select_jpki (card, TRUE, error);
}

static const struct
{
  const char   *label;
  MdgTokenType  type;
} token_labels[] = {
  { "JPKIAPICCTOKEN2", MDG_TOKEN_CARD },
  { "JPKIAPGPSETOKEN", MDG_TOKEN_ANDROID },
  { "JPKIAPIOSTOKEN", MDG_TOKEN_IPHONE },
  { "JPKIAPICCTOKEN", MDG_TOKEN_JUKI },
};

MdgTokenType
mdg_jpki_read_token_type (MdgCard *card,
                          char **label,
                          GError **error)
{
  g_autoptr(GBytes) info = NULL;
  g_autofree char *text = NULL;
  const guint8 *data;
  gsize size = 0;
  gsize len;

  g_return_val_if_fail (MDG_IS_CARD (card), MDG_TOKEN_UNKNOWN);
  g_return_val_if_fail (error == NULL || *error == NULL, MDG_TOKEN_UNKNOWN);

  if (!select_jpki (card, FALSE, error))
    return MDG_TOKEN_UNKNOWN;

  /* The first 32 bytes of CK_TOKEN_INFO: the space-padded label. */
  info = mdg_card_read_ef (card, MDG_JPKI_EF_TOKEN_INFO, 32, error);
  if (info == NULL)
    return MDG_TOKEN_UNKNOWN;

  data = g_bytes_get_data (info, &size);
  len = size;
  while (len > 0 && (data[len - 1] == ' ' || data[len - 1] == '\0' || data[len - 1] == 0xFF))
    len--;

  text = g_strndup ((const char *) data, len);
  /* Only printable ASCII is a label; anything else is shown escaped. */
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isprint (text[i]))
      text[i] = '?';

  if (label != NULL)
    *label = g_strdup (text);

  for (gsize i = 0; i < G_N_ELEMENTS (token_labels); i++)
    if (strcmp (text, token_labels[i].label) == 0)
      return token_labels[i].type;

  return MDG_TOKEN_UNKNOWN;
}

const char *
mdg_token_type_to_string (MdgTokenType type)
{
  switch (type)
    {
    case MDG_TOKEN_CARD: return _("My Number card");
    case MDG_TOKEN_ANDROID: return _("smartphone certificate (Android)");
    case MDG_TOKEN_IPHONE: return _("smartphone certificate (iPhone)");
    case MDG_TOKEN_JUKI: return _("Basic Resident Registration card");
    case MDG_TOKEN_UNKNOWN:
    default: return _("unknown card");
    }
}

gboolean
mdg_jpki_read_availability (MdgCard *card,
                            gboolean *has_sign,
                            gboolean *has_auth,
                            GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *data;

  g_return_val_if_fail (MDG_IS_CARD (card), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!select_jpki (card, FALSE, error))
    return FALSE;

  bytes = mdg_card_read_ef (card, MDG_JPKI_EF_AVAILABILITY, 2, error);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, NULL);
  if (has_sign != NULL)
    *has_sign = data[0] == 0x8F;
  if (has_auth != NULL)
    *has_auth = data[1] == 0x8F;
  return TRUE;
}

static guint16
cert_fid (MdgJpkiCert which)
{
  switch (which)
    {
    case MDG_JPKI_CERT_AUTH: return MDG_JPKI_EF_AUTH_CERT;
    case MDG_JPKI_CERT_AUTH_CA: return MDG_JPKI_EF_AUTH_CA_CERT;
    case MDG_JPKI_CERT_SIGN: return MDG_JPKI_EF_SIGN_CERT;
    case MDG_JPKI_CERT_SIGN_CA: return MDG_JPKI_EF_SIGN_CA_CERT;
    default: return 0;
    }
}

GBytes *
mdg_jpki_read_certificate (MdgCard *card,
                           MdgJpkiCert which,
                           GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) der = NULL;
  guint16 fid = cert_fid (which);
  gboolean has_sign = TRUE;
  gboolean has_auth = TRUE;

  g_return_val_if_fail (MDG_IS_CARD (card), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (fid == 0)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Unknown certificate"));
      return NULL;
    }

  if (!select_jpki (card, FALSE, error))
    return NULL;

  der = mdg_card_read_ber_ef (card, fid, MAX_CERT_LENGTH, &local_error);
  if (der != NULL && ((const guint8 *) g_bytes_get_data (der, NULL))[0] != 0x30)
    {
      g_clear_pointer (&der, g_bytes_unref);
      g_set_error (&local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("The certificate file does not hold a certificate"));
    }
  if (der != NULL)
    return g_steal_pointer (&der);

  /* An empty or missing end-entity EF: ask the availability EF whether
   * the card was issued without this certificate (e.g. under 15). */
  if ((which == MDG_JPKI_CERT_SIGN || which == MDG_JPKI_CERT_AUTH) &&
      (g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_FILE_NOT_FOUND) ||
       g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED) ||
       g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED) ||
       g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_REQUIRED)) &&
      mdg_jpki_read_availability (card, &has_sign, &has_auth, NULL) &&
      !(which == MDG_JPKI_CERT_SIGN ? has_sign : has_auth))
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CERT_UNAVAILABLE,
                   which == MDG_JPKI_CERT_SIGN
                   ? _("This card has no signature certificate")
                   : _("This card has no user authentication certificate"));
      return NULL;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

MdgPinKind
mdg_jpki_key_pin_kind (MdgJpkiKey key)
{
  return key == MDG_JPKI_KEY_SIGN ? MDG_PIN_SIGN : MDG_PIN_AUTH;
}

gint
mdg_jpki_pin_tries (MdgCard *card,
                    MdgJpkiKey key,
                    GError **error)
{
  g_return_val_if_fail (MDG_IS_CARD (card), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!select_jpki (card, FALSE, error))
    return -1;

  return mdg_card_pin_tries (card, mdg_pin_kind_fid (mdg_jpki_key_pin_kind (key)), error);
}

gboolean
mdg_card_verify_checked (MdgCard *card,
                         const MdgPin *pin,
                         MdgPinFlags flags,
                         gint *tries_left,
                         GError **error)
{
  MdgPinKind kind = mdg_pin_get_kind (pin);
  guint16 fid = mdg_pin_kind_fid (kind);
  gint tries;

  tries = mdg_card_pin_tries (card, fid, error);
  if (tries == -1)
    return FALSE;
  if (tries_left != NULL)
    *tries_left = tries;

  /* Nothing reaches a blocked PIN; the last try needs consent. */
  if (!mdg_pin_check_attempt (kind, tries, flags, error))
    return FALSE;

  return mdg_card_verify (card, fid, pin, tries_left, error);
}

/* Clears the security status and ends the transaction, whatever happened
 * before. Returns @ok, or FALSE when clearing failed after success. */
gboolean
mdg_card_finish_sequence (MdgCard *card,
                          gboolean ok,
                          GError **error)
{
  g_autoptr(GError) clear_error = NULL;
  g_autoptr(GError) end_error = NULL;

  if (!mdg_card_clear_security_status (card, &clear_error))
    g_debug ("Could not clear the security status: %s", clear_error->message);

  /* LEAVE: the PC/SC transport unpowers the card when it is dropped. */
  if (!mdg_card_end_transaction (card, MDG_DISPOSITION_LEAVE, &end_error))
    g_debug ("Could not end the card transaction: %s", end_error->message);

  if (ok && clear_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&clear_error));
      return FALSE;
    }
  return ok;
}

static gboolean
check_pin_for_key (MdgJpkiKey key,
                   const MdgPin *pin,
                   GError **error)
{
  if (pin == NULL || (key != MDG_JPKI_KEY_AUTH && key != MDG_JPKI_KEY_SIGN) ||
      mdg_pin_get_kind (pin) != mdg_jpki_key_pin_kind (key))
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("The PIN does not belong to this key"));
      return FALSE;
    }
  return TRUE;
}

/* VERIFY of @key's PIN. A card issued without a signature certificate
 * (under 15) may lack the password EF too: that is CERT_UNAVAILABLE. */
static gboolean
jpki_verify (MdgCard *card,
             MdgJpkiKey key,
             const MdgPin *pin,
             MdgPinFlags flags,
             gint *tries_left,
             GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean has_sign = TRUE;

  if (mdg_card_verify_checked (card, pin, flags, tries_left, &local_error))
    return TRUE;

  if (key == MDG_JPKI_KEY_SIGN &&
      g_error_matches (local_error, MDG_CARD_ERROR, MDG_CARD_ERROR_FILE_NOT_FOUND) &&
      mdg_jpki_read_availability (card, &has_sign, NULL, NULL) &&
      !has_sign)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CERT_UNAVAILABLE,
                   _("This card has no signature certificate"));
      return FALSE;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static GPtrArray *
sign_in_transaction (MdgCard *card,
                     MdgJpkiKey key,
                     const MdgPin *pin,
                     MdgPinFlags flags,
                     GPtrArray *digests,
                     GBytes *known_certificate,
                     GBytes **certificate,
                     gint *tries_left,
                     GError **error)
{
  g_autoptr(GPtrArray) signatures = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(MdgCertificate) cert = NULL;
  guint16 key_fid = key == MDG_JPKI_KEY_SIGN ? MDG_JPKI_EF_SIGN_KEY : MDG_JPKI_EF_AUTH_KEY;

  if (!mdg_jpki_select (card, error))
    return NULL;

  if (!jpki_verify (card, key, pin, flags, tries_left, error))
    return NULL;

  /* The sign certificate is only readable after the VERIFY above. */
  if (known_certificate != NULL)
    der = g_bytes_ref (known_certificate);
  else
    der = mdg_jpki_read_certificate (card,
                                     key == MDG_JPKI_KEY_SIGN ? MDG_JPKI_CERT_SIGN : MDG_JPKI_CERT_AUTH,
                                     error);
  if (der == NULL)
    return NULL;

  cert = mdg_certificate_new_from_der (der, error);
  if (cert == NULL)
    return NULL;

  signatures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < digests->len; i++)
    {
      g_autoptr(GBytes) signature = NULL;
      guint8 digest_info[51];
      gsize sig_len = 0;
      const guint8 *sig;

      mdg_digest_info_sha256 (g_bytes_get_data (digests->pdata[i], NULL), digest_info);
      signature = mdg_card_compute_signature (card, key_fid, digest_info, sizeof digest_info, error);
      if (signature == NULL)
        return NULL;

      /* Never hand out a signature the certificate does not vouch for. */
      sig = g_bytes_get_data (signature, &sig_len);
      if (!mdg_certificate_verify_digest_info (cert, digest_info, sizeof digest_info,
                                               sig, sig_len, error))
        return NULL;

      g_ptr_array_add (signatures, g_steal_pointer (&signature));
    }

  if (certificate != NULL)
    *certificate = g_steal_pointer (&der);

  return g_steal_pointer (&signatures);
}

GPtrArray *
mdg_jpki_sign_digests_with_certificate (MdgCard *card,
                                        MdgJpkiKey key,
                                        const MdgPin *pin,
                                        MdgPinFlags flags,
                                        GPtrArray *digests,
                                        GBytes *known_certificate,
                                        GBytes **certificate,
                                        gint *tries_left,
                                        GError **error)
{
  g_autoptr(GBytes) cert_out = NULL;
  GPtrArray *signatures;

  g_return_val_if_fail (MDG_IS_CARD (card), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_pin_for_key (key, pin, error))
    return NULL;

  if (digests == NULL || digests->len == 0)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("Nothing to sign"));
      return NULL;
    }
  for (guint i = 0; i < digests->len; i++)
    if (digests->pdata[i] == NULL || g_bytes_get_size (digests->pdata[i]) != 32)
      {
        g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                     _("A digest to sign is not a SHA-256 hash"));
        return NULL;
      }

  if (!mdg_card_begin_transaction (card, error))
    return NULL;

  signatures = sign_in_transaction (card, key, pin, flags, digests, known_certificate,
                                    &cert_out, tries_left, error);

  if (!mdg_card_finish_sequence (card, signatures != NULL, error))
    {
      g_clear_pointer (&signatures, g_ptr_array_unref);
      return NULL;
    }

  if (certificate != NULL)
    *certificate = g_steal_pointer (&cert_out);
  return signatures;
}

GPtrArray *
mdg_jpki_sign_digests (MdgCard *card,
                       MdgJpkiKey key,
                       const MdgPin *pin,
                       MdgPinFlags flags,
                       GPtrArray *digests,
                       GBytes **certificate,
                       gint *tries_left,
                       GError **error)
{
  return mdg_jpki_sign_digests_with_certificate (card, key, pin, flags, digests, NULL,
                                                 certificate, tries_left, error);
}

GBytes *
mdg_jpki_sign_sha256 (MdgCard *card,
                      MdgJpkiKey key,
                      const MdgPin *pin,
                      MdgPinFlags flags,
                      const guint8 sha256[32],
                      GBytes **certificate,
                      gint *tries_left,
                      GError **error)
{
  g_autoptr(GPtrArray) digests = NULL;
  g_autoptr(GPtrArray) signatures = NULL;

  g_return_val_if_fail (sha256 != NULL, NULL);

  digests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_ptr_array_add (digests, g_bytes_new (sha256, 32));

  signatures = mdg_jpki_sign_digests (card, key, pin, flags, digests, certificate, tries_left, error);
  if (signatures == NULL)
    return NULL;

  return g_bytes_ref (signatures->pdata[0]);
}

GBytes *
mdg_jpki_read_sign_certificate (MdgCard *card,
                                const MdgPin *pin,
                                MdgPinFlags flags,
                                gint *tries_left,
                                GError **error)
{
  g_autoptr(GBytes) der = NULL;
  gboolean ok;

  g_return_val_if_fail (MDG_IS_CARD (card), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_pin_for_key (MDG_JPKI_KEY_SIGN, pin, error))
    return NULL;

  if (!mdg_card_begin_transaction (card, error))
    return NULL;

  ok = mdg_jpki_select (card, error) &&
       jpki_verify (card, MDG_JPKI_KEY_SIGN, pin, flags, tries_left, error) &&
       (der = mdg_jpki_read_certificate (card, MDG_JPKI_CERT_SIGN, error)) != NULL;

  if (!mdg_card_finish_sequence (card, ok, error))
    return NULL;

  return g_steal_pointer (&der);
}

gboolean
mdg_card_change_pin (MdgCard *card,
                     const MdgPin *old_pin,
                     const MdgPin *new_pin,
                     MdgPinFlags flags,
                     gint *tries_left,
                     GError **error)
{
  MdgPinKind kind;
  gboolean ok;

  g_return_val_if_fail (MDG_IS_CARD (card), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (old_pin == NULL || new_pin == NULL ||
      mdg_pin_get_kind (old_pin) != mdg_pin_get_kind (new_pin))
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT,
                   _("The old and new PIN are of different kinds"));
      return FALSE;
    }
  kind = mdg_pin_get_kind (old_pin);

  if (!mdg_card_begin_transaction (card, error))
    return FALSE;

  if (kind == MDG_PIN_TEXT)
    ok = mdg_text_ap_select (card, error);
  else
    ok = mdg_jpki_select (card, error);

  ok = ok &&
       mdg_card_verify_checked (card, old_pin, flags, tries_left, error) &&
       mdg_card_change_reference_data (card, mdg_pin_kind_fid (kind), new_pin, error);

  return mdg_card_finish_sequence (card, ok, error);
}
