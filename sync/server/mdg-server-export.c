/* mdg-server-export.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <zip.h>

#include "mdg-server-audit.h"
#include "mdg-server-db-private.h"
#include "mdg-server-export.h"
#include "mdg-server-staff.h"
#include "mdg-server-uploads.h"

typedef struct
{
  zip_t     *za;
  GPtrArray *keep;   /* buffers libzip reads at zip_close */
  GPtrArray *temps;  /* private copies of legacy envelopes */
} Bundle;

static gboolean
zip_failed (zip_t *za,
            GError **error)
{
  g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_FAILED,
               _("The export could not be written: %s"), zip_strerror (za));
  return FALSE;
}

static gboolean
add_source (Bundle *b,
            const char *name,
            zip_source_t *src,
            gboolean store,
            GError **error)
{
  zip_int64_t idx;

  if (src == NULL)
    return zip_failed (b->za, error);
  idx = zip_file_add (b->za, name, src, ZIP_FL_ENC_UTF_8);
  if (idx < 0)
    {
      zip_source_free (src);
      return zip_failed (b->za, error);
    }
  /* Envelopes are ZIPs already. */
  if (store)
    zip_set_file_compression (b->za, (zip_uint64_t) idx, ZIP_CM_STORE, 0);
  return TRUE;
}

static gboolean
add_bytes (Bundle *b,
           const char *name,
           GBytes *bytes,
           GError **error)
{
  g_ptr_array_add (b->keep, g_bytes_ref (bytes));
  return add_source (b, name, zip_source_buffer (b->za, g_bytes_get_data (bytes, NULL),
                                                 g_bytes_get_size (bytes), 0), FALSE, error);
}

static gboolean
add_submission (Bundle *b,
                MdgServerDb *db,
                MdgServerConfig *config,
                MdgServerSubmission *sub,
                JsonArray *index,
                GError **error)
{
  g_autofree char *env_name = g_strconcat (sub->uuid, "/envelope.zip", NULL);
  g_autofree char *receipt_name = g_strconcat (sub->uuid, "/receipt.json", NULL);
  g_autofree char *path = NULL;
  g_autofree char *sha256 = NULL;
  JsonObject *entry;
  gboolean temporary = FALSE;

  path = mdg_server_staff_envelope_path (db, config, sub->uuid, &temporary, error);
  if (path == NULL)
    return FALSE;
  if (temporary)
    g_ptr_array_add (b->temps, g_strdup (path));
  /* What goes out is what the receipt names. */
  sha256 = mdg_server_file_sha256 (path, NULL, error);
  if (sha256 == NULL)
    return FALSE;
  if (!g_str_equal (sha256, sub->sha256))
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_TAMPERED,
                   _("The stored envelope of “%s” no longer matches its receipt."), sub->uuid);
      return FALSE;
    }
  if (!add_source (b, env_name, zip_source_file (b->za, path, 0, -1), TRUE, error)
      || !add_bytes (b, receipt_name, sub->receipt, error))
    return FALSE;
  entry = json_object_new ();
  json_object_set_string_member (entry, "uuid", sub->uuid);
  json_object_set_string_member (entry, "receipt_number", sub->receipt_number);
  json_object_set_string_member (entry, "received", sub->received);
  json_object_set_string_member (entry, "status", sub->status);
  json_object_set_string_member (entry, "envelope_sha256", sub->sha256);
  json_object_set_string_member (entry, "resident", sub->resident);
  json_array_add_object_element (index, entry);
  return TRUE;
}

/* The kept submissions in @statuses, oldest first. */
static GPtrArray *
select_submissions (MdgServerDb *db,
                    const char * const *statuses,
                    GError **error)
{
  sqlite3_stmt *stmt = mdg_server_db_prepare (db, "SELECT uuid, status FROM submissions"
                                                  " WHERE purged IS NULL ORDER BY seq", error);
  g_autoptr(GPtrArray) subs = g_ptr_array_new_with_free_func ((GDestroyNotify) mdg_server_submission_free);
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (g_strv_contains (statuses, (const char *) sqlite3_column_text (stmt, 1)))
      g_ptr_array_add (uuids, mdg_server_db_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      mdg_server_db_error (db, error);
      return NULL;
    }
  for (guint i = 0; i < uuids->len; i++)
    {
      MdgServerSubmission *sub = mdg_server_db_get_submission (db, uuids->pdata[i], error);

      if (sub == NULL)
        return NULL;
      g_ptr_array_add (subs, sub);
    }
  return g_steal_pointer (&subs);
}

