/* mdg-envelope.c: document, signature and attachments in one ZIP
 *
 * A ZIP so that a municipality can open it with any tool; a manifest so
 * that it can check every part with sha256sum. The manifest is an index,
 * not a trust anchor: what binds the attachments is their SHA-256 inside
 * the signed document. Attachments are never held in memory: libzip copies
 * them from disk at zip_close, and they are hashed 64 KiB at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <zip.h>

#include "mdg-app-error.h"
#include "mdg-application.h"
#include "mdg-envelope.h"
#include "mdg-jcs.h"

#define CHUNK (64 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)

static void
hex_digest (EVP_MD_CTX *ctx,
            char out[65])
{
  guint8 md[32];

  g_assert (EVP_DigestFinal_ex (ctx, md, NULL) == 1);
  for (int i = 0; i < 32; i++)
    g_snprintf (out + 2 * i, 3, "%02x", md[i]);
}

static gboolean
envelope_error (GError **error,
                const char *message)
{
  g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE, message);
  return FALSE;
}

MdgEnvelopeFile *
mdg_envelope_file_new (const char *path,
                       const char *name,
                       const char *media_type,
                       GError **error)
{
  g_autoptr(MdgEnvelopeFile) file = g_new0 (MdgEnvelopeFile, 1);
  g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  g_autofree guint8 *buf = g_malloc (CHUNK);
  FILE *f = g_fopen (path, "rb");
  size_t n;

  if (f == NULL)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot open “%s”: %s"), display, g_strerror (saved));
      return NULL;
    }
  g_assert (EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) == 1);
  while ((n = fread (buf, 1, CHUNK, f)) > 0)
    {
      EVP_DigestUpdate (ctx, buf, n);
      file->size += (gint64) n;
    }
  if (ferror (f))
    {
      g_autofree char *display = g_filename_display_name (path);

      fclose (f);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, _("Cannot read “%s”."), display);
      return NULL;
    }
  fclose (f);
  hex_digest (ctx, file->sha256);
  file->path = g_strdup (path);
  file->name = g_strdup (name);
  file->media_type = g_strdup (media_type);
  return g_steal_pointer (&file);
}

void
mdg_envelope_file_free (MdgEnvelopeFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_free (file->name);
  g_free (file->media_type);
  g_free (file);
}

/* A member name is relative, "/"-separated, UTF-8, without empty, "." or
 * ".." components, backslashes or control characters. */
static gboolean
part_name_is_safe (const char *name)
{
  g_auto(GStrv) components = NULL;

  if (name == NULL || *name == '\0' || strlen (name) > 255 || !g_utf8_validate (name, -1, NULL)
      || name[0] == '/' || strchr (name, '\\') != NULL || strchr (name, ':') != NULL)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  components = g_strsplit (name, "/", -1);
  for (guint i = 0; components[i] != NULL; i++)
    if (*components[i] == '\0' || strcmp (components[i], ".") == 0 || strcmp (components[i], "..") == 0)
      return FALSE;
  return TRUE;
}

/* attachments/<n>-<name>, with the name reduced to one safe component. */
static char *
attachment_part_name (guint index,
                      const char *name)
{
  g_autofree char *base = g_path_get_basename (name != NULL ? name : "attachment");
  GString *safe = g_string_new (NULL);

  for (const char *p = base; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == ':')
        g_string_append_c (safe, '_');
      else
        g_string_append_unichar (safe, c);
    }
  if (safe->len == 0 || safe->str[0] == '.')
    g_string_prepend_c (safe, '_');
  if (safe->len > 200)
    g_string_truncate (safe, 200);  /* may cut a character: revalidated below */
  while (!g_utf8_validate (safe->str, safe->len, NULL))
    g_string_truncate (safe, safe->len - 1);
  {
    g_autofree char *component = g_string_free (safe, FALSE);

    return g_strdup_printf ("attachments/%u-%s", index + 1, component);
  }
}

static void
add_part (JsonBuilder *b,
          const char *path,
          const char *role,
          const char *media_type,
          gint64 size,
          const char *sha256)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, role);
  json_builder_set_member_name (b, "media_type");
  json_builder_add_string_value (b, media_type);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, size);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha256);
  json_builder_end_object (b);
}

