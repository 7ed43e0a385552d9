/* mdg-store-key.c: the store's data key, wrapped for home use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "mdg-app-error.h"
#include "mdg-profile-lock.h"
#include "mdg-store-key.h"
#include "mdg-store-private.h"

#define KEY_FILE_VERSION 1
#define SALT_SIZE 16
#define NONCE_SIZE 12
#define TAG_SIZE 16
#define SCRYPT_MIN_LOG2_N 15
#define SCRYPT_MAX_LOG2_N 20
#define SECRET_SERVICE_NAME "org.freedesktop.secrets"

static const SecretSchema *
data_key_schema (void)
{
  static const SecretSchema schema = {
    "io.github.madoguchi.Madoguchi.DataKey", SECRET_SCHEMA_NONE,
    {
      { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

static gboolean
set_failed (GError **error,
            const char *message)
{
  g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED, message);
  return FALSE;
}

/* ---- scrypt -------------------------------------------------------------- */

static gboolean
scrypt_derive (const char *passphrase,
               const guint8 *salt,
               const MdgScryptParams *params,
               guint8 out[MDG_STORE_KEY_SIZE])
{
  /* Room for the working memory (128·r·N·p) plus OpenSSL's own. */
  guint64 maxmem = 128 * (guint64) params->r * (params->n + params->p + 2) + (1 << 20);

  return EVP_PBE_scrypt (passphrase, strlen (passphrase), salt, SALT_SIZE,
                         params->n, params->r, params->p, maxmem,
                         out, MDG_STORE_KEY_SIZE) == 1;
}

void
mdg_scrypt_params_calibrate (MdgScryptParams *params,
                             guint min_ms)
{
  static const guint8 salt[SALT_SIZE] = { 0 };
  guint8 out[MDG_STORE_KEY_SIZE];

  params->r = 8;
  params->p = 1;
  for (guint log2_n = SCRYPT_MIN_LOG2_N; log2_n <= SCRYPT_MAX_LOG2_N; log2_n++)
    {
      gint64 start = g_get_monotonic_time ();

      params->n = G_GUINT64_CONSTANT (1) << log2_n;
      if (!scrypt_derive ("calibration", salt, params, out))
        break;
      if ((g_get_monotonic_time () - start) / 1000 >= (gint64) min_ms)
        break;
    }
  OPENSSL_cleanse (out, sizeof out);
}

static gboolean
scrypt_params_valid (const MdgScryptParams *params)
{
  return params->n >= 2 && (params->n & (params->n - 1)) == 0 &&
         params->n <= (G_GUINT64_CONSTANT (1) << 24) &&
         params->r >= 1 && params->r <= 64 && params->p >= 1 && params->p <= 16;
}

/* ---- AES-256-GCM wrapping ------------------------------------------------ */

/* The parameters are authenticated with the key, so a key file whose cost
 * was lowered does not unwrap. */
static char *
wrap_aad (const MdgScryptParams *params)
{
  return g_strdup_printf ("madoguchi data key v%d scrypt n=%" G_GUINT64_FORMAT " r=%u p=%u",
                          KEY_FILE_VERSION, params->n, params->r, params->p);
}

static gboolean
aes_gcm (gboolean encrypt,
         const guint8 kek[MDG_STORE_KEY_SIZE],
         const guint8 nonce[NONCE_SIZE],
         const char *aad,
         const guint8 *in,
         guint8 *out,
         guint8 tag[TAG_SIZE])
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int len = 0;
  gboolean ok;

  ok = ctx != NULL &&
       EVP_CipherInit_ex (ctx, EVP_aes_256_gcm (), NULL, kek, nonce, encrypt ? 1 : 0) == 1 &&
       EVP_CipherUpdate (ctx, NULL, &len, (const guint8 *) aad, (int) strlen (aad)) == 1 &&
       EVP_CipherUpdate (ctx, out, &len, in, MDG_STORE_KEY_SIZE) == 1;
  if (ok && !encrypt)
    ok = EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, TAG_SIZE, tag) == 1;
  ok = ok && EVP_CipherFinal_ex (ctx, out + len, &len) == 1;
  if (ok && encrypt)
    ok = EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, TAG_SIZE, tag) == 1;

  EVP_CIPHER_CTX_free (ctx);
  return ok;
}

/* ---- key file ------------------------------------------------------------ */

static char *
key_file_path (const char *profile_dir)
{
  return g_build_filename (profile_dir, MDG_STORE_KEY_FILE_NAME, NULL);
}

