/* mdg-sync-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <openssl/crypto.h>

#include "mdg-jcs.h"
#include "mdg-login-signature.h"
#include "mdg-sync-batch.h"
#include "mdg-sync-client.h"
#include "mdg-sync-error.h"
#include "mdg-sync-json.h"
#include "mdg-sync-problem.h"
#include "mdg-sync-receipt.h"
#include "mdg-sync-status.h"

#define LOGIN_PREFIX "madoguchi-login/1 "
#define MAX_TOKEN 256

struct _MdgSyncClient
{
  GObject       parent_instance;

  char         *base_uri;
  EVP_PKEY     *receipt_key;
  char         *receipt_key_id;
  GThread      *owner;          /* the thread that made the session */
  GTlsDatabase *tls_database;
  GProxyResolver *proxy_resolver;
  guint         timeout;
  SoupSession  *session;
  GMutex        lock;   /* the token: submissions run on several threads */
  char         *token;
  gsize         upload_threshold;
  gsize         chunk_size;
};

G_DEFINE_FINAL_TYPE (MdgSyncClient, mdg_sync_client, G_TYPE_OBJECT)

static void
mdg_sync_client_finalize (GObject *object)
{
  MdgSyncClient *self = MDG_SYNC_CLIENT (object);

  mdg_sync_client_logout (self);
  g_mutex_clear (&self->lock);
  g_free (self->base_uri);
  EVP_PKEY_free (self->receipt_key);
  g_free (self->receipt_key_id);
  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->proxy_resolver);

  G_OBJECT_CLASS (mdg_sync_client_parent_class)->finalize (object);
}

static void
mdg_sync_client_class_init (MdgSyncClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_sync_client_finalize;
}

static void
mdg_sync_client_init (MdgSyncClient *self)
{
  g_mutex_init (&self->lock);
  self->upload_threshold = MDG_SYNC_CLIENT_UPLOAD_THRESHOLD;
  self->chunk_size = MDG_SYNC_CLIENT_CHUNK_SIZE;
}

void
mdg_sync_client_set_upload_sizes (MdgSyncClient *self,
                                  gsize threshold,
                                  gsize chunk_size)
{
  g_return_if_fail (MDG_IS_SYNC_CLIENT (self));
  g_return_if_fail (chunk_size > 0);

  self->upload_threshold = threshold;
  self->chunk_size = chunk_size;
}

gsize
mdg_sync_client_get_upload_threshold (MdgSyncClient *self)
{
  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), 0);

  return self->upload_threshold;
}

/* A session with the client's settings: the pinned database, timeout,
 * proxy resolver. */
static SoupSession *
new_session (MdgSyncClient *self)
{
  g_autofree char *user_agent = g_strdup_printf ("Madoguchi/%s", PACKAGE_VERSION);
  SoupSession *session = soup_session_new_with_options ("tls-database", self->tls_database,
                                                        "timeout", self->timeout,
                                                        "max-conns-per-host", MDG_SYNC_CLIENT_MAX_PARALLEL,
                                                        "user-agent", user_agent,
                                                        NULL);

  if (self->proxy_resolver != NULL)
    soup_session_set_proxy_resolver (session, self->proxy_resolver);
  /* Request and status lines only: never headers (the token) or bodies. */
  if (g_getenv ("MADOGUCHI_SYNC_DEBUG") != NULL)
    {
      g_autoptr(SoupLogger) logger = soup_logger_new (SOUP_LOGGER_LOG_MINIMAL);

      soup_session_add_feature (session, SOUP_SESSION_FEATURE (logger));
    }
  return session;
}

typedef struct
{
  MdgSyncClient *client;
  SoupSession   *session;
} ThreadSession;

static void
thread_session_free (gpointer data)
{
  ThreadSession *ts = data;

  g_object_unref (ts->session);
  g_free (ts);
}

static GPrivate thread_session = G_PRIVATE_INIT (thread_session_free);

/* libsoup's synchronous API in a thread other than the session's reuses
 * no connection: every request there would pay a TLS handshake (and
 * GnuTLS's parsing of the system trust list). A worker thread gets a
 * session of its own, kept for the thread's life. */
