/* mdg-sync-client.h: one resident's HTTPS session with the municipality's
 * server (docs/sync-protocol.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "mdg-signer.h"
#include "mdg-sync-endpoint.h"

G_BEGIN_DECLS

/* Largest answer the client reads (a receipt, a status list); anything
 * bigger is a broken or hostile server. */
#define MDG_SYNC_CLIENT_MAX_ANSWER (4 * 1024 * 1024)
/* Envelopes larger than this go through the resumable upload API in
 * chunks of MDG_SYNC_CLIENT_CHUNK_SIZE (docs/sync-protocol.md §4.2). */
#define MDG_SYNC_CLIENT_UPLOAD_THRESHOLD (8 * 1024 * 1024)
#define MDG_SYNC_CLIENT_CHUNK_SIZE (4 * 1024 * 1024)
#define MDG_SYNC_UPLOAD_REF_MEDIA_TYPE "application/vnd.madoguchi.upload-ref+json"
/* Submissions in flight at once (connections to the server). */
#define MDG_SYNC_CLIENT_MAX_PARALLEL 8

#define MDG_TYPE_SYNC_CLIENT (mdg_sync_client_get_type ())
G_DECLARE_FINAL_TYPE (MdgSyncClient, mdg_sync_client, MDG, SYNC_CLIENT, GObject)

/* A client for @endpoint. TLS accepts only certificates that chain to the
 * endpoint's CA (not the system's); redirects are never followed; the
 * system's proxy settings apply. */
MdgSyncClient *mdg_sync_client_new            (const MdgSyncEndpoint *endpoint,
                                               GError **error);
/* NULL: the system's proxy settings (the default). */
void           mdg_sync_client_set_proxy_resolver (MdgSyncClient *self,
                                                   GProxyResolver *resolver);
/* Seconds without progress before a request fails (default 30). */
void           mdg_sync_client_set_timeout    (MdgSyncClient *self,
                                               guint seconds);
EVP_PKEY      *mdg_sync_client_get_receipt_key (MdgSyncClient *self);
const char    *mdg_sync_client_get_receipt_key_id (MdgSyncClient *self);
/* The server's base URI (ends with '/'). */
const char    *mdg_sync_client_get_uri        (MdgSyncClient *self);
/* Tests make small envelopes take the resumable path. */
void           mdg_sync_client_set_upload_sizes (MdgSyncClient *self,
                                                 gsize threshold,
                                                 gsize chunk_size);
gsize          mdg_sync_client_get_upload_threshold (MdgSyncClient *self);

/* Logs in: a challenge from the server, signed by @auth (the card's
 * authentication key), exchanged for a session token. */
gboolean       mdg_sync_client_login          (MdgSyncClient *self,
                                               MdgSigner *auth,
                                               GCancellable *cancellable,
                                               GError **error);
gboolean       mdg_sync_client_is_logged_in   (MdgSyncClient *self);
void           mdg_sync_client_logout         (MdgSyncClient *self);
/* The session token, to hand the session to another HTTP client (the
 * benchmark's curl); NULL when not logged in. Never log it. */
const char    *mdg_sync_client_get_token      (MdgSyncClient *self);

/* PUT /v1/submissions/@uuid. Returns the signed receipt as sent (not yet
 * verified: see mdg_sync_receipt_check()). REJECTED when the server refuses
 * the envelope for good, with its problem code in *@problem_code. May be
 * called from several threads at once (libsoup ≥ 3.2). */
GBytes        *mdg_sync_client_submit         (MdgSyncClient *self,
                                               const char *uuid,
                                               GBytes *envelope,
                                               char **problem_code,
                                               GCancellable *cancellable,
                                               GError **error);

/* What a batch answered for one envelope: the signed receipt as sent (not
 * yet verified), or the error a PUT of it alone would have given (with
 * its problem code when refused). */
typedef struct
{
  GBytes *receipt;
  char   *problem;
  GError *error;
} MdgSyncBatchResult;

void           mdg_sync_batch_result_clear    (MdgSyncBatchResult *result);

/* POST /v1/submissions (mdg-sync-batch.h): @n (1 to MDG_SYNC_BATCH_MAX)
 * envelopes in one request, verified and stored by the server together.
 * FALSE when the request as a whole failed: nothing is known of any
 * envelope (a server without batches gives PROTOCOL: send them one by
 * one). Otherwise @results[i] (zeroed by the caller, cleared with
 * mdg_sync_batch_result_clear()) tells of @uuids[i]. */
gboolean       mdg_sync_client_submit_batch   (MdgSyncClient *self,
                                               const char * const *uuids,
                                               GBytes * const *envelopes,
                                               guint n,
                                               MdgSyncBatchResult *results,
                                               GCancellable *cancellable,
                                               GError **error);

/* The same through the resumable upload API: the bytes go in chunks, each
 * acknowledged by the server; after a broken connection the next call with
 * the same bytes (@sha256, hex) resumes where the server stands. Then the
 * submission refers to the upload. */
GBytes        *mdg_sync_client_submit_resumable (MdgSyncClient *self,
                                                 const char *uuid,
                                                 GBytes *envelope,
                                                 const char *sha256,
                                                 char **problem_code,
                                                 GCancellable *cancellable,
                                                 GError **error);

/* GET /v1/submissions: the JSON array of the resident's applications,
 * checked member by member. */
JsonArray     *mdg_sync_client_get_submissions (MdgSyncClient *self,
                                                GCancellable *cancellable,
                                                GError **error);
/* GET /v1/submissions/@uuid/document: the resident's own signed
 * application document, to start a correction from. */
GBytes        *mdg_sync_client_get_document   (MdgSyncClient *self,
                                               const char *uuid,
                                               GCancellable *cancellable,
                                               GError **error);
/* GET /v1/records: the JSON array of the resident's subsidy records. */
JsonArray     *mdg_sync_client_get_records    (MdgSyncClient *self,
                                               GCancellable *cancellable,
                                               GError **error);
/* GET /v1/catalog: the bundle, or NULL without error when @etag is still
 * current. *@etag_out gets the new ETag. The bundle's own signature is what
 * the caller checks. */
GBytes        *mdg_sync_client_get_catalog    (MdgSyncClient *self,
                                               const char *etag,
                                               char **etag_out,
                                               GCancellable *cancellable,
                                               GError **error);

G_END_DECLS
