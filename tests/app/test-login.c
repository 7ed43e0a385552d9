/* test-login.c: the login signature (docs/signing.md §5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "app-test-util.h"
#include "mdg-app-error.h"
#include "mdg-card-signer.h"
#include "mdg-login-signature.h"

static GBytes *
challenge (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
assert_refused (GBytes *expected,
                GBytes *cms,
                MdgTrustStore *trust,
                GDateTime *now,
                MdgAppError code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cert = mdg_login_signature_verify (trust, expected, cms, now, &error);

  g_assert_null (cert);
  g_assert_error (error, MDG_APP_ERROR, (int) code);
}

static void
test_software (void)
{
  g_autoptr(MdgTrustStore) trust = app_test_trust ();
  g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
  g_autoptr(MdgSigner) sign = app_test_software_signer ("kawaguchi-76", "sign");
  g_autoptr(GBytes) c = challenge ("madoguchi-login:0123456789abcdef");
  g_autoptr(GBytes) other = challenge ("madoguchi-login:0123456789abcdeF");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = mdg_login_signature_sign (auth, c, NULL, &error);
  g_autoptr(GBytes) sign_cms = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) auth_cert = mdg_signer_get_certificate (auth, NULL);
  g_autoptr(GDateTime) later = g_date_time_new_utc (2200, 1, 1, 0, 0, 0);
  g_autoptr(GBytes) garbage = g_bytes_new_static ("\x30\x03\x02\x01\x01", 5);

  g_assert_no_error (error);
  cert = mdg_login_signature_verify (trust, c, cms, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (cert, auth_cert));

  assert_refused (other, cms, trust, NULL, MDG_APP_ERROR_VERIFY);
  assert_refused (c, cms, trust, later, MDG_APP_ERROR_EXPIRED);
  assert_refused (c, garbage, trust, NULL, MDG_APP_ERROR_CMS);
  for (gsize cut = 0; cut < g_bytes_get_size (cms); cut += 211)
    {
      g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (cms, 0, cut);

      assert_refused (c, truncated, trust, NULL, MDG_APP_ERROR_CMS);
    }

  /* The signature key where the authentication key is required. */
  sign_cms = mdg_login_signature_sign (sign, c, NULL, &error);
  g_assert_no_error (error);
  assert_refused (c, sign_cms, trust, NULL, MDG_APP_ERROR_WRONG_KEY);
}

static void
test_challenge_bounds (void)
{
  g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
  g_autoptr(GBytes) tiny = challenge ("short");
  g_autoptr(GBytes) huge = g_bytes_new_take (g_malloc0 (MDG_LOGIN_CHALLENGE_MAX + 1),
                                             MDG_LOGIN_CHALLENGE_MAX + 1);
  g_autoptr(GError) error = NULL;

  g_assert_null (mdg_login_signature_sign (auth, tiny, NULL, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT);
  g_clear_error (&error);
  g_assert_null (mdg_login_signature_sign (auth, huge, NULL, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT);
}

static void
test_production_refuses_test_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mdg-login-trust-XXXXXX", &error);
  g_autofree char *test_dir = g_build_filename (dir, "test", NULL);
  g_autofree char *sign_dir = g_build_filename (dir, "sign", NULL);
  g_autofree char *src = app_test_pki_path (NULL, "auth-ca.pem");
  g_autofree char *sign_src = app_test_pki_path (NULL, "sign-ca.pem");
  g_autofree char *pem = NULL;
  g_autofree char *sign_pem = NULL;
  g_autofree char *dst = g_build_filename (test_dir, "sim-auth.pem", NULL);
  g_autofree char *sign_dst = g_build_filename (sign_dir, "other.pem", NULL);
  g_autoptr(MdgTrustStore) production = NULL;
  g_autoptr(MdgSigner) auth = app_test_software_signer ("kawaguchi-76", "auth");
  g_autoptr(GBytes) c = challenge ("madoguchi-login:production-check");
  g_autoptr(GBytes) cms = mdg_login_signature_sign (auth, c, NULL, &error);

  g_assert_no_error (error);
  /* A production store whose "sign" root is unrelated and whose test/
   * directory names the simulator's authentication root. */
  g_assert_cmpint (g_mkdir (test_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir (sign_dir, 0700), ==, 0);
  g_assert_true (g_file_get_contents (src, &pem, NULL, NULL));
  g_assert_true (g_file_get_contents (sign_src, &sign_pem, NULL, NULL));
  g_assert_true (g_file_set_contents (dst, pem, -1, NULL));
  g_assert_true (g_file_set_contents (sign_dst, sign_pem, -1, NULL));
  production = mdg_trust_store_new_production (dir, &error);
  g_assert_no_error (error);
  assert_refused (c, cms, production, NULL, MDG_APP_ERROR_TEST_ROOT);

  g_remove (dst);
  g_remove (sign_dst);
  g_rmdir (test_dir);
  g_rmdir (sign_dir);
  g_rmdir (dir);
}

static void
test_card (void)
{
  g_autoptr(MdgSimCard) sim = NULL;
  g_autoptr(MdgCard) card = app_test_sim_card ("kawaguchi-76", &sim);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_AUTH, "1234", &error);
  g_autoptr(MdgSigner) signer = mdg_card_signer_new (card, MDG_JPKI_KEY_AUTH, pin, MDG_PIN_FLAGS_NONE);
  g_autoptr(MdgTrustStore) trust = app_test_trust ();
  g_autoptr(GBytes) c = challenge ("madoguchi-login:card-0123456789");
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) cert = NULL;

  g_assert_no_error (error);
  cms = mdg_login_signature_sign (signer, c, NULL, &error);
  g_assert_no_error (error);
  cert = mdg_login_signature_verify (trust, c, cms, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cert);
}

int
main (int argc,
      char *argv[])
{
  app_test_parse_args (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/login/software", test_software);
  g_test_add_func ("/login/challenge-bounds", test_challenge_bounds);
  g_test_add_func ("/login/production-refuses-test-root", test_production_refuses_test_root);
  g_test_add_func ("/login/card", test_card);

  return g_test_run ();
}
