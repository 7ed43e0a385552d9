/* mdg-server-http.h: answering requests (JSON, problem+json) for the server's handlers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mdg-sync-problem.h"

G_BEGIN_DECLS

gint64      mdg_server_http_now            (void);
void        mdg_server_http_send_bytes     (SoupServerMessage *msg,
                                            guint status,
                                            const char *content_type,
                                            GBytes *body);
void        mdg_server_http_send_problem   (SoupServerMessage *msg,
                                            MdgSyncProblem problem,
                                            const char *detail);
/* Takes nothing: @node stays the caller's. */
void        mdg_server_http_send_json      (SoupServerMessage *msg,
                                            guint status,
                                            JsonNode *node);
/* @obj becomes the body; takes a reference of its own. */
void        mdg_server_http_send_object    (SoupServerMessage *msg,
                                            guint status,
                                            JsonObject *obj);
/* Logs @error (never personal data: messages name no values) and answers
 * "internal". */
void        mdg_server_http_send_internal  (SoupServerMessage *msg,
                                            GError *error);
GBytes     *mdg_server_http_request_body   (SoupServerMessage *msg);
/* The body as a JSON object, or NULL. */
JsonObject *mdg_server_http_parse_object   (GBytes *body);
/* A base64 member of @obj, or NULL. */
GBytes     *mdg_server_http_get_base64     (JsonObject *obj,
                                            const char *name);
/* FALSE after answering 405 with Allow: @method. */
gboolean    mdg_server_http_require_method (SoupServerMessage *msg,
                                            const char *method);
/* FALSE after answering 404 unless @path is exactly @expected, or 405
 * unless the method is @method. */
gboolean    mdg_server_http_require_route  (SoupServerMessage *msg,
                                            const char *path,
                                            const char *expected,
                                            const char *method);
/* @path is @collection, or @collection/{id} where @check_id accepts the
 * id, optionally followed by @sub (may be NULL): sets @id (lower-case;
 * NULL for the collection itself) and @at_sub. FALSE after answering 404
 * for any other path. */
gboolean    mdg_server_http_parse_path     (SoupServerMessage *msg,
                                            const char *path,
                                            const char *collection,
                                            const char *sub,
                                            gboolean (*check_id) (const char *id),
                                            char **id,
                                            gboolean *at_sub);
/* Answers 200 {@name: @value}; takes @value. */
void        mdg_server_http_send_member    (SoupServerMessage *msg,
                                            const char *name,
                                            JsonNode *value);
/* The bearer token's SHA-256 (hex), or NULL after answering 401. */
char       *mdg_server_http_bearer_sha256  (SoupServerMessage *msg);
/* 32 random bytes as base64url without padding; NULL without randomness. */
char       *mdg_server_http_new_token      (void);

G_END_DECLS
