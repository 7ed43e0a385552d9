/* test-server-http.h: HTTP helpers for the madoguchi-server tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mdg-sync-problem.h"
#include "sync-test-server.h"

G_BEGIN_DECLS

typedef struct
{
  guint               status;
  char               *content_type;
  GBytes             *body;
  SoupMessageHeaders *headers;
} TestResponse;

void        test_response_clear     (TestResponse *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TestResponse, test_response_clear)

/* A session that trusts exactly the test server's certificate. */
SoupSession *test_http_session_new  (void);
/* @header (may be NULL) is one extra request header, "Name: value". */
void        test_http_request       (SoupSession *session,
                                     SyncTestServer *s,
                                     const char *method,
                                     const char *path,
                                     const char *token,
                                     const char *content_type,
                                     GBytes *body,
                                     const char *header,
                                     TestResponse *r);
JsonObject *test_http_object        (TestResponse *r);
void        test_http_assert_problem (TestResponse *r,
                                      MdgSyncProblem problem);
/* A fresh login challenge (its bytes, not base64). */
GBytes     *test_http_challenge     (SoupSession *session,
                                     SyncTestServer *s);
/* POSTs {"challenge", "signature"} to the resident or (@staff) the staff
 * login. */
void        test_http_post_login    (SoupSession *session,
                                     SyncTestServer *s,
                                     GBytes *challenge,
                                     GBytes *cms,
                                     gboolean staff,
                                     TestResponse *r);
/* The bearer token of a successful login response. */
char       *test_http_token         (TestResponse *r);
/* Logs @persona in with its authentication key in software, at
 * /v1/auth/login or (@staff) /v1/admin/auth/login; asserts success. */
char       *test_http_login         (SoupSession *session,
                                     SyncTestServer *s,
                                     const char *persona,
                                     gboolean staff);
/* The same, returning the response of the login. */
void        test_http_login_response (SoupSession *session,
                                      SyncTestServer *s,
                                      const char *persona,
                                      gboolean staff,
                                      TestResponse *r);
/* Runs @statement on the server's database (no row count asserted). */
void        test_http_sql_exec      (SyncTestServer *s,
                                     const char *statement);
/* SELECT returning one integer. */
gint64      test_http_sql_int       (SyncTestServer *s,
                                     const char *query);

G_END_DECLS
