/* mdg-evidence.h: everything about one submission, in one ZIP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-envelope.h"

G_BEGIN_DECLS

#define MDG_EVIDENCE_FORMAT "madoguchi-evidence"

/* Writes @out_path: evidence.json (index), application.json,
 * application.p7s, attachments.json (the envelope's parts with their
 * SHA-256), verification.json and verification.txt (@report), and
 * receipt.json only when @receipt is not NULL (added by sync: the
 * municipality's signed receipt). Attachments themselves are not copied. */
gboolean mdg_evidence_write (MdgEnvelope *envelope,
                             MdgVerifyReport *report,
                             GBytes *receipt,
                             const char *out_path,
                             GError **error);

G_END_DECLS
