/* fuzz-catalog-bundle.c: the signed catalog bundle reader and the catalog
 * compiler behind it
 *
 * Two kinds of input:
 * - a bundle ("{…"): verified as it is, then once more with its manifest
 *   re-signed by the test publisher key, so that the manifest, path and
 *   hash checks and the catalog loader are reached too;
 * - "PATH\n" and the contents of one catalog file: the shipped catalog with
 *   that file replaced (or added) is compiled and every rule set evaluated,
 *   which fuzzes the catalog and rule compilers on well-formed neighbours.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "mdg-application.h"
#include "mdg-catalog-bundle.h"
#include "mdg-jcs.h"
#include "fuzz-common.h"
#include "fuzz-catalog-common.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)

static X509 *publisher;
static EVP_PKEY *publisher_key;
static char *publisher_sha256;
static GHashTable *shipped_files;

static void
evaluate_all (MdgCatalog *catalog)
{
  static const MdgCivilDate dates[] = {
    MDG_CIVIL_DATE (2024, 12, 1), MDG_CIVIL_DATE (2025, 4, 10), MDG_CIVIL_DATE (2026, 9, 1),
  };
  GPtrArray *procedures = mdg_catalog_get_procedures (catalog);
  MdgFacts facts = MDG_FACTS_INIT;

  mdg_facts_set_birth_date (&facts, MDG_CIVIL_DATE (1950, 4, 10));
  mdg_facts_set_municipality (&facts, 112038);
  fuzz_catalog_evaluate_all (catalog, &facts, dates, G_N_ELEMENTS (dates));
  /* form schemas are costly to build: a couple per catalog is enough */
  for (guint i = 0; i < MIN (procedures->len, 2); i++)
    {
      const char *id = json_object_get_string_member (procedures->pdata[i], "id");
      g_autoptr(MdgFormSchema) schema = mdg_catalog_get_form_schema (catalog, id, NULL);

      (void) schema;
    }
  mdg_catalog_prefill_facts (catalog, &facts, "19500410", "埼玉県川口市青木1-1");
}

static void
check_bundle (GBytes *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgCatalogBundle) bundle = mdg_catalog_bundle_verify (data, publisher, &error);
  g_autoptr(MdgCatalog) catalog = NULL;

  if (bundle == NULL)
    {
      g_assert (error != NULL);
      return;
    }
  g_assert (mdg_catalog_bundle_get_version (bundle) >= 1);
  catalog = mdg_catalog_bundle_load (bundle, &error);
  if (catalog == NULL)
    g_assert (error != NULL);
  else
    evaluate_all (catalog);
}

/* The bundle with its carried manifest signed by the test publisher. */
static GBytes *
resign (const guint8 *data,
        size_t size)
{
  g_autoptr(JsonNode) root = mdg_jcs_parse ((const char *) data, (gssize) size, NULL);
  g_autoptr(EVP_MD_CTX) ctx = NULL;
  g_autofree guchar *manifest = NULL;
  g_autofree guchar *sig = NULL;
  g_autofree char *sig_b64 = NULL;
  JsonObject *bundle, *signature;
  JsonNode *node;
  gsize manifest_len, sig_len = 0;
  char *text;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  bundle = json_node_get_object (root);
  node = json_object_get_member (bundle, "manifest");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  manifest = g_base64_decode (json_node_get_string (node), &manifest_len);

  ctx = EVP_MD_CTX_new ();
  if (EVP_DigestSignInit (ctx, NULL, NULL, NULL, publisher_key) != 1
      || EVP_DigestSign (ctx, NULL, &sig_len, manifest, manifest_len) != 1)
    g_error ("fuzz-catalog-bundle: cannot sign");
  sig = g_malloc (sig_len);
  if (EVP_DigestSign (ctx, sig, &sig_len, manifest, manifest_len) != 1)
    g_error ("fuzz-catalog-bundle: cannot sign");
  sig_b64 = g_base64_encode (sig, sig_len);

  signature = json_object_new ();
  json_object_set_string_member (signature, "algorithm", "eddsa");
  json_object_set_string_member (signature, "signer_sha256", publisher_sha256);
  json_object_set_string_member (signature, "value", sig_b64);
  json_object_set_object_member (bundle, "signature", signature);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static void
check_catalog_file (const char *path,
                    const guint8 *data,
                    size_t size)
{
  g_autoptr(GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgCatalog) catalog = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, shipped_files);
  /* the neighbours that make a catalog load: the big procedure sets and
   * forms are parsed only when the input is one of them */
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!g_str_has_prefix (key, "procedures/") && !g_str_has_prefix (key, "forms/"))
        g_hash_table_insert (files, g_strdup (key), g_bytes_ref (value));
    }
  g_hash_table_insert (files, g_strdup (path), g_bytes_new (data, size));

  catalog = mdg_catalog_new_from_files (files, 1, &error);
  if (catalog == NULL)
    g_assert (error != NULL);
  else
    evaluate_all (catalog);
}

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  const char *catalog_dir = NULL, *key_path = NULL, *cert_path = NULL;
  unsigned char *der = NULL;
  int der_len, out = 1;
  g_autoptr(GBytes) der_bytes = NULL;
  BIO *bio;

  /* --catalog-dir, --key and --cert are ours; the rest is libFuzzer's. */
  for (int i = 1; i < *argc; i++)
    {
      char *arg = (*argv)[i];

      if (g_str_has_prefix (arg, "--catalog-dir="))
        catalog_dir = arg + strlen ("--catalog-dir=");
      else if (g_str_has_prefix (arg, "--key="))
        key_path = arg + strlen ("--key=");
      else if (g_str_has_prefix (arg, "--cert="))
        cert_path = arg + strlen ("--cert=");
      else
        (*argv)[out++] = arg;
    }
  *argc = out;
  (*argv)[out] = NULL;
  if (catalog_dir == NULL || key_path == NULL || cert_path == NULL)
    g_error ("fuzz-catalog-bundle needs --catalog-dir=DIR --key=KEY --cert=CERT");

  shipped_files = mdg_catalog_read_directory (catalog_dir, &error);
  publisher = mdg_catalog_publisher_load (cert_path, &error);
  if (shipped_files == NULL || publisher == NULL)
    g_error ("fuzz-catalog-bundle: %s", error->message);
  bio = BIO_new_file (key_path, "r");
  publisher_key = bio != NULL ? PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL) : NULL;
  BIO_free (bio);
  if (publisher_key == NULL)
    g_error ("fuzz-catalog-bundle: cannot read %s", key_path);
  der_len = i2d_X509 (publisher, &der);
  if (der_len <= 0)
    g_error ("fuzz-catalog-bundle: bad certificate");
  der_bytes = g_bytes_new (der, (gsize) der_len);
  OPENSSL_free (der);
  publisher_sha256 = mdg_sha256_hex (der_bytes);
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t size)
{
  const guint8 *newline = memchr (data, '\n', MIN (size, 128));

  if (size > 0 && data[0] != '{' && newline != NULL)
    {
      g_autofree char *path = g_strndup ((const char *) data, (gsize) (newline - data));

      if (g_str_has_suffix (path, ".json"))
        {
          check_catalog_file (path, newline + 1, size - (gsize) (newline + 1 - data));
          return 0;
        }
    }

  {
    g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
    g_autoptr(GBytes) resigned = resign (data, size);

    check_bundle (bytes);
    if (resigned != NULL)
      check_bundle (resigned);
  }
  return 0;
}
