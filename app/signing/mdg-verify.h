/* mdg-verify.h: verification of a signed application (shared with the server)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mdg-trust-store.h"

G_BEGIN_DECLS

typedef enum
{
  MDG_CHECK_PASS,
  MDG_CHECK_FAIL,
  MDG_CHECK_NOT_CHECKED,
} MdgCheckResult;

typedef struct _MdgVerifyReport MdgVerifyReport;

/* Verifies @cms (DER, detached) over the exact @document bytes and returns
 * a report of every check (docs/signing.md §4). A GError only when there is
 * nothing to report on: a document that does not parse (INVALID_JSON,
 * DUPLICATE_KEY, INVALID_UTF8, INVALID_DOCUMENT) or a CMS that is not one
 * detached SignedData with one signer (CMS). @attachments (sha256 hex ->
 * GBytes) may be NULL: the attachment check is then "not checked". @now
 * NULL means the current time. */
MdgVerifyReport *mdg_verify_application      (MdgTrustStore *trust,
                                              GBytes *document,
                                              GBytes *cms,
                                              GHashTable *attachments,
                                              GDateTime *now,
                                              GError **error);
/* The same with attachments hashed elsewhere (e.g. streamed from an
 * envelope): @digests maps the actual sha256 hex to a gint64 * size. */
MdgVerifyReport *mdg_verify_application_digests (MdgTrustStore *trust,
                                                 GBytes *document,
                                                 GBytes *cms,
                                                 GHashTable *digests,
                                                 GDateTime *now,
                                                 GError **error);
/* Adds a check of a layer above, e.g. the envelope's parts. @code is an
 * MdgAppError for failures. */
void             mdg_verify_report_add_check (MdgVerifyReport *report,
                                              const char *id,
                                              MdgCheckResult result,
                                              int code,
                                              const char *message);
void             mdg_verify_report_free      (MdgVerifyReport *report);
/* TRUE when no check failed. */
gboolean         mdg_verify_report_is_valid  (MdgVerifyReport *report);
/* The result of check @id (e.g. "signature", "chain"); -1 if absent. */
gint             mdg_verify_report_get_check (MdgVerifyReport *report,
                                              const char *id,
                                              const char **message);
/* The first failure as a GError (VERIFY, UNTRUSTED, TEST_ROOT, WRONG_KEY,
 * EXPIRED); FALSE when valid. */
gboolean         mdg_verify_report_to_error  (MdgVerifyReport *report,
                                              GError **error);
JsonNode        *mdg_verify_report_to_json   (MdgVerifyReport *report);
char            *mdg_verify_report_to_text   (MdgVerifyReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgVerifyReport, mdg_verify_report_free)

G_END_DECLS
