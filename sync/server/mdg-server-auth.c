/* mdg-server-auth.c: login by the card's authentication key (§3) and
 * bearer tokens, for residents and for staff
 *
 * Residents and staff share the challenge and the signature check; their
 * tokens live in tables of their own, so that one role's token never
 * opens the other's endpoints.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <openssl/rand.h>

#include "madoguchi-card.h"
#include "mdg-app-error.h"
#include "mdg-login-signature.h"
#include "mdg-server-http.h"
#include "mdg-server-private.h"

#define CHALLENGE_PREFIX "madoguchi-login/1 "
#define RANDOM_BYTES 32

typedef struct
{
  /* The account of an authentication certificate's serial, or NULL. */
  char        *(*lookup_owner) (MdgServerDb *db,
                                const char *serial,
                                GError **error);
  gboolean     (*add_token)    (MdgServerDb *db,
                                const char *token_sha256,
                                const char *owner,
                                gint64 expires,
                                GError **error);
  gboolean     (*lookup_token) (MdgServerDb *db,
                                const char *token_sha256,
                                gint64 now,
                                MdgServerTokenState *state,
                                char **owner,
                                GError **error);
  MdgSyncProblem unknown_owner;
  const char    *foreign_token;  /* the detail of 403 for the other role's token */
} Role;

static const Role roles[] = {
  [MDG_SERVER_ROLE_RESIDENT] = {
    mdg_server_db_lookup_person, mdg_server_db_add_token, mdg_server_db_lookup_token,
    MDG_SYNC_PROBLEM_PERSON_UNKNOWN, "a staff login is not a resident login",
  },
  [MDG_SERVER_ROLE_STAFF] = {
    mdg_server_db_lookup_staff_card, mdg_server_db_add_staff_token, mdg_server_db_lookup_staff_token,
    MDG_SYNC_PROBLEM_STAFF_UNKNOWN, "a resident login is not a staff login",
  },
};

char *
mdg_server_authenticate (MdgServer *self,
                         SoupServerMessage *msg,
                         MdgServerRole role)
{
  MdgServerDb *db = mdg_server_get_db (self);
  const Role *other = &roles[role == MDG_SERVER_ROLE_STAFF ? MDG_SERVER_ROLE_RESIDENT : MDG_SERVER_ROLE_STAFF];
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = mdg_server_http_bearer_sha256 (msg);
  g_autofree char *owner = NULL;
  g_autofree char *other_owner = NULL;
  MdgServerTokenState state;
  MdgServerTokenState other_state;

  if (hash == NULL)
    return NULL;
  if (!roles[role].lookup_token (db, hash, mdg_server_http_now (), &state, &owner, &error))
    {
      mdg_server_http_send_internal (msg, error);
      return NULL;
    }
  /* A staff account removed after login acts no more. */
  if (state == MDG_SERVER_TOKEN_OK && role == MDG_SERVER_ROLE_STAFF && mdg_server_db_count_staff (db, owner) != 1)
    state = MDG_SERVER_TOKEN_UNKNOWN;
  if (state == MDG_SERVER_TOKEN_OK)
    return g_steal_pointer (&owner);
  if (state == MDG_SERVER_TOKEN_EXPIRED)
    mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_TOKEN_EXPIRED, NULL);
  else if (other->lookup_token (db, hash, mdg_server_http_now (), &other_state, &other_owner, NULL)
           && other_state == MDG_SERVER_TOKEN_OK)
    mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_FORBIDDEN, roles[role].foreign_token);
  else
    mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_UNAUTHORIZED, NULL);
  return NULL;
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

/* Checks a POST of {"challenge", "signature"}: the login certificate's
 * serial, or NULL after answering with a problem. */
