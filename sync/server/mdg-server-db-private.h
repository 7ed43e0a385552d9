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
/* Prepares @sql and binds @texts to its parameters 1 to @n_texts. */
sqlite3_stmt *mdg_server_db_prepare_texts (MdgServerDb *self,
                                           const char *sql,
                                           const char * const *texts,
                                           guint n_texts,
                                           GError **error);
/* The same, then runs it (no rows). */
gboolean      mdg_server_db_run_texts   (MdgServerDb *self,
                                         const char *sql,
                                         const char * const *texts,
                                         guint n_texts,
                                         GError **error);
/* Finalizes @stmt whose last sqlite3_step() returned @rc; FALSE with
 * DATABASE unless that was a row or the end. */
gboolean      mdg_server_db_finish      (MdgServerDb *self,
                                         sqlite3_stmt *stmt,
                                         int rc,
                                         GError **error);
/* The first column of the first row of @sql, @arg bound to its parameter
 * (if it has one): NULL without error when there is no row. */
char         *mdg_server_db_query_text  (MdgServerDb *self,
                                         const char *sql,
                                         const char *arg,
                                         GError **error);
/* The same as an integer; -1 (DATABASE) when there is no row. */
gint64        mdg_server_db_query_int   (MdgServerDb *self,
                                         const char *sql,
                                         const char *arg,
                                         GError **error);

G_END_DECLS
