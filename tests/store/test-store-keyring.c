/* test-store-keyring.c: the data key wrapped by a real Secret Service
 *
 * test-store-keyring.sh runs this on a private session bus with an
 * unlocked gnome-keyring-daemon. `--reopen DIR ID` is the second process
 * of the reopen case; `--no-keyring DIR` the process that sees no bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "mdg-app-error.h"
#include "mdg-store-key.h"
#include "store-test-util.h"

static const char *self_exe;

/* The item that mdg-store-key.c stores: found by the profile's random ID. */
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

static char *
key_file_id (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, MDG_STORE_KEY_FILE_NAME, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "method"), ==, "secret-service");

  return g_strdup (json_object_get_string_member (object, "id"));
}

static char *
keyring_lookup (const char *id)
{
  g_autoptr(GError) error = NULL;
  char *hex = secret_password_lookup_sync (data_key_schema (), NULL, &error, "profile", id, NULL);

  g_assert_no_error (error);
  return hex;
}

static void
test_wrapped_in_keyring (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *key_path = g_build_filename (dir, MDG_STORE_KEY_FILE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GBytes) doc = g_bytes_new_static ("{\"keyring\":true}", 16);
  g_autofree char *draft = NULL;
  g_autofree char *id = NULL;
  g_autofree char *key_hex = NULL;
  g_autofree char *file_text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { self_exe, "--reopen", dir, NULL, NULL };
  MdgStoreKeyMethod chosen = MDG_STORE_KEY_PASSPHRASE;
  guint8 key[MDG_STORE_KEY_SIZE];
  int status = -1;
  char *hex;

  g_assert_true (mdg_store_secret_service_available ());
  /* No passphrase needed: the keyring wraps the key. */
  g_assert_true (mdg_store_key_create (dir, MDG_STORE_KEY_AUTO, NULL, NULL, key, &chosen, &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, MDG_STORE_KEY_SECRET_SERVICE);

  /* The keyring holds the key; the key file only the item's random ID. */
  id = key_file_id (dir);
  g_assert_nonnull (id);
  key_hex = store_test_hex (key, sizeof key);
  hex = keyring_lookup (id);
  g_assert_cmpstr (hex, ==, key_hex);
  secret_password_free (hex);
  g_assert_true (g_file_get_contents (key_path, &file_text, NULL, NULL));
  g_assert_null (strstr (file_text, key_hex));

  store = store_test_open (dir, key, NULL);
  draft = mdg_store_draft_save (store, "p", doc, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  /* A new process unlocks through the keyring and reads the draft. */
  argv[3] = draft;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("reopen: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "{\"keyring\":true}");

  store_test_remove_dir (dir);
  /* Leave the keyring clean for the other cases. */
  g_assert_true (secret_password_clear_sync (data_key_schema (), NULL, &error, "profile", id,
                                             NULL));
}

static int
reopen_main (const char *dir,
             const char *draft)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GBytes) doc = NULL;
  guint8 key[MDG_STORE_KEY_SIZE];

  if (!mdg_store_key_unlock (dir, NULL, key, &error) ||
      (store = mdg_store_open (dir, key, &error)) == NULL ||
      (doc = mdg_store_draft_load (store, draft, NULL, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  fwrite (g_bytes_get_data (doc, NULL), 1, g_bytes_get_size (doc), stdout);

  return 0;
}

/* Without a reachable Secret Service: the passphrase, or a clear error. */
static int
no_keyring_main (const char *dir)
{
  const MdgScryptParams cheap = { .n = 1 << 10, .r = 8, .p = 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  MdgStoreKeyMethod chosen = MDG_STORE_KEY_AUTO;
  guint8 key[MDG_STORE_KEY_SIZE], again[MDG_STORE_KEY_SIZE];

  g_assert_false (mdg_store_secret_service_available ());
  g_assert_false (mdg_store_key_create (dir, MDG_STORE_KEY_SECRET_SERVICE, NULL, &cheap, key,
                                        &chosen, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY);
  g_clear_error (&error);
  g_assert_false (mdg_store_key_create (dir, MDG_STORE_KEY_AUTO, NULL, &cheap, key, &chosen,
                                        &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE);
  g_clear_error (&error);

  g_assert_true (mdg_store_key_create (dir, MDG_STORE_KEY_AUTO, "pass", &cheap, key, &chosen,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, MDG_STORE_KEY_PASSPHRASE);
  g_assert_true (mdg_store_key_unlock (dir, "pass", again, &error));
  g_assert_cmpmem (key, sizeof key, again, sizeof again);
  store = store_test_open (dir, again, NULL);
  g_print ("passphrase");

  return 0;
}

static void
test_fallback_without_keyring (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *runtime = g_build_filename (dir, "..", "run", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { self_exe, "--no-keyring", dir, NULL };
  g_auto(GStrv) envp = g_get_environ ();
  MdgStoreKeyMethod method = MDG_STORE_KEY_AUTO;
  int status = -1;

  /* This process has the keyring; the child has no bus at all. */
  g_assert_true (mdg_store_secret_service_available ());
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  envp = g_environ_unsetenv (envp, "DBUS_SESSION_BUS_ADDRESS");
  envp = g_environ_setenv (envp, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("no keyring: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (out, ==, "passphrase");

  g_assert_true (mdg_store_key_get_method (dir, &method, &error));
  g_assert_cmpint (method, ==, MDG_STORE_KEY_PASSPHRASE);

  store_test_remove_dir (dir);
}

static void
test_erase_deletes_item (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GBytes) doc = g_bytes_new_static ("{}", 2);
  g_autofree char *draft = NULL;
  g_autofree char *id = NULL;
  guint8 key[MDG_STORE_KEY_SIZE];
  char *hex;

  g_assert_true (mdg_store_key_create (dir, MDG_STORE_KEY_SECRET_SERVICE, NULL, NULL, key, NULL,
                                       &error));
  g_assert_no_error (error);
  id = key_file_id (dir);
  hex = keyring_lookup (id);
  g_assert_nonnull (hex);
  secret_password_free (hex);
  store = store_test_open (dir, key, NULL);
  draft = mdg_store_draft_save (store, "p", doc, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_true (mdg_store_erase_profile (dir, &error));
  g_assert_no_error (error);
  g_assert_null (keyring_lookup (id));
  g_assert_false (mdg_store_key_exists (dir));
  g_assert_false (mdg_store_key_unlock (dir, NULL, key, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY);

  store_test_remove_dir (dir);
}

/* The key file survives but the keyring item is gone: a clear error. */
static void
test_item_missing (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  guint8 key[MDG_STORE_KEY_SIZE];

  g_assert_true (mdg_store_key_create (dir, MDG_STORE_KEY_SECRET_SERVICE, NULL, NULL, key, NULL,
                                       &error));
  g_assert_no_error (error);
  id = key_file_id (dir);
  g_assert_true (secret_password_clear_sync (data_key_schema (), NULL, &error, "profile", id,
                                             NULL));
  g_assert_false (mdg_store_key_unlock (dir, NULL, key, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY);

  store_test_remove_dir (dir);
}

int
main (int argc,
      char **argv)
{
  self_exe = argv[0];
  if (argc == 4 && g_str_equal (argv[1], "--reopen"))
    return reopen_main (argv[2], argv[3]);
  if (argc == 3 && g_str_equal (argv[1], "--no-keyring"))
    return no_keyring_main (argv[2]);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/keyring/wrapped", test_wrapped_in_keyring);
  g_test_add_func ("/store/keyring/fallback", test_fallback_without_keyring);
  g_test_add_func ("/store/keyring/erase", test_erase_deletes_item);
  g_test_add_func ("/store/keyring/item-missing", test_item_missing);

  return g_test_run ();
}
