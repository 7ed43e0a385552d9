/* mdg-catalog.h: the procedure catalog in memory (docs/catalog.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "mdg-facts.h"
#include "mdg-form-schema.h"
#include "mdg-rule-set.h"

G_BEGIN_DECLS

#define MDG_TYPE_CATALOG (mdg_catalog_get_type ())
G_DECLARE_FINAL_TYPE (MdgCatalog, mdg_catalog, MDG, CATALOG, GObject)

/* From a data/catalog directory, unsigned: for development and tests. */
MdgCatalog *mdg_catalog_new_from_directory (const char *dir,
                                            GError **error);
/* From the files of a catalog (relative path → contents), e.g. those of a
 * verified bundle. Every rule set is compiled here, so that a catalog
 * that loads is one whose rules all evaluate. CATALOG on any problem. */
MdgCatalog *mdg_catalog_new_from_files     (GHashTable *files,
                                            guint64 version,
                                            GError **error);
/* Every *.json under @dir: relative path ("programs/kouki.json") → GBytes. */
GHashTable *mdg_catalog_read_directory     (const char *dir,
                                            GError **error);
/* The bundle version, 0 for an unsigned directory. */
guint64     mdg_catalog_get_version        (MdgCatalog *self);

/* Sorted by code / id. Elements are JsonObject, owned by the catalog. */
GPtrArray  *mdg_catalog_get_municipalities (MdgCatalog *self);
GPtrArray  *mdg_catalog_get_programs       (MdgCatalog *self);
GPtrArray  *mdg_catalog_get_procedures     (MdgCatalog *self);
JsonObject *mdg_catalog_lookup_municipality (MdgCatalog *self,
                                             const char *code);
JsonObject *mdg_catalog_lookup_program     (MdgCatalog *self,
                                            const char *id);
/* The procedure and the code of the municipality that offers it. */
JsonObject *mdg_catalog_lookup_procedure   (MdgCatalog *self,
                                            const char *id,
                                            const char **municipality);
/* The program id of procedure @id, or NULL. */
const char *mdg_catalog_get_procedure_program (MdgCatalog *self,
                                               const char *id);
JsonObject *mdg_catalog_lookup_form        (MdgCatalog *self,
                                            const char *id);
/* A program's membership rules; a procedure's own rules (NULL when it has
 * none). Owned by the catalog. */
MdgRuleSet *mdg_catalog_get_program_rules  (MdgCatalog *self,
                                            const char *program);
MdgRuleSet *mdg_catalog_get_procedure_rules (MdgCatalog *self,
                                             const char *procedure);
/* The form schema of @procedure, to validate application documents. */
MdgFormSchema *mdg_catalog_get_form_schema (MdgCatalog *self,
                                            const char *procedure,
                                            GError **error);

/* The @lang ("ja" or "en") string of the text member @member of @object,
 * or NULL. */
const char *mdg_catalog_text               (JsonObject *object,
                                            const char *member,
                                            const char *lang);

/* The code of the catalog municipality whose prefecture and name begin
 * @address (as on the card: "埼玉県川口市…"), or NULL. */
const char *mdg_catalog_municipality_for_address (MdgCatalog *self,
                                                  const char *address);
/* Card prefill (券面事項入力補助AP): the birth date ("YYYYMMDD") and the
 * municipality of the address when the catalog knows it. Either may be
 * NULL. Returns the facts that were set, as (1 << MdgFact) bits. */
guint32     mdg_catalog_prefill_facts      (MdgCatalog *self,
                                            MdgFacts *facts,
                                            const char *card_birth_date,
                                            const char *card_address);
/* Reads a facts file: the members of mdg_facts_load_json() and the card's
 * "address", which sets municipality_code through
 * mdg_catalog_municipality_for_address() unless municipality_code is
 * given too. @prefilled (may be NULL) gets the (1 << MdgFact) bits the
 * address set. FACTS on anything malformed; @facts may then hold part of
 * the answers and must still be cleared. */
gboolean    mdg_catalog_load_facts         (MdgCatalog *self,
                                            const char *data,
                                            gsize len,
                                            MdgFacts *facts,
                                            guint32 *prefilled,
                                            GError **error);

G_END_DECLS
