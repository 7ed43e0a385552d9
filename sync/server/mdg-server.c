/* mdg-server.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "madoguchi-card.h"
#include "mdg-app-error.h"
#include "mdg-envelope.h"
#include "mdg-server-db.h"
#include "mdg-server-http.h"
#include "mdg-server-idle.h"
#include "mdg-server-private.h"
#include "mdg-server-retention.h"
#include "mdg-server-staff.h"
#include "mdg-server-uploads.h"
#include "mdg-server.h"
#include "mdg-sync-batch.h"
#include "mdg-sync-json.h"
#include "mdg-sync-problem.h"
#include "mdg-sync-receipt.h"

struct _MdgServer
{
  GObject          parent_instance;
  MdgServerConfig *config;
  MdgServerDb     *db;
  EVP_PKEY        *receipt_key;
  SoupServer      *soup;
  MdgServerIdle   *idle;
  guint            housekeeping;
};

G_DEFINE_FINAL_TYPE (MdgServer, mdg_server, G_TYPE_OBJECT)

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

/* Verifies the envelope at @path as received at @received. On failure
 * *@problem and @error say why; *@internal when it is the server's fault
 * (a file it cannot read), not the envelope's. Runs in a worker thread: it
 * touches no server state but the read-only configuration. */
static MdgVerifyReport *
verify_envelope (MdgServer *self,
                 const char *path,
                 GDateTime *received,
                 MdgSyncProblem *problem,
                 gboolean *internal,
                 GError **error)
{
  g_autoptr(MdgEnvelope) env = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;

  *internal = FALSE;
  env = mdg_envelope_open (path, error);
  if (env != NULL)
    report = mdg_envelope_verify (env, self->config->signing_trust, received, error);
  if (report == NULL)
    {
      *internal = *error != NULL && (*error)->domain == G_FILE_ERROR;
      *problem = MDG_SYNC_PROBLEM_ENVELOPE_MALFORMED;
      return NULL;
    }
  if (mdg_verify_report_to_error (report, error))
    {
      *problem = envelope_problem (*error);
      return NULL;
    }
  return g_steal_pointer (&report);
}

/* A private file in the envelope directory for an envelope being
 * received: @envelope's bytes, or a hard link to the upload at @source. */
static char *
stage_envelope (MdgServer *self,
                GBytes *envelope,
                const char *source,
                GError **error)
{
  g_autofree char *tmp = g_build_filename (self->config->envelope_dir, "incoming-XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s", g_strerror (errno));
      return NULL;
    }
  close (fd);
  if (envelope != NULL)
    {
      if (!g_file_set_contents_full (tmp, g_bytes_get_data (envelope, NULL), g_bytes_get_size (envelope),
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
        {
          g_unlink (tmp);
          return NULL;
        }
      return g_steal_pointer (&tmp);
    }
  /* The upload stays until it goes stale: a retry may name it again. */
  g_unlink (tmp);
  if (link (source, tmp) != 0)
    {
      g_autoptr(GFile) from = g_file_new_for_path (source);
      g_autoptr(GFile) to = g_file_new_for_path (tmp);

      if (!g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, error))
        {
          g_unlink (tmp);
          return NULL;
        }
    }
  return g_steal_pointer (&tmp);
}

static JsonNode *
build_receipt (MdgServer *self,
               MdgServerSubmission *sub,
               gsize size,
               MdgVerifyReport *report)
{
  g_autoptr(JsonObject) obj = json_object_new ();
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

static gboolean
is_sha256_hex (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

/* The upload a PUT of an upload reference names (the resident's own and
 * complete), or NULL after answering. */
static MdgServerUpload *
referenced_upload (MdgServer *self,
                   SoupServerMessage *msg,
                   const char *resident,
                   const char *sha256)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgServerUpload) upload = mdg_server_upload_find (self->db, resident, NULL, sha256, &error);

  if (error != NULL)
    mdg_server_http_send_internal (msg, error);
  else if (upload == NULL)
    mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, "no upload with this sha256");
  else if (!upload->complete)
    mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_UPLOAD_INCOMPLETE, NULL);
  else
    return g_steal_pointer (&upload);
  return NULL;
}

/* A PUT of an envelope on its way: parsed on the main thread, staged (with
 * fsync) and verified in a worker thread, stored and answered on the main
 * thread again. Several run at once, so one envelope's disk sync and
 * signature checks do not hold up the others. */
typedef struct
{
  MdgServer         *self;
  SoupServerMessage *msg;
  char              *resident;
  char              *uuid;
  char              *sha256;
  GBytes            *envelope;      /* or: */
  char              *upload_path;
  gint64             size;
  gint64             now;
  /* From the worker. */
  char              *staged;
  char              *final;         /* the envelope's file once stored */
  MdgVerifyReport   *report;
  MdgSyncProblem     problem;
  gboolean           internal;
  GError            *error;
} Put;