static SoupSession *
session_for_thread (MdgSyncClient *self)
{
  ThreadSession *ts;

  if (g_thread_self () == self->owner)
    return self->session;
  ts = g_private_get (&thread_session);
  if (ts == NULL || ts->client != self)
    {
      ts = g_new0 (ThreadSession, 1);
      ts->client = self;
      ts->session = new_session (self);
      g_private_replace (&thread_session, ts);
    }
  return ts->session;
}

MdgSyncClient *
mdg_sync_client_new (const MdgSyncEndpoint *endpoint,
                     GError **error)
{
  g_autoptr(MdgSyncClient) self = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (endpoint != NULL, NULL);

  /* The pin: a database holding only the municipality's CA, so that no
   * certificate from the system's store is accepted for this server. */
  database = g_tls_file_database_new (endpoint->ca_path, &local);
  if (database == NULL)
    {
      g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_CONFIG,
                   _("The municipality’s CA certificate is not usable: %s"), local->message);
      return NULL;
    }

  self = g_object_new (MDG_TYPE_SYNC_CLIENT, NULL);
  self->base_uri = g_strdup (endpoint->uri);
  EVP_PKEY_up_ref (endpoint->receipt_key);
  self->receipt_key = endpoint->receipt_key;
  self->receipt_key_id = mdg_sync_key_id (self->receipt_key);
  self->tls_database = g_steal_pointer (&database);
  /* libsoup sets a connection's database only after glib-networking has
   * built the connection's credentials from the process's default one,
   * which for the system's store means parsing every system CA (~15 ms of
   * CPU) on each new connection, only to be replaced by the pin. With the
   * pinned database as the default that costs one certificate. The sync
   * client is the only TLS client in Madoguchi's processes, and this only
   * narrows what a connection without a database of its own would trust. */
  g_tls_backend_set_default_database (g_tls_backend_get_default (), self->tls_database);
  self->timeout = 30;
  self->owner = g_thread_self ();
  self->session = new_session (self);
  return g_steal_pointer (&self);
}

void
mdg_sync_client_set_proxy_resolver (MdgSyncClient *self,
                                    GProxyResolver *resolver)
{
  g_return_if_fail (MDG_IS_SYNC_CLIENT (self));

  g_set_object (&self->proxy_resolver, resolver);
  soup_session_set_proxy_resolver (self->session,
                                   resolver != NULL ? resolver : g_proxy_resolver_get_default ());
}

void
mdg_sync_client_set_timeout (MdgSyncClient *self,
                             guint seconds)
{
  g_return_if_fail (MDG_IS_SYNC_CLIENT (self));

  self->timeout = seconds;
  soup_session_set_timeout (self->session, seconds);
}

const char *
mdg_sync_client_get_receipt_key_id (MdgSyncClient *self)
{
  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);

  return self->receipt_key_id;
}

const char *
mdg_sync_client_get_uri (MdgSyncClient *self)
{
  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);

  return self->base_uri;
}

EVP_PKEY *
mdg_sync_client_get_receipt_key (MdgSyncClient *self)
{
  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);

  return self->receipt_key;
}

gboolean
mdg_sync_client_is_logged_in (MdgSyncClient *self)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return self->token != NULL;
}

void
mdg_sync_client_logout (MdgSyncClient *self)
{
  g_return_if_fail (MDG_IS_SYNC_CLIENT (self));

  g_mutex_lock (&self->lock);
  if (self->token != NULL)
    {
      OPENSSL_cleanse (self->token, strlen (self->token));
      g_clear_pointer (&self->token, g_free);
    }
  g_mutex_unlock (&self->lock);
}

const char *
mdg_sync_client_get_token (MdgSyncClient *self)
{
  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);

  return self->token;
}

/* ---- requests ------------------------------------------------------------ */

static gboolean
protocol_error (GError **error,
                const char *what)
{
  g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_PROTOCOL,
               _("The server’s answer is not valid (%s); nothing was changed."), what);
  return FALSE;
}

static gboolean
prefers_japanese (void)
{
  const char * const *languages = g_get_language_names ();

  for (guint i = 0; languages[i] != NULL; i++)
    {
      if (g_str_has_prefix (languages[i], "ja"))
        return TRUE;
      if (g_str_has_prefix (languages[i], "en"))
        return FALSE;
    }
  return FALSE;
}

/* The error for a problem answer. Titles come from our own table by the
 * code, never from the server's text. */
