/* mdg-server-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mdg-server-config.h"

G_DEFINE_QUARK (mdg-server-error-quark, mdg_server_error)

#define SERVER_GROUP "server"

static char *
resolve (const char *base_dir,
         const char *value)
{
  if (g_path_is_absolute (value))
    return g_strdup (value);
  return g_build_filename (base_dir, value, NULL);
}

static char *
get_path (GKeyFile *kf,
          const char *group,
          const char *key,
          const char *base_dir,
          GError **error)
{
  g_autofree char *value = g_key_file_get_string (kf, group, key, NULL);

  if (value == NULL || *value == '\0')
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_CONFIG,
                   _("The configuration has no “%s” in [%s]."), key, group);
      return NULL;
    }
  return resolve (base_dir, value);
}

static gboolean
get_positive_in (GKeyFile *kf,
                 const char *group,
                 const char *key,
              gint64 fallback,
              gint64 *out,
              GError **error)
{
  g_autoptr(GError) local = NULL;
  gint64 value;

  if (!g_key_file_has_key (kf, group, key, NULL))
    {
      *out = fallback;
      return TRUE;
    }
  value = g_key_file_get_int64 (kf, group, key, &local);
  if (local != NULL || value <= 0)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_CONFIG,
                   _("The configuration's “%s” must be a positive number."), key);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
get_positive (GKeyFile *kf,
              const char *key,
              gint64 fallback,
              gint64 *out,
              GError **error)
{
  return get_positive_in (kf, SERVER_GROUP, key, fallback, out, error);
}

/* A directory key, by default @fallback beside the database. */
static char *
get_dir (GKeyFile *kf,
         const char *key,
         const char *base,
         const char *database,
         const char *fallback)
{
  g_autofree char *value = g_key_file_get_string (kf, SERVER_GROUP, key, NULL);
  g_autofree char *db_dir = NULL;

  if (value != NULL && *value != '\0')
    return resolve (base, value);
  db_dir = g_path_get_dirname (database);
  return g_build_filename (db_dir, fallback, NULL);
}

static gboolean
parse_listen (MdgServerConfig *self,
              const char *listen,
              GError **error)
{
  const char *colon = strrchr (listen, ':');
  guint64 port = 0;

  if (colon == NULL || colon == listen
      || !g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXUINT16, &port, NULL))
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_CONFIG,
                   _("The configuration's “listen” must be ADDRESS:PORT."));
      return FALSE;
    }
  self->host = g_strndup (listen, colon - listen);
  self->port = (guint16) port;
  return TRUE;
}

static gboolean
key_file_load (GKeyFile *kf,
               const char *path,
               GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_CONFIG,
                   _("The configuration file cannot be read: %s"), local->message);
      return FALSE;
    }
  return TRUE;
}

MdgServerConfig *
mdg_server_config_load (const char *path,
                        GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(MdgServerConfig) self = g_new0 (MdgServerConfig, 1);
  g_autofree char *base = g_path_get_dirname (path);
  g_autofree char *listen = NULL;

  if (!key_file_load (kf, path, error))
    return NULL;

  listen = g_key_file_get_string (kf, SERVER_GROUP, "listen", NULL);
  if (!parse_listen (self, listen != NULL ? listen : "127.0.0.1:8443", error))
    return NULL;
  self->name = g_key_file_get_string (kf, SERVER_GROUP, "name", NULL);
  if (self->name == NULL)
    self->name = g_strdup (g_get_host_name ());
  if (!(self->database = get_path (kf, SERVER_GROUP, "database", base, error))
      || !(self->tls_certificate = get_path (kf, SERVER_GROUP, "tls_certificate", base, error))
      || !(self->tls_key = get_path (kf, SERVER_GROUP, "tls_key", base, error))
      || !(self->receipt_key = get_path (kf, SERVER_GROUP, "receipt_key", base, error))
      || !get_positive (kf, "challenge_lifetime", 120, &self->challenge_lifetime, error)
      || !get_positive (kf, "token_lifetime", 900, &self->token_lifetime, error)
      || !get_positive (kf, "max_envelope_size", 64 * 1024 * 1024, &self->max_envelope_size, error)
      || !get_positive (kf, "max_chunk_size", 8 * 1024 * 1024, &self->max_chunk_size, error)
      || !get_positive (kf, "max_upload_size", G_GINT64_CONSTANT (4) << 30, &self->max_upload_size, error)
      || !get_positive (kf, "upload_lifetime", 86400, &self->upload_lifetime, error)
      || !get_positive (kf, "io_timeout", 60, &self->io_timeout, error)
      || !get_positive_in (kf, "retention", "purge_after_days", 90, &self->purge_after_days, error))
    return NULL;
  self->upload_dir = get_dir (kf, "upload_dir", base, self->database, "uploads");
  self->envelope_dir = get_dir (kf, "envelope_dir", base, self->database, "envelopes");
  if (g_key_file_has_key (kf, "catalog", "bundle", NULL)
      && !(self->catalog_bundle = get_path (kf, "catalog", "bundle", base, error)))
    return NULL;

  return g_steal_pointer (&self);
}

static MdgTrustStore *
load_trust (GKeyFile *kf,
            const char *group,
            const char *base,
            GError **error)
{
  g_autofree char *mode = g_key_file_get_string (kf, group, "mode", NULL);
  g_autofree char *known = g_key_file_get_string (kf, group, "known_test_roots", NULL);
  g_autoptr(MdgTrustStore) store = NULL;
  g_autofree char *dir = NULL;

  if (g_strcmp0 (mode, "test") == 0)
    {
      dir = get_path (kf, group, "pki_dir", base, error);
      return dir != NULL ? mdg_trust_store_new_test (dir, error) : NULL;
    }
  if (g_strcmp0 (mode, "production") != 0)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_CONFIG,
                   _("The configuration's [%s] mode must be “production” or “test”."), group);
      return NULL;
    }
  dir = get_path (kf, group, "dir", base, error);
  if (dir == NULL || !(store = mdg_trust_store_new_production (dir, error)))
    return NULL;
  if (known != NULL)
    {
      g_autofree char *known_dir = resolve (base, known);

      if (!mdg_trust_store_add_known_test_roots (store, known_dir, error))
        return NULL;
    }
  return g_steal_pointer (&store);
}

gboolean
mdg_server_config_load_trust (MdgServerConfig *self,
                              const char *path,
                              GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *base = g_path_get_dirname (path);

  if (!key_file_load (kf, path, error))
    return FALSE;
  g_clear_object (&self->auth_trust);
  g_clear_object (&self->signing_trust);
  self->auth_trust = load_trust (kf, "auth-trust", base, error);
  if (self->auth_trust == NULL)
    return FALSE;
  self->signing_trust = load_trust (kf, "signing-trust", base, error);
  return self->signing_trust != NULL;
}

void
mdg_server_config_free (MdgServerConfig *self)
{
  if (self == NULL)
    return;
  g_free (self->host);
  g_free (self->name);
  g_free (self->database);
  g_free (self->tls_certificate);
  g_free (self->tls_key);
  g_free (self->receipt_key);
  g_free (self->catalog_bundle);
  g_free (self->upload_dir);
  g_free (self->envelope_dir);
  g_clear_object (&self->auth_trust);
  g_clear_object (&self->signing_trust);
  g_free (self);
}
