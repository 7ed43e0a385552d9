/* mdg-server-audit.h: the hash-chained audit of every staff read and write
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-server-db.h"

G_BEGIN_DECLS

#define MDG_SERVER_AUDIT_GENESIS \
  "0000000000000000000000000000000000000000000000000000000000000000"

/* Appends one row: hash = SHA-256 (prev hash, "\n", JCS of {seq, time,
 * staff, action, target, detail}). @detail must hold no personal data. */
gboolean mdg_server_audit_append (MdgServerDb *db,
                                  const char *staff,
                                  const char *action,
                                  const char *target,
                                  const char *detail,
                                  GError **error);
/* Recomputes the chain from the first row: TAMPERED naming the first row
 * whose sequence, link or hash is wrong. @rows and @head (the last hash,
 * to be kept elsewhere: truncation of the tail shows only against it) may
 * be NULL. */
gboolean mdg_server_audit_verify (MdgServerDb *db,
                                  gint64 *rows,
                                  char **head,
                                  GError **error);

G_END_DECLS