static void
put_free (Put *put)
{
  if (put->staged != NULL)
    g_unlink (put->staged);
  g_free (put->staged);
  g_free (put->final);
  g_object_unref (put->self);
  g_clear_object (&put->msg);
  g_free (put->resident);
  g_free (put->uuid);
  g_free (put->sha256);
  g_clear_pointer (&put->envelope, g_bytes_unref);
  g_free (put->upload_path);
  g_clear_pointer (&put->report, mdg_verify_report_free);
  g_clear_error (&put->error);
  g_free (put);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Put, put_free)

/* A put of @envelope (NULL: an upload's bytes) received now; takes
 * @sha256. */
static Put *
put_new (MdgServer *self,
         const char *resident,
         const char *uuid,
         char *sha256,
         GBytes *envelope,
         gint64 size)
{
  Put *put = g_new0 (Put, 1);

  put->self = g_object_ref (self);
  put->resident = g_strdup (resident);
  put->uuid = g_strdup (uuid);
  put->sha256 = sha256;
  put->now = mdg_server_http_now ();
  put->size = size;
  put->envelope = envelope != NULL ? g_bytes_ref (envelope) : NULL;
  return put;
}

typedef enum
{
  EXISTING_NONE,
  EXISTING_SAME,      /* *receipt: the first receipt, byte for byte */
  EXISTING_CONFLICT,  /* the UUID holds other bytes or another resident's */
  EXISTING_ERROR,
} Existing;

/* A retry gets the first receipt, whichever way the bytes came. */
static Existing
find_existing (MdgServer *self,
               const char *uuid,
               const char *resident,
               const char *sha256,
               GBytes **receipt,
               GError **error)
{
  g_autoptr(MdgServerSubmission) existing = mdg_server_db_get_submission (self->db, uuid, error);

  if (existing == NULL)
    return *error != NULL ? EXISTING_ERROR : EXISTING_NONE;
  if (!g_str_equal (existing->resident, resident) || !g_str_equal (existing->sha256, sha256))
    return EXISTING_CONFLICT;
  *receipt = g_bytes_ref (existing->receipt);
  return EXISTING_SAME;
}

/* The first receipt again for the same bytes from the same resident, 409
 * otherwise. FALSE when @uuid is new. */
static gboolean
answer_existing (MdgServer *self,
                 SoupServerMessage *msg,
                 const char *uuid,
                 const char *resident,
                 const char *sha256)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) receipt = NULL;

  switch (find_existing (self, uuid, resident, sha256, &receipt, &error))
    {
    case EXISTING_NONE:
      return FALSE;
    case EXISTING_SAME:
      mdg_server_http_send_bytes (msg, SOUP_STATUS_OK, "application/json", receipt);
      break;
    case EXISTING_CONFLICT:
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT, NULL);
      break;
    case EXISTING_ERROR:
    default:
      mdg_server_http_send_internal (msg, error);
      break;
    }
  return TRUE;
}

/* In a worker thread: the envelope staged on disk and verified. */
static void
put_verify (Put *put)
{
  g_autoptr(GDateTime) received = g_date_time_new_from_unix_utc (put->now);

  put->staged = stage_envelope (put->self, put->envelope, put->upload_path, &put->error);
  g_clear_pointer (&put->envelope, g_bytes_unref);
  if (put->staged == NULL)
    put->internal = TRUE;
  else
    put->report = verify_envelope (put->self, put->staged, received, &put->problem, &put->internal,
                                   &put->error);
}

static void
put_thread (GTask *task,
            gpointer source,
            gpointer task_data,
            GCancellable *cancellable)
{
  put_verify (task_data);
  g_task_return_boolean (task, TRUE);
}

typedef enum
{
  PUT_CREATED,   /* *answer: the new receipt */
  PUT_EXISTING,  /* *answer: the first receipt */
  PUT_REFUSED,   /* put->problem, with put->error as detail */
  PUT_CONFLICT,
  PUT_INTERNAL,  /* *error */
} PutOutcome;