static gboolean
zip_failed (zip_t *za,
            GError **error)
{
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
               _("The envelope could not be written: %s"), zip_strerror (za));
  return FALSE;
}

static gboolean
add_buffer (zip_t *za,
            const char *name,
            GBytes *data,
            GError **error)
{
  zip_source_t *src = zip_source_buffer (za, g_bytes_get_data (data, NULL), g_bytes_get_size (data), 0);
  zip_int64_t idx;

  if (src == NULL)
    return zip_failed (za, error);
  idx = zip_file_add (za, name, src, ZIP_FL_ENC_UTF_8);
  if (idx < 0)
    {
      zip_source_free (src);
      return zip_failed (za, error);
    }
  return TRUE;
}

gboolean
mdg_envelope_write (const char *out_path,
                    GBytes *document,
                    GBytes *cms,
                    GPtrArray *files,
                    GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) manifest = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *doc_sha = mdg_sha256_hex (document);
  g_autofree char *cms_sha = mdg_sha256_hex (cms);
  zip_t *za;
  int zerr = 0;

  g_return_val_if_fail (out_path != NULL && document != NULL && cms != NULL, FALSE);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, MDG_ENVELOPE_FORMAT);
  json_builder_set_member_name (b, "format_version");
  json_builder_add_int_value (b, MDG_ENVELOPE_FORMAT_VERSION);
  json_builder_set_member_name (b, "parts");
  json_builder_begin_array (b);
  add_part (b, MDG_ENVELOPE_DOCUMENT, "document", "application/json",
            (gint64) g_bytes_get_size (document), doc_sha);
  add_part (b, MDG_ENVELOPE_SIGNATURE, "signature", "application/pkcs7-signature",
            (gint64) g_bytes_get_size (cms), cms_sha);
  for (guint i = 0; files != NULL && i < files->len; i++)
    {
      MdgEnvelopeFile *f = files->pdata[i];
      char *name = attachment_part_name (i, f->name);

      g_ptr_array_add (names, name);
      add_part (b, name, "attachment", f->media_type, f->size, f->sha256);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  manifest = mdg_jcs_serialize (root, error);
  if (manifest == NULL)
    return FALSE;

  /* libzip writes to a temporary file beside out_path and renames it. */
  za = zip_open (out_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (za == NULL)
    {
      zip_error_t ze;
      g_autofree char *display = g_filename_display_name (out_path);

      zip_error_init_with_code (&ze, zerr);
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                   _("Cannot create “%s”: %s"), display, zip_error_strerror (&ze));
      zip_error_fini (&ze);
      return FALSE;
    }
  if (!add_buffer (za, MDG_ENVELOPE_MANIFEST, manifest, error)
      || !add_buffer (za, MDG_ENVELOPE_DOCUMENT, document, error)
      || !add_buffer (za, MDG_ENVELOPE_SIGNATURE, cms, error))
    goto fail;
  for (guint i = 0; files != NULL && i < files->len; i++)
    {
      MdgEnvelopeFile *f = files->pdata[i];
      zip_source_t *src = zip_source_file (za, f->path, 0, f->size);
      zip_int64_t idx;

      if (src == NULL)
        {
          zip_failed (za, error);
          goto fail;
        }
      idx = zip_file_add (za, names->pdata[i], src, ZIP_FL_ENC_UTF_8);
      if (idx < 0)
        {
          zip_source_free (src);
          zip_failed (za, error);
          goto fail;
        }
      /* Attachments are PDFs and images, already compressed. */
      zip_set_file_compression (za, (zip_uint64_t) idx, ZIP_CM_STORE, 0);
    }
  if (zip_close (za) < 0)
    {
      zip_failed (za, error);
      goto fail;
    }
  return TRUE;

fail:
  zip_discard (za);
  return FALSE;
}

struct _MdgEnvelope
{
  GObject    parent_instance;
  char      *path;
  zip_t     *za;
  JsonNode  *manifest;
  GBytes    *document;
  GBytes    *signature;
};

G_DEFINE_FINAL_TYPE (MdgEnvelope, mdg_envelope, G_TYPE_OBJECT)

