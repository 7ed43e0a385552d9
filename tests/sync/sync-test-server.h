/* sync-test-server.h: madoguchi-server as a child process for the sync tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char         *dir;
  char         *config;
  char         *database;
  char         *uri;
  GSubprocess  *process;
} SyncTestServer;

/* What a server started with a catalog serves at /v1/catalog. */
extern const char sync_test_catalog_bytes[];
extern const gsize sync_test_catalog_size;

/* Parses --server= (and the simulator's options) out of argv, makes a
 * temporary directory with a TLS certificate for 127.0.0.1 and an Ed25519
 * receipt key. Call before g_test_init(). */
void        sync_test_setup                (int *argc,
                                            char ***argv);
/* Removes the temporary directory. */
void        sync_test_teardown             (void);
const char *sync_test_tmp_dir              (void);
/* The server's self-signed TLS certificate (PEM); its key is at ".key". */
const char *sync_test_tls_cert             (void);
const char *sync_test_server_exe           (void);

/* Writes a configuration whose signing trust is @signing_trust ("test"
 * or "production"), starts the server on a free loopback port, adds the
 * staff account "alice" and maps kawaguchi-76 → RES-A, kawasaki-parent →
 * RES-B. */
void        sync_test_server_start         (SyncTestServer *s,
                                            const char *name,
                                            const char *signing_trust,
                                            gboolean with_catalog);
/* Starts the server of @s again on the same port, configuration and
 * database (after sync_test_server_kill). */
void        sync_test_server_restart       (SyncTestServer *s);
/* SIGKILL, no clean shutdown. */
void        sync_test_server_kill          (SyncTestServer *s);
/* SIGTERM; asserts a clean exit and frees @s. */
void        sync_test_server_stop          (SyncTestServer *s);

/* Runs argv; asserts success unless @status_out is given. */
char       *sync_test_run                  (const char * const *argv,
                                            int *status_out);
/* madoguchi-server admin --as alice a1…a5 (NULL-terminated early). */
int         sync_test_admin                (SyncTestServer *s,
                                            const char *a1,
                                            const char *a2,
                                            const char *a3,
                                            const char *a4,
                                            const char *a5);
/* Runs one statement on the server's database; asserts it changed rows. */
void        sync_test_sql                  (SyncTestServer *s,
                                            const char *statement);
char       *sync_test_persona_auth_serial  (const char *persona);
/* A signed envelope of @persona; with @tamper, the document is another
 * person's so the signature no longer covers it. */
GBytes     *sync_test_make_envelope        (const char *persona,
                                            gboolean tamper);
/* The receipt key's public half (PEM), as `admin receipt-key` prints it. */
GBytes     *sync_test_receipt_key_public   (SyncTestServer *s);
void        sync_test_remove_tree          (const char *path);

G_END_DECLS
