/* mdg-certificate.h: what the card's X.509 certificates say (OpenSSL)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The JPKI subjectAltName otherNames, OIDs 1.2.392.200149.8.5.5.1-6. */
typedef struct
{
  char *name;                /* .1 氏名 */
  char *name_substitute;     /* .2 氏名の代替文字, may be NULL */
  char *sex;                 /* .3 性別: "1", "2", "9" */
  char *birth_date;          /* .4 生年月日 as on the card (era digit + YYYYMMDD) */
  char *address;             /* .5 住所 */
  char *address_substitute;  /* .6 住所の代替文字, may be NULL */
} MdgJpkiAttributes;

typedef struct _MdgCertificate MdgCertificate;

/* MALFORMED when @der is not one X.509 certificate. */
MdgCertificate    *mdg_certificate_new_from_der     (GBytes *der,
                                                     GError **error);
void               mdg_certificate_free             (MdgCertificate *self);
GBytes            *mdg_certificate_get_der          (MdgCertificate *self);
/* One-line RFC 2253 forms, UTF-8. */
char              *mdg_certificate_get_subject      (MdgCertificate *self);
char              *mdg_certificate_get_issuer       (MdgCertificate *self);
/* Upper-case hex without separators. */
char              *mdg_certificate_get_serial_hex   (MdgCertificate *self);
GDateTime         *mdg_certificate_get_not_before   (MdgCertificate *self);
GDateTime         *mdg_certificate_get_not_after    (MdgCertificate *self);
/* TRUE when @now lies within the validity window. */
gboolean           mdg_certificate_is_valid_at      (MdgCertificate *self,
                                                     GDateTime *now);
gboolean           mdg_certificate_has_non_repudiation (MdgCertificate *self);
/* NULL (no error) when the certificate has no JPKI otherNames, as the
 * authentication certificate. */
MdgJpkiAttributes *mdg_certificate_get_jpki_attributes (MdgCertificate *self,
                                                        GError **error);
/* Verifies an RSA PKCS#1 v1.5 signature of @digest_info (a DER DigestInfo)
 * with the certificate's public key; BAD_SIGNATURE when it does not match. */
gboolean           mdg_certificate_verify_digest_info (MdgCertificate *self,
                                                       const guint8 *digest_info,
                                                       gsize digest_info_len,
                                                       const guint8 *signature,
                                                       gsize signature_len,
                                                       GError **error);

/* Wipes the strings before freeing them (personal data). */
void               mdg_jpki_attributes_free         (MdgJpkiAttributes *attrs);

/* Builds the 51-byte SHA-256 DigestInfo for @sha256 (32 bytes). */
void               mdg_digest_info_sha256           (const guint8 sha256[32],
                                                     guint8 out[51]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgCertificate, mdg_certificate_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgJpkiAttributes, mdg_jpki_attributes_free)

G_END_DECLS
