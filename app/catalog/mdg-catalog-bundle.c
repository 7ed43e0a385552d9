/* mdg-catalog-bundle.c: the catalog as one signed, versioned file
 *
 * A bundle is JSON:
 *   {"kind": "madoguchi-catalog-bundle", "format_version": 1,
 *    "manifest": base64 of {"kind": "madoguchi-catalog-manifest",
 *                           "format_version": 1, "version": N,
 *                           "files": [{"path", "size", "sha256"}…]},
 *    "signature": {"algorithm", "signer_sha256", "value": base64},
 *    "files": {"<path>": base64 of the file, …}}
 * The signature covers the manifest bytes exactly as carried, and the
 * manifest pins every file by SHA-256, so nothing is parsed as catalog
 * before the whole bundle has verified.
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
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "mdg-app-error.h"
#include "mdg-catalog-json.h"
#include "mdg-application.h"
#include "mdg-catalog-bundle.h"
#include "mdg-jcs.h"

#define BUNDLE_KIND   "madoguchi-catalog-bundle"
#define MANIFEST_KIND "madoguchi-catalog-manifest"
#define FORMAT_VERSION 1

struct _MdgCatalogBundle
{
  GObject     parent_instance;

  GBytes     *data;
  guint64     version;
  GHashTable *files;  /* path → GBytes */
};

G_DEFINE_FINAL_TYPE (MdgCatalogBundle, mdg_catalog_bundle, G_TYPE_OBJECT)

static void
mdg_catalog_bundle_finalize (GObject *object)
{
  MdgCatalogBundle *self = MDG_CATALOG_BUNDLE (object);

  g_clear_pointer (&self->data, g_bytes_unref);
  g_clear_pointer (&self->files, g_hash_table_unref);

  G_OBJECT_CLASS (mdg_catalog_bundle_parent_class)->finalize (object);
}

static void
mdg_catalog_bundle_class_init (MdgCatalogBundleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_catalog_bundle_finalize;
}

static void
mdg_catalog_bundle_init (MdgCatalogBundle *self)
{
  self->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_bytes_unref);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)

static gboolean
bundle_error (GError **error,
              const char *what)
{
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_BUNDLE,
               _("The catalog bundle is refused: %s."), what);
  return FALSE;
}

/* Ed25519/Ed448 sign the message itself; other keys sign its SHA-256. */
static const EVP_MD *
digest_for (EVP_PKEY *key)
{
  int id = EVP_PKEY_get_base_id (key);

  return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448 ? NULL : EVP_sha256 ();
}

static char *
certificate_sha256 (X509 *cert)
{
  unsigned char *der = NULL;
  int len = i2d_X509 (cert, &der);
  g_autoptr(GBytes) bytes = NULL;

  if (len <= 0)
    return NULL;
  bytes = g_bytes_new (der, (gsize) len);
  OPENSSL_free (der);
  return mdg_sha256_hex (bytes);
}

X509 *
mdg_catalog_publisher_load (const char *cert_path,
                            GError **error)
{
  g_autoptr(BIO) bio = BIO_new_file (cert_path, "r");
  X509 *cert = bio != NULL ? PEM_read_bio_X509 (bio, NULL, NULL, NULL) : NULL;

  if (cert == NULL)
    g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_TRUST_STORE,
                 _("The catalog publisher certificate “%s” cannot be read."), cert_path);
  return cert;
}

/* Relative, no "..", no empty or hidden components: a bundle can never
 * name a file outside the catalog. */
static gboolean
path_is_safe (const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (path == NULL || *path == '\0' || *path == '/' || strlen (path) > 200)
    return FALSE;
  for (const char *p = path; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("/_.-", *p) == NULL)
        return FALSE;
    }
  parts = g_strsplit (path, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || parts[i][0] == '.')
        return FALSE;
    }
  return TRUE;
}