/* Back on the main thread: the receipt, the file in place, the row. */
static PutOutcome
put_commit (Put *put,
            GBytes **answer,
            GError **error)
{
  MdgServer *self = put->self;
  g_autoptr(MdgServerSubmission) sub = NULL;
  g_autoptr(JsonNode) receipt = NULL;
  gint64 seq;

  if (put->report == NULL)
    {
      if (!put->internal)
        return PUT_REFUSED;
      g_propagate_error (error, g_steal_pointer (&put->error));
      return PUT_INTERNAL;
    }
  /* The same UUID may have come in meanwhile on another connection. */
  switch (find_existing (self, put->uuid, put->resident, put->sha256, answer, error))
    {
    case EXISTING_SAME:
      return PUT_EXISTING;
    case EXISTING_CONFLICT:
      return PUT_CONFLICT;
    case EXISTING_ERROR:
      return PUT_INTERNAL;
    case EXISTING_NONE:
    default:
      break;
    }

  seq = mdg_server_db_next_sequence (self->db, error);
  if (seq < 0)
    return PUT_INTERNAL;
  sub = g_new0 (MdgServerSubmission, 1);
  sub->uuid = g_strdup (put->uuid);
  sub->resident = g_strdup (put->resident);
  sub->sha256 = g_strdup (put->sha256);
  sub->received = mdg_server_now_iso (put->now);
  sub->receipt_number = g_strdup_printf ("MDG-%.4s%.2s%.2s-%06" G_GINT64_FORMAT,
                                         sub->received, sub->received + 5, sub->received + 8, seq);
  sub->envelope_file = g_strconcat (put->uuid, ".zip", NULL);
  sub->envelope_size = put->size;
  put->final = g_build_filename (self->config->envelope_dir, sub->envelope_file, NULL);
  receipt = build_receipt (self, sub, put->size, put->report);
  sub->receipt = mdg_sync_receipt_sign (receipt, self->receipt_key, error);
  if (sub->receipt == NULL || g_rename (put->staged, put->final) != 0
      || !mdg_server_db_insert_submission (self->db, seq, sub, NULL, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s", g_strerror (errno));
      g_unlink (put->final);
      g_clear_pointer (&put->final, g_free);
      return PUT_INTERNAL;
    }
  g_clear_pointer (&put->staged, g_free);
  *answer = g_bytes_ref (sub->receipt);
  return PUT_CREATED;
}

static void
put_store (Put *put)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;

  switch (put_commit (put, &answer, &error))
    {
    case PUT_CREATED:
      mdg_server_http_send_bytes (put->msg, SOUP_STATUS_CREATED, "application/json", answer);
      break;
    case PUT_EXISTING:
      mdg_server_http_send_bytes (put->msg, SOUP_STATUS_OK, "application/json", answer);
      break;
    case PUT_REFUSED:
      mdg_server_http_send_problem (put->msg, put->problem, put->error != NULL ? put->error->message : NULL);
      break;
    case PUT_CONFLICT:
      mdg_server_http_send_problem (put->msg, MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT, NULL);
      break;
    case PUT_INTERNAL:
    default:
      mdg_server_http_send_internal (put->msg, error);
      break;
    }
}

static void
put_done (GObject *source,
          GAsyncResult *result,
          gpointer user_data)
{
  Put *put = g_task_get_task_data (G_TASK (result));

  put_store (put);
  soup_server_message_unpause (put->msg);
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
  g_autoptr(MdgServerUpload) upload = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *sha256 = NULL;
  Put *put;

  if (g_strcmp0 (type, "application/zip") == 0)
    {
      envelope = mdg_server_http_request_body (msg);
      if ((gint64) g_bytes_get_size (envelope) > self->config->max_envelope_size)
        {
          mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE, NULL);
          return;
        }
      sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, envelope);
    }
  else if (g_strcmp0 (type, MDG_SERVER_UPLOAD_REF_TYPE) == 0)
    {
      g_autoptr(GBytes) body = mdg_server_http_request_body (msg);
      g_autoptr(JsonObject) ref = mdg_server_http_parse_object (body);
      const char *hex = ref != NULL ? mdg_sync_json_get_string (ref, "sha256") : NULL;

      if (!is_sha256_hex (hex))
        {
          mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST, "sha256 must be 64 lower-case hex digits");
          return;
        }
      sha256 = g_strdup (hex);
    }
  else
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE, NULL);
      return;
    }

  if (answer_existing (self, msg, uuid, resident, sha256))
    return;
  if (envelope == NULL)
    {
      upload = referenced_upload (self, msg, resident, sha256);
      if (upload == NULL)
        return;
    }

  put = put_new (self, resident, uuid, g_steal_pointer (&sha256), envelope,
                 envelope != NULL ? (gint64) g_bytes_get_size (envelope) : upload->size);
  put->msg = g_object_ref (msg);
  if (upload != NULL)
    put->upload_path = mdg_server_upload_path (self->config->upload_dir, upload->id);

  soup_server_message_pause (msg);
  task = g_task_new (self, NULL, put_done, NULL);
  g_task_set_task_data (task, put, (GDestroyNotify) put_free);
  g_task_run_in_thread (task, put_thread);
}

/* A POST of several envelopes (mdg-sync-batch.h): each part is checked,
 * staged and verified as a PUT of it would be, in one worker thread; the
 * new submissions are stored in one transaction (one disk sync instead of
 * one each), and one answer lists every part's result. */
typedef struct
{
  MdgServer         *self;
  SoupServerMessage *msg;
  GPtrArray         *puts;      /* Put, one per part, in order */
  GPtrArray         *answers;   /* JsonNode: the result of the same part */
} Batch;

/* Answers are filled in as they come, and taken by batch_send(). */
static void
answer_free (gpointer node)
{
  if (node != NULL)
    json_node_unref (node);
}

