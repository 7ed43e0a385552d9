/* mdg-server.c
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
#include <libsoup/soup.h>
#include <openssl/rand.h>

#include "madoguchi-card.h"
#include "mdg-app-error.h"
#include "mdg-envelope.h"
#include "mdg-login-signature.h"
#include "mdg-server-db.h"
#include "mdg-server.h"
#include "mdg-sync-json.h"
#include "mdg-sync-problem.h"
#include "mdg-sync-receipt.h"

#define CHALLENGE_PREFIX "madoguchi-login/1 "
#define RANDOM_BYTES 32

struct _MdgServer
{
  GObject          parent_instance;
  MdgServerConfig *config;
  MdgServerDb     *db;
  EVP_PKEY        *receipt_key;
  SoupServer      *soup;
};

G_DEFINE_FINAL_TYPE (MdgServer, mdg_server, G_TYPE_OBJECT)

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
send_bytes (SoupServerMessage *msg,
            guint status,
            const char *content_type,
            GBytes *body)
{
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, data, len);
}

static void
send_problem (SoupServerMessage *msg,
              MdgSyncProblem problem,
              const char *detail)
{
  g_autoptr(GBytes) body = mdg_sync_problem_to_json (problem, detail);

  if (problem == MDG_SYNC_PROBLEM_UNAUTHORIZED || problem == MDG_SYNC_PROBLEM_TOKEN_EXPIRED)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "WWW-Authenticate", "Bearer");
  send_bytes (msg, mdg_sync_problem_get_status (problem), MDG_SYNC_PROBLEM_MEDIA_TYPE, body);
}

static void
send_json (SoupServerMessage *msg,
           guint status,
           JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GBytes) body = NULL;
  gsize len;
  char *text;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  body = g_bytes_new_take (text, len);
  send_bytes (msg, status, "application/json", body);
}

static void
send_internal (SoupServerMessage *msg,
               GError *error)
{
  g_warning ("Request failed: %s", error != NULL ? error->message : "?");
  send_problem (msg, MDG_SYNC_PROBLEM_INTERNAL, NULL);
}

static gboolean
random_bytes (guchar *buf,
              gsize len)
{
  return RAND_bytes (buf, (int) len) == 1;
}

static GBytes *
request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

static gboolean
require_method (SoupServerMessage *msg,
                const char *method)
{
  if (g_str_equal (soup_server_message_get_method (msg), method))
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", method);
  soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
  return FALSE;
}

/* The resident of the request's bearer token, or NULL after answering. */
static char *
authenticate (MdgServer *self,
              SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  MdgServerTokenState state;
  char *resident = NULL;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0 || header[7] == '\0')
    {
      send_problem (msg, MDG_SYNC_PROBLEM_UNAUTHORIZED, NULL);
      return NULL;
    }
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, header + 7, -1);
  if (!mdg_server_db_lookup_token (self->db, hash, now_seconds (), &state, &resident, &error))
    {
      send_internal (msg, error);
      return NULL;
    }
  if (state == MDG_SERVER_TOKEN_EXPIRED)
    send_problem (msg, MDG_SYNC_PROBLEM_TOKEN_EXPIRED, NULL);
  else if (state != MDG_SERVER_TOKEN_OK)
    send_problem (msg, MDG_SYNC_PROBLEM_UNAUTHORIZED, NULL);
  return resident;
}

static void
handle_challenge (SoupServer *server,
                  SoupServerMessage *msg,
                  const char *path,
                  GHashTable *query,
                  gpointer user_data)
{
  MdgServer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) challenge = NULL;
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *text = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *expires_iso = NULL;
  guchar rnd[RANDOM_BYTES];
  gint64 expires = now_seconds () + self->config->challenge_lifetime;

  if (!require_method (msg, SOUP_METHOD_POST))
    return;
  if (!random_bytes (rnd, sizeof rnd))
    {
      send_internal (msg, NULL);
      return;
    }
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, rnd, sizeof rnd);
  text = g_strconcat (CHALLENGE_PREFIX, hex, NULL);
  challenge = g_bytes_new (text, strlen (text));
  if (!mdg_server_db_add_challenge (self->db, challenge, expires, &error))
    {
      send_internal (msg, error);
      return;
    }
  b64 = g_base64_encode ((const guchar *) text, strlen (text));
  expires_iso = mdg_server_now_iso (expires);
  json_object_set_string_member (obj, "challenge", b64);
  json_object_set_string_member (obj, "expires", expires_iso);
  node = json_node_init_object (json_node_alloc (), obj);
  send_json (msg, SOUP_STATUS_OK, node);
}