static gint
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GBytes *
sign_bytes (EVP_PKEY *key,
            GBytes *message,
            GError **error)
{
  g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  gsize len = 0;
  const guchar *data;
  gsize data_len;
  guchar *sig;

  data = g_bytes_get_data (message, &data_len);
  if (ctx == NULL || EVP_DigestSignInit (ctx, NULL, digest_for (key), NULL, key) != 1
      || EVP_DigestSign (ctx, NULL, &len, data, data_len) != 1)
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER,
                           _("The catalog bundle cannot be signed with this key."));
      return NULL;
    }
  sig = g_malloc (len);
  if (EVP_DigestSign (ctx, sig, &len, data, data_len) != 1)
    {
      g_free (sig);
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER,
                           _("The catalog bundle cannot be signed with this key."));
      return NULL;
    }
  return g_bytes_new_take (sig, len);
}

static char *
bytes_to_base64 (GBytes *bytes)
{
  gsize len;
  const guchar *data = g_bytes_get_data (bytes, &len);

  return g_base64_encode (data, len);
}

GBytes *
mdg_catalog_bundle_create (const char *catalog_dir,
                           guint64 version,
                           const char *key_path,
                           const char *cert_path,
                           GError **error)
{
  g_autoptr(GHashTable) files = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  g_autoptr(BIO) key_bio = NULL;
  g_autoptr(EVP_PKEY) key = NULL;
  g_autoptr(X509) cert = NULL;
  g_autoptr(JsonBuilder) manifest = json_builder_new ();
  g_autoptr(JsonBuilder) bundle = json_builder_new ();
  g_autoptr(JsonNode) manifest_root = NULL;
  g_autoptr(JsonNode) bundle_root = NULL;
  g_autoptr(GBytes) manifest_bytes = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *manifest_text = NULL;
  g_autofree char *signer = NULL;
  g_autofree char *manifest_b64 = NULL;
  g_autofree char *signature_b64 = NULL;
  char *text;

  if (version == 0)
    {
      bundle_error (error, _("the version must be 1 or more"));
      return NULL;
    }

  key_bio = BIO_new_file (key_path, "r");
  key = key_bio != NULL ? PEM_read_bio_PrivateKey (key_bio, NULL, NULL, NULL) : NULL;
  if (key == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER,
                   _("The signing key “%s” cannot be read."), key_path);
      return NULL;
    }
  cert = mdg_catalog_publisher_load (cert_path, error);
  if (cert == NULL)
    return NULL;
  if (X509_check_private_key (cert, key) != 1)
    {
      g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_SIGNER,
                           _("The signing key does not belong to the publisher certificate."));
      return NULL;
    }

  files = mdg_catalog_read_directory (catalog_dir, error);
  if (files == NULL)
    return NULL;
  {
    GHashTableIter iter;
    gpointer path;

    g_hash_table_iter_init (&iter, files);
    while (g_hash_table_iter_next (&iter, &path, NULL))
      {
        if (!path_is_safe (path))
          {
            bundle_error (error, _("a file name is not allowed in a bundle"));
            return NULL;
          }
        g_ptr_array_add (paths, path);
      }
  }
  g_ptr_array_sort (paths, compare_paths);

  json_builder_begin_object (manifest);
  json_builder_set_member_name (manifest, "kind");
  json_builder_add_string_value (manifest, MANIFEST_KIND);
  json_builder_set_member_name (manifest, "format_version");
  json_builder_add_int_value (manifest, FORMAT_VERSION);
  json_builder_set_member_name (manifest, "version");
  json_builder_add_int_value (manifest, (gint64) version);
  json_builder_set_member_name (manifest, "files");
  json_builder_begin_array (manifest);
  for (guint i = 0; i < paths->len; i++)
    {
      GBytes *bytes = g_hash_table_lookup (files, paths->pdata[i]);
      g_autofree char *hash = mdg_sha256_hex (bytes);
      gsize len = g_bytes_get_size (bytes);

      json_builder_begin_object (manifest);
      json_builder_set_member_name (manifest, "path");
      json_builder_add_string_value (manifest, paths->pdata[i]);
      json_builder_set_member_name (manifest, "size");
      json_builder_add_int_value (manifest, (gint64) len);
      json_builder_set_member_name (manifest, "sha256");
      json_builder_add_string_value (manifest, hash);
      json_builder_end_object (manifest);
    }
  json_builder_end_array (manifest);
  json_builder_end_object (manifest);
  manifest_root = json_builder_get_root (manifest);
  manifest_text = json_to_string (manifest_root, FALSE);
  manifest_bytes = g_bytes_new (manifest_text, strlen (manifest_text));

  signature = sign_bytes (key, manifest_bytes, error);
  if (signature == NULL)
    return NULL;
  signer = certificate_sha256 (cert);
  manifest_b64 = bytes_to_base64 (manifest_bytes);
  signature_b64 = bytes_to_base64 (signature);

  json_builder_begin_object (bundle);
  json_builder_set_member_name (bundle, "kind");
  json_builder_add_string_value (bundle, BUNDLE_KIND);
  json_builder_set_member_name (bundle, "format_version");
  json_builder_add_int_value (bundle, FORMAT_VERSION);
  json_builder_set_member_name (bundle, "manifest");
  json_builder_add_string_value (bundle, manifest_b64);
  json_builder_set_member_name (bundle, "signature");
  json_builder_begin_object (bundle);
  json_builder_set_member_name (bundle, "algorithm");
  json_builder_add_string_value (bundle, digest_for (key) == NULL ? "eddsa" : "sha256");
  json_builder_set_member_name (bundle, "signer_sha256");
  json_builder_add_string_value (bundle, signer);
  json_builder_set_member_name (bundle, "value");
  json_builder_add_string_value (bundle, signature_b64);
  json_builder_end_object (bundle);
  json_builder_set_member_name (bundle, "files");
  json_builder_begin_object (bundle);
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *b64 = bytes_to_base64 (g_hash_table_lookup (files, paths->pdata[i]));

      json_builder_set_member_name (bundle, paths->pdata[i]);
      json_builder_add_string_value (bundle, b64);
    }
  json_builder_end_object (bundle);
  json_builder_end_object (bundle);
  bundle_root = json_builder_get_root (bundle);
  text = json_to_string (bundle_root, TRUE);
  return g_bytes_new_take (text, strlen (text));
}