static void
mdg_envelope_finalize (GObject *object)
{
  MdgEnvelope *self = MDG_ENVELOPE (object);

  if (self->za != NULL)
    zip_discard (self->za);
  g_free (self->path);
  g_clear_pointer (&self->manifest, json_node_unref);
  g_clear_pointer (&self->document, g_bytes_unref);
  g_clear_pointer (&self->signature, g_bytes_unref);
  G_OBJECT_CLASS (mdg_envelope_parent_class)->finalize (object);
}

static void
mdg_envelope_class_init (MdgEnvelopeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_envelope_finalize;
}

static void
mdg_envelope_init (MdgEnvelope *self)
{
}

/* Reads member @name whole, refusing more than @limit bytes whatever the
 * central directory claims. */
static GBytes *
read_member (zip_t *za,
             const char *name,
             gsize limit,
             GError **error)
{
  zip_int64_t idx = zip_name_locate (za, name, 0);
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autofree guint8 *buf = g_malloc (CHUNK);
  zip_file_t *zf;
  zip_int64_t n;

  if (idx < 0 || (zf = zip_fopen_index (za, (zip_uint64_t) idx, 0)) == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                   _("The envelope has no readable “%s”."), name);
      return NULL;
    }
  while ((n = zip_fread (zf, buf, CHUNK)) > 0)
    {
      if (data->len + (gsize) n > limit)
        {
          zip_fclose (zf);
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                       _("“%s” in the envelope is larger than %zu bytes."), name, limit);
          return NULL;
        }
      g_byte_array_append (data, buf, (guint) n);
    }
  zip_fclose (zf);
  if (n < 0)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                   _("“%s” in the envelope is damaged."), name);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static gboolean
is_sha256_hex (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (int i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

static gboolean
check_manifest (MdgEnvelope *self,
                GError **error)
{
  JsonObject *root = JSON_NODE_HOLDS_OBJECT (self->manifest) ? json_node_get_object (self->manifest) : NULL;
  JsonNode *parts_node = root ? json_object_get_member (root, "parts") : NULL;
  JsonArray *parts;
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  guint documents = 0, signatures = 0;
  zip_int64_t entries;

  if (root == NULL
      || g_strcmp0 (json_object_get_string_member_with_default (root, "format", NULL), MDG_ENVELOPE_FORMAT) != 0
      || json_object_get_int_member_with_default (root, "format_version", 0) != MDG_ENVELOPE_FORMAT_VERSION
      || parts_node == NULL || !JSON_NODE_HOLDS_ARRAY (parts_node))
    return envelope_error (error, _("The envelope's manifest is not a Madoguchi envelope manifest of version 1."));
  parts = json_node_get_array (parts_node);
  if (json_array_get_length (parts) > MDG_ENVELOPE_MAX_PARTS)
    return envelope_error (error, _("The envelope's manifest lists too many parts."));

  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *node = json_array_get_element (parts, i);
      JsonObject *part = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *path, *role, *media_type, *sha;
      JsonNode *size;

      if (part == NULL)
        return envelope_error (error, _("A part of the envelope's manifest is not an object."));
      path = json_object_get_string_member_with_default (part, "path", NULL);
      role = json_object_get_string_member_with_default (part, "role", NULL);
      media_type = json_object_get_string_member_with_default (part, "media_type", NULL);
      sha = json_object_get_string_member_with_default (part, "sha256", NULL);
      size = json_object_get_member (part, "size");
      if (!part_name_is_safe (path) || strcmp (path, MDG_ENVELOPE_MANIFEST) == 0)
        return envelope_error (error, _("The envelope's manifest names an unsafe part (an absolute path or “..”)."));
      if (role == NULL || media_type == NULL || !is_sha256_hex (sha) || size == NULL
          || json_node_get_value_type (size) != G_TYPE_INT64 || json_node_get_int (size) < 0)
        return envelope_error (error, _("A part of the envelope's manifest lacks its role, media type, size or SHA-256."));
      if (!g_hash_table_add (listed, (gpointer) path))
        return envelope_error (error, _("The envelope's manifest lists a part twice."));
      if (strcmp (role, "document") == 0 && strcmp (path, MDG_ENVELOPE_DOCUMENT) == 0)
        documents++;
      else if (strcmp (role, "signature") == 0 && strcmp (path, MDG_ENVELOPE_SIGNATURE) == 0)
        signatures++;
      else if (strcmp (role, "attachment") != 0 || !g_str_has_prefix (path, "attachments/"))
        return envelope_error (error, _("The envelope's manifest has a part with an unknown role or place."));
    }
  if (documents != 1 || signatures != 1)
    return envelope_error (error, _("The envelope must hold exactly one document and one signature."));

  /* Every member is listed, once; every listed part is a member. */
  entries = zip_get_num_entries (self->za, 0);
  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (zip_int64_t i = 0; i < entries; i++)
      {
        const char *name = zip_get_name (self->za, (zip_uint64_t) i, ZIP_FL_ENC_RAW);

        if (!part_name_is_safe (name))
          return envelope_error (error, _("The envelope holds a member with an unsafe name (an absolute path or “..”)."));
        if (!g_hash_table_add (seen, (gpointer) name))
          return envelope_error (error, _("The envelope holds two members with the same name."));
        if (strcmp (name, MDG_ENVELOPE_MANIFEST) != 0 && !g_hash_table_contains (listed, name))
          return envelope_error (error, _("The envelope holds parts its manifest does not list, or lacks listed parts."));
      }
  }
  if (entries != (zip_int64_t) json_array_get_length (parts) + 1)
    return envelope_error (error, _("The envelope holds parts its manifest does not list, or lacks listed parts."));
  return TRUE;
}