static void
set_problem_error_from_node (guint status,
                             JsonNode *root,
                             char **problem_out,
                             GError **error)
{
  const char *code = NULL;
  MdgSyncProblem problem;
  const char *title;
  MdgSyncError kind;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonNode *member = json_object_get_member (json_node_get_object (root), "code");

      if (member != NULL && JSON_NODE_HOLDS_VALUE (member)
          && json_node_get_value_type (member) == G_TYPE_STRING)
        code = json_node_get_string (member);
    }

  if (code == NULL || !mdg_sync_problem_from_code (code, &problem))
    {
      if (status >= 500)
        g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_SERVER,
                     _("The server failed (HTTP %u); try again later."), status);
      else
        g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_PROTOCOL,
                     _("The server refused the request (HTTP %u) without a known reason."), status);
      return;
    }

  if (problem_out != NULL)
    *problem_out = g_strdup (code);
  title = prefers_japanese () ? mdg_sync_problem_get_title_ja (problem)
                              : mdg_sync_problem_get_title (problem);
  switch (problem)
    {
    case MDG_SYNC_PROBLEM_UNAUTHORIZED:
    case MDG_SYNC_PROBLEM_TOKEN_EXPIRED:
      kind = MDG_SYNC_ERROR_UNAUTHORIZED;
      break;
    case MDG_SYNC_PROBLEM_CHALLENGE_UNKNOWN:
    case MDG_SYNC_PROBLEM_CHALLENGE_USED:
    case MDG_SYNC_PROBLEM_CHALLENGE_EXPIRED:
    case MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID:
    case MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_UNTRUSTED:
    case MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_EXPIRED:
    case MDG_SYNC_PROBLEM_LOGIN_TEST_ROOT:
    case MDG_SYNC_PROBLEM_PERSON_UNKNOWN:
      kind = MDG_SYNC_ERROR_LOGIN;
      break;
    case MDG_SYNC_PROBLEM_NOT_FOUND:
      kind = MDG_SYNC_ERROR_NOT_FOUND;
      break;
    case MDG_SYNC_PROBLEM_INTERNAL:
      kind = MDG_SYNC_ERROR_SERVER;
      break;
    case MDG_SYNC_PROBLEM_BAD_REQUEST:
    case MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT:
    case MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE:
    case MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE:
    case MDG_SYNC_PROBLEM_ENVELOPE_MALFORMED:
    case MDG_SYNC_PROBLEM_ENVELOPE_SIGNATURE_INVALID:
    case MDG_SYNC_PROBLEM_ENVELOPE_CERTIFICATE_UNTRUSTED:
    case MDG_SYNC_PROBLEM_ENVELOPE_CERTIFICATE_EXPIRED:
    case MDG_SYNC_PROBLEM_ENVELOPE_WRONG_KEY:
    case MDG_SYNC_PROBLEM_ENVELOPE_TEST_ROOT:
    default:
      kind = status >= 500 ? MDG_SYNC_ERROR_SERVER : MDG_SYNC_ERROR_REJECTED;
      break;
    }
  g_set_error (error, MDG_SYNC_ERROR, kind, _("The server says: %s (%s)"), title, code);
}

static void
set_problem_error (guint status,
                   GBytes *body,
                   char **problem_out,
                   GError **error)
{
  g_autoptr(JsonNode) root = NULL;

  if (body != NULL)
    root = mdg_jcs_parse (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL);
  set_problem_error_from_node (status, root, problem_out, error);
}

/* Reads at most @max bytes of the answer; more is a protocol error. */
static GBytes *
read_bounded (GInputStream *stream,
              gsize max,
              GCancellable *cancellable,
              GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 buffer[16384];

  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (data->len + (gsize) n > max)
        {
          protocol_error (error, _("the answer is too large"));
          return NULL;
        }
      g_byte_array_append (data, buffer, (guint) n);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static void
set_transport_error (GError *local,
                     GError **error)
{
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_error_copy (local));
  else if (g_error_matches (local, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_TLS,
                 _("The server’s certificate is not from the municipality’s CA; not connecting (%s)."),
                 local->message);
  else
    g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_NETWORK,
                 _("Could not reach the municipality’s server: %s"), local->message);
}

/* Sends @msg and returns the body of a 2xx answer whose media type is
 * @want_type (NULL: any), a 304 as an empty body, or an error. */