static GBytes *
base64_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  const char *text;
  guchar *data;
  gsize len;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  text = json_node_get_string (node);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=' && *p != '\n')
        return NULL;
    }
  data = g_base64_decode (text, &len);
  return g_bytes_new_take (data, len);
}

static gboolean
verify_signature (GBytes *manifest,
                  JsonObject *signature,
                  X509 *publisher,
                  GError **error)
{
  g_autoptr(GBytes) value = base64_member (signature, "value");
  g_autofree char *publisher_sha256 = certificate_sha256 (publisher);
  g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  EVP_PKEY *key = X509_get0_pubkey (publisher);
  const guchar *data, *sig;
  gsize data_len, sig_len;

  if (value == NULL || g_bytes_get_size (value) == 0)
    return bundle_error (error, _("it is not signed"));
  if (g_strcmp0 (mdg_json_string_member (signature, "signer_sha256", ""),
                 publisher_sha256) != 0)
    return bundle_error (error, _("it is signed by another publisher"));

  data = g_bytes_get_data (manifest, &data_len);
  sig = g_bytes_get_data (value, &sig_len);
  if (key == NULL || ctx == NULL
      || EVP_DigestVerifyInit (ctx, NULL, digest_for (key), NULL, key) != 1
      || EVP_DigestVerify (ctx, sig, sig_len, data, data_len) != 1)
    return bundle_error (error, _("its signature does not verify"));
  return TRUE;
}