static gboolean
write_key_file (const char *profile_dir,
                JsonBuilder *builder,
                GError **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *path = key_file_path (profile_dir);
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                   _("Cannot write the wrapped key: %s"), local_error->message);
      return FALSE;
    }

  return TRUE;
}

static JsonObject *
read_key_file (const char *profile_dir,
               JsonParser **parser_out,
               GError **error)
{
  g_autofree char *path = key_file_path (profile_dir);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY,
                           _("This profile has no data key (it was never created or was "
                             "erased)"));
      return NULL;
    }

  if (!json_parser_load_from_file (parser, path, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_CORRUPT,
                           _("The wrapped data key is damaged"));
      return NULL;
    }

  object = json_node_get_object (root);
  if (json_object_get_int_member_with_default (object, "version", 0) != KEY_FILE_VERSION)
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_TOO_NEW,
                           _("The wrapped data key has an unknown format; update Madoguchi"));
      return NULL;
    }

  *parser_out = g_steal_pointer (&parser);
  return object;
}

/* A base64 member of exactly @size bytes, or NULL. */
static guint8 *
get_b64 (JsonObject *object,
         const char *member,
         gsize size)
{
  const char *text = json_object_get_string_member_with_default (object, member, NULL);
  g_autofree guint8 *data = NULL;
  gsize len = 0;

  if (text == NULL)
    return NULL;
  data = g_base64_decode (text, &len);
  if (len != size)
    return NULL;

  return g_steal_pointer (&data);
}

static void
params_from_object (JsonObject *object,
                    MdgScryptParams *params)
{
  params->n = (guint64) json_object_get_int_member_with_default (object, "n", 0);
  params->r = (guint32) json_object_get_int_member_with_default (object, "r", 0);
  params->p = (guint32) json_object_get_int_member_with_default (object, "p", 0);
}

gboolean
mdg_store_key_exists (const char *profile_dir)
{
  g_autofree char *path = key_file_path (profile_dir);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
method_from_object (JsonObject *object,
                    MdgStoreKeyMethod *method,
                    GError **error)
{
  const char *name = json_object_get_string_member_with_default (object, "method", "");

  if (g_str_equal (name, "secret-service"))
    *method = MDG_STORE_KEY_SECRET_SERVICE;
  else if (g_str_equal (name, "scrypt"))
    *method = MDG_STORE_KEY_PASSPHRASE;
  else
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_TOO_NEW,
                           _("The wrapped data key has an unknown format; update Madoguchi"));
      return FALSE;
    }

  return TRUE;
}

gboolean
mdg_store_key_get_method (const char *profile_dir,
                          MdgStoreKeyMethod *method,
                          GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object = read_key_file (profile_dir, &parser, error);

  return object != NULL && method_from_object (object, method, error);
}

gboolean
mdg_store_key_get_scrypt_params (const char *profile_dir,
                                 MdgScryptParams *params,
                                 GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object = read_key_file (profile_dir, &parser, error);

  if (object == NULL)
    return FALSE;
  params_from_object (object, params);

  return TRUE;
}

/* ---- Secret Service ------------------------------------------------------ */

gboolean
mdg_store_secret_service_available (void)
{
  g_autofree char *bus_path = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) names = NULL;
  gboolean owned = FALSE;

  /* Without an address GDBus would try X11 autolaunch. */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL &&
      !g_file_test (bus_path, G_FILE_TEST_EXISTS))
    return FALSE;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", SECRET_SERVICE_NAME),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, NULL);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(b)", &owned);
  if (owned)
    return TRUE;

  /* Not running yet, but D-Bus may start it on the first call. */
  names = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListActivatableNames", NULL,
                                       G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, NULL);
  if (names != NULL)
    {
      g_autofree const char **list = NULL;

      g_variant_get (names, "(^a&s)", &list);
      return list != NULL && g_strv_contains (list, SECRET_SERVICE_NAME);
    }

  return FALSE;
}

gboolean
mdg_store_key_choose_method (MdgStoreKeyMethod requested,
                             gboolean secret_service_available,
                             gboolean have_passphrase,
                             MdgStoreKeyMethod *chosen,
                             GError **error)
{
  if (requested == MDG_STORE_KEY_AUTO)
    requested = secret_service_available ? MDG_STORE_KEY_SECRET_SERVICE : MDG_STORE_KEY_PASSPHRASE;

  if (requested == MDG_STORE_KEY_SECRET_SERVICE && !secret_service_available)
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY,
                           _("No Secret Service (keyring) is available on this desktop; use "
                             "a passphrase"));
      return FALSE;
    }

  if (requested == MDG_STORE_KEY_PASSPHRASE && !have_passphrase)
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE,
                           _("No keyring is available: a passphrase is needed to protect "
                             "your drafts"));
      return FALSE;
    }

  *chosen = requested;
  return TRUE;
}

