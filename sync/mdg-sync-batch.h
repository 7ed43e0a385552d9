/* mdg-sync-batch.h: several submissions in one request (docs/sync-protocol.md §4.1.1)
 *
 * POST /v1/submissions, multipart/form-data: one part per envelope, named by
 * the submission's UUID, of type application/zip. The answer lists one
 * result per part, in order: {"submission", "status", and "receipt" or
 * "problem"}, each what a PUT of that envelope alone would have answered.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

/* Parts in one request, at most. */
#define MDG_SYNC_BATCH_MAX 32
/* The sum of the envelopes' sizes a client puts in one request, at most
 * (the server's limit is its max_envelope_size). */
#define MDG_SYNC_BATCH_MAX_BYTES (4 * 1024 * 1024)