MdgCatalogBundle *
mdg_catalog_bundle_verify (GBytes *data,
                           X509 *publisher,
                           GError **error)
{
  g_autoptr(MdgCatalogBundle) self = g_object_new (MDG_TYPE_CATALOG_BUNDLE, NULL);
  g_autoptr(JsonNode) outer = NULL;
  g_autoptr(JsonNode) inner = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GError) parse_error = NULL;
  JsonObject *bundle, *signature, *files, *m;
  JsonArray *entries;
  gsize len;
  const char *text = g_bytes_get_data (data, &len);

  g_return_val_if_fail (publisher != NULL, NULL);

  outer = mdg_jcs_parse (text, len, &parse_error);
  if (outer == NULL || !JSON_NODE_HOLDS_OBJECT (outer))
    {
      bundle_error (error, _("it is not a bundle file"));
      return NULL;
    }
  bundle = json_node_get_object (outer);
  if (g_strcmp0 (mdg_json_string_member (bundle, "kind", NULL), BUNDLE_KIND) != 0
      || mdg_json_int_member (bundle, "format_version", 0) != FORMAT_VERSION)
    {
      bundle_error (error, _("it is not a bundle file of a known format"));
      return NULL;
    }
  manifest = base64_member (bundle, "manifest");
  signature = json_object_has_member (bundle, "signature")
                && JSON_NODE_HOLDS_OBJECT (json_object_get_member (bundle, "signature"))
                ? mdg_json_object_member (bundle, "signature") : NULL;
  if (manifest == NULL)
    {
      bundle_error (error, _("it has no manifest"));
      return NULL;
    }
  if (signature == NULL)
    {
      bundle_error (error, _("it is not signed"));
      return NULL;
    }
  if (!verify_signature (manifest, signature, publisher, error))
    return NULL;

  /* From here on the manifest is the publisher's. */
  inner = mdg_jcs_parse (g_bytes_get_data (manifest, NULL), g_bytes_get_size (manifest), &parse_error);
  if (inner == NULL || !JSON_NODE_HOLDS_OBJECT (inner))
    {
      bundle_error (error, _("its manifest is malformed"));
      return NULL;
    }
  m = json_node_get_object (inner);
  if (g_strcmp0 (mdg_json_string_member (m, "kind", NULL), MANIFEST_KIND) != 0
      || mdg_json_int_member (m, "version", 0) < 1
      || !json_object_has_member (m, "files"))
    {
      bundle_error (error, _("its manifest is malformed"));
      return NULL;
    }
  self->version = (guint64) mdg_json_int_member (m, "version", 0);
  entries = mdg_json_array_member (m, "files");
  files = json_object_has_member (bundle, "files")
            && JSON_NODE_HOLDS_OBJECT (json_object_get_member (bundle, "files"))
            ? mdg_json_object_member (bundle, "files") : NULL;
  if (entries == NULL || files == NULL || json_object_get_size (files) != json_array_get_length (entries))
    {
      bundle_error (error, _("its files differ from its manifest"));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = mdg_json_array_object (entries, i);
      const char *path = entry != NULL ? mdg_json_string_member (entry, "path", NULL) : NULL;
      const char *sha256 = entry != NULL ? mdg_json_string_member (entry, "sha256", NULL) : NULL;
      g_autoptr(GBytes) content = NULL;
      g_autofree char *actual = NULL;

      if (!path_is_safe (path) || sha256 == NULL || g_hash_table_contains (self->files, path))
        {
          bundle_error (error, _("its manifest is malformed"));
          return NULL;
        }
      content = base64_member (files, path);
      if (content == NULL)
        {
          bundle_error (error, _("its files differ from its manifest"));
          return NULL;
        }
      actual = mdg_sha256_hex (content);
      if (g_ascii_strcasecmp (actual, sha256) != 0)
        {
          bundle_error (error, _("a file was changed after signing"));
          return NULL;
        }
      g_hash_table_insert (self->files, g_strdup (path), g_steal_pointer (&content));
    }
  self->data = g_bytes_ref (data);
  return g_steal_pointer (&self);
}

guint64
mdg_catalog_bundle_get_version (MdgCatalogBundle *self)
{
  g_return_val_if_fail (MDG_IS_CATALOG_BUNDLE (self), 0);
  return self->version;
}

GHashTable *
mdg_catalog_bundle_get_files (MdgCatalogBundle *self)
{
  g_return_val_if_fail (MDG_IS_CATALOG_BUNDLE (self), NULL);
  return self->files;
}

GBytes *
mdg_catalog_bundle_get_data (MdgCatalogBundle *self)
{
  g_return_val_if_fail (MDG_IS_CATALOG_BUNDLE (self), NULL);
  return self->data;
}

MdgCatalog *
mdg_catalog_bundle_load (MdgCatalogBundle *self,
                         GError **error)
{
  g_return_val_if_fail (MDG_IS_CATALOG_BUNDLE (self), NULL);
  return mdg_catalog_new_from_files (self->files, self->version, error);
}