static GBytes *
client_send (MdgSyncClient *self,
             SoupMessage *msg,
             const char *want_type,
             gboolean with_token,
             char **problem_out,
             GCancellable *cancellable,
             GError **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GBytes) body = NULL;
  const char *type;
  guint status;

  /* A redirect could send the session token to another host. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (with_token)
    {
      g_autofree char *auth = NULL;

      g_mutex_lock (&self->lock);
      if (self->token != NULL)
        auth = g_strconcat ("Bearer ", self->token, NULL);
      g_mutex_unlock (&self->lock);
      if (auth == NULL)
        {
          g_set_error_literal (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_UNAUTHORIZED,
                               _("Not logged in to the municipality’s server."));
          return NULL;
        }
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      OPENSSL_cleanse (auth, strlen (auth));
    }

  stream = soup_session_send (session_for_thread (self), msg, cancellable, &local);
  if (stream == NULL)
    {
      set_transport_error (local, error);
      return NULL;
    }
  body = read_bounded (stream, MDG_SYNC_CLIENT_MAX_ANSWER, cancellable, &local);
  if (body == NULL)
    {
      if (local->domain == MDG_SYNC_ERROR)
        g_propagate_error (error, g_steal_pointer (&local));
      else
        set_transport_error (local, error);
      return NULL;
    }

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_NOT_MODIFIED)
    return g_bytes_new (NULL, 0);
  if (status >= 300 && status < 400)
    {
      g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_PROTOCOL,
                   _("The server tried to redirect to another address (HTTP %u); not followed."), status);
      return NULL;
    }
  if (status < 200 || status >= 300)
    {
      if (status == SOUP_STATUS_UNAUTHORIZED && with_token)
        mdg_sync_client_logout (self);
      set_problem_error (status, body, problem_out, error);
      return NULL;
    }

  type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  if (want_type != NULL && g_strcmp0 (type, want_type) != 0)
    {
      protocol_error (error, _("wrong media type"));
      return NULL;
    }
  return g_steal_pointer (&body);
}

/* libsoup writes a request's headers and its body in two writes; without
 * TCP_NODELAY the body waits for the server to acknowledge the headers
 * (Nagle against delayed ACKs), which stalls every upload. */
static void
set_no_delay (SoupMessage *msg,
              GSocketClientEvent event,
              GIOStream *connection,
              gpointer user_data)
{
  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_TCP_CONNECTION (connection))
    {
      GSocket *socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));

      /* Only speed is at stake: a failure leaves the default. */
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
    }
}