static void
batch_free (Batch *batch)
{
  g_object_unref (batch->self);
  g_object_unref (batch->msg);
  g_ptr_array_unref (batch->puts);
  g_ptr_array_unref (batch->answers);
  g_free (batch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

/* {"submission", "status", @member: the JSON of @body}. */
static JsonNode *
batch_result (const char *uuid,
              guint status,
              const char *member,
              GBytes *body)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  json_object_set_string_member (obj, "submission", uuid);
  json_object_set_int_member (obj, "status", status);
  /* Both are this server's own JSON. */
  if (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL))
    json_object_set_member (obj, member, json_node_copy (json_parser_get_root (parser)));
  return json_node_init_object (json_node_alloc (), obj);
}

static JsonNode *
batch_problem (const char *uuid,
               MdgSyncProblem problem,
               const char *detail)
{
  g_autoptr(GBytes) body = mdg_sync_problem_to_json (problem, detail);

  return batch_result (uuid, mdg_sync_problem_get_status (problem), "problem", body);
}

static void
batch_thread (GTask *task,
              gpointer source,
              gpointer task_data,
              GCancellable *cancellable)
{
  Batch *batch = task_data;

  for (guint i = 0; i < batch->puts->len; i++)
    if (batch->answers->pdata[i] == NULL)
      put_verify (batch->puts->pdata[i]);
  g_task_return_boolean (task, TRUE);
}

static void
batch_send (Batch *batch)
{
  g_autoptr(JsonArray) results = json_array_new ();
  g_autoptr(JsonObject) obj = json_object_new ();

  for (guint i = 0; i < batch->answers->len; i++)
    json_array_add_element (results, g_steal_pointer (&batch->answers->pdata[i]));
  json_object_set_array_member (obj, "results", g_steal_pointer (&results));
  mdg_server_http_send_object (batch->msg, SOUP_STATUS_OK, obj);
}

static void
batch_done (GObject *source,
            GAsyncResult *result,
            gpointer user_data)
{
  Batch *batch = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!mdg_server_db_begin (batch->self->db, &error))
    {
      mdg_server_http_send_internal (batch->msg, error);
      soup_server_message_unpause (batch->msg);
      return;
    }
  ok = TRUE;
  for (guint i = 0; ok && i < batch->puts->len; i++)
    {
      Put *put = batch->puts->pdata[i];
      g_autoptr(GBytes) answer = NULL;

      if (batch->answers->pdata[i] != NULL)
        continue;
      switch (put_commit (put, &answer, &error))
        {
        case PUT_CREATED:
          batch->answers->pdata[i] = batch_result (put->uuid, SOUP_STATUS_CREATED, "receipt", answer);
          break;
        case PUT_EXISTING:
          batch->answers->pdata[i] = batch_result (put->uuid, SOUP_STATUS_OK, "receipt", answer);
          break;
        case PUT_REFUSED:
          batch->answers->pdata[i] = batch_problem (put->uuid, put->problem,
                                                    put->error != NULL ? put->error->message : NULL);
          break;
        case PUT_CONFLICT:
          batch->answers->pdata[i] = batch_problem (put->uuid, MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT, NULL);
          break;
        case PUT_INTERNAL:
        default:
          ok = FALSE;
          break;
        }
    }
  /* All or nothing: a failure leaves no receipt the client did not get. */
  if (!mdg_server_db_end (batch->self->db, ok, ok ? &error : NULL) || !ok)
    {
      for (guint i = 0; i < batch->puts->len; i++)
        {
          Put *put = batch->puts->pdata[i];

          if (put->final != NULL)
            g_unlink (put->final);
        }
      mdg_server_http_send_internal (batch->msg, error);
    }
  else
    batch_send (batch);
  soup_server_message_unpause (batch->msg);
}

