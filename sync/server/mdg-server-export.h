/* mdg-server-export.h: the back-office export bundle (`admin export`)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-server-config.h"
#include "mdg-server-db.h"

G_BEGIN_DECLS

/* Writes @out_path, a ZIP with, for every submission in one of @statuses
 * whose envelope is still kept, "<uuid>/envelope.zip" (byte-identical),
 * "<uuid>/receipt.json" (the signed receipt as sent), and "index.json" (an
 * array of {uuid, receipt_number, received, status, envelope_sha256,
 * resident}). Then marks them exported by @staff, audited in the same
 * transaction. *@n_exported may be NULL. */
gboolean mdg_server_export (MdgServerDb *db,
                            MdgServerConfig *config,
                            const char *staff,
                            const char * const *statuses,
                            const char *out_path,
                            guint *n_exported,
                            GError **error);

G_END_DECLS
