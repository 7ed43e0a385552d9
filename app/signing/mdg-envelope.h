/* mdg-envelope.h: document, signature and attachments in one ZIP (docs/envelope.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-verify.h"

G_BEGIN_DECLS

#define MDG_ENVELOPE_FORMAT          "madoguchi-envelope"
#define MDG_ENVELOPE_FORMAT_VERSION  1
#define MDG_ENVELOPE_MANIFEST        "manifest.json"
#define MDG_ENVELOPE_DOCUMENT        "application.json"
#define MDG_ENVELOPE_SIGNATURE       "application.p7s"
/* Limits on what is read into memory; attachments only stream. */
#define MDG_ENVELOPE_MAX_MANIFEST    (256 * 1024)
#define MDG_ENVELOPE_MAX_DOCUMENT    (16 * 1024 * 1024)
#define MDG_ENVELOPE_MAX_SIGNATURE   (256 * 1024)
#define MDG_ENVELOPE_MAX_PARTS       256

/* One attachment file to put in an envelope. */
typedef struct
{
  char   *path;        /* where it is read from */
  char   *name;        /* the document's "name" */
  char   *media_type;
  gint64  size;
  char    sha256[65];  /* lower-case hex */
} MdgEnvelopeFile;

/* Hashes @path streaming (64 KiB at a time): size and SHA-256. */
MdgEnvelopeFile *mdg_envelope_file_new  (const char *path,
                                         const char *name,
                                         const char *media_type,
                                         GError **error);
void             mdg_envelope_file_free (MdgEnvelopeFile *file);

/* Writes @out_path (atomically: a temporary file renamed): manifest.json,
 * application.json (@document, the canonical bytes), application.p7s
 * (@cms), and each of @files (MdgEnvelopeFile *) under attachments/,
 * streamed from disk (STORE; ZIP64 when needed). */
gboolean mdg_envelope_write (const char *out_path,
                             GBytes *document,
                             GBytes *cms,
                             GPtrArray *files,
                             GError **error);

#define MDG_TYPE_ENVELOPE (mdg_envelope_get_type ())
G_DECLARE_FINAL_TYPE (MdgEnvelope, mdg_envelope, MDG, ENVELOPE, GObject)

/* Opens an envelope and checks its structure (ENVELOPE): every member
 * listed once in the manifest and the manifest's parts all present, no
 * absolute or ".." names, no duplicates, sizes within the limits. Reads the
 * document and the signature; attachments stay in the file. */
MdgEnvelope *mdg_envelope_open            (const char *path,
                                           GError **error);
GBytes      *mdg_envelope_get_document    (MdgEnvelope *self);
GBytes      *mdg_envelope_get_signature   (MdgEnvelope *self);
/* The manifest's parts (JsonObject: path, role, media_type, size, sha256). */
JsonArray   *mdg_envelope_get_parts       (MdgEnvelope *self);
/* Hashes every part (attachments streamed) against the manifest, then
 * verifies the signature over the document and the attachments' hashes
 * (mdg_verify_application_digests). The report adds a check "envelope". */
MdgVerifyReport *mdg_envelope_verify      (MdgEnvelope *self,
                                           MdgTrustStore *trust,
                                           GDateTime *now,
                                           GError **error);
/* Streams part @path to @out_path (e.g. for openssl or a viewer). */
gboolean     mdg_envelope_extract         (MdgEnvelope *self,
                                           const char *part,
                                           const char *out_path,
                                           GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgEnvelopeFile, mdg_envelope_file_free)

G_END_DECLS