static SoupMessage *
new_message (MdgSyncClient *self,
             const char *method,
             const char *path)
{
  g_autofree char *uri = g_strconcat (self->base_uri, path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  if (msg != NULL)
    g_signal_connect (msg, "network-event", G_CALLBACK (set_no_delay), NULL);
  return msg;
}

/* The JSON object of a 2xx answer. */
static JsonObject *
send_for_object (MdgSyncClient *self,
                 SoupMessage *msg,
                 gboolean with_token,
                 GCancellable *cancellable,
                 GError **error)
{
  g_autoptr(GBytes) body = client_send (self, msg, "application/json", with_token, NULL, cancellable, error);
  g_autoptr(JsonNode) root = NULL;

  if (body == NULL)
    return NULL;
  root = mdg_jcs_parse (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      protocol_error (error, _("not a JSON object"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/* A string member, or NULL (and a protocol error) when absent or not one. */
static const char *
string_member (JsonObject *obj,
               const char *name,
               GError **error)
{
  JsonNode *member = json_object_get_member (obj, name);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member)
      || json_node_get_value_type (member) != G_TYPE_STRING)
    {
      protocol_error (error, name);
      return NULL;
    }
  return json_node_get_string (member);
}

/* ---- login --------------------------------------------------------------- */

static gboolean
token_is_safe (const char *token)
{
  gsize len = strlen (token);

  if (len < 16 || len > MAX_TOKEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (token[i]) && token[i] != '-' && token[i] != '_')
      return FALSE;
  return TRUE;
}

gboolean
mdg_sync_client_login (MdgSyncClient *self,
                       MdgSigner *auth,
                       GCancellable *cancellable,
                       GError **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autoptr(GBytes) challenge = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autofree char *c64 = NULL;
  g_autofree char *s64 = NULL;
  const char *text;
  guchar *raw;
  gsize raw_len;

  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), FALSE);
  g_return_val_if_fail (MDG_IS_SIGNER (auth), FALSE);

  mdg_sync_client_logout (self);
  msg = new_message (self, "POST", "v1/auth/challenge");
  obj = send_for_object (self, msg, FALSE, cancellable, error);
  if (obj == NULL || (text = string_member (obj, "challenge", error)) == NULL)
    return FALSE;
  raw = g_base64_decode (text, &raw_len);
  challenge = g_bytes_new_take (raw, raw_len);
  /* The card signs only what is recognisably a login challenge, never
   * arbitrary bytes a hostile server chose. */
  if (raw_len < MDG_LOGIN_CHALLENGE_MIN || raw_len > MDG_LOGIN_CHALLENGE_MAX
      || raw_len < strlen (LOGIN_PREFIX) || memcmp (raw, LOGIN_PREFIX, strlen (LOGIN_PREFIX)) != 0)
    return protocol_error (error, _("not a login challenge"));

  cms = mdg_login_signature_sign (auth, challenge, NULL, error);
  if (cms == NULL)
    return FALSE;

  c64 = g_base64_encode (raw, raw_len);
  s64 = g_base64_encode (g_bytes_get_data (cms, NULL), g_bytes_get_size (cms));
  {
    g_autofree char *json = g_strdup_printf ("{\"challenge\":\"%s\",\"signature\":\"%s\"}", c64, s64);
    gsize len = strlen (json);

    request = g_bytes_new_take (g_steal_pointer (&json), len);
  }
  g_clear_object (&msg);
  g_clear_pointer (&obj, json_object_unref);
  msg = new_message (self, "POST", "v1/auth/login");
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  obj = send_for_object (self, msg, FALSE, cancellable, error);
  if (obj == NULL || (text = string_member (obj, "token", error)) == NULL)
    return FALSE;
  if (!token_is_safe (text))
    return protocol_error (error, _("unusable session token"));

  g_mutex_lock (&self->lock);
  self->token = g_strdup (text);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* ---- submissions --------------------------------------------------------- */

/* libsoup resends a request by itself when a kept-alive connection breaks,
 * but with the body stream where the first attempt left it: the server
 * would get a truncated envelope. A restart gets a fresh stream. */
static void
set_body_again (SoupMessage *msg,
                gpointer envelope)
{
  soup_message_set_request_body_from_bytes (msg, "application/zip", envelope);
}

static void
set_chunk_again (SoupMessage *msg,
                 gpointer chunk)
{
  soup_message_set_request_body_from_bytes (msg, "application/octet-stream", chunk);
}

GBytes *
mdg_sync_client_submit (MdgSyncClient *self,
                        const char *uuid,
                        GBytes *envelope,
                        char **problem_code,
                        GCancellable *cancellable,
                        GError **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_uuid_string_is_valid (uuid), NULL);

  path = g_strconcat ("v1/submissions/", uuid, NULL);
  msg = new_message (self, "PUT", path);
  soup_message_set_request_body_from_bytes (msg, "application/zip", envelope);
  g_signal_connect (msg, "restarted", G_CALLBACK (set_body_again), envelope);

  return client_send (self, msg, "application/json", TRUE, problem_code, cancellable, error);
}

void
mdg_sync_batch_result_clear (MdgSyncBatchResult *result)
{
  g_clear_pointer (&result->receipt, g_bytes_unref);
  g_clear_pointer (&result->problem, g_free);
  g_clear_error (&result->error);
}

/* results[@i] from the answer's entry for @uuid. FALSE when the entry
 * breaks the protocol. */
static gboolean
batch_entry (JsonNode *entry,
             const char *uuid,
             MdgSyncBatchResult *result)
{
  JsonObject *obj;
  JsonNode *status;
  JsonNode *member;
  const char *submission;
  gint64 code;

  if (entry == NULL || !JSON_NODE_HOLDS_OBJECT (entry))
    return FALSE;
  obj = json_node_get_object (entry);
  status = json_object_get_member (obj, "status");
  submission = mdg_sync_json_get_string (obj, "submission");
  if (submission == NULL || g_ascii_strcasecmp (submission, uuid) != 0
      || status == NULL || !JSON_NODE_HOLDS_VALUE (status) || json_node_get_value_type (status) != G_TYPE_INT64)
    return FALSE;
  code = json_node_get_int (status);
  if (code == SOUP_STATUS_OK || code == SOUP_STATUS_CREATED)
    {
      member = json_object_get_member (obj, "receipt");
      if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
        return FALSE;
      /* Checked like a PUT's answer, by mdg_sync_receipt_check(). */
      result->receipt = mdg_jcs_serialize (member, NULL);
      return result->receipt != NULL;
    }
  if (code < 400 || code > 599)
    return FALSE;
  set_problem_error_from_node ((guint) code, json_object_get_member (obj, "problem"), &result->problem,
                               &result->error);
  return TRUE;
}

static void
set_batch_again (SoupMessage *msg,
                 gpointer multipart)
{
  g_autoptr(GBytes) body = NULL;

  soup_multipart_to_message (multipart, soup_message_get_request_headers (msg), &body);
  soup_message_set_request_body_from_bytes (msg, NULL, body);
}

gboolean
mdg_sync_client_submit_batch (MdgSyncClient *self,
                              const char * const *uuids,
                              GBytes * const *envelopes,
                              guint n,
                              MdgSyncBatchResult *results,
                              GCancellable *cancellable,
                              GError **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupMultipart) multipart = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  JsonNode *results_node;
  JsonArray *list;

  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), FALSE);
  g_return_val_if_fail (n >= 1 && n <= MDG_SYNC_BATCH_MAX, FALSE);

  multipart = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *filename = g_strconcat (uuids[i], ".zip", NULL);

      g_return_val_if_fail (g_uuid_string_is_valid (uuids[i]), FALSE);
      soup_multipart_append_form_file (multipart, uuids[i], filename, "application/zip", envelopes[i]);
    }
  msg = new_message (self, "POST", "v1/submissions");
  /* Safe to send again on a kept-alive connection that turns out closed:
   * every envelope is idempotent by its UUID. Without the flag libsoup
   * opens a new connection for each POST. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  set_batch_again (msg, multipart);
  g_signal_connect (msg, "restarted", G_CALLBACK (set_batch_again), multipart);

  answer = client_send (self, msg, "application/json", TRUE, NULL, cancellable, &local);
  if (answer == NULL)
    {
      guint status = soup_message_get_status (msg);

      /* A server of the first protocol version has no batches. */
      if (status == SOUP_STATUS_METHOD_NOT_ALLOWED || status == SOUP_STATUS_NOT_FOUND)
        g_set_error (error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_PROTOCOL,
                     _("The server does not take several envelopes in one request (HTTP %u)."), status);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }

  root = mdg_jcs_parse (g_bytes_get_data (answer, NULL), (gssize) g_bytes_get_size (answer), NULL);
  results_node = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                 ? json_object_get_member (json_node_get_object (root), "results") : NULL;
  list = results_node != NULL && JSON_NODE_HOLDS_ARRAY (results_node) ? json_node_get_array (results_node) : NULL;
  if (list == NULL || json_array_get_length (list) != n)
    {
      protocol_error (error, _("the batch answer does not list every envelope"));
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (!batch_entry (json_array_get_element (list, i), uuids[i], &results[i]))
      {
        for (guint j = 0; j <= i; j++)
          mdg_sync_batch_result_clear (&results[j]);
        protocol_error (error, _("an entry of the batch answer is malformed"));
        return FALSE;
      }
  return TRUE;
}

