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

MdgServerConfig *mdg_server_get_config   (MdgServer *self);
MdgServerDb     *mdg_server_get_db       (MdgServer *self);
/* Checks a POST of {"challenge", "signature"} (§3): the login
 * certificate's serial, or NULL after answering with a problem. */
char            *mdg_server_login_serial (MdgServer *self,
                                          SoupServerMessage *msg);
/* Answers 200 {"token", "token_type", "expires"}. */
void             mdg_server_send_token   (SoupServerMessage *msg,
                                          const char *token,
                                          gint64 expires);
/* Serves @path (NULL: every other path) with @callback (user data: the
 * server), behind the body limits. */
void             mdg_server_add_route    (MdgServer *self,
                                          const char *path,
                                          SoupServerCallback callback);
/* The staff API under /v1/admin/ (mdg-server-admin-api.c). */
void             mdg_server_admin_api_register (MdgServer *self);

G_END_DECLS