MdgEnvelope *
mdg_envelope_open (const char *path,
                   GError **error)
{
  g_autoptr(MdgEnvelope) self = g_object_new (MDG_TYPE_ENVELOPE, NULL);
  g_autoptr(GBytes) manifest = NULL;
  int zerr = 0;

  g_return_val_if_fail (path != NULL, NULL);

  self->path = g_strdup (path);
  self->za = zip_open (path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
  if (self->za == NULL)
    {
      zip_error_t ze;
      g_autofree char *display = g_filename_display_name (path);

      zip_error_init_with_code (&ze, zerr);
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                   _("“%s” is not a readable envelope: %s"), display, zip_error_strerror (&ze));
      zip_error_fini (&ze);
      return NULL;
    }
  manifest = read_member (self->za, MDG_ENVELOPE_MANIFEST, MDG_ENVELOPE_MAX_MANIFEST, error);
  if (manifest == NULL)
    return NULL;
  self->manifest = mdg_jcs_parse (g_bytes_get_data (manifest, NULL), (gssize) g_bytes_get_size (manifest), error);
  if (self->manifest == NULL || !check_manifest (self, error))
    return NULL;
  self->document = read_member (self->za, MDG_ENVELOPE_DOCUMENT, MDG_ENVELOPE_MAX_DOCUMENT, error);
  if (self->document == NULL)
    return NULL;
  self->signature = read_member (self->za, MDG_ENVELOPE_SIGNATURE, MDG_ENVELOPE_MAX_SIGNATURE, error);
  if (self->signature == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

GBytes *
mdg_envelope_get_document (MdgEnvelope *self)
{
  g_return_val_if_fail (MDG_IS_ENVELOPE (self), NULL);
  return self->document;
}

GBytes *
mdg_envelope_get_signature (MdgEnvelope *self)
{
  g_return_val_if_fail (MDG_IS_ENVELOPE (self), NULL);
  return self->signature;
}

JsonArray *
mdg_envelope_get_parts (MdgEnvelope *self)
{
  g_return_val_if_fail (MDG_IS_ENVELOPE (self), NULL);
  return json_object_get_array_member (json_node_get_object (self->manifest), "parts");
}

/* Streams member @name through SHA-256 and, when @out is not NULL, into
 * @out. */
static gboolean
stream_member (MdgEnvelope *self,
               const char *name,
               FILE *out,
               gint64 *size_out,
               char sha256_out[65],
               GError **error)
{
  g_autoptr(EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  g_autofree guint8 *buf = g_malloc (CHUNK);
  zip_int64_t idx = zip_name_locate (self->za, name, 0);
  zip_file_t *zf = idx >= 0 ? zip_fopen_index (self->za, (zip_uint64_t) idx, 0) : NULL;
  zip_int64_t n;
  gint64 size = 0;

  if (zf == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                   _("The envelope has no readable “%s”."), name);
      return FALSE;
    }
  g_assert (EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL) == 1);
  while ((n = zip_fread (zf, buf, CHUNK)) > 0)
    {
      EVP_DigestUpdate (ctx, buf, (size_t) n);
      size += n;
      if (out != NULL && fwrite (buf, 1, (size_t) n, out) != (size_t) n)
        {
          zip_fclose (zf);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, _("Cannot write “%s”."), name);
          return FALSE;
        }
    }
  zip_fclose (zf);
  /* libzip checks the CRC at the end: a damaged member fails here. */
  if (n < 0)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_ENVELOPE,
                   _("“%s” in the envelope is damaged."), name);
      return FALSE;
    }
  if (size_out != NULL)
    *size_out = size;
  if (sha256_out != NULL)
    hex_digest (ctx, sha256_out);
  return TRUE;
}

