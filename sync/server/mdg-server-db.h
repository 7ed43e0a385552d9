/* mdg-server-db.h: madoguchi-server's SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  MDG_SERVER_CHALLENGE_OK,
  MDG_SERVER_CHALLENGE_UNKNOWN,
  MDG_SERVER_CHALLENGE_USED,
  MDG_SERVER_CHALLENGE_EXPIRED,
} MdgServerChallengeState;

typedef enum
{
  MDG_SERVER_TOKEN_OK,
  MDG_SERVER_TOKEN_UNKNOWN,
  MDG_SERVER_TOKEN_EXPIRED,
} MdgServerTokenState;

/* One stored submission (without the envelope's bytes). */
typedef struct
{
  char   *uuid;
  char   *resident;
  char   *sha256;
  char   *receipt_number;
  char   *received;
  char   *status;
  GBytes *receipt;    /* the signed receipt exactly as first sent */
  char   *envelope_file; /* in the envelope directory; NULL: bytes in the row (or purged) */
  gint64  envelope_size;
  char   *purged;     /* when the envelope was purged, or NULL */
} MdgServerSubmission;

void mdg_server_submission_free (MdgServerSubmission *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgServerSubmission, mdg_server_submission_free)

#define MDG_TYPE_SERVER_DB (mdg_server_db_get_type ())
G_DECLARE_FINAL_TYPE (MdgServerDb, mdg_server_db, MDG, SERVER_DB, GObject)

/* Opens (creating the schema) the database at @path (DATABASE). The file
 * holds applications: keep it on an encrypted volume. */
MdgServerDb *mdg_server_db_open               (const char *path,
                                               GError **error);
/* The connection, for the audit chain in the same file. */
gpointer     mdg_server_db_get_handle         (MdgServerDb *self);
/* One write transaction (BEGIN IMMEDIATE); nested calls join the outer
 * one, so a staff write and its audit row commit together. @ok FALSE or a
 * failed inner part rolls everything back. */
gboolean     mdg_server_db_begin              (MdgServerDb *self,
                                               GError **error);
gboolean     mdg_server_db_end                (MdgServerDb *self,
                                               gboolean ok,
                                               GError **error);
/* Runs @sql (no results) or fails with DATABASE. */
gboolean     mdg_server_db_exec               (MdgServerDb *self,
                                               const char *sql,
                                               GError **error);

/* Login challenges: single use, with an expiry (Unix seconds). */
gboolean     mdg_server_db_add_challenge      (MdgServerDb *self,
                                               GBytes *challenge,
                                               gint64 expires,
                                               GError **error);
/* Marks @challenge used whatever its state and says what it was before. */
gboolean     mdg_server_db_consume_challenge  (MdgServerDb *self,
                                               GBytes *challenge,
                                               gint64 now,
                                               MdgServerChallengeState *state,
                                               GError **error);

/* Bearer tokens, stored only as their SHA-256. */
gboolean     mdg_server_db_add_token          (MdgServerDb *self,
                                               const char *token_sha256,
                                               const char *resident,
                                               gint64 expires,
                                               GError **error);
gboolean     mdg_server_db_lookup_token       (MdgServerDb *self,
                                               const char *token_sha256,
                                               gint64 now,
                                               MdgServerTokenState *state,
                                               char **resident,
                                               GError **error);

/* The person-mapping table (シリアル番号紐付): auth-certificate serial
 * (upper-case hex) to resident id. Lookup: NULL without error if unmapped. */
char        *mdg_server_db_lookup_person      (MdgServerDb *self,
                                               const char *serial,
                                               GError **error);
gboolean     mdg_server_db_map_person         (MdgServerDb *self,
                                               const char *serial,
                                               const char *resident,
                                               const char *staff,
                                               GError **error);

/* Individual staff accounts. @card_serial (their own card's
 * authentication certificate, upper-case hex) and @rights ("my-number" or
 * "") may be NULL. */
gboolean     mdg_server_db_add_staff          (MdgServerDb *self,
                                               const char *id,
                                               const char *name,
                                               const char *card_serial,
                                               const char *rights,
                                               GError **error);
/* The staff account of a card serial; NULL without error if none. */
char        *mdg_server_db_lookup_staff_card  (MdgServerDb *self,
                                               const char *serial,
                                               GError **error);
/* Whether staff account @id has right @right (e.g. "my-number"). */
gboolean     mdg_server_db_staff_has_right    (MdgServerDb *self,
                                               const char *id,
                                               const char *right);
/* Staff session tokens, apart from the residents' (SHA-256 only). */
gboolean     mdg_server_db_add_staff_token    (MdgServerDb *self,
                                               const char *token_sha256,
                                               const char *staff,
                                               gint64 expires,
                                               GError **error);
gboolean     mdg_server_db_lookup_staff_token (MdgServerDb *self,
                                               const char *token_sha256,
                                               gint64 now,
                                               MdgServerTokenState *state,
                                               char **staff,
                                               GError **error);
/* -1 on a database error. */
gint64       mdg_server_db_count_staff        (MdgServerDb *self,
                                               const char *id);

/* NULL without error when there is no such submission. */
MdgServerSubmission *mdg_server_db_get_submission (MdgServerDb *self,
                                                   const char *uuid,
                                                   GError **error);
/* The next receipt sequence number (submissions are written by one
 * server process, so this does not race). */
gint64       mdg_server_db_next_sequence      (MdgServerDb *self,
                                               GError **error);
/* Stores a verified envelope and its first status "received": @envelope's
 * bytes in the row, or (@envelope NULL) @submission's envelope_file. */
gboolean     mdg_server_db_insert_submission  (MdgServerDb *self,
                                               gint64 sequence,
                                               MdgServerSubmission *submission,
                                               GBytes *envelope,
                                               GError **error);
/* NOT_FOUND for an unknown @uuid, INVALID for an unknown status or a
 * correction request without a comment. @comment may be NULL. */
gboolean     mdg_server_db_set_status         (MdgServerDb *self,
                                               const char *uuid,
                                               const char *status,
                                               const char *comment,
                                               const char *staff,
                                               GError **error);
/* Submissions with their history, newest first: @resident's, all when
 * @resident is NULL, or just @uuid when it is not NULL. */
JsonNode    *mdg_server_db_list_submissions   (MdgServerDb *self,
                                               const char *resident,
                                               const char *uuid,
                                               GError **error);
/* The staff view: like the above with @resident NULL, only @status (may be
 * NULL), adding the envelope's hash and size, export and purge marks. */
JsonNode    *mdg_server_db_list_staff         (MdgServerDb *self,
                                               const char *status,
                                               const char *uuid,
                                               GError **error);

/* Subsidy records (§6). @import is mdg_server_records_normalize()'s
 * result; each resident named there gets exactly those records, in one
 * transaction. */
gboolean     mdg_server_db_import_records     (MdgServerDb *self,
                                               JsonNode *import,
                                               const char *staff,
                                               GError **error);
/* @resident's records in import order, as an array. */
JsonNode    *mdg_server_db_list_records       (MdgServerDb *self,
                                               const char *resident,
                                               GError **error);

/* Now in RFC 3339 UTC, whole seconds. */
char        *mdg_server_now_iso               (gint64 unix_seconds);

G_END_DECLS