static void
post_submissions (MdgServer *self,
                  SoupServerMessage *msg,
                  const char *resident)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMultipart) multipart = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(Batch) batch = NULL;
  g_autoptr(GTask) task = NULL;
  gboolean verify = FALSE;
  int n;

  if (g_strcmp0 (soup_message_headers_get_content_type (headers, NULL), "multipart/form-data") != 0)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE, NULL);
      return;
    }
  body = mdg_server_http_request_body (msg);
  multipart = soup_multipart_new_from_message (headers, body);
  n = multipart != NULL ? soup_multipart_get_length (multipart) : 0;
  if (n < 1 || n > MDG_SYNC_BATCH_MAX)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST,
                                    "a batch is 1 to " G_STRINGIFY (MDG_SYNC_BATCH_MAX)
                                    " multipart/form-data parts");
      return;
    }

  batch = g_new0 (Batch, 1);
  batch->self = g_object_ref (self);
  batch->msg = g_object_ref (msg);
  batch->puts = g_ptr_array_new_with_free_func ((GDestroyNotify) put_free);
  batch->answers = g_ptr_array_new_full ((guint) n, answer_free);
  for (int i = 0; i < n; i++)
    {
      SoupMessageHeaders *part_headers;
      GBytes *part;
      g_autoptr(GHashTable) params = NULL;
      g_autoptr(GBytes) receipt = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *lower = NULL;
      const char *name = NULL;
      Put *put;

      soup_multipart_get_part (multipart, i, &part_headers, &part);
      if (soup_message_headers_get_content_disposition (part_headers, NULL, &params))
        name = g_hash_table_lookup (params, "name");
      if (name != NULL && g_uuid_string_is_valid (name))
        lower = g_ascii_strdown (name, -1);
      if (lower == NULL || !g_hash_table_add (seen, g_strdup (lower))
          || g_strcmp0 (soup_message_headers_get_content_type (part_headers, NULL), "application/zip") != 0)
        {
          mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST,
                                        "each part: an application/zip named by a submission UUID, "
                                        "no UUID twice");
          return;
        }
      put = put_new (self, resident, lower, g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, part), part,
                     (gint64) g_bytes_get_size (part));
      g_ptr_array_add (batch->puts, put);
      g_ptr_array_add (batch->answers, NULL);
      switch (find_existing (self, put->uuid, resident, put->sha256, &receipt, &error))
        {
        case EXISTING_SAME:
          batch->answers->pdata[i] = batch_result (put->uuid, SOUP_STATUS_OK, "receipt", receipt);
          break;
        case EXISTING_CONFLICT:
          batch->answers->pdata[i] = batch_problem (put->uuid, MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT, NULL);
          break;
        case EXISTING_ERROR:
          mdg_server_http_send_internal (msg, error);
          return;
        case EXISTING_NONE:
        default:
          verify = TRUE;
          break;
        }
    }
  if (!verify)
    {
      batch_send (batch);
      return;
    }

  soup_server_message_pause (msg);
  task = g_task_new (self, NULL, batch_done, NULL);
  g_task_set_task_data (task, g_steal_pointer (&batch), (GDestroyNotify) batch_free);
  g_task_run_in_thread (task, batch_thread);
}

static void
get_submissions (MdgServer *self,
                 SoupServerMessage *msg,
                 const char *resident,
                 const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = mdg_server_db_list_submissions (self->db, resident, uuid, &error);

  if (list == NULL)
    {
      mdg_server_http_send_internal (msg, error);
      return;
    }
  if (uuid != NULL)
    {
      JsonArray *items = json_node_get_array (list);

      /* Another resident's submission is as absent as a missing one. */
      if (json_array_get_length (items) == 0)
        mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
      else
        mdg_server_http_send_json (msg, SOUP_STATUS_OK, json_array_get_element (items, 0));
      return;
    }
  mdg_server_http_send_member (msg, "submissions", g_steal_pointer (&list));
}

/* The resident's own signed document, exactly the signed bytes, so that a
 * correction (補正) can start from it; only while the envelope is kept. */
static void
get_document (MdgServer *self,
              SoupServerMessage *msg,
              const char *resident,
              const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = mdg_server_db_list_submissions (self->db, resident, uuid, &error);
  g_autoptr(MdgEnvelope) envelope = NULL;
  g_autofree char *path = NULL;
  gboolean temporary = FALSE;

  if (list == NULL)
    {
      mdg_server_http_send_internal (msg, error);
      return;
    }
  if (json_array_get_length (json_node_get_array (list)) == 0
      || (path = mdg_server_staff_envelope_path (self->db, self->config, uuid, &temporary, &error)) == NULL)
    {
      /* Another resident's, unknown, or purged: all look the same. */
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
      return;
    }
  envelope = mdg_envelope_open (path, &error);
  if (temporary)
    g_unlink (path);
  if (envelope == NULL)
    {
      mdg_server_http_send_internal (msg, error);
      return;
    }
  mdg_server_http_send_bytes (msg, SOUP_STATUS_OK, "application/json", mdg_envelope_get_document (envelope));
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
  g_autofree char *resident = NULL;
  g_autofree char *uuid = NULL;
  gboolean at_sub;

  if (!mdg_server_http_parse_path (msg, path, "/v1/submissions", "/document", g_uuid_string_is_valid, &uuid,
                                   &at_sub))
    return;
  if (at_sub)
    {
      if (mdg_server_http_require_method (msg, SOUP_METHOD_GET)
          && (resident = mdg_server_authenticate (self, msg, MDG_SERVER_ROLE_RESIDENT)) != NULL)
        get_document (self, msg, resident, uuid);
    }
  else if (uuid != NULL && g_str_equal (method, SOUP_METHOD_PUT))
    {
      if ((resident = mdg_server_authenticate (self, msg, MDG_SERVER_ROLE_RESIDENT)) != NULL)
        put_submission (self, msg, resident, uuid);
    }
  else if (uuid == NULL && g_str_equal (method, SOUP_METHOD_POST))
    {
      if ((resident = mdg_server_authenticate (self, msg, MDG_SERVER_ROLE_RESIDENT)) != NULL)
        post_submissions (self, msg, resident);
    }
  else if (mdg_server_http_require_method (msg, SOUP_METHOD_GET))
    {
      if ((resident = mdg_server_authenticate (self, msg, MDG_SERVER_ROLE_RESIDENT)) != NULL)
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
  g_autofree char *resident = NULL;

  if (!mdg_server_http_require_route (msg, path, "/v1/records", SOUP_METHOD_GET)
      || (resident = mdg_server_authenticate (self, msg, MDG_SERVER_ROLE_RESIDENT)) == NULL)
    return;
  list = mdg_server_db_list_records (self->db, resident, &error);
  if (list == NULL)
    {
      mdg_server_http_send_internal (msg, error);
      return;
    }
  mdg_server_http_send_member (msg, "records", g_steal_pointer (&list));
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

  if (self->config->catalog_bundle == NULL)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
      return;
    }
  if (!mdg_server_http_require_route (msg, path, "/v1/catalog", SOUP_METHOD_GET))
    return;
  if (!g_file_get_contents (self->config->catalog_bundle, &data, &len, &error))
    {
      mdg_server_http_send_internal (msg, error);
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
  mdg_server_http_send_bytes (msg, SOUP_STATUS_OK, "application/octet-stream", bundle);
}

static JsonObject *
upload_state (MdgServerUpload *upload)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "upload", upload->id);
  json_object_set_int_member (obj, "offset", upload->done);
  json_object_set_boolean_member (obj, "complete", upload->complete);
  return obj;
}

