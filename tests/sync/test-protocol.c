/* test-protocol.c: the protocol's shared types (problems, statuses, receipts)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "mdg-app-error.h"
#include "mdg-jcs.h"
#include "mdg-sync-problem.h"
#include "mdg-sync-receipt.h"
#include "mdg-sync-status.h"

static void
test_problem_table (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (int p = MDG_SYNC_PROBLEM_BAD_REQUEST; p <= MDG_SYNC_PROBLEM_LAST; p++)
    {
      const char *code = mdg_sync_problem_get_code (p);
      g_autoptr(GBytes) json = mdg_sync_problem_to_json (p, "detail text");
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = mdg_jcs_parse (g_bytes_get_data (json, NULL), g_bytes_get_size (json), &error);
      JsonObject *obj;
      MdgSyncProblem back;

      g_assert_no_error (error);
      obj = json_node_get_object (root);
      g_assert_cmpstr (json_object_get_string_member (obj, "code"), ==, code);
      g_assert_cmpint (json_object_get_int_member (obj, "status"), ==, mdg_sync_problem_get_status (p));
      g_assert_cmpstr (json_object_get_string_member (obj, "detail"), ==, "detail text");
      g_assert_true (g_utf8_validate (json_object_get_string_member (obj, "title_ja"), -1, NULL));
      g_assert_cmpuint (mdg_sync_problem_get_status (p), >=, 400);
      g_assert_true (mdg_sync_problem_from_code (code, &back));
      g_assert_cmpstr (mdg_sync_problem_get_code (back), ==, code);
      /* Only "test-root" is shared, by login (401) and upload (422). */
      if (g_hash_table_contains (seen, code))
        g_assert_cmpstr (code, ==, "test-root");
      g_hash_table_add (seen, (gpointer) code);
    }
  g_assert_false (mdg_sync_problem_from_code ("no-such-code", &(MdgSyncProblem) { 0 }));
  g_assert_false (mdg_sync_problem_from_code (NULL, &(MdgSyncProblem) { 0 }));
}

static void
test_status (void)
{
  g_assert_true (mdg_sync_status_is_valid ("correction-requested"));
  g_assert_cmpstr (mdg_sync_status_label_ja ("correction-requested"), ==, "補正依頼");
  g_assert_cmpstr (mdg_sync_status_label_ja ("awaiting-original"), ==, "原本待ち");
  g_assert_false (mdg_sync_status_is_valid ("Received"));
  g_assert_false (mdg_sync_status_is_valid (NULL));
}

static EVP_PKEY *
public_of (EVP_PKEY *key)
{
  g_autofree char *pem = mdg_sync_key_public_pem (key);
  g_autoptr(GError) error = NULL;
  EVP_PKEY *pub = mdg_sync_key_from_pem (pem, strlen (pem), FALSE, &error);

  g_assert_no_error (error);
  return pub;
}

/* docs/sync-protocol.md §4.1: the receipt verifies with the openssl tool
 * alone, given the JCS bytes of "receipt" and the public key. */
static void
openssl_verifies (GBytes *signed_receipt,
                  EVP_PKEY *pub)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = mdg_jcs_parse (g_bytes_get_data (signed_receipt, NULL),
                                            g_bytes_get_size (signed_receipt), &error);
  JsonObject *top = json_node_get_object (root);
  g_autoptr(GBytes) jcs = mdg_jcs_serialize (json_object_get_member (top, "receipt"), &error);
  g_autofree char *dir = g_dir_make_tmp ("mdg-receipt-XXXXXX", &error);
  g_autofree char *msg_path = g_build_filename (dir, "receipt.jcs", NULL);
  g_autofree char *sig_path = g_build_filename (dir, "receipt.sig", NULL);
  g_autofree char *key_path = g_build_filename (dir, "server.pub", NULL);
  g_autofree char *pem = mdg_sync_key_public_pem (pub);
  g_autofree guchar *sig = NULL;
  gsize sig_len;
  int status = -1;

  g_assert_no_error (error);
  sig = g_base64_decode (json_object_get_string_member (json_object_get_object_member (top, "signature"), "value"),
                         &sig_len);
  g_assert_true (g_file_set_contents (msg_path, g_bytes_get_data (jcs, NULL), g_bytes_get_size (jcs), NULL));
  g_assert_true (g_file_set_contents (sig_path, (const char *) sig, sig_len, NULL));
  g_assert_true (g_file_set_contents (key_path, pem, -1, NULL));
  {
    const char *argv[] = { "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", key_path, "-rawin",
                           "-in", msg_path, "-sigfile", sig_path, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                                 NULL, NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  g_remove (msg_path);
  g_remove (sig_path);
  g_remove (key_path);
  g_rmdir (dir);
}

static void
test_receipt (void)
{
  EVP_PKEY *key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  EVP_PKEY *other = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  EVP_PKEY *pub = public_of (key);
  EVP_PKEY *other_pub = public_of (other);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) receipt = mdg_jcs_parse ("{\"receipt_number\":\"MDG-20261123-000001\",\"received\":\"2026-11-23T00:00:00Z\"}", -1, &error);
  g_autoptr(GBytes) signed_receipt = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GBytes) forged = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  signed_receipt = mdg_sync_receipt_sign (receipt, key, &error);
  g_assert_no_error (error);
  back = mdg_sync_receipt_verify (signed_receipt, pub, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (back, receipt));

  openssl_verifies (signed_receipt, pub);

  g_assert_null (mdg_sync_receipt_verify (signed_receipt, other_pub, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY);
  g_clear_error (&error);

  text = g_strndup (g_bytes_get_data (signed_receipt, NULL), g_bytes_get_size (signed_receipt));
  *strstr (text, "000001") = '9';
  forged = g_bytes_new (text, strlen (text));
  g_assert_null (mdg_sync_receipt_verify (forged, pub, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY);
  g_clear_error (&error);

  g_clear_pointer (&forged, g_bytes_unref);
  forged = g_bytes_new_static ("{\"receipt\":1}", 13);
  g_assert_null (mdg_sync_receipt_verify (forged, pub, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT);

  EVP_PKEY_free (key);
  EVP_PKEY_free (other);
  EVP_PKEY_free (pub);
  EVP_PKEY_free (other_pub);
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/protocol/problems", test_problem_table);
  g_test_add_func ("/sync/protocol/statuses", test_status);
  g_test_add_func ("/sync/protocol/receipt", test_receipt);
  return g_test_run ();
}