/* A base64 member of @obj, or NULL. */
static GBytes *
get_base64 (JsonObject *obj,
            const char *name)
{
  const char *text = mdg_sync_json_get_string (obj, name);
  guchar *data;
  gsize len = 0;

  if (text == NULL || *text == '\0')
    return NULL;
  data = g_base64_decode (text, &len);
  if (len == 0)
    {
      g_free (data);
      return NULL;
    }
  return g_bytes_new_take (data, len);
}

static JsonObject *
parse_object (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (body == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

static MdgSyncProblem
login_problem (const GError *error)
{
  if (error->domain != MDG_APP_ERROR)
    return MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID;
  switch (error->code)
    {
    case MDG_APP_ERROR_UNTRUSTED:
    case MDG_APP_ERROR_WRONG_KEY:
      return MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_UNTRUSTED;
    case MDG_APP_ERROR_EXPIRED:
      return MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_EXPIRED;
    case MDG_APP_ERROR_TEST_ROOT:
      return MDG_SYNC_PROBLEM_LOGIN_TEST_ROOT;
    default:
      return MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID;
    }
}

static void
handle_login (SoupServer *server,
              SoupServerMessage *msg,
              const char *path,
              GHashTable *query,
              gpointer user_data)
{
  MdgServer *self = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) req = NULL;
  g_autoptr(GBytes) challenge = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) cert_der = NULL;
  g_autoptr(MdgCertificate) cert = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *resident = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *expires_iso = NULL;
  MdgServerChallengeState state;
  guchar rnd[RANDOM_BYTES];
  gint64 now = now_seconds ();
  gint64 expires = now + self->config->token_lifetime;

  if (!require_method (msg, SOUP_METHOD_POST))
    return;
  body = request_body (msg);
  req = parse_object (body);
  if (req != NULL)
    {
      challenge = get_base64 (req, "challenge");
      cms = get_base64 (req, "signature");
    }
  if (challenge == NULL || cms == NULL)
    {
      send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST, "challenge and signature are required");
      return;
    }

  /* Consumed before the signature is checked: never a second try. */
  if (!mdg_server_db_consume_challenge (self->db, challenge, now, &state, &error))
    {
      send_internal (msg, error);
      return;
    }
  if (state != MDG_SERVER_CHALLENGE_OK)
    {
      send_problem (msg, state == MDG_SERVER_CHALLENGE_USED ? MDG_SYNC_PROBLEM_CHALLENGE_USED
                         : state == MDG_SERVER_CHALLENGE_EXPIRED ? MDG_SYNC_PROBLEM_CHALLENGE_EXPIRED
                         : MDG_SYNC_PROBLEM_CHALLENGE_UNKNOWN, NULL);
      return;
    }

  cert_der = mdg_login_signature_verify (self->config->auth_trust, challenge, cms, NULL, &error);
  if (cert_der == NULL)
    {
      send_problem (msg, login_problem (error), error->message);
      return;
    }
  cert = mdg_certificate_new_from_der (cert_der, &error);
  if (cert == NULL)
    {
      send_problem (msg, MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID, NULL);
      return;
    }
  serial = mdg_certificate_get_serial_hex (cert);
  resident = mdg_server_db_lookup_person (self->db, serial, &error);
  if (error != NULL)
    {
      send_internal (msg, error);
      return;
    }
  if (resident == NULL)
    {
      send_problem (msg, MDG_SYNC_PROBLEM_PERSON_UNKNOWN, NULL);
      return;
    }

  if (!random_bytes (rnd, sizeof rnd))
    {
      send_internal (msg, NULL);
      return;
    }
  token = g_base64_encode (rnd, sizeof rnd);
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_strdelimit (token, "=", '\0');
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  if (!mdg_server_db_add_token (self->db, hash, resident, expires, &error))
    {
      send_internal (msg, error);
      return;
    }
  expires_iso = mdg_server_now_iso (expires);
  json_object_set_string_member (obj, "token", token);
  json_object_set_string_member (obj, "token_type", "Bearer");
  json_object_set_string_member (obj, "expires", expires_iso);
  node = json_node_init_object (json_node_alloc (), obj);
  send_json (msg, SOUP_STATUS_OK, node);
}