/* The offset an upload answer reports, -1 when it has none. */
static gint64
answer_offset (JsonObject *obj,
               gboolean *complete)
{
  JsonNode *offset = json_object_get_member (obj, "offset");

  if (complete != NULL)
    *complete = json_object_get_boolean_member_with_default (obj, "complete", FALSE);
  if (offset == NULL || !JSON_NODE_HOLDS_VALUE (offset) || json_node_get_value_type (offset) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (offset);
}

/* Sends @msg carrying a JSON body and returns the JSON answer. A 409
 * upload-offset-mismatch is an answer too (its offset says where to go on). */
static JsonObject *
send_upload_step (MdgSyncClient *self,
                  SoupMessage *msg,
                  gboolean *mismatch,
                  char **problem_code,
                  GCancellable *cancellable,
                  GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *problem = NULL;
  JsonObject *obj;

  *mismatch = FALSE;
  {
    g_autoptr(GBytes) body = client_send (self, msg, "application/json", TRUE, &problem, cancellable,
                                          &local);
    g_autoptr(JsonNode) root = NULL;

    if (body == NULL)
      {
        if (g_strcmp0 (problem, "upload-offset-mismatch") != 0)
          {
            if (problem_code != NULL)
              *problem_code = g_steal_pointer (&problem);
            g_propagate_error (error, g_steal_pointer (&local));
            return NULL;
          }
        /* Where the server is: from its Upload-Offset header. */
        *mismatch = TRUE;
        obj = json_object_new ();
        {
          const char *header = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                             "Upload-Offset");

          json_object_set_int_member (obj, "offset", header != NULL ? g_ascii_strtoll (header, NULL, 10) : -1);
        }
        return obj;
      }
    root = mdg_jcs_parse (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
      {
        protocol_error (error, _("not a JSON object"));
        return NULL;
      }
    obj = json_object_ref (json_node_get_object (root));
  }
  return obj;
}

GBytes *
mdg_sync_client_submit_resumable (MdgSyncClient *self,
                                  const char *uuid,
                                  GBytes *envelope,
                                  const char *sha256,
                                  char **problem_code,
                                  GCancellable *cancellable,
                                  GError **error)
{
  gsize size = g_bytes_get_size (envelope);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *request = NULL;
  g_autofree char *upload = NULL;
  g_autofree char *upload_path = NULL;
  gboolean complete = FALSE;
  gboolean mismatch;
  gint64 offset;
  guint stuck = 0;

  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_uuid_string_is_valid (uuid), NULL);

  /* Announce the bytes; a known upload of them answers where it stands. */
  msg = new_message (self, "POST", "v1/uploads");
  request = g_strdup_printf ("{\"sha256\":\"%s\",\"size\":%zu}", sha256, size);
  {
    g_autoptr(GBytes) body = g_bytes_new (request, strlen (request));

    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  }
  answer = send_upload_step (self, msg, &mismatch, problem_code, cancellable, error);
  if (answer == NULL)
    return NULL;
  if (json_object_get_string_member_with_default (answer, "upload", NULL) == NULL
      || (offset = answer_offset (answer, &complete)) < 0 || (guint64) offset > size)
    {
      protocol_error (error, "upload");
      return NULL;
    }
  upload = g_strdup (json_object_get_string_member (answer, "upload"));
  if (strspn (upload, "0123456789abcdefABCDEF-") != strlen (upload) || strlen (upload) > 64)
    {
      protocol_error (error, "upload");
      return NULL;
    }
  upload_path = g_strconcat ("v1/uploads/", upload, NULL);

  while (!complete)
    {
      gsize n = MIN (self->chunk_size, size - (gsize) offset);
      g_autofree char *range = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%zu",
                                                offset, offset + (gint64) n - 1, size);
      g_autoptr(GBytes) chunk = g_bytes_new_from_bytes (envelope, (gsize) offset, n);
      gint64 next;

      g_clear_object (&msg);
      g_clear_pointer (&answer, json_object_unref);
      msg = new_message (self, "PATCH", upload_path);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Range", range);
      soup_message_set_request_body_from_bytes (msg, "application/octet-stream", chunk);
      g_signal_connect_data (msg, "restarted", G_CALLBACK (set_chunk_again), g_bytes_ref (chunk),
                             (GClosureNotify) (void (*) (void)) g_bytes_unref, 0);
      answer = send_upload_step (self, msg, &mismatch, problem_code, cancellable, error);
      if (answer == NULL)
        return NULL;
      next = answer_offset (answer, &complete);
      /* The server only ever moves forward, within the size. */
      if (next < 0 || (guint64) next > size || (!mismatch && next <= offset) || ++stuck > 3 * (size / self->chunk_size + 2))
        {
          protocol_error (error, "offset");
          return NULL;
        }
      offset = next;
      if ((gsize) offset == size && !mismatch)
        complete = TRUE;
    }

  /* Submit by reference: same verification and receipt as a direct PUT. */
  g_clear_object (&msg);
  g_free (request);
  request = g_strdup_printf ("{\"sha256\":\"%s\"}", sha256);
  {
    g_autofree char *path = g_strconcat ("v1/submissions/", uuid, NULL);
    g_autoptr(GBytes) body = g_bytes_new (request, strlen (request));

    msg = new_message (self, "PUT", path);
    soup_message_set_request_body_from_bytes (msg, MDG_SYNC_UPLOAD_REF_MEDIA_TYPE, body);
  }
  return client_send (self, msg, "application/json", TRUE, problem_code, cancellable, error);
}

