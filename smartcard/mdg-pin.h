/* mdg-pin.h: PIN kinds, validation before anything is sent, wiped buffers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MDG_PIN_AUTH,  /* 利用者証明用電子証明書暗証番号: 4 digits, 3 tries, JPKI EF 0018 */
  MDG_PIN_SIGN,  /* 署名用電子証明書暗証番号: 6-16 of [A-Z0-9], 5 tries, JPKI EF 001B */
  MDG_PIN_TEXT,  /* 券面事項入力補助用暗証番号: 4 digits, 3 tries, text AP EF 0011 */
} MdgPinKind;

typedef enum
{
  MDG_PIN_FLAGS_NONE              = 0,
  /* The user confirmed an attempt with one try left. */
  MDG_PIN_FLAGS_CONFIRM_LAST_TRY  = 1 << 0,
} MdgPinFlags;

/* A validated PIN in locked memory, wiped when freed. */
typedef struct _MdgPin MdgPin;

/* Validates @input for @kind and copies it (upper-cased for SIGN).
 * PIN_FORMAT on bad input; the message never contains the input. */
MdgPin     *mdg_pin_new            (MdgPinKind kind,
                                    const char *input,
                                    GError **error);
void        mdg_pin_free           (MdgPin *pin);
MdgPinKind  mdg_pin_get_kind       (const MdgPin *pin);
const char *mdg_pin_get_data       (const MdgPin *pin);
gsize       mdg_pin_get_length     (const MdgPin *pin);

gboolean    mdg_pin_validate       (MdgPinKind kind,
                                    const char *input,
                                    GError **error);
guint       mdg_pin_kind_max_tries (MdgPinKind kind);
guint16     mdg_pin_kind_fid       (MdgPinKind kind);
/* Translated name, e.g. "署名用電子証明書暗証番号". */
const char *mdg_pin_kind_to_string (MdgPinKind kind);
/* Decides whether an attempt may be sent: PIN_BLOCKED when @tries_left is 0,
 * LAST_TRY when it is 1 and @flags lacks CONFIRM_LAST_TRY. A negative
 * @tries_left (unknown) is allowed. */
gboolean    mdg_pin_check_attempt  (MdgPinKind kind,
                                    gint tries_left,
                                    MdgPinFlags flags,
                                    GError **error);
/* Overwrites @len bytes so that the compiler cannot drop it. */
void        mdg_secure_wipe        (gpointer data,
                                    gsize len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgPin, mdg_pin_free)

G_END_DECLS
