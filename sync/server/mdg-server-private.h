/* mdg-server-private.h: what the server's handler files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "mdg-server-db.h"
#include "mdg-server.h"

G_BEGIN_DECLS

/* PUT /v1/submissions/{uuid} naming a finished upload (§4.2). */
#define MDG_SERVER_UPLOAD_REF_TYPE "application/vnd.madoguchi.upload-ref+json"
/* Bodies other than envelopes and chunks are small JSON. */
#define MDG_SERVER_MAX_JSON_BODY (1024 * 1024)
/* Bytes over a limit that are still read (and dropped) before the answer. */
#define MDG_SERVER_DRAIN_LIMIT (16 * 1024 * 1024)
/* The audit's actor for what the server does on its own (retention). */
#define MDG_SERVER_SYSTEM_ACTOR "system"

typedef enum
{
  MDG_SERVER_ROLE_RESIDENT,
  MDG_SERVER_ROLE_STAFF,
} MdgServerRole;

MdgServerConfig *mdg_server_get_config    (MdgServer *self);
MdgServerDb     *mdg_server_get_db        (MdgServer *self);
/* The account (resident or staff ID) of the request's bearer token of
 * @role, or NULL after answering: 401, or 403 for the other role's token
 * (mdg-server-auth.c). */
char            *mdg_server_authenticate  (MdgServer *self,
                                           SoupServerMessage *msg,
                                           MdgServerRole role);
/* Answers a POST of {"challenge", "signature"} (§3) with a new token of
 * @role: 200 {"token", "token_type", "expires"}, or a problem. */
void             mdg_server_login         (MdgServer *self,
                                           SoupServerMessage *msg,
                                           MdgServerRole role);
/* The resident login under /v1/auth/. */
void             mdg_server_auth_register (MdgServer *self);
/* Serves @path (NULL: every other path) with @callback (user data: the
 * server), behind the body limits. */
void             mdg_server_add_route     (MdgServer *self,
                                           const char *path,
                                           SoupServerCallback callback);
/* The staff API under /v1/admin/ (mdg-server-admin-api.c). */
void             mdg_server_admin_api_register (MdgServer *self);

G_END_DECLS
