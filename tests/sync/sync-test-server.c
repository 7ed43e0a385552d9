/* sync-test-server.c: madoguchi-server as a child process for the sync tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "app-test-util.h"
#include "mdg-cms.h"
#include "mdg-envelope.h"
#include "mdg-jcs.h"
#include "sync-test-server.h"

const char sync_test_catalog_bytes[] = "MDG-CATALOG\0\001\002 signed bundle stand-in";
const gsize sync_test_catalog_size = sizeof sync_test_catalog_bytes;

static char *server_exe;
static char *tmp_dir;
static char *tls_cert;

const char *
sync_test_tmp_dir (void)
{
  return tmp_dir;
}

const char *
sync_test_tls_cert (void)
{
  return tls_cert;
}

const char *
sync_test_server_exe (void)
{
  return server_exe;
}

/* Runs argv; asserts success unless @status_out is given. */
char *
sync_test_run (const char * const *argv,
     int *status_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                      | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (err != NULL && *err != '\0')
    g_test_message ("%s: %s", argv[0], err);
  if (status_out != NULL)
    *status_out = g_subprocess_get_if_exited (p) ? g_subprocess_get_exit_status (p) : -1;
  else
    g_assert_true (g_subprocess_get_successful (p));
  return g_steal_pointer (&out);
}

int
sync_test_admin (SyncTestServer *s,
       const char *a1,
       const char *a2,
       const char *a3,
       const char *a4,
       const char *a5)
{
  const char *argv[] = { server_exe, "admin", "--config", s->config, "--as", "alice",
                         a1, a2, a3, a4, a5, NULL };
  int status;

  g_free (sync_test_run (argv, &status));
  return status;
}

char *
sync_test_persona_auth_serial (const char *persona)
{
  g_autoptr(MdgSigner) auth = app_test_software_signer (persona, "auth");
  g_autoptr(GBytes) der = mdg_signer_get_certificate (auth, NULL);
  g_autoptr(MdgCertificate) cert = mdg_certificate_new_from_der (der, NULL);

  g_assert_nonnull (cert);
  return mdg_certificate_get_serial_hex (cert);
}

/* A failed assertion must not leave a server behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
spawn (SyncTestServer *s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* LeakSanitizer's tracer crashes on the dynamic TLS of threads that use
   * dlopen()ed GIO modules (glibc ≥ 2.34 with clang 14): it must not follow
   * __tls_get_addr. Leak detection itself stays on in the server. */
  {
    const char *asan = g_getenv ("ASAN_OPTIONS");
    g_autofree char *opts = g_strconcat (asan != NULL ? asan : "", asan != NULL ? ":" : "",
                                         "intercept_tls_get_addr=0", NULL);

    g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", opts, TRUE);
  }
  /* Hostile input must never reach a GLib assertion in the server. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-criticals", TRUE);
  s->process = g_subprocess_launcher_spawn (launcher, &error, server_exe, "--config", s->config, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->process));
  s->uri = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (s->uri, "https://127.0.0.1:"));

}

void
sync_test_server_start (SyncTestServer *s,
                        const char *name,
                        const char *signing_trust,
                        gboolean with_catalog)
{
  g_autofree char *receipt_key = NULL;
  g_autofree char *text = NULL;
  g_autofree char *signing = NULL;
  g_autofree char *catalog = NULL;
  const char *source_root = g_getenv ("MDG_SOURCE_ROOT");

  s->dir = g_build_filename (tmp_dir, name, NULL);
  g_assert_cmpint (g_mkdir (s->dir, 0700), ==, 0);
  s->config = g_build_filename (s->dir, "server.conf", NULL);
  s->database = g_build_filename (s->dir, "server.db", NULL);
  receipt_key = g_build_filename (tmp_dir, "receipt.pem", NULL);
  if (g_str_equal (signing_trust, "test"))
    signing = g_strdup_printf ("mode=test\npki_dir=%s\n", app_test_pki_dir ());
  else
    signing = g_strdup_printf ("mode=production\ndir=%s/data/trust\nknown_test_roots=%s\n",
                               source_root, app_test_pki_dir ());
  if (with_catalog)
    {
      g_autofree char *bundle = g_build_filename (s->dir, "catalog.bundle", NULL);

      g_assert_true (g_file_set_contents (bundle, sync_test_catalog_bytes, sync_test_catalog_size, NULL));
      catalog = g_strdup ("[catalog]\nbundle=catalog.bundle\n");
    }
  text = g_strdup_printf ("[server]\nlisten=127.0.0.1:0\nname=test.example\ndatabase=server.db\n"
                          "tls_certificate=%s\ntls_key=%s.key\nreceipt_key=%s\n"
                          "[auth-trust]\nmode=test\npki_dir=%s\n%s[signing-trust]\n%s",
                          tls_cert, tls_cert, receipt_key, app_test_pki_dir (),
                          catalog != NULL ? catalog : "", signing);
  g_assert_true (g_file_set_contents (s->config, text, -1, NULL));
  spawn (s);

  /* Staff: one individual account, and the two residents' card serials. */
  {
    const char *argv[] = { server_exe, "admin", "--config", s->config, "add-staff", "alice",
                           "--name", "Alice Staff", NULL };
    g_autofree char *serial_a = sync_test_persona_auth_serial ("kawaguchi-76");
    g_autofree char *serial_b = sync_test_persona_auth_serial ("kawasaki-parent");

    g_free (sync_test_run (argv, NULL));
    g_assert_cmpint (sync_test_admin (s, "map-person", serial_a, "RES-A", NULL, NULL), ==, 0);
    g_assert_cmpint (sync_test_admin (s, "map-person", serial_b, "RES-B", NULL, NULL), ==, 0);
  }
}

