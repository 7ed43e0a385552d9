/* test-catalog-bundle.c: signed catalog bundles: verification, refusal
 * of tampered, unsigned, foreign and older bundles, atomic installation,
 * and the shipped bundle on the first run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "mdg-app-error.h"
#include "mdg-catalog-bundle.h"
#include "mdg-jcs.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)

static char *key_path, *cert_path, *other_key_path, *other_cert_path, *shipped_dir;
static char *catalog_dir;
static X509 *publisher;

static GBytes *
make_bundle (guint64 version,
             gboolean other_signer)
{
  g_autoptr(GError) error = NULL;
  GBytes *bundle = mdg_catalog_bundle_create (catalog_dir, version,
                                              other_signer ? other_key_path : key_path,
                                              other_signer ? other_cert_path : cert_path,
                                              &error);

  g_assert_no_error (error);
  g_assert_nonnull (bundle);
  return bundle;
}

/* Applies @edit to the bundle's JSON and serialises it again. */
static GBytes *
edit_bundle (GBytes *bundle,
             void (*edit) (JsonObject *root))
{
  g_autoptr(JsonNode) root = mdg_jcs_parse (g_bytes_get_data (bundle, NULL), g_bytes_get_size (bundle), NULL);
  char *text;

  g_assert_nonnull (root);
  edit (json_node_get_object (root));
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static void
assert_refused (GBytes *bundle,
                gint code,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgCatalogBundle) verified = mdg_catalog_bundle_verify (bundle, publisher, &error);

  g_assert_null (verified);
  g_assert_error (error, MDG_APP_ERROR, code);
  if (fragment != NULL)
    g_assert_nonnull (strstr (error->message, fragment));
}

static void
test_verify (void)
{
  g_autoptr(GBytes) bundle = make_bundle (5, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgCatalogBundle) verified = mdg_catalog_bundle_verify (bundle, publisher, &error);
  g_autoptr(MdgCatalog) catalog = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (mdg_catalog_bundle_get_version (verified), ==, 5);
  g_assert_true (g_hash_table_contains (mdg_catalog_bundle_get_files (verified), "programs/kouki.json"));
  catalog = mdg_catalog_bundle_load (verified, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mdg_catalog_get_version (catalog), ==, 5);
  g_assert_nonnull (mdg_catalog_get_program_rules (catalog, "kouki"));
  g_assert_nonnull (mdg_catalog_lookup_procedure (catalog, "431001-kouki-ryoyohi", NULL));
}

static void
replace_file (JsonObject *root)
{
  JsonObject *files = json_object_get_object_member (root, "files");
  g_autofree char *fake = g_base64_encode ((const guchar *) "{\"kind\":\"program\"}", 18);

  json_object_set_string_member (files, "programs/kouki.json", fake);
}

static void
flip_manifest (JsonObject *root)
{
  const char *b64 = json_object_get_string_member (root, "manifest");
  gsize len;
  g_autofree guchar *manifest = g_base64_decode (b64, &len);
  g_autofree char *text = g_strndup ((const char *) manifest, len);
  g_autofree char *changed = NULL;
  char *version = strstr (text, "\"version\":5");

  g_assert_nonnull (version);
  version[10] = '9';
  changed = g_base64_encode ((const guchar *) text, len);
  json_object_set_string_member (root, "manifest", changed);
}

static void
drop_signature (JsonObject *root)
{
  json_object_remove_member (root, "signature");
}

static void
empty_signature (JsonObject *root)
{
  json_object_set_string_member (json_object_get_object_member (root, "signature"), "value", "");
}

static void
add_file (JsonObject *root)
{
  json_object_set_string_member (json_object_get_object_member (root, "files"), "programs/extra.json", "e30=");
}

static void
drop_file (JsonObject *root)
{
  json_object_remove_member (json_object_get_object_member (root, "files"), "facts.json");
}

static char *forged_signer;

static void
forge_signer (JsonObject *root)
{
  json_object_set_string_member (json_object_get_object_member (root, "signature"), "signer_sha256",
                                 forged_signer);
}