/* The named array member of a GET answer. */
static JsonArray *
get_array (MdgSyncClient *self,
           const char *path,
           const char *member_name,
           GCancellable *cancellable,
           GError **error)
{
  g_autoptr(SoupMessage) msg = new_message (self, "GET", path);
  g_autoptr(JsonObject) obj = send_for_object (self, msg, TRUE, cancellable, error);
  JsonNode *member;

  if (obj == NULL)
    return NULL;
  member = json_object_get_member (obj, member_name);
  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      protocol_error (error, member_name);
      return NULL;
    }

  return json_array_ref (json_node_get_array (member));
}

/* An optional member that must be a string or null when present. */
static gboolean
optional_string (JsonObject *obj,
                 const char *name)
{
  JsonNode *member = json_object_get_member (obj, name);

  return member == NULL || JSON_NODE_HOLDS_NULL (member)
         || (JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING);
}

static gboolean
check_submission (JsonNode *node,
                  GError **error)
{
  JsonObject *item;
  JsonNode *history;
  const char *uuid;
  const char *status;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return protocol_error (error, "submissions[]");
  item = json_node_get_object (node);
  if ((uuid = string_member (item, "uuid", error)) == NULL
      || (status = string_member (item, "status", error)) == NULL
      || string_member (item, "received", error) == NULL
      || string_member (item, "receipt_number", error) == NULL)
    return FALSE;
  if (!g_uuid_string_is_valid (uuid))
    return protocol_error (error, "uuid");
  if (!mdg_sync_status_is_valid (status))
    return protocol_error (error, "status");
  if (!optional_string (item, "comment"))
    return protocol_error (error, "comment");

  history = json_object_get_member (item, "history");
  if (history == NULL || !JSON_NODE_HOLDS_ARRAY (history))
    return protocol_error (error, "history");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (history)); i++)
    {
      JsonNode *step = json_array_get_element (json_node_get_array (history), i);
      JsonObject *s;

      if (!JSON_NODE_HOLDS_OBJECT (step))
        return protocol_error (error, "history[]");
      s = json_node_get_object (step);
      if ((status = string_member (s, "status", error)) == NULL
          || string_member (s, "time", error) == NULL)
        return FALSE;
      if (!mdg_sync_status_is_valid (status) || !optional_string (s, "comment"))
        return protocol_error (error, "history[]");
    }

  return TRUE;
}

