/* mdg-store-key.h: the store's data key, wrapped for home use
 *
 * A random 256-bit data key, wrapped by the desktop's Secret Service or,
 * where there is none, by a passphrase through scrypt. The wrapping is
 * recorded in PROFILE/key.json (no personal data).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "mdg-store.h"

G_BEGIN_DECLS

#define MDG_STORE_KEY_FILE_NAME "key.json"
/* Passphrase wrapping must cost at least this much on the device. */
#define MDG_STORE_SCRYPT_MIN_MS 100

typedef enum
{
  MDG_STORE_KEY_AUTO,            /* Secret Service when available, else passphrase */
  MDG_STORE_KEY_SECRET_SERVICE,
  MDG_STORE_KEY_PASSPHRASE,
} MdgStoreKeyMethod;

typedef struct
{
  guint64 n;  /* CPU/memory cost, a power of two */
  guint32 r;
  guint32 p;
} MdgScryptParams;

/* The smallest N (r = 8, p = 1, N >= 2^15) that costs @min_ms here. */
void               mdg_scrypt_params_calibrate      (MdgScryptParams *params,
                                                     guint min_ms);

/* Whether a Secret Service answers on the session bus. */
gboolean           mdg_store_secret_service_available (void);

/* The fallback decision: which method @requested becomes, given whether a
 * Secret Service is available and a passphrase was given. STORE_PASSPHRASE
 * when a passphrase is needed but missing, STORE_NO_KEY when the Secret
 * Service was asked for and is unavailable. */
gboolean           mdg_store_key_choose_method      (MdgStoreKeyMethod requested,
                                                     gboolean secret_service_available,
                                                     gboolean have_passphrase,
                                                     MdgStoreKeyMethod *chosen,
                                                     GError **error);

gboolean           mdg_store_key_exists             (const char *profile_dir);
/* The method recorded in @profile_dir's key file. */
gboolean           mdg_store_key_get_method         (const char *profile_dir,
                                                     MdgStoreKeyMethod *method,
                                                     GError **error);

/* Creates a new random data key for @profile_dir, wrapped by @method
 * (resolved with mdg_store_key_choose_method()), and returns it in @key.
 * @params NULL calibrates scrypt to MDG_STORE_SCRYPT_MIN_MS. Refuses to
 * replace an existing key. */
gboolean           mdg_store_key_create             (const char *profile_dir,
                                                     MdgStoreKeyMethod method,
                                                     const char *passphrase,
                                                     const MdgScryptParams *params,
                                                     guint8 key[MDG_STORE_KEY_SIZE],
                                                     MdgStoreKeyMethod *chosen,
                                                     GError **error);
/* Unwraps the data key. STORE_PASSPHRASE for a wrong or missing
 * passphrase, STORE_NO_KEY when there is no key (never created, erased). */
gboolean           mdg_store_key_unlock             (const char *profile_dir,
                                                     const char *passphrase,
                                                     guint8 key[MDG_STORE_KEY_SIZE],
                                                     GError **error);
/* The scrypt parameters recorded with a passphrase-wrapped key. */
gboolean           mdg_store_key_get_scrypt_params  (const char *profile_dir,
                                                     MdgScryptParams *params,
                                                     GError **error);

/* Re-wraps a passphrase-wrapped data key with stronger scrypt @params
 * (NULL: calibrated to MDG_STORE_SCRYPT_MIN_MS here), with a fresh salt
 * and nonce; the data key itself is unchanged. Unwraps first with
 * @passphrase (STORE_PASSPHRASE when wrong) and refuses parameters that
 * cost less than the recorded ones. The key file is replaced atomically,
 * so a crash leaves either the old or the new wrapping. */
gboolean           mdg_store_key_raise_scrypt_params (const char *profile_dir,
                                                      const char *passphrase,
                                                      const MdgScryptParams *params,
                                                      GError **error);

/* "Delete all my data": crypto-erase. Takes the profile lock, destroys the
 * wrapped key (the Secret Service item, the key file overwritten then
 * removed), then removes the database files. */
gboolean           mdg_store_erase_profile          (const char *profile_dir,
                                                     GError **error);

G_END_DECLS