static void
test_refused (void)
{
  g_autoptr(GBytes) good = make_bundle (5, FALSE);
  g_autoptr(GBytes) foreign = make_bundle (5, TRUE);
  g_autoptr(GBytes) b1 = edit_bundle (good, replace_file);
  g_autoptr(GBytes) b2 = edit_bundle (good, flip_manifest);
  g_autoptr(GBytes) b3 = edit_bundle (good, drop_signature);
  g_autoptr(GBytes) b4 = edit_bundle (good, empty_signature);
  g_autoptr(GBytes) b5 = edit_bundle (good, add_file);
  g_autoptr(GBytes) b6 = edit_bundle (good, drop_file);
  g_autoptr(GBytes) b7 = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("not a bundle", 12);
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (good, 0, g_bytes_get_size (good) / 2);
  g_autoptr(JsonNode) root = mdg_jcs_parse (g_bytes_get_data (good, NULL), g_bytes_get_size (good), NULL);

  assert_refused (b1, MDG_APP_ERROR_BUNDLE, NULL);
  assert_refused (b2, MDG_APP_ERROR_BUNDLE, NULL);
  assert_refused (b3, MDG_APP_ERROR_BUNDLE, NULL);
  assert_refused (b4, MDG_APP_ERROR_BUNDLE, NULL);
  assert_refused (b5, MDG_APP_ERROR_BUNDLE, NULL);
  assert_refused (b6, MDG_APP_ERROR_BUNDLE, NULL);
  assert_refused (foreign, MDG_APP_ERROR_BUNDLE, NULL);
  assert_refused (garbage, MDG_APP_ERROR_BUNDLE, NULL);
  assert_refused (truncated, MDG_APP_ERROR_BUNDLE, NULL);

  /* A foreign bundle that claims our publisher still fails its signature. */
  forged_signer = g_strdup (json_object_get_string_member (json_object_get_object_member (json_node_get_object (root),
                                                                                          "signature"),
                                                           "signer_sha256"));
  b7 = edit_bundle (foreign, forge_signer);
  assert_refused (b7, MDG_APP_ERROR_BUNDLE, NULL);
  g_clear_pointer (&forged_signer, g_free);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_install (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("mdg-catalog-XXXXXX", &error);
  g_autofree char *store = g_build_filename (tmp, "store", NULL);
  g_autofree char *installed_path = g_build_filename (store, MDG_CATALOG_BUNDLE_FILE, NULL);
  g_autofree char *shipped = g_build_filename (shipped_dir, MDG_CATALOG_BUNDLE_FILE, NULL);
  g_autoptr(GBytes) v5 = make_bundle (5, FALSE);
  g_autoptr(GBytes) v4 = make_bundle (4, FALSE);
  g_autoptr(GBytes) v6 = make_bundle (6, FALSE);
  g_autoptr(GBytes) tampered = edit_bundle (v6, replace_file);
  g_autoptr(GBytes) foreign = make_bundle (9, TRUE);
  g_autoptr(MdgCatalogBundle) b = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_no_error (error);

  /* First run: nothing installed, the shipped bundle is used. */
  b = mdg_catalog_bundle_open_current (store, shipped, publisher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mdg_catalog_bundle_get_version (b), ==, 1);
  g_clear_object (&b);

  b = mdg_catalog_bundle_install (store, v5, publisher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mdg_catalog_bundle_get_version (b), ==, 5);
  g_clear_object (&b);

  /* older, foreign and tampered bundles leave version 5 in place */
  b = mdg_catalog_bundle_install (store, v4, publisher, &error);
  g_assert_null (b);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_BUNDLE_OLDER);
  g_clear_error (&error);
  b = mdg_catalog_bundle_install (store, foreign, publisher, &error);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_BUNDLE);
  g_clear_error (&error);
  b = mdg_catalog_bundle_install (store, tampered, publisher, &error);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_BUNDLE);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (installed_path, &contents, &len, NULL));
  g_assert_true (len == g_bytes_get_size (v5) && memcmp (contents, g_bytes_get_data (v5, NULL), len) == 0);
  g_clear_pointer (&contents, g_free);

  /* the same bundle again is a no-op, not an error */
  b = mdg_catalog_bundle_install (store, v5, publisher, &error);
  g_assert_no_error (error);
  g_clear_object (&b);

  b = mdg_catalog_bundle_install (store, v6, publisher, &error);
  g_assert_no_error (error);
  g_clear_object (&b);
  g_assert_cmpuint (count_entries (store), ==, 1);  /* no temporary file left */

  b = mdg_catalog_bundle_open_current (store, shipped, publisher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mdg_catalog_bundle_get_version (b), ==, 6);
  g_clear_object (&b);

  /* An installed file damaged on disk is ignored: back to the shipped one. */
  g_assert_true (g_file_set_contents (installed_path, "{\"kind\":", -1, NULL));
  b = mdg_catalog_bundle_open_current (store, shipped, publisher, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mdg_catalog_bundle_get_version (b), ==, 1);
  g_clear_object (&b);
  /* … and a new bundle can replace it */
  b = mdg_catalog_bundle_install (store, v4, publisher, &error);
  g_assert_no_error (error);
  g_clear_object (&b);

  g_unlink (installed_path);
  g_rmdir (store);
  g_rmdir (tmp);
}

static void
test_create_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bundle = NULL;

  bundle = mdg_catalog_bundle_create (catalog_dir, 1, other_key_path, cert_path, &error);
  g_assert_null (bundle);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER);
  g_clear_error (&error);
  bundle = mdg_catalog_bundle_create (catalog_dir, 0, key_path, cert_path, &error);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_BUNDLE);
  g_clear_error (&error);
  bundle = mdg_catalog_bundle_create (catalog_dir, 1, "/nonexistent/key.pem", cert_path, &error);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER);
}

static char *
take_arg (int *argc,
          char **argv,
          const char *name)
{
  g_autofree char *prefix = g_strconcat ("--", name, "=", NULL);
  char *value = NULL;
  int out = 1;

  for (int i = 1; i < *argc; i++)
    {
      if (g_str_has_prefix (argv[i], prefix))
        value = g_strdup (argv[i] + strlen (prefix));
      else
        argv[out++] = argv[i];
    }
  *argc = out;
  argv[out] = NULL;
  g_assert_nonnull (value);
  return value;
}

int
main (int argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int rc;

  key_path = take_arg (&argc, argv, "key");
  cert_path = take_arg (&argc, argv, "cert");
  other_key_path = take_arg (&argc, argv, "other-key");
  other_cert_path = take_arg (&argc, argv, "other-cert");
  shipped_dir = take_arg (&argc, argv, "shipped-dir");
  g_test_init (&argc, &argv, NULL);

  catalog_dir = g_build_filename (g_getenv ("MDG_SOURCE_ROOT"), "data", "catalog", NULL);
  publisher = mdg_catalog_publisher_load (cert_path, &error);
  g_assert_no_error (error);

  g_test_add_func ("/catalog-bundle/verify", test_verify);
  g_test_add_func ("/catalog-bundle/refused", test_refused);
  g_test_add_func ("/catalog-bundle/install", test_install);
  g_test_add_func ("/catalog-bundle/create-errors", test_create_errors);

  rc = g_test_run ();
  X509_free (publisher);
  g_free (key_path);
  g_free (cert_path);
  g_free (other_key_path);
  g_free (other_cert_path);
  g_free (shipped_dir);
  g_free (catalog_dir);
  return rc;
}