static void
set_offset_header (SoupServerMessage *msg,
                   MdgServerUpload *upload)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *offset = g_strdup_printf ("%" G_GINT64_FORMAT, upload->done);
  g_autofree char *length = g_strdup_printf ("%" G_GINT64_FORMAT, upload->size);

  soup_message_headers_replace (headers, "Upload-Offset", offset);
  soup_message_headers_replace (headers, "Upload-Length", length);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
}

/* POST /v1/uploads {"sha256", "size"}: a new upload, or the resident's
 * unfinished (or finished) one of the same bytes. */
static void
post_upload (MdgServer *self,
             SoupServerMessage *msg,
             const char *resident)
{
  g_autoptr(GBytes) body = mdg_server_http_request_body (msg);
  g_autoptr(JsonObject) req = mdg_server_http_parse_object (body);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgServerUpload) upload = NULL;
  g_autoptr(JsonObject) obj = NULL;
  const char *sha256 = req != NULL ? mdg_sync_json_get_string (req, "sha256") : NULL;
  JsonNode *size_node = req != NULL ? json_object_get_member (req, "size") : NULL;
  gint64 size = -1;

  if (size_node != NULL && JSON_NODE_HOLDS_VALUE (size_node) && json_node_get_value_type (size_node) == G_TYPE_INT64)
    size = json_node_get_int (size_node);
  if (!is_sha256_hex (sha256) || size <= 0)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST, "sha256 (hex) and size (> 0) are required");
      return;
    }
  if (size > self->config->max_upload_size)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE, NULL);
      return;
    }
  upload = mdg_server_upload_find (self->db, resident, NULL, sha256, &error);
  if (error == NULL && upload != NULL && upload->size == size)
    {
      obj = upload_state (upload);
      set_offset_header (msg, upload);
      mdg_server_http_send_object (msg, SOUP_STATUS_OK, obj);
      return;
    }
  g_clear_pointer (&upload, mdg_server_upload_free);
  if (error == NULL)
    upload = mdg_server_upload_create (self->db, self->config->upload_dir, resident, sha256, size, &error);
  if (upload == NULL)
    {
      mdg_server_http_send_internal (msg, error);
      return;
    }
  obj = upload_state (upload);
  set_offset_header (msg, upload);
  mdg_server_http_send_object (msg, SOUP_STATUS_CREATED, obj);
}

static void
send_offset_mismatch (SoupServerMessage *msg,
                      MdgServerUpload *upload)
{
  g_autoptr(GBytes) problem = mdg_sync_problem_to_json (MDG_SYNC_PROBLEM_UPLOAD_OFFSET_MISMATCH, NULL);
  g_autoptr(JsonObject) obj = mdg_server_http_parse_object (problem);

  /* The client resumes at "offset" (also in Upload-Offset). */
  json_object_set_int_member (obj, "offset", upload->done);
  set_offset_header (msg, upload);
  mdg_server_http_send_object (msg, mdg_sync_problem_get_status (MDG_SYNC_PROBLEM_UPLOAD_OFFSET_MISMATCH), obj);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         MDG_SYNC_PROBLEM_MEDIA_TYPE, NULL);
}

