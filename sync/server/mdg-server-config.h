/* mdg-server-config.h: madoguchi-server's one configuration file (GKeyFile)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "mdg-trust-store.h"

G_BEGIN_DECLS

#define MDG_SERVER_ERROR (mdg_server_error_quark ())

typedef enum
{
  MDG_SERVER_ERROR_FAILED,
  MDG_SERVER_ERROR_CONFIG,      /* the configuration file is missing a key or wrong */
  MDG_SERVER_ERROR_DATABASE,    /* the database could not be read or written */
  MDG_SERVER_ERROR_NOT_FOUND,   /* no such staff member, submission or resident */
  MDG_SERVER_ERROR_PERMISSION,  /* an unknown staff account */
  MDG_SERVER_ERROR_INVALID,     /* a bad argument, e.g. an unknown status */
  MDG_SERVER_ERROR_TAMPERED,    /* the audit chain does not verify */
} MdgServerError;

GQuark mdg_server_error_quark (void);

typedef struct
{
  char          *host;
  guint16        port;               /* 0: any free port */
  char          *name;               /* the server's name in receipts */
  char          *database;
  char          *tls_certificate;
  char          *tls_key;
  char          *receipt_key;        /* Ed25519 private key, PEM */
  gint64         challenge_lifetime; /* seconds */
  gint64         token_lifetime;     /* seconds */
  gint64         max_envelope_size;  /* bytes */
  char          *upload_dir;         /* chunked uploads' part files (default uploads/ beside the database) */
  char          *envelope_dir;       /* stored envelopes (default envelopes/ beside the database) */
  gint64         max_chunk_size;     /* bytes per PATCH */
  gint64         max_upload_size;    /* bytes of one chunked upload */
  gint64         upload_lifetime;    /* seconds an upload is kept after its last chunk */
  gint64         io_timeout;         /* seconds a connection may stall */
  gint64         purge_after_days;   /* [retention] */
  char          *catalog_bundle;     /* [catalog] bundle, or NULL: GET /v1/catalog is 404 */
  MdgTrustStore *auth_trust;         /* loaded only by mdg_server_config_load_trust */
  MdgTrustStore *signing_trust;
} MdgServerConfig;

/* Reads @path (docs/sync-protocol.md §8); relative paths are taken from
 * the file's directory. CONFIG for a missing or invalid key. */
MdgServerConfig *mdg_server_config_load       (const char *path,
                                               GError **error);
/* Loads the [auth-trust] and [signing-trust] stores the HTTP server needs. */
gboolean         mdg_server_config_load_trust (MdgServerConfig *self,
                                               const char *path,
                                               GError **error);
void             mdg_server_config_free       (MdgServerConfig *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgServerConfig, mdg_server_config_free)

G_END_DECLS