JsonArray *
mdg_sync_client_get_submissions (MdgSyncClient *self,
                                 GCancellable *cancellable,
                                 GError **error)
{
  g_autoptr(JsonArray) items = NULL;

  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);

  items = get_array (self, "v1/submissions", "submissions", cancellable, error);
  if (items == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (items); i++)
    if (!check_submission (json_array_get_element (items, i), error))
      return NULL;

  return g_steal_pointer (&items);
}

GBytes *
mdg_sync_client_get_document (MdgSyncClient *self,
                              const char *uuid,
                              GCancellable *cancellable,
                              GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_uuid_string_is_valid (uuid), NULL);

  path = g_strconcat ("v1/submissions/", uuid, "/document", NULL);
  msg = new_message (self, "GET", path);
  return client_send (self, msg, "application/json", TRUE, NULL, cancellable, error);
}

JsonArray *
mdg_sync_client_get_records (MdgSyncClient *self,
                             GCancellable *cancellable,
                             GError **error)
{
  g_autoptr(JsonArray) items = NULL;

  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);

  items = get_array (self, "v1/records", "records", cancellable, error);
  if (items == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (items); i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (items, i)))
      {
        protocol_error (error, "records[]");
        return NULL;
      }

  return g_steal_pointer (&items);
}

GBytes *
mdg_sync_client_get_catalog (MdgSyncClient *self,
                             const char *etag,
                             char **etag_out,
                             GCancellable *cancellable,
                             GError **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (MDG_IS_SYNC_CLIENT (self), NULL);

  msg = new_message (self, "GET", "v1/catalog");
  if (etag != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "If-None-Match", etag);
  body = client_send (self, msg, NULL, FALSE, NULL, cancellable, error);
  if (body == NULL)
    return NULL;
  if (etag_out != NULL)
    *etag_out = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "ETag"));
  if (soup_message_get_status (msg) == SOUP_STATUS_NOT_MODIFIED)
    return NULL;

  return g_steal_pointer (&body);
}