/* PATCH /v1/uploads/{id} with Content-Range: bytes a-b/N. */
static void
patch_upload (MdgServer *self,
              SoupServerMessage *msg,
              MdgServerUpload *upload)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) obj = NULL;
  goffset start = -1;
  goffset end = -1;
  goffset total = -1;
  gboolean mismatch = FALSE;

  if (g_strcmp0 (type, "application/octet-stream") != 0)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE, NULL);
      return;
    }
  chunk = mdg_server_http_request_body (msg);
  if ((gint64) g_bytes_get_size (chunk) > self->config->max_chunk_size)
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE, NULL);
      return;
    }
  if (!soup_message_headers_get_content_range (headers, &start, &end, &total)
      || start < 0 || end < start || total != upload->size || end >= upload->size
      || end - start + 1 != (goffset) g_bytes_get_size (chunk))
    {
      mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_BAD_REQUEST,
                                    "Content-Range must be bytes a-b/size and match the body");
      return;
    }
  if (upload->complete || start != upload->done)
    {
      send_offset_mismatch (msg, upload);
      return;
    }
  if (!mdg_server_upload_write (self->db, self->config->upload_dir, upload, chunk, &mismatch, &error))
    {
      if (mismatch)
        mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_UPLOAD_HASH_MISMATCH, NULL);
      else
        mdg_server_http_send_internal (msg, error);
      return;
    }
  obj = upload_state (upload);
  set_offset_header (msg, upload);
  mdg_server_http_send_object (msg, SOUP_STATUS_OK, obj);
}

/* Upload IDs are 32 lower-case hex digits (mdg_server_upload_create). */
static gboolean
is_upload_id (const char *id)
{
  return strlen (id) == 32 && strspn (id, "0123456789abcdef") == 32;
}

static void
handle_uploads (SoupServer *server,
                SoupServerMessage *msg,
                const char *path,
                GHashTable *query,
                gpointer user_data)
{
  MdgServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgServerUpload) upload = NULL;
  g_autofree char *resident = NULL;
  g_autofree char *id = NULL;
  gboolean at_sub;

  if (!mdg_server_http_parse_path (msg, path, "/v1/uploads", NULL, is_upload_id, &id, &at_sub))
    return;
  if (id == NULL)
    {
      if (mdg_server_http_require_method (msg, SOUP_METHOD_POST)
          && (resident = mdg_server_authenticate (self, msg, MDG_SERVER_ROLE_RESIDENT)) != NULL)
        post_upload (self, msg, resident);
      return;
    }
  if (!g_str_equal (method, SOUP_METHOD_HEAD) && !mdg_server_http_require_method (msg, "PATCH"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "HEAD, PATCH");
      return;
    }
  if ((resident = mdg_server_authenticate (self, msg, MDG_SERVER_ROLE_RESIDENT)) == NULL)
    return;
  /* Another resident's upload is as absent as a missing one. */
  upload = mdg_server_upload_find (self->db, resident, id, NULL, &error);
  if (error != NULL)
    mdg_server_http_send_internal (msg, error);
  else if (upload == NULL)
    mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
  else if (g_str_equal (method, SOUP_METHOD_HEAD))
    {
      set_offset_header (msg, upload);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    }
  else
    patch_upload (self, msg, upload);
}

static void
handle_default (SoupServer *server,
                SoupServerMessage *msg,
                const char *path,
                GHashTable *query,
                gpointer user_data)
{
  mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_NOT_FOUND, NULL);
}

/* The largest body a request to @path may carry. */
static gint64
body_limit (MdgServer *self,
            const char *method,
            const char *path)
{
  if ((g_str_has_prefix (path, "/v1/submissions/") && g_str_equal (method, SOUP_METHOD_PUT))
      || (g_str_equal (path, "/v1/submissions") && g_str_equal (method, SOUP_METHOD_POST)))
    return self->config->max_envelope_size;
  if (g_str_has_prefix (path, "/v1/uploads/"))
    return self->config->max_chunk_size;
  return MDG_SERVER_MAX_JSON_BODY;
}

/* Answers @problem on the raw connection and closes it: libsoup would
 * otherwise read (and keep) the whole refused body before answering. */
static void
refuse_unread (SoupServerMessage *msg,
               MdgSyncProblem problem)
{
  g_autoptr(GBytes) body = mdg_sync_problem_to_json (problem, NULL);
  g_autoptr(GIOStream) io = soup_server_message_steal_connection (msg);
  g_autofree char *head = NULL;

  if (io == NULL)
    return;
  head = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: " MDG_SYNC_PROBLEM_MEDIA_TYPE "\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                          mdg_sync_problem_get_status (problem),
                          soup_status_get_phrase (mdg_sync_problem_get_status (problem)),
                          g_bytes_get_size (body));
  /* Small and best effort: the client may already be gone. */
  if (g_output_stream_write_all (g_io_stream_get_output_stream (io), head, strlen (head), NULL, NULL, NULL))
    g_output_stream_write_all (g_io_stream_get_output_stream (io), g_bytes_get_data (body, NULL),
                               g_bytes_get_size (body), NULL, NULL, NULL);
  g_io_stream_close (io, NULL, NULL);
}