static char *
hex_encode (const guint8 *data,
            gsize len)
{
  static const char digits[] = "0123456789abcdef";
  char *hex = g_malloc (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    {
      hex[2 * i] = digits[data[i] >> 4];
      hex[2 * i + 1] = digits[data[i] & 0xf];
    }
  hex[2 * len] = '\0';

  return hex;
}

static gboolean
hex_decode_key (const char *hex,
                guint8 key[MDG_STORE_KEY_SIZE])
{
  if (hex == NULL || strlen (hex) != 2 * MDG_STORE_KEY_SIZE)
    return FALSE;

  for (guint i = 0; i < MDG_STORE_KEY_SIZE; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      key[i] = (guint8) (hi << 4 | lo);
    }

  return TRUE;
}

static gboolean
create_secret_service (const char *profile_dir,
                       const guint8 key[MDG_STORE_KEY_SIZE],
                       GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(GError) local_error = NULL;
  char *hex = hex_encode (key, MDG_STORE_KEY_SIZE);
  gboolean stored;

  /* The item is found by a random profile ID, not by anything personal. */
  stored = secret_password_store_sync (data_key_schema (), SECRET_COLLECTION_DEFAULT,
                                       _("Madoguchi data key"), hex, NULL, &local_error,
                                       "profile", id, NULL);
  OPENSSL_cleanse (hex, strlen (hex));
  g_free (hex);
  if (!stored)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY,
                   _("The keyring did not store the data key: %s"), local_error->message);
      return FALSE;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, KEY_FILE_VERSION);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "secret-service");
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_end_object (builder);

  return write_key_file (profile_dir, builder, error);
}

static void
builder_add_b64 (JsonBuilder *builder,
                 const char *member,
                 const guint8 *data,
                 gsize len)
{
  g_autofree char *text = g_base64_encode (data, len);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, text);
}

static gboolean
create_passphrase (const char *profile_dir,
                   const char *passphrase,
                   const MdgScryptParams *params,
                   const guint8 key[MDG_STORE_KEY_SIZE],
                   GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *aad = wrap_aad (params);
  guint8 salt[SALT_SIZE], nonce[NONCE_SIZE], tag[TAG_SIZE];
  guint8 kek[MDG_STORE_KEY_SIZE], wrapped[MDG_STORE_KEY_SIZE + TAG_SIZE];
  gboolean ok;

  if (RAND_bytes (salt, sizeof salt) != 1 || RAND_bytes (nonce, sizeof nonce) != 1)
    return set_failed (error, _("No random numbers are available"));

  ok = scrypt_derive (passphrase, salt, params, kek) &&
       aes_gcm (TRUE, kek, nonce, aad, key, wrapped, tag);
  OPENSSL_cleanse (kek, sizeof kek);
  if (!ok)
    return set_failed (error, _("Cannot wrap the data key"));
  memcpy (wrapped + MDG_STORE_KEY_SIZE, tag, TAG_SIZE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, KEY_FILE_VERSION);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, "scrypt");
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, (gint64) params->n);
  json_builder_set_member_name (builder, "r");
  json_builder_add_int_value (builder, params->r);
  json_builder_set_member_name (builder, "p");
  json_builder_add_int_value (builder, params->p);
  builder_add_b64 (builder, "salt", salt, sizeof salt);
  builder_add_b64 (builder, "nonce", nonce, sizeof nonce);
  builder_add_b64 (builder, "wrapped", wrapped, sizeof wrapped);
  json_builder_end_object (builder);

  return write_key_file (profile_dir, builder, error);
}

