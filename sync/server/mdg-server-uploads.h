/* mdg-server-uploads.h: resumable chunked uploads (docs/sync-protocol.md §4.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-server-db.h"

G_BEGIN_DECLS

/* One upload; its bytes are in mdg_server_upload_path (dir, id). */
typedef struct
{
  char     *id;
  char     *resident;
  char     *sha256;
  gint64    size;
  gint64    done;      /* bytes received in order: the next offset */
  gboolean  complete;  /* all bytes there and their SHA-256 checked */
} MdgServerUpload;

void              mdg_server_upload_free       (MdgServerUpload *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgServerUpload, mdg_server_upload_free)

char             *mdg_server_upload_path       (const char *dir,
                                                const char *id);
/* @resident's upload @id, or (with @id NULL) @resident's latest upload of
 * @sha256; NULL without error when there is none, also for another
 * resident's upload. */
MdgServerUpload  *mdg_server_upload_find       (MdgServerDb *db,
                                                const char *resident,
                                                const char *id,
                                                const char *sha256,
                                                GError **error);
/* A new empty upload with a random id and an empty file in @dir. */
MdgServerUpload  *mdg_server_upload_create     (MdgServerDb *db,
                                                const char *dir,
                                                const char *resident,
                                                const char *sha256,
                                                gint64 size,
                                                GError **error);
/* Writes @data at @upload->done (the caller checked the offset) and
 * records the new offset once the bytes are on disk, so that a crash
 * between the two only repeats a chunk. When the last byte arrives the
 * file is hashed: a mismatch deletes the upload and returns FALSE with
 * *@hash_mismatch set. */
gboolean          mdg_server_upload_write      (MdgServerDb *db,
                                                const char *dir,
                                                MdgServerUpload *upload,
                                                GBytes *data,
                                                gboolean *hash_mismatch,
                                                GError **error);
gboolean          mdg_server_upload_delete     (MdgServerDb *db,
                                                const char *dir,
                                                const char *id,
                                                GError **error);
/* Deletes uploads (complete or not) untouched since @before (Unix
 * seconds), and part files in @dir that no row names. */
gboolean          mdg_server_upload_purge_stale (MdgServerDb *db,
                                                 const char *dir,
                                                 gint64 before,
                                                 guint *n_purged,
                                                 GError **error);
/* SHA-256 (lower-case hex) and size of a file, read 64 KiB at a time. */
char             *mdg_server_file_sha256       (const char *path,
                                                gint64 *size,
                                                GError **error);

G_END_DECLS
