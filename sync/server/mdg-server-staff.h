/* mdg-server-staff.h: staff reads and writes of resident data, each audited
 * in the same transaction (shared by `madoguchi-server admin` and /v1/admin/)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-server-config.h"
#include "mdg-server-db.h"

G_BEGIN_DECLS

#define MDG_SERVER_RIGHT_MY_NUMBER "my-number"

gboolean  mdg_server_staff_set_status  (MdgServerDb *db,
                                        const char *staff,
                                        const char *uuid,
                                        const char *status,
                                        const char *comment,
                                        GError **error);
gboolean  mdg_server_staff_map_person  (MdgServerDb *db,
                                        const char *staff,
                                        const char *serial,
                                        const char *resident,
                                        GError **error);
/* All submissions (only @status when not NULL) with history: the staff
 * view of mdg_server_db_list_staff. Audited as "list". */
JsonNode *mdg_server_staff_list        (MdgServerDb *db,
                                        const char *staff,
                                        const char *status,
                                        GError **error);
/* One submission with its history and "document", the signed application
 * with every My Number masked unless @staff has the right "my-number"
 * (null once the envelope is purged). NOT_FOUND for an unknown @uuid.
 * Audited as "show" (detail: whether My Numbers were shown). */
JsonNode *mdg_server_staff_show        (MdgServerDb *db,
                                        MdgServerConfig *config,
                                        const char *staff,
                                        const char *uuid,
                                        GError **error);
/* Where submission @uuid's envelope can be read: its file, or for rows
 * from before envelopes were files, a private copy (*@temporary TRUE: the
 * caller deletes it). NOT_FOUND when there is none or it was purged. */
char     *mdg_server_staff_envelope_path (MdgServerDb *db,
                                          MdgServerConfig *config,
                                          const char *uuid,
                                          gboolean *temporary,
                                          GError **error);

G_END_DECLS