/* Refuses an oversized body, or one of unknown length, before it is read:
 * the server never buffers more than the limits. */
static void
early_limits (SoupServer *server,
              SoupServerMessage *msg,
              const char *path,
              GHashTable *query,
              gpointer user_data)
{
  MdgServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  goffset length;
  gint64 limit;

  if (encoding == SOUP_ENCODING_NONE)
    return;
  if (encoding != SOUP_ENCODING_CONTENT_LENGTH)
    {
      refuse_unread (msg, MDG_SYNC_PROBLEM_LENGTH_REQUIRED);
      return;
    }
  length = soup_message_headers_get_content_length (headers);
  limit = body_limit (self, soup_server_message_get_method (msg), path);
  if (length <= limit)
    return;
  /* A little too much is read and dropped, so that an ordinary client that
   * sends before it listens gets the answer; more is cut off unread. */
  if (length - limit > MDG_SERVER_DRAIN_LIMIT)
    {
      refuse_unread (msg, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE);
      return;
    }
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  mdg_server_http_send_problem (msg, MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

/* A client that stops sending (or reading) is cut off after io_timeout.
 * libsoup writes an answer's headers and body apart: TCP_NODELAY keeps the
 * body from waiting for the client's delayed ACK of the headers. */
static void
request_started (SoupServer *server,
                 SoupServerMessage *msg,
                 gpointer user_data)
{
  MdgServer *self = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    {
      g_socket_set_timeout (socket, (guint) MIN (self->config->io_timeout, G_MAXUINT));
      if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
        g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
    }
}

/* Envelopes that were being received when the server stopped (killed, or
 * stopped with a PUT in flight) got no receipt: their staging files go. Only
 * at start-up, when no PUT can be running. */
static void
remove_unfinished_envelopes (MdgServer *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->config->envelope_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, "incoming-"))
        {
          g_autofree char *path = g_build_filename (self->config->envelope_dir, name, NULL);

          g_unlink (path);
        }
    }
}

/* Stale uploads (and, with retention, old envelopes) at start-up and
 * hourly. */
static gboolean
housekeeping (gpointer user_data)
{
  MdgServer *self = user_data;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (!mdg_server_upload_purge_stale (self->db, self->config->upload_dir,
                                      mdg_server_http_now () - self->config->upload_lifetime, &n, &error))
    g_warning ("Removing stale uploads failed: %s", error->message);
  g_clear_error (&error);
  if (!mdg_server_retention_purge (self->db, self->config, MDG_SERVER_SYSTEM_ACTOR, &n, &error))
    g_warning ("Retention failed: %s", error->message);
  return G_SOURCE_CONTINUE;
}

/* libsoup runs only the early handler of the path that matched, so every
 * path gets the limits. */
void
mdg_server_add_route (MdgServer *self,
                      const char *path,
                      SoupServerCallback callback)
{
  soup_server_add_handler (self->soup, path, callback, self, NULL);
  soup_server_add_early_handler (self->soup, path, early_limits, self, NULL);
}

MdgServerConfig *
mdg_server_get_config (MdgServer *self)
{
  return self->config;
}

MdgServerDb *
mdg_server_get_db (MdgServer *self)
{
  return self->db;
}

static void
mdg_server_dispose (GObject *object)
{
  MdgServer *self = MDG_SERVER (object);

  if (self->housekeeping != 0)
    g_source_remove (self->housekeeping);
  self->housekeeping = 0;
  g_clear_pointer (&self->idle, mdg_server_idle_free);
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
  if (g_mkdir_with_parents (config->upload_dir, 0700) != 0
      || g_mkdir_with_parents (config->envelope_dir, 0700) != 0)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_CONFIG,
                   _("The upload and envelope directories cannot be created: %s"), g_strerror (errno));
      return NULL;
    }
  self->soup = soup_server_new ("tls-certificate", cert, "server-header", "madoguchi-server", NULL);
  self->idle = mdg_server_idle_new (self->soup, (guint) MIN (self->config->io_timeout, G_MAXUINT));
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started), self);
  mdg_server_add_route (self, NULL, handle_default);
  mdg_server_auth_register (self);
  mdg_server_add_route (self, "/v1/submissions", handle_submissions);
  mdg_server_add_route (self, "/v1/records", handle_records);
  mdg_server_add_route (self, "/v1/catalog", handle_catalog);
  mdg_server_add_route (self, "/v1/uploads", handle_uploads);
  mdg_server_admin_api_register (self);
  remove_unfinished_envelopes (self);
  housekeeping (self);
  self->housekeeping = g_timeout_add_seconds (3600, housekeeping, self);
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