static gboolean
mark_exported (MdgServerDb *db,
               const char *staff,
               GPtrArray *subs,
               const char *bundle_sha256,
               GError **error)
{
  g_autofree char *now = mdg_server_now_iso (g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *detail = g_strconcat ("bundle-sha256=", bundle_sha256, NULL);
  gboolean ok = TRUE;

  if (!mdg_server_db_begin (db, error))
    return FALSE;
  for (guint i = 0; ok && i < subs->len; i++)
    {
      MdgServerSubmission *sub = subs->pdata[i];
      sqlite3_stmt *stmt = mdg_server_db_prepare (db, "UPDATE submissions SET exported = ?, exported_by = ?"
                                                      " WHERE uuid = ?", error);

      ok = stmt != NULL;
      if (ok)
        {
          mdg_server_db_bind_text (stmt, 1, now);
          mdg_server_db_bind_text (stmt, 2, staff);
          mdg_server_db_bind_text (stmt, 3, sub->uuid);
          ok = mdg_server_db_run (db, stmt, error)
               && mdg_server_audit_append (db, staff, "export", sub->uuid, detail, error);
        }
    }
  return mdg_server_db_end (db, ok, error);
}

gboolean
mdg_server_export (MdgServerDb *db,
                   MdgServerConfig *config,
                   const char *staff,
                   const char * const *statuses,
                   const char *out_path,
                   guint *n_exported,
                   GError **error)
{
  g_autoptr(GPtrArray) subs = select_submissions (db, statuses, error);
  g_autoptr(JsonArray) index = json_array_new ();
  g_autoptr(JsonNode) index_node = NULL;
  g_autoptr(GBytes) index_bytes = NULL;
  g_autofree char *bundle_sha256 = NULL;
  Bundle b = { 0 };
  gboolean ok;
  int zerr = 0;

  if (subs == NULL)
    return FALSE;
  b.za = zip_open (out_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (b.za == NULL)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_FAILED,
                   _("The export file cannot be created (libzip error %d)."), zerr);
      return FALSE;
    }
  b.keep = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  b.temps = g_ptr_array_new_with_free_func (g_free);
  ok = TRUE;
  for (guint i = 0; ok && i < subs->len; i++)
    ok = add_submission (&b, db, config, subs->pdata[i], index, error);
  if (ok)
    {
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      gsize len;
      char *text;

      index_node = json_node_init_array (json_node_alloc (), json_array_ref (index));
      json_generator_set_pretty (gen, TRUE);
      json_generator_set_root (gen, index_node);
      text = json_generator_to_data (gen, &len);
      index_bytes = g_bytes_new_take (text, len);
      ok = add_bytes (&b, "index.json", index_bytes, error);
    }
  if (ok && zip_close (b.za) < 0)
    ok = zip_failed (b.za, error);
  if (!ok)
    zip_discard (b.za);
  else
    ok = (bundle_sha256 = mdg_server_file_sha256 (out_path, NULL, error)) != NULL
         && g_chmod (out_path, 0600) == 0
         && mark_exported (db, staff, subs, bundle_sha256, error);
  for (guint i = 0; i < b.temps->len; i++)
    g_unlink (b.temps->pdata[i]);
  g_ptr_array_unref (b.temps);
  g_ptr_array_unref (b.keep);
  if (!ok)
    {
      g_unlink (out_path);
      if (error != NULL && *error == NULL)
        g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_FAILED, _("The export failed."));
      return FALSE;
    }
  if (n_exported != NULL)
    *n_exported = subs->len;
  return TRUE;
}