gboolean
mdg_store_key_create (const char *profile_dir,
                      MdgStoreKeyMethod method,
                      const char *passphrase,
                      const MdgScryptParams *params,
                      guint8 key[MDG_STORE_KEY_SIZE],
                      MdgStoreKeyMethod *chosen,
                      GError **error)
{
  MdgStoreKeyMethod resolved;
  MdgScryptParams calibrated;
  gboolean available;
  gboolean ok;

  g_return_val_if_fail (profile_dir != NULL, FALSE);

  if (mdg_store_key_exists (profile_dir))
    return set_failed (error, _("This profile already has a data key"));

  available = method != MDG_STORE_KEY_PASSPHRASE && mdg_store_secret_service_available ();
  if (!mdg_store_key_choose_method (method, available, passphrase != NULL, &resolved, error))
    return FALSE;

  if (resolved == MDG_STORE_KEY_PASSPHRASE)
    {
      if (params == NULL)
        {
          mdg_scrypt_params_calibrate (&calibrated, MDG_STORE_SCRYPT_MIN_MS);
          params = &calibrated;
        }
      if (!scrypt_params_valid (params))
        return set_failed (error, _("Invalid scrypt parameters"));
    }

  if (g_mkdir_with_parents (profile_dir, 0700) != 0)
    return set_failed (error, _("Cannot create the profile directory"));

  if (RAND_bytes (key, MDG_STORE_KEY_SIZE) != 1)
    return set_failed (error, _("No random numbers are available"));

  if (resolved == MDG_STORE_KEY_SECRET_SERVICE)
    ok = create_secret_service (profile_dir, key, error);
  else
    ok = create_passphrase (profile_dir, passphrase, params, key, error);

  if (!ok)
    {
      OPENSSL_cleanse (key, MDG_STORE_KEY_SIZE);
      return FALSE;
    }

  if (chosen != NULL)
    *chosen = resolved;

  return TRUE;
}

static gboolean
unlock_passphrase (JsonObject *object,
                   const char *passphrase,
                   guint8 key[MDG_STORE_KEY_SIZE],
                   GError **error)
{
  g_autofree guint8 *salt = get_b64 (object, "salt", SALT_SIZE);
  g_autofree guint8 *nonce = get_b64 (object, "nonce", NONCE_SIZE);
  g_autofree guint8 *wrapped = get_b64 (object, "wrapped", MDG_STORE_KEY_SIZE + TAG_SIZE);
  g_autofree char *aad = NULL;
  MdgScryptParams params;
  guint8 kek[MDG_STORE_KEY_SIZE];
  gboolean ok;

  if (passphrase == NULL)
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE,
                           _("The passphrase of this profile is needed"));
      return FALSE;
    }

  params_from_object (object, &params);
  if (salt == NULL || nonce == NULL || wrapped == NULL || !scrypt_params_valid (&params))
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_CORRUPT,
                           _("The wrapped data key is damaged"));
      return FALSE;
    }

  aad = wrap_aad (&params);
  ok = scrypt_derive (passphrase, salt, &params, kek) &&
       aes_gcm (FALSE, kek, nonce, aad, wrapped, key, wrapped + MDG_STORE_KEY_SIZE);
  OPENSSL_cleanse (kek, sizeof kek);
  if (!ok)
    {
      OPENSSL_cleanse (key, MDG_STORE_KEY_SIZE);
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE,
                           _("Wrong passphrase"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
unlock_secret_service (JsonObject *object,
                       guint8 key[MDG_STORE_KEY_SIZE],
                       GError **error)
{
  const char *id = json_object_get_string_member_with_default (object, "id", NULL);
  g_autoptr(GError) local_error = NULL;
  char *hex;
  gboolean ok;

  if (id == NULL)
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_CORRUPT,
                           _("The wrapped data key is damaged"));
      return FALSE;
    }

  hex = secret_password_lookup_sync (data_key_schema (), NULL, &local_error, "profile", id, NULL);
  if (hex == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY,
                   _("The keyring has no data key for this profile%s%s"),
                   local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      return FALSE;
    }

  ok = hex_decode_key (hex, key);
  secret_password_free (hex);  /* wipes */
  if (!ok)
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_CORRUPT,
                           _("The keyring’s data key is damaged"));
      return FALSE;
    }

  return TRUE;
}

gboolean
mdg_store_key_unlock (const char *profile_dir,
                      const char *passphrase,
                      guint8 key[MDG_STORE_KEY_SIZE],
                      GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object = read_key_file (profile_dir, &parser, error);
  MdgStoreKeyMethod method;

  if (object == NULL || !method_from_object (object, &method, error))
    return FALSE;

  if (method == MDG_STORE_KEY_SECRET_SERVICE)
    return unlock_secret_service (object, key, error);

  return unlock_passphrase (object, passphrase, key, error);
}

/* ---- raising the scrypt cost --------------------------------------------- */

