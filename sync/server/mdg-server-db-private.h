/* mdg-server-db-private.h: SQL helpers shared by the server's table files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "mdg-server-db.h"

G_BEGIN_DECLS

/* Sets DATABASE with SQLite's message; returns FALSE. */
gboolean      mdg_server_db_error       (MdgServerDb *self,
                                         GError **error);
sqlite3_stmt *mdg_server_db_prepare     (MdgServerDb *self,
                                         const char *sql,
                                         GError **error);
/* Steps a statement that returns no rows, then finalizes it. */
gboolean      mdg_server_db_run         (MdgServerDb *self,
                                         sqlite3_stmt *stmt,
                                         GError **error);
/* NULL binds SQL NULL. */
void          mdg_server_db_bind_text   (sqlite3_stmt *stmt,
                                         int index,
                                         const char *text);
char         *mdg_server_db_column_text (sqlite3_stmt *stmt,
                                         int index);

G_END_DECLS
