/* app-test-util.h: shared helpers for the domain core tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "madoguchi-card.h"
#include "mdg-sim-card.h"
#include "mdg-signer.h"
#include "mdg-trust-store.h"

G_BEGIN_DECLS

/* Parses --sim-pki-dir= and --sim-personas-dir= out of argv. */
void        app_test_parse_args     (int *argc,
                                     char ***argv);
const char *app_test_pki_dir        (void);
const char *app_test_personas_dir   (void);
const char *app_test_catalog_dir    (void);
/* PKI/<persona>/<file> or PKI/<file> when @persona is NULL. */
char       *app_test_pki_path       (const char *persona,
                                     const char *file);

/* A simulated card for @persona, in process, with PIN counters in memory. */
MdgCard    *app_test_sim_card       (const char *persona,
                                     MdgSimCard **sim_out);
/* A valid document for the 川崎 小児医療証 procedure, signed by @persona
 * (applicant attributes taken from PKI/<persona>/persona.json). Extra
 * top-level JSON may be spliced in with @fields_json (the "fields" object
 * body, without braces) — NULL for a valid default. */
char       *app_test_document_json  (const char *persona,
                                     const char *fields_json);
/* Runs argv, returns the exit status (-1 when it could not start). */
int         app_test_run            (const char * const *argv,
                                     char **stderr_out);
/* Writes @data to a new file in a fresh temporary directory. */
char       *app_test_write_tmp      (const char *name,
                                     GBytes *data);

/* A software signer over PKI/<persona>/<key>.key.pem ("sign" or "auth")
 * with its certificate and CA. */
MdgSigner  *app_test_software_signer (const char *persona,
                                      const char *key);
/* The test trust store over the simulator's PKI. */
MdgTrustStore *app_test_trust       (void);

/* Removes a file made by app_test_write_tmp and its directory. */
void        app_test_remove_tmp     (const char *path);

G_END_DECLS