static MdgCatalogBundle *
verify_file (const char *path,
             X509 *publisher,
             GError **error)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  g_autoptr(GBytes) bytes = NULL;

  if (file == NULL)
    return NULL;
  bytes = g_mapped_file_get_bytes (file);
  return mdg_catalog_bundle_verify (bytes, publisher, error);
}

static gboolean
io_error (GError **error,
          const char *path,
          int saved_errno)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot write “%s”: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_atomically (const char *dir,
                  GBytes *data,
                  GError **error)
{
  g_autofree char *target = g_build_filename (dir, MDG_CATALOG_BUNDLE_FILE, NULL);
  g_autofree char *temp = g_build_filename (dir, "." MDG_CATALOG_BUNDLE_FILE ".XXXXXX", NULL);
  const guchar *p;
  gsize left;
  int fd, dir_fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    return io_error (error, dir, errno);
  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return io_error (error, temp, errno);

  p = g_bytes_get_data (data, &left);
  while (left > 0)
    {
      gssize n = write (fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          close (fd);
          g_unlink (temp);
          return io_error (error, temp, saved);
        }
      p += n;
      left -= (gsize) n;
    }
  if (fsync (fd) != 0 || close (fd) != 0)
    {
      int saved = errno;

      g_unlink (temp);
      return io_error (error, temp, saved);
    }
  if (g_rename (temp, target) != 0)
    {
      int saved = errno;

      g_unlink (temp);
      return io_error (error, target, saved);
    }
  /* The rename itself must survive a power cut. */
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;
}

MdgCatalogBundle *
mdg_catalog_bundle_install (const char *store_dir,
                            GBytes *data,
                            X509 *publisher,
                            GError **error)
{
  g_autoptr(MdgCatalogBundle) incoming = NULL;
  g_autoptr(MdgCatalogBundle) installed = NULL;
  g_autoptr(MdgCatalog) catalog = NULL;
  g_autofree char *current = g_build_filename (store_dir, MDG_CATALOG_BUNDLE_FILE, NULL);

  incoming = mdg_catalog_bundle_verify (data, publisher, error);
  if (incoming == NULL)
    return NULL;
  /* A signed bundle whose catalog does not load is refused too. */
  catalog = mdg_catalog_bundle_load (incoming, error);
  if (catalog == NULL)
    return NULL;

  installed = verify_file (current, publisher, NULL);
  if (installed != NULL)
    {
      if (installed->version == incoming->version && g_bytes_equal (installed->data, data))
        return g_steal_pointer (&installed);
      if (incoming->version <= installed->version)
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_BUNDLE_OLDER,
                       _("The catalog bundle is refused: version %llu is not newer than the "
                         "installed version %llu."),
                       (unsigned long long) incoming->version,
                       (unsigned long long) installed->version);
          return NULL;
        }
    }
  if (!write_atomically (store_dir, data, error))
    return NULL;
  return g_steal_pointer (&incoming);
}

MdgCatalogBundle *
mdg_catalog_bundle_open_current (const char *store_dir,
                                 const char *shipped_path,
                                 X509 *publisher,
                                 GError **error)
{
  g_autoptr(MdgCatalogBundle) installed = NULL;
  g_autoptr(MdgCatalogBundle) shipped = NULL;
  g_autoptr(GError) shipped_error = NULL;

  if (store_dir != NULL)
    {
      g_autofree char *path = g_build_filename (store_dir, MDG_CATALOG_BUNDLE_FILE, NULL);

      installed = verify_file (path, publisher, NULL);
    }
  if (shipped_path != NULL)
    shipped = verify_file (shipped_path, publisher, &shipped_error);

  if (installed != NULL && (shipped == NULL || installed->version >= shipped->version))
    return g_steal_pointer (&installed);
  if (shipped != NULL)
    return g_steal_pointer (&shipped);
  if (shipped_error != NULL)
    g_propagate_error (error, g_steal_pointer (&shipped_error));
  else
    bundle_error (error, _("no catalog is installed"));
  return NULL;
}