gboolean
mdg_store_key_raise_scrypt_params (const char *profile_dir,
                                   const char *passphrase,
                                   const MdgScryptParams *params,
                                   GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  MdgStoreKeyMethod method;
  MdgScryptParams old, calibrated;
  guint8 key[MDG_STORE_KEY_SIZE];
  gboolean ok;

  g_return_val_if_fail (profile_dir != NULL, FALSE);

  object = read_key_file (profile_dir, &parser, error);
  if (object == NULL || !method_from_object (object, &method, error))
    return FALSE;
  if (method != MDG_STORE_KEY_PASSPHRASE)
    return set_failed (error, _("This profile’s data key is not protected by a passphrase"));

  if (params == NULL)
    {
      mdg_scrypt_params_calibrate (&calibrated, MDG_STORE_SCRYPT_MIN_MS);
      params = &calibrated;
    }
  params_from_object (object, &old);
  if (!scrypt_params_valid (params))
    return set_failed (error, _("Invalid scrypt parameters"));
  /* Raising only: a lower n, r or p would weaken the wrapping. */
  if (params->n < old.n || params->r < old.r || params->p < old.p)
    return set_failed (error, _("The new scrypt parameters would weaken the passphrase "
                                "protection"));

  if (!unlock_passphrase (object, passphrase, key, error))
    return FALSE;
  ok = create_passphrase (profile_dir, passphrase, params, key, error);
  OPENSSL_cleanse (key, sizeof key);

  return ok;
}

/* ---- crypto-erase -------------------------------------------------------- */

/* Overwrites the wrapped key in place before unlinking it, so the old bytes
 * are not merely unlinked on file systems that overwrite in place. */
static void
destroy_key_file (const char *path)
{
  GStatBuf st;
  int fd;

  if (g_stat (path, &st) != 0)
    return;

  fd = g_open (path, O_WRONLY | O_CLOEXEC, 0);
  if (fd >= 0)
    {
      g_autofree guint8 *noise = g_malloc (st.st_size > 0 ? (gsize) st.st_size : 1);

      if (RAND_bytes (noise, (int) st.st_size) == 1 &&
          write (fd, noise, (size_t) st.st_size) == st.st_size)
        fsync (fd);
      close (fd);
    }
  g_unlink (path);
}

gboolean
mdg_store_erase_profile (const char *profile_dir,
                         GError **error)
{
  static const char * const files[] = {
    MDG_STORE_DATABASE_NAME,
    MDG_STORE_DATABASE_NAME "-wal",
    MDG_STORE_DATABASE_NAME "-shm",
    MDG_STORE_DATABASE_NAME "-journal",
    MDG_STORE_KEY_CHECK_NAME,
  };
  g_autoptr(MdgProfileLock) lock = NULL;
  g_autofree char *key_path = key_file_path (profile_dir);
  g_autofree char *lock_path = g_build_filename (profile_dir, "lock", NULL);
  g_autoptr(GError) keyring_error = NULL;

  if (!g_file_test (profile_dir, G_FILE_TEST_IS_DIR))
    return TRUE;

  lock = mdg_profile_lock_acquire (profile_dir, error);
  if (lock == NULL)
    return FALSE;

  /* First the key: once it is gone the file is noise, whatever happens
   * to the rest of this function. */
  if (g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      g_autoptr(JsonParser) parser = NULL;
      g_autoptr(GError) local_error = NULL;
      JsonObject *object = read_key_file (profile_dir, &parser, NULL);
      const char *id = object != NULL
                       ? json_object_get_string_member_with_default (object, "id", NULL)
                       : NULL;

      /* Without the keyring the item stays there, but the file goes on:
       * the drafts are gone either way, and the caller is told. */
      if (id != NULL &&
          !secret_password_clear_sync (data_key_schema (), NULL, &local_error,
                                       "profile", id, NULL) &&
          local_error != NULL)
        keyring_error = g_steal_pointer (&local_error);
      destroy_key_file (key_path);
    }

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (profile_dir, files[i], NULL);

      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved_errno = errno;

          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                       _("The data key is destroyed, but a store file could not be removed: "
                         "%s"),
                       g_strerror (saved_errno));
          return FALSE;
        }
    }

  g_unlink (lock_path);
  g_clear_pointer (&lock, mdg_profile_lock_release);
  g_rmdir (profile_dir);  /* only when empty */

  if (keyring_error != NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED,
                   _("The drafts are erased, but the keyring did not delete the old data "
                     "key: %s"),
                   keyring_error->message);
      return FALSE;
    }

  return TRUE;
}