static MdgSyncProblem
envelope_problem (const GError *error)
{
  if (error->domain != MDG_APP_ERROR)
    return MDG_SYNC_PROBLEM_ENVELOPE_MALFORMED;
  switch (error->code)
    {
    case MDG_APP_ERROR_VERIFY:
      return MDG_SYNC_PROBLEM_ENVELOPE_SIGNATURE_INVALID;
    case MDG_APP_ERROR_UNTRUSTED:
      return MDG_SYNC_PROBLEM_ENVELOPE_CERTIFICATE_UNTRUSTED;
    case MDG_APP_ERROR_TEST_ROOT:
      return MDG_SYNC_PROBLEM_ENVELOPE_TEST_ROOT;
    case MDG_APP_ERROR_WRONG_KEY:
      return MDG_SYNC_PROBLEM_ENVELOPE_WRONG_KEY;
    case MDG_APP_ERROR_EXPIRED:
      return MDG_SYNC_PROBLEM_ENVELOPE_CERTIFICATE_EXPIRED;
    default:
      return MDG_SYNC_PROBLEM_ENVELOPE_MALFORMED;
    }
}

/* Verifies @envelope as received at @received; the report, or NULL after
 * answering with a problem. The bytes pass through a private file next to
 * the database because the envelope reader works on files. */
static MdgVerifyReport *
verify_envelope (MdgServer *self,
                 SoupServerMessage *msg,
                 GBytes *envelope,
                 GDateTime *received)
{
  g_autofree char *tmp = g_strconcat (self->config->database, "-upload-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgEnvelope) env = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  int fd = g_mkstemp_full (tmp, O_RDWR, 0600);

  if (fd < 0)
    {
      g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s", g_strerror (errno));
      send_internal (msg, error);
      return NULL;
    }
  close (fd);
  if (g_file_set_contents_full (tmp, g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope),
                                G_FILE_SET_CONTENTS_NONE, 0600, &error))
    {
      env = mdg_envelope_open (tmp, &error);
      if (env != NULL)
        report = mdg_envelope_verify (env, self->config->signing_trust, received, &error);
    }
  g_clear_object (&env);
  g_unlink (tmp);
  if (report == NULL)
    {
      if (error != NULL && error->domain == G_FILE_ERROR)
        send_internal (msg, error);
      else
        send_problem (msg, MDG_SYNC_PROBLEM_ENVELOPE_MALFORMED, error != NULL ? error->message : NULL);
      return NULL;
    }
  if (mdg_verify_report_to_error (report, &error))
    {
      send_problem (msg, envelope_problem (error), error->message);
      return NULL;
    }
  return g_steal_pointer (&report);
}

static JsonNode *
build_receipt (MdgServer *self,
               MdgServerSubmission *sub,
               gsize size,
               MdgVerifyReport *report)
{
  JsonObject *obj = json_object_new ();
  JsonNode *verification = mdg_verify_report_to_json (report);

  json_object_set_boolean_member (json_node_get_object (verification), "certificate_valid_at_receipt",
                                  mdg_verify_report_get_check (report, "validity.now", NULL) == MDG_CHECK_PASS);
  json_object_set_int_member (obj, "version", 1);
  json_object_set_string_member (obj, "receipt_number", sub->receipt_number);
  json_object_set_string_member (obj, "submission", sub->uuid);
  json_object_set_string_member (obj, "received", sub->received);
  json_object_set_string_member (obj, "envelope_sha256", sub->sha256);
  json_object_set_int_member (obj, "envelope_size", (gint64) size);
  json_object_set_string_member (obj, "server", self->config->name);
  json_object_set_member (obj, "verification", verification);
  return json_node_init_object (json_node_alloc (), obj);
}

static void
put_submission (MdgServer *self,
                SoupServerMessage *msg,
                const char *resident,
                const char *uuid)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) envelope = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgServerSubmission) existing = NULL;
  g_autoptr(MdgServerSubmission) sub = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  g_autoptr(JsonNode) receipt = NULL;
  g_autoptr(GDateTime) received = NULL;
  g_autofree char *sha256 = NULL;
  gint64 now = now_seconds ();
  gint64 seq;

  if (g_strcmp0 (type, "application/zip") != 0)
    {
      send_problem (msg, MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE, NULL);
      return;
    }
  envelope = request_body (msg);
  if ((gint64) g_bytes_get_size (envelope) > self->config->max_envelope_size)
    {
      send_problem (msg, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE, NULL);
      return;
    }
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, envelope);

  existing = mdg_server_db_get_submission (self->db, uuid, &error);
  if (error != NULL)
    {
      send_internal (msg, error);
      return;
    }
  if (existing != NULL)
    {
      /* A retry gets the first receipt, byte for byte. */
      if (g_str_equal (existing->resident, resident) && g_str_equal (existing->sha256, sha256))
        send_bytes (msg, SOUP_STATUS_OK, "application/json", existing->receipt);
      else
        send_problem (msg, MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT, NULL);
      return;
    }

  received = g_date_time_new_from_unix_utc (now);
  report = verify_envelope (self, msg, envelope, received);
  if (report == NULL)
    return;

  seq = mdg_server_db_next_sequence (self->db, &error);
  if (seq < 0)
    {
      send_internal (msg, error);
      return;
    }
  sub = g_new0 (MdgServerSubmission, 1);
  sub->uuid = g_strdup (uuid);
  sub->resident = g_strdup (resident);
  sub->sha256 = g_steal_pointer (&sha256);
  sub->received = mdg_server_now_iso (now);
  sub->receipt_number = g_strdup_printf ("MDG-%.4s%.2s%.2s-%06" G_GINT64_FORMAT,
                                         sub->received, sub->received + 5, sub->received + 8, seq);
  receipt = build_receipt (self, sub, g_bytes_get_size (envelope), report);
  sub->receipt = mdg_sync_receipt_sign (receipt, self->receipt_key, &error);
  if (sub->receipt == NULL
      || !mdg_server_db_insert_submission (self->db, seq, sub, envelope, &error))
    {
      send_internal (msg, error);
      return;
    }
  send_bytes (msg, SOUP_STATUS_CREATED, "application/json", sub->receipt);
}

