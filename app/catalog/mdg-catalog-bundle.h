/* mdg-catalog-bundle.h: the catalog as one signed, versioned file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <openssl/x509.h>

#include "mdg-catalog.h"

G_BEGIN_DECLS

#define MDG_CATALOG_BUNDLE_FILE "catalog.bundle"

#define MDG_TYPE_CATALOG_BUNDLE (mdg_catalog_bundle_get_type ())
G_DECLARE_FINAL_TYPE (MdgCatalogBundle, mdg_catalog_bundle, MDG, CATALOG_BUNDLE, GObject)

/* Packs every *.json under @catalog_dir into a bundle of @version (≥ 1),
 * signed with the publisher's private key @key_path (PEM; Ed25519, or
 * RSA/EC with SHA-256) whose certificate is @cert_path. */
GBytes   *mdg_catalog_bundle_create   (const char *catalog_dir,
                                       guint64 version,
                                       const char *key_path,
                                       const char *cert_path,
                                       GError **error);

/* The publisher certificate (PEM) that bundles must be signed with. */
X509     *mdg_catalog_publisher_load  (const char *cert_path,
                                       GError **error);

/* Verifies @data against @publisher before anything in it is used: the
 * signature over the manifest, the signer, and the SHA-256 of every file;
 * no file may be missing or extra. BUNDLE on any failure. */
MdgCatalogBundle *mdg_catalog_bundle_verify (GBytes *data,
                                             X509 *publisher,
                                             GError **error);
guint64     mdg_catalog_bundle_get_version (MdgCatalogBundle *self);
/* relative path → GBytes */
GHashTable *mdg_catalog_bundle_get_files   (MdgCatalogBundle *self);
GBytes     *mdg_catalog_bundle_get_data    (MdgCatalogBundle *self);
/* Loads the catalog the bundle carries. */
MdgCatalog *mdg_catalog_bundle_load        (MdgCatalogBundle *self,
                                            GError **error);

/* Installs @data into @store_dir as MDG_CATALOG_BUNDLE_FILE, atomically
 * (temporary file, fsync, rename, fsync of the directory), after
 * verifying it. BUNDLE_OLDER when its version is not newer than the
 * verified bundle already there; a bundle there that no longer verifies
 * is replaced. Returns the installed bundle. */
MdgCatalogBundle *mdg_catalog_bundle_install (const char *store_dir,
                                              GBytes *data,
                                              X509 *publisher,
                                              GError **error);

/* The catalog to use: the installed bundle in @store_dir (may be NULL) if
 * it verifies and is at least as new as the one shipped with the app at
 * @shipped_path, else the shipped one. The first run works offline. */
MdgCatalogBundle *mdg_catalog_bundle_open_current (const char *store_dir,
                                                   const char *shipped_path,
                                                   X509 *publisher,
                                                   GError **error);

G_END_DECLS
