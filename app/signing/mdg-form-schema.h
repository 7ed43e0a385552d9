/* mdg-form-schema.h: a procedure's form, checked against a document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mdg-application.h"

G_BEGIN_DECLS

#define MDG_TYPE_FORM_SCHEMA (mdg_form_schema_get_type ())
G_DECLARE_FINAL_TYPE (MdgFormSchema, mdg_form_schema, MDG, FORM_SCHEMA, GObject)

/* Loads procedure @procedure_id from the catalog in @catalog_dir
 * (data/catalog layout, docs/catalog.md): its procedure_set entry and its
 * form. CATALOG when either is missing or the procedure has no form. */
MdgFormSchema *mdg_form_schema_new_from_catalog (const char *catalog_dir,
                                                 const char *procedure_id,
                                                 GError **error);
/* From already parsed catalog objects: a procedure entry (with its set's
 * municipality code) and a form. */
MdgFormSchema *mdg_form_schema_new              (const char *municipality,
                                                 JsonObject *procedure,
                                                 JsonObject *form,
                                                 GError **error);
const char    *mdg_form_schema_get_procedure_id (MdgFormSchema *self);
gint64         mdg_form_schema_get_version      (MdgFormSchema *self);
/* The My Number roles the procedure declares (NULL-terminated). */
const char * const *mdg_form_schema_get_my_number_roles (MdgFormSchema *self);
/* Checks @doc against the procedure and its form: procedure and
 * municipality match, every field is known and of its type, required
 * fields and attachments are there, and My Numbers appear only in the
 * fields of roles the procedure declares (MY_NUMBER_REFUSED). Other
 * failures are SCHEMA and name the field, never its value. */
gboolean       mdg_form_schema_validate         (MdgFormSchema *self,
                                                 MdgApplication *doc,
                                                 GError **error);

G_END_DECLS