void
sync_test_server_kill (SyncTestServer *s)
{
  g_subprocess_force_exit (s->process);
  g_assert_true (g_subprocess_wait (s->process, NULL, NULL));
  g_clear_object (&s->process);
}

void
sync_test_server_restart (SyncTestServer *s)
{
  g_autofree char *text = NULL;
  g_autofree char *port_line = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *old_uri = g_steal_pointer (&s->uri);
  const char *port = strrchr (old_uri, ':') + 1;

  g_assert_null (s->process);
  /* The same port, so that clients keep their URL. */
  g_assert_true (g_file_get_contents (s->config, &text, NULL, NULL));
  port_line = g_strdup_printf ("listen=127.0.0.1:%.*s", (int) strcspn (port, "/"), port);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "listen="))
      {
        g_free (lines[i]);
        lines[i] = g_strdup (port_line);
      }
  g_free (text);
  text = g_strjoinv ("\n", lines);
  g_assert_true (g_file_set_contents (s->config, text, -1, NULL));
  spawn (s);
  g_assert_cmpstr (s->uri, ==, old_uri);
}

void
sync_test_server_stop (SyncTestServer *s)
{
  if (s->process == NULL)
    return;
  g_subprocess_send_signal (s->process, SIGTERM);
  g_assert_true (g_subprocess_wait (s->process, NULL, NULL));
  /* A clean shutdown on SIGTERM. */
  g_assert_true (g_subprocess_get_successful (s->process));
  g_clear_object (&s->process);
  g_free (s->dir);
  g_free (s->config);
  g_free (s->database);
  g_free (s->uri);
}

void
sync_test_sql (SyncTestServer *s,
     const char *statement)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (s->database, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_exec (db, statement, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  sqlite3_close (db);
}

/* A signed envelope of @persona; with @tamper, the document is another
 * person's so the signature no longer covers it. */
GBytes *
sync_test_make_envelope (const char *persona,
               gboolean tamper)
{
  g_autofree char *json = app_test_document_json (persona, NULL);
  g_autofree char *other_json = app_test_document_json ("kawasaki-parent", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) doc = mdg_jcs_canonicalize (json, -1, &error);
  g_autoptr(GBytes) other = mdg_jcs_canonicalize (other_json, -1, &error);
  g_autoptr(MdgSigner) signer = app_test_software_signer (persona, "sign");
  g_autoptr(GBytes) cms = mdg_cms_sign_detached (signer, doc, NULL, &error);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) mdg_envelope_file_free);
  g_autofree char *dir = g_build_filename (tmp_dir, "env-XXXXXX", NULL);
  g_autofree char *att = NULL;
  g_autofree char *out = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_assert_no_error (error);
  g_assert_nonnull (g_mkdtemp (dir));
  att = g_build_filename (dir, "card.png", NULL);
  out = g_build_filename (dir, "application.zip", NULL);
  g_assert_true (g_file_set_contents (att, "hello", 5, NULL));
  g_ptr_array_add (files, mdg_envelope_file_new (att, "card.png", "image/png", &error));
  g_assert_no_error (error);
  g_assert_true (mdg_envelope_write (out, tamper ? other : doc, cms, files, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (out, &data, &len, NULL));
  g_remove (att);
  g_remove (out);
  g_rmdir (dir);
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

GBytes *
sync_test_receipt_key_public (SyncTestServer *s)
{
  const char *argv[] = { server_exe, "admin", "--config", s->config, "receipt-key", NULL };
  char *pem = sync_test_run (argv, NULL);

  return g_bytes_new_take (pem, strlen (pem));
}

static void
make_tls_certificate (void)
{
  g_autofree char *key = NULL;
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-nodes", "-days", "2", "-subj", "/CN=madoguchi-test",
                         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", NULL, "-out", NULL, NULL };
  g_autofree char *receipt = g_build_filename (tmp_dir, "receipt.pem", NULL);
  const char *genkey[] = { "openssl", "genpkey", "-algorithm", "ed25519", "-out", receipt, NULL };

  tls_cert = g_build_filename (tmp_dir, "tls.pem", NULL);
  key = g_strconcat (tls_cert, ".key", NULL);
  argv[15] = key;
  argv[17] = tls_cert;
  g_free (sync_test_run (argv, NULL));
  g_free (sync_test_run (genkey, NULL));
}

void
sync_test_remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        sync_test_remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

void
sync_test_setup (int *argc,
                 char ***argv)
{
  g_autoptr(GError) error = NULL;
  char **args = *argv;
  int out = 1;

  for (int i = 1; i < *argc; i++)
    {
      if (g_str_has_prefix (args[i], "--server="))
        server_exe = g_strdup (args[i] + strlen ("--server="));
      else
        args[out++] = args[i];
    }
  *argc = out;
  args[out] = NULL;
  app_test_parse_args (argc, argv);
  g_assert_nonnull (server_exe);

  tmp_dir = g_dir_make_tmp ("mdg-sync-test-XXXXXX", &error);
  g_assert_no_error (error);
  make_tls_certificate ();
}

void
sync_test_teardown (void)
{
  sync_test_remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  g_clear_pointer (&tls_cert, g_free);
  g_clear_pointer (&server_exe, g_free);
}
