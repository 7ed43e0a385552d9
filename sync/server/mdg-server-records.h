/* mdg-server-records.h: checking a staff import of subsidy records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Checks an import file's root, an array of {"resident": ID, "records":
 * [Record...]} (docs/sync-protocol.md §6), and returns it normalised: only
 * the members the protocol defines (an unknown member, e.g. a 個人番号, is
 * refused rather than dropped, so staff notice), and a suppressed record
 * reduced to {"suppressed": true}. INVALID naming the first fault.
 * @n_records (may be NULL) counts the records. */
JsonNode *mdg_server_records_normalize (JsonNode *root,
                                        guint *n_records,
                                        GError **error);

G_END_DECLS