MdgVerifyReport *
mdg_envelope_verify (MdgEnvelope *self,
                     MdgTrustStore *trust,
                     GDateTime *now,
                     GError **error)
{
  g_autoptr(GHashTable) digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(MdgApplication) doc = NULL;
  g_autofree char *mismatch = NULL;
  JsonArray *parts;
  guint attachments = 0;
  MdgVerifyReport *report;

  g_return_val_if_fail (MDG_IS_ENVELOPE (self), NULL);

  parts = mdg_envelope_get_parts (self);
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);
      const char *path = json_object_get_string_member (part, "path");
      gint64 size = 0;
      char sha[65];

      if (!stream_member (self, path, NULL, &size, sha, error))
        return NULL;
      if (mismatch == NULL && (size != json_object_get_int_member (part, "size")
                               || strcmp (sha, json_object_get_string_member (part, "sha256")) != 0))
        mismatch = g_strdup (path);
      if (strcmp (json_object_get_string_member (part, "role"), "attachment") == 0)
        {
          g_hash_table_insert (digests, g_strdup (sha), g_memdup2 (&size, sizeof size));
          attachments++;
        }
    }

  report = mdg_verify_application_digests (trust, self->document, self->signature, digests, now, error);
  if (report == NULL)
    return NULL;

  /* The document must list exactly the attachments that travel with it. */
  doc = mdg_application_new_from_data (g_bytes_get_data (self->document, NULL),
                                       (gssize) g_bytes_get_size (self->document), NULL);
  if (mismatch != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Part “%s” does not match the SHA-256 or size in the manifest."),
                                                  mismatch);

      mdg_verify_report_add_check (report, "envelope", MDG_CHECK_FAIL, MDG_APP_ERROR_VERIFY, message);
    }
  else if (doc == NULL || json_array_get_length (mdg_application_get_attachments (doc)) != attachments
           || g_hash_table_size (digests) != attachments)
    mdg_verify_report_add_check (report, "envelope", MDG_CHECK_FAIL, MDG_APP_ERROR_VERIFY,
                                 _("The envelope's attachments are not exactly those the signed document lists."));
  else
    mdg_verify_report_add_check (report, "envelope", MDG_CHECK_PASS, 0,
                                 _("Every part of the envelope matches its manifest entry."));
  return report;
}

gboolean
mdg_envelope_extract (MdgEnvelope *self,
                      const char *part,
                      const char *out_path,
                      GError **error)
{
  FILE *out;
  gboolean ok;

  g_return_val_if_fail (MDG_IS_ENVELOPE (self), FALSE);

  out = g_fopen (out_path, "wb");
  if (out == NULL)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (out_path);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create “%s”: %s"), display, g_strerror (saved));
      return FALSE;
    }
  ok = stream_member (self, part, out, NULL, NULL, error);
  if (fclose (out) != 0 && ok)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, _("Cannot write “%s”."), part);
      ok = FALSE;
    }
  return ok;
}