static void
get_submissions (MdgServer *self,
                 SoupServerMessage *msg,
                 const char *resident,
                 const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = mdg_server_db_list_submissions (self->db, resident, uuid, &error);
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (list == NULL)
    {
      send_internal (msg, error);
      return;
    }
  if (uuid != NULL)
    {
      JsonArray *items = json_node_get_array (list);

      /* Another resident's submission is as absent as a missing one. */
      if (json_array_get_length (items) == 0)
        send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
      else
        send_json (msg, SOUP_STATUS_OK, json_array_get_element (items, 0));
      return;
    }
  obj = json_object_new ();
  json_object_set_member (obj, "submissions", g_steal_pointer (&list));
  node = json_node_init_object (json_node_alloc (), obj);
  send_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_submissions (SoupServer *server,
                    SoupServerMessage *msg,
                    const char *path,
                    GHashTable *query,
                    gpointer user_data)
{
  MdgServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *rest = path + strlen ("/v1/submissions");
  g_autofree char *resident = NULL;
  g_autofree char *uuid = NULL;

  if (*rest == '/')
    {
      uuid = g_ascii_strdown (rest + 1, -1);
      if (!g_uuid_string_is_valid (uuid))
        {
          send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
          return;
        }
    }
  else if (*rest != '\0')
    {
      send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
      return;
    }

  if (uuid != NULL && g_str_equal (method, SOUP_METHOD_PUT))
    {
      if ((resident = authenticate (self, msg)) != NULL)
        put_submission (self, msg, resident, uuid);
    }
  else if (require_method (msg, SOUP_METHOD_GET))
    {
      if ((resident = authenticate (self, msg)) != NULL)
        get_submissions (self, msg, resident, uuid);
    }
}

static void
handle_records (SoupServer *server,
                SoupServerMessage *msg,
                const char *path,
                GHashTable *query,
                gpointer user_data)
{
  MdgServer *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *resident = NULL;

  if (!g_str_equal (path, "/v1/records"))
    {
      send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
      return;
    }
  if (!require_method (msg, SOUP_METHOD_GET) || (resident = authenticate (self, msg)) == NULL)
    return;
  list = mdg_server_db_list_records (self->db, resident, &error);
  if (list == NULL)
    {
      send_internal (msg, error);
      return;
    }
  obj = json_object_new ();
  json_object_set_member (obj, "records", g_steal_pointer (&list));
  node = json_node_init_object (json_node_alloc (), obj);
  send_json (msg, SOUP_STATUS_OK, node);
}

/* Whether If-None-Match (a list of entity tags, or "*") matches @etag. */
static gboolean
etag_matches (const char *if_none_match,
              const char *etag)
{
  g_auto(GStrv) tags = NULL;

  if (if_none_match == NULL)
    return FALSE;
  tags = g_strsplit (if_none_match, ",", -1);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      const char *tag = g_strstrip (tags[i]);

      /* If-None-Match compares weakly (RFC 9110 §13.1.2). */
      if (g_str_has_prefix (tag, "W/"))
        tag += 2;
      if (g_str_equal (tag, "*") || g_str_equal (tag, etag))
        return TRUE;
    }
  return FALSE;
}

/* The bundle is read per request so that staff can replace the file
 * without a restart; it is small and signed on its own. */