static char *
login_serial (MdgServer *self,
              SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) req = NULL;
  g_autoptr(GBytes) challenge = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) cert_der = NULL;
  g_autoptr(MdgCertificate) cert = NULL;
  g_autoptr(GError) error = NULL;
  MdgServerChallengeState state;

  if (!mdg_server_http_require_method (msg, SOUP_METHOD_POST))
    return NULL;
  body = mdg_server_http_request_body (msg);
  req = mdg_server_http_parse_object (body);
  if (req != NULL)
    {
      challenge = mdg_server_http_get_base64 (req, "challenge");
      cms = mdg_server_http_get_base64 (req, "signature");
    }
  if (challenge == NULL || cms == NULL)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST, "challenge and signature are required");
      return NULL;
    }

  /* Consumed before the signature is checked: never a second try. */
  if (!mdg_server_db_consume_challenge (mdg_server_get_db (self), challenge, mdg_server_http_now (), &state, &error))
    {
      mdg_server_http_send_internal (msg, error);
      return NULL;
    }
  if (state != MDG_SERVER_CHALLENGE_OK)
    {
      mdg_server_http_send_problem (msg, state == MDG_SERVER_CHALLENGE_USED ? MDG_SYNC_PROBLEM_CHALLENGE_USED
                                         : state == MDG_SERVER_CHALLENGE_EXPIRED ? MDG_SYNC_PROBLEM_CHALLENGE_EXPIRED
                                         : MDG_SYNC_PROBLEM_CHALLENGE_UNKNOWN, NULL);
      return NULL;
    }

  cert_der = mdg_login_signature_verify (mdg_server_get_config (self)->auth_trust, challenge, cms, NULL, &error);
  if (cert_der == NULL)
    {
      mdg_server_http_send_problem (msg, login_problem (error), error->message);
      return NULL;
    }
  cert = mdg_certificate_new_from_der (cert_der, &error);
  if (cert == NULL)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID, NULL);
      return NULL;
    }
  return mdg_certificate_get_serial_hex (cert);
}

void
mdg_server_login (MdgServer *self,
                  SoupServerMessage *msg,
                  MdgServerRole role)
{
  MdgServerDb *db = mdg_server_get_db (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *expires_iso = NULL;
  gint64 expires = mdg_server_http_now () + mdg_server_get_config (self)->token_lifetime;

  serial = login_serial (self, msg);
  if (serial == NULL)
    return;
  owner = roles[role].lookup_owner (db, serial, &error);
  if (error != NULL)
    {
      mdg_server_http_send_internal (msg, error);
      return;
    }
  if (owner == NULL)
    {
      mdg_server_http_send_problem (msg, roles[role].unknown_owner, NULL);
      return;
    }
  token = mdg_server_http_new_token ();
  hash = token != NULL ? g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1) : NULL;
  if (hash == NULL || !roles[role].add_token (db, hash, owner, expires, &error))
    {
      mdg_server_http_send_internal (msg, error);
      return;
    }
  obj = json_object_new ();
  expires_iso = mdg_server_now_iso (expires);
  json_object_set_string_member (obj, "token", token);
  json_object_set_string_member (obj, "token_type", "Bearer");
  json_object_set_string_member (obj, "expires", expires_iso);
  mdg_server_http_send_object (msg, SOUP_STATUS_OK, obj);
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
  g_autofree char *hex = NULL;
  g_autofree char *text = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *expires_iso = NULL;
  guchar rnd[RANDOM_BYTES];
  gint64 expires = mdg_server_http_now () + mdg_server_get_config (self)->challenge_lifetime;

  if (!mdg_server_http_require_method (msg, SOUP_METHOD_POST))
    return;
  if (RAND_bytes (rnd, sizeof rnd) != 1)
    {
      mdg_server_http_send_internal (msg, NULL);
      return;
    }
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, rnd, sizeof rnd);
  text = g_strconcat (CHALLENGE_PREFIX, hex, NULL);
  challenge = g_bytes_new (text, strlen (text));
  if (!mdg_server_db_add_challenge (mdg_server_get_db (self), challenge, expires, &error))
    {
      mdg_server_http_send_internal (msg, error);
      return;
    }
  b64 = g_base64_encode ((const guchar *) text, strlen (text));
  expires_iso = mdg_server_now_iso (expires);
  json_object_set_string_member (obj, "challenge", b64);
  json_object_set_string_member (obj, "expires", expires_iso);
  mdg_server_http_send_object (msg, SOUP_STATUS_OK, obj);
}

static void
handle_login (SoupServer *server,
              SoupServerMessage *msg,
              const char *path,
              GHashTable *query,
              gpointer user_data)
{
  mdg_server_login (user_data, msg, MDG_SERVER_ROLE_RESIDENT);
}

void
mdg_server_auth_register (MdgServer *self)
{
  mdg_server_add_route (self, "/v1/auth/challenge", handle_challenge);
  mdg_server_add_route (self, "/v1/auth/login", handle_login);
}
