/* mdg-application.h: the application document and its canonical bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define MDG_APPLICATION_FORMAT         "madoguchi-application"
#define MDG_APPLICATION_FORMAT_VERSION 1

#define MDG_TYPE_APPLICATION (mdg_application_get_type ())
G_DECLARE_FINAL_TYPE (MdgApplication, mdg_application, MDG, APPLICATION, GObject)

/* Parses a document strictly (mdg_jcs_parse) and checks its structure
 * (docs/signing.md §1): INVALID_DOCUMENT, MY_NUMBER_REFUSED for a My Number
 * outside the form fields, or a parse error. The form schema is checked
 * separately (mdg_form_schema_validate). */
MdgApplication *mdg_application_new_from_data      (const char *data,
                                                    gssize len,
                                                    GError **error);
MdgApplication *mdg_application_new_from_json      (JsonNode *root,
                                                    GError **error);
/* A new application answering a correction request (補正依頼) for the
 * submission @submission (its UUID): @original's content with a new id,
 * created at @now, and "corrects" naming @submission. */
MdgApplication *mdg_application_new_correction     (MdgApplication *original,
                                                    const char *submission,
                                                    GDateTime *now,
                                                    GError **error);
/* The RFC 8785 bytes that are signed. */
GBytes         *mdg_application_get_canonical      (MdgApplication *self);
JsonObject     *mdg_application_get_root           (MdgApplication *self);
const char     *mdg_application_get_id             (MdgApplication *self);
const char     *mdg_application_get_procedure_id   (MdgApplication *self);
gint64          mdg_application_get_procedure_version (MdgApplication *self);
const char     *mdg_application_get_municipality   (MdgApplication *self);
GDateTime      *mdg_application_get_created        (MdgApplication *self);
JsonObject     *mdg_application_get_applicant      (MdgApplication *self);
JsonObject     *mdg_application_get_fields         (MdgApplication *self);
JsonArray      *mdg_application_get_attachments    (MdgApplication *self);
/* Checks every attachment against @contents (sha256 hex -> GBytes):
 * present, same size and SHA-256. VERIFY names the first that differs. */
gboolean        mdg_application_check_attachments  (MdgApplication *self,
                                                    GHashTable *contents,
                                                    GError **error);
/* The same against @digests (actual sha256 hex -> gint64 *size), for
 * attachments hashed while streaming. */
gboolean        mdg_application_check_attachment_digests (MdgApplication *self,
                                                          GHashTable *digests,
                                                          GError **error);

/* 全国地方公共団体コード: 6 digits, the last a check digit. */
gboolean        mdg_municipality_code_is_valid     (const char *code);
/* Lower-case hex SHA-256. */
char           *mdg_sha256_hex                     (GBytes *data);

G_END_DECLS
