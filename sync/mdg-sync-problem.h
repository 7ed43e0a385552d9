/* mdg-sync-problem.h: the protocol's errors as problem+json (docs/sync-protocol.md §2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MDG_SYNC_PROBLEM_MEDIA_TYPE "application/problem+json"

/* The order is free; the wire carries the code strings, which never change. */
typedef enum
{
  MDG_SYNC_PROBLEM_BAD_REQUEST,
  MDG_SYNC_PROBLEM_UNAUTHORIZED,
  MDG_SYNC_PROBLEM_TOKEN_EXPIRED,
  MDG_SYNC_PROBLEM_CHALLENGE_UNKNOWN,
  MDG_SYNC_PROBLEM_CHALLENGE_USED,
  MDG_SYNC_PROBLEM_CHALLENGE_EXPIRED,
  MDG_SYNC_PROBLEM_LOGIN_SIGNATURE_INVALID,
  MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_UNTRUSTED,
  MDG_SYNC_PROBLEM_LOGIN_CERTIFICATE_EXPIRED,
  MDG_SYNC_PROBLEM_LOGIN_TEST_ROOT,
  MDG_SYNC_PROBLEM_PERSON_UNKNOWN,
  MDG_SYNC_PROBLEM_NOT_FOUND,
  MDG_SYNC_PROBLEM_SUBMISSION_CONFLICT,
  MDG_SYNC_PROBLEM_PAYLOAD_TOO_LARGE,
  MDG_SYNC_PROBLEM_UNSUPPORTED_MEDIA_TYPE,
  MDG_SYNC_PROBLEM_ENVELOPE_MALFORMED,
  MDG_SYNC_PROBLEM_ENVELOPE_SIGNATURE_INVALID,
  MDG_SYNC_PROBLEM_ENVELOPE_CERTIFICATE_UNTRUSTED,
  MDG_SYNC_PROBLEM_ENVELOPE_CERTIFICATE_EXPIRED,
  MDG_SYNC_PROBLEM_ENVELOPE_WRONG_KEY,
  MDG_SYNC_PROBLEM_ENVELOPE_TEST_ROOT,
  MDG_SYNC_PROBLEM_INTERNAL,
  /* Chunked uploads (§4.2), staff API (§8), hostile clients. */
  MDG_SYNC_PROBLEM_UPLOAD_OFFSET_MISMATCH,
  MDG_SYNC_PROBLEM_UPLOAD_HASH_MISMATCH,
  MDG_SYNC_PROBLEM_UPLOAD_INCOMPLETE,
  MDG_SYNC_PROBLEM_LENGTH_REQUIRED,
  MDG_SYNC_PROBLEM_FORBIDDEN,
  MDG_SYNC_PROBLEM_STAFF_UNKNOWN,
} MdgSyncProblem;

/* The last code of this version's table. */
#define MDG_SYNC_PROBLEM_LAST MDG_SYNC_PROBLEM_STAFF_UNKNOWN

/* The stable code, e.g. "challenge-used". */
const char *mdg_sync_problem_get_code     (MdgSyncProblem problem);
guint       mdg_sync_problem_get_status   (MdgSyncProblem problem);
/* The English and the Japanese title (protocol text, not gettext: both
 * always travel). */
const char *mdg_sync_problem_get_title    (MdgSyncProblem problem);
const char *mdg_sync_problem_get_title_ja (MdgSyncProblem problem);
/* The problem of @code; FALSE for a code this version does not know. */
gboolean    mdg_sync_problem_from_code    (const char *code,
                                           MdgSyncProblem *problem);
/* The problem+json body; @detail (English, never personal data) may be NULL. */
GBytes     *mdg_sync_problem_to_json      (MdgSyncProblem problem,
                                           const char *detail);

G_END_DECLS
