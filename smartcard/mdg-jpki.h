/* mdg-jpki.h: the 公的個人認証AP (JPKI AP)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-card.h"
#include "mdg-certificate.h"

G_BEGIN_DECLS

extern const guint8 MDG_JPKI_AID[10];  /* D3 92 F0 00 26 01 00 00 00 01 */
extern const guint8 MDG_ISD_AID[7];    /* A0 00 00 01 51 00 00 */

#define MDG_JPKI_EF_SIGN_CERT     0x0001
#define MDG_JPKI_EF_SIGN_CA_CERT  0x0002
#define MDG_JPKI_EF_TOKEN_INFO    0x0006
#define MDG_JPKI_EF_AVAILABILITY  0x0008
#define MDG_JPKI_EF_AUTH_CERT     0x000A
#define MDG_JPKI_EF_AUTH_CA_CERT  0x000B
#define MDG_JPKI_EF_AUTH_KEY      0x0017
#define MDG_JPKI_EF_AUTH_PIN      0x0018
#define MDG_JPKI_EF_SIGN_KEY      0x001A
#define MDG_JPKI_EF_SIGN_PIN      0x001B

typedef enum
{
  MDG_TOKEN_UNKNOWN,
  MDG_TOKEN_CARD,     /* JPKIAPICCTOKEN2: plastic card */
  MDG_TOKEN_ANDROID,  /* JPKIAPGPSETOKEN: Android secure element */
  MDG_TOKEN_IPHONE,   /* JPKIAPIOSTOKEN */
  MDG_TOKEN_JUKI,     /* JPKIAPICCTOKEN: old 住基カード */
} MdgTokenType;

typedef enum
{
  MDG_JPKI_KEY_AUTH,  /* 利用者証明用: 4-digit PIN */
  MDG_JPKI_KEY_SIGN,  /* 署名用: signature password */
} MdgJpkiKey;

typedef enum
{
  MDG_JPKI_CERT_AUTH,
  MDG_JPKI_CERT_AUTH_CA,
  MDG_JPKI_CERT_SIGN,     /* needs the signature password */
  MDG_JPKI_CERT_SIGN_CA,
} MdgJpkiCert;

/* Selects the JPKI AP; NOT_MYNUMBER_CARD when the card has none. Detection
 * never looks at the ATR. */
gboolean      mdg_jpki_select             (MdgCard *card,
                                           GError **error);
/* Reads EF 0006; @label gets the trimmed label. */
MdgTokenType  mdg_jpki_read_token_type    (MdgCard *card,
                                           char **label,
                                           GError **error);
const char   *mdg_token_type_to_string    (MdgTokenType type);
/* Reads EF 0008 (byte 0 sign, byte 1 auth; 8F = present). */
gboolean      mdg_jpki_read_availability  (MdgCard *card,
                                           gboolean *has_sign,
                                           gboolean *has_auth,
                                           GError **error);
/* AUTH, AUTH_CA and SIGN_CA need no PIN. SIGN needs a VERIFY of the
 * signature password in the same transaction; without it PIN_REQUIRED. */
GBytes       *mdg_jpki_read_certificate   (MdgCard *card,
                                           MdgJpkiCert which,
                                           GError **error);
/* Empty VERIFY of the key's PIN: spends no try. */
gint          mdg_jpki_pin_tries          (MdgCard *card,
                                           MdgJpkiKey key,
                                           GError **error);
MdgPinKind    mdg_jpki_key_pin_kind       (MdgJpkiKey key);

/* The whole signing sequence in one exclusive transaction:
 * select AP, read tries (refuse a blocked PIN; refuse the last try unless
 * @flags confirms it), VERIFY, read the key's certificate, select the key,
 * sign each 32-byte SHA-256 in @digests, check each signature against the
 * certificate, clear the security status, end the transaction.
 * Returns one signature per digest; @certificate receives the certificate
 * that verifies them (DER) when not NULL. On PIN_INCORRECT @tries_left
 * gets what the card reported. */
GPtrArray    *mdg_jpki_sign_digests       (MdgCard *card,
                                           MdgJpkiKey key,
                                           const MdgPin *pin,
                                           MdgPinFlags flags,
                                           GPtrArray *digests,
                                           GBytes **certificate,
                                           gint *tries_left,
                                           GError **error);
/* The same with @known_certificate (DER, may be NULL): a certificate the
 * caller read earlier from this card (e.g. in the status read). It is not
 * read again, which keeps one sign-key signature at 7 APDUs; every
 * signature is still checked against it, so a wrong certificate fails with
 * BAD_SIGNATURE. */
GPtrArray    *mdg_jpki_sign_digests_with_certificate (MdgCard *card,
                                                      MdgJpkiKey key,
                                                      const MdgPin *pin,
                                                      MdgPinFlags flags,
                                                      GPtrArray *digests,
                                                      GBytes *known_certificate,
                                                      GBytes **certificate,
                                                      gint *tries_left,
                                                      GError **error);
/* Convenience for one digest. */
GBytes       *mdg_jpki_sign_sha256        (MdgCard *card,
                                           MdgJpkiKey key,
                                           const MdgPin *pin,
                                           MdgPinFlags flags,
                                           const guint8 sha256[32],
                                           GBytes **certificate,
                                           gint *tries_left,
                                           GError **error);
/* Reads the signature certificate after VERIFY, in one transaction. */
GBytes       *mdg_jpki_read_sign_certificate (MdgCard *card,
                                              const MdgPin *pin,
                                              MdgPinFlags flags,
                                              gint *tries_left,
                                              GError **error);

/* VERIFY with @old_pin then CHANGE REFERENCE DATA to @new_pin, in one
 * transaction, clearing the security status afterwards. Works for every
 * MdgPinKind (TEXT selects the text AP). */
gboolean      mdg_card_change_pin         (MdgCard *card,
                                           const MdgPin *old_pin,
                                           const MdgPin *new_pin,
                                           MdgPinFlags flags,
                                           gint *tries_left,
                                           GError **error);

G_END_DECLS