static void
handle_catalog (SoupServer *server,
                SoupServerMessage *msg,
                const char *path,
                GHashTable *query,
                gpointer user_data)
{
  MdgServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bundle = NULL;
  g_autofree char *data = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *etag = NULL;
  gsize len = 0;

  if (!g_str_equal (path, "/v1/catalog") || self->config->catalog_bundle == NULL)
    {
      send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
      return;
    }
  if (!require_method (msg, SOUP_METHOD_GET))
    return;
  if (!g_file_get_contents (self->config->catalog_bundle, &data, &len, &error))
    {
      send_internal (msg, error);
      return;
    }
  bundle = g_bytes_new_take (g_steal_pointer (&data), len);
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bundle);
  etag = g_strdup_printf ("\"%s\"", sha256);
  soup_message_headers_replace (headers, "ETag", etag);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  if (etag_matches (soup_message_headers_get_list (soup_server_message_get_request_headers (msg),
                                                   "If-None-Match"), etag))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  send_bytes (msg, SOUP_STATUS_OK, "application/octet-stream", bundle);
}

static void
handle_default (SoupServer *server,
                SoupServerMessage *msg,
                const char *path,
                GHashTable *query,
                gpointer user_data)
{
  send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
}

/* Refuses an oversized upload before its body is read. */
static void
early_submissions (SoupServer *server,
                   SoupServerMessage *msg,
                   const char *path,
                   GHashTable *query,
                   gpointer user_data)
{
  MdgServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > self->config->max_envelope_size)
    send_problem (msg, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE, NULL);
}

static void
mdg_server_dispose (GObject *object)
{
  MdgServer *self = MDG_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->db);
  G_OBJECT_CLASS (mdg_server_parent_class)->dispose (object);
}

static void
mdg_server_finalize (GObject *object)
{
  MdgServer *self = MDG_SERVER (object);

  EVP_PKEY_free (self->receipt_key);
  mdg_server_config_free (self->config);
  G_OBJECT_CLASS (mdg_server_parent_class)->finalize (object);
}

static void
mdg_server_class_init (MdgServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mdg_server_dispose;
  object_class->finalize = mdg_server_finalize;
}

static void
mdg_server_init (MdgServer *self)
{
}

EVP_PKEY *
mdg_server_load_receipt_key (const char *path,
                             GError **error)
{
  g_autofree char *pem = NULL;
  gsize len = 0;
  EVP_PKEY *key;

  if (!g_file_get_contents (path, &pem, &len, error))
    return NULL;
  key = mdg_sync_key_from_pem (pem, len, TRUE, error);
  OPENSSL_cleanse (pem, len);
  return key;
}

MdgServer *
mdg_server_new (MdgServerConfig *config,
                GError **error)
{
  g_autoptr(MdgServer) self = g_object_new (MDG_TYPE_SERVER, NULL);
  g_autoptr(GTlsCertificate) cert = NULL;

  self->config = config;
  self->db = mdg_server_db_open (config->database, error);
  if (self->db == NULL)
    return NULL;
  self->receipt_key = mdg_server_load_receipt_key (config->receipt_key, error);
  if (self->receipt_key == NULL)
    return NULL;
  cert = g_tls_certificate_new_from_files (config->tls_certificate, config->tls_key, error);
  if (cert == NULL)
    return NULL;
  self->soup = soup_server_new ("tls-certificate", cert, "server-header", "madoguchi-server", NULL);
  soup_server_add_handler (self->soup, NULL, handle_default, self, NULL);
  soup_server_add_handler (self->soup, "/v1/auth/challenge", handle_challenge, self, NULL);
  soup_server_add_handler (self->soup, "/v1/auth/login", handle_login, self, NULL);
  soup_server_add_handler (self->soup, "/v1/submissions", handle_submissions, self, NULL);
  soup_server_add_handler (self->soup, "/v1/records", handle_records, self, NULL);
  soup_server_add_handler (self->soup, "/v1/catalog", handle_catalog, self, NULL);
  soup_server_add_early_handler (self->soup, "/v1/submissions", early_submissions, self, NULL);
  return g_steal_pointer (&self);
}

char *
mdg_server_listen (MdgServer *self,
                   GError **error)
{
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (self->config->host);
  g_autoptr(GSocketAddress) sockaddr = NULL;
  GSList *uris;
  char *text;

  if (addr == NULL)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_CONFIG,
                   _("The configuration's “listen” address is not an IP address."));
      return NULL;
    }
  sockaddr = g_inet_socket_address_new (addr, self->config->port);
  if (!soup_server_listen (self->soup, sockaddr, SOUP_SERVER_LISTEN_HTTPS, error))
    return NULL;
  uris = soup_server_get_uris (self->soup);
  text = uris != NULL ? g_uri_to_string (uris->data) : NULL;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return text;
}
