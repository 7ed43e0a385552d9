/* test-cms.c: detached CMS signing with a software key and the simulated card
 *
 * Every signature is also checked by the openssl command line, as a
 * municipality would: openssl cms -verify -binary -inform DER -content DOC
 * -CAfile sign-ca.pem.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "app-test-util.h"
#include "mdg-app-error.h"
#include "mdg-application.h"
#include "mdg-card-signer.h"
#include "mdg-cms.h"
#include "mdg-software-signer.h"

static GBytes *
canonical_document (const char *persona)
{
  g_autofree char *json = app_test_document_json (persona, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgApplication) doc = mdg_application_new_from_data (json, -1, &error);

  g_assert_no_error (error);
  return g_bytes_ref (mdg_application_get_canonical (doc));
}

static MdgSigner *
software_signer (const char *persona,
                 const char *key)
{
  return app_test_software_signer (persona, key);
}

/* Exit status of openssl cms -verify on @cms over @content. */
static int
openssl_verify (GBytes *cms,
                GBytes *content,
                const char *ca_file,
                gboolean purpose_any)
{
  g_autofree char *cms_path = app_test_write_tmp ("sig.p7s", cms);
  g_autofree char *doc_path = app_test_write_tmp ("doc.json", content);
  g_autofree char *ca_path = app_test_pki_path (NULL, ca_file);
  g_autofree char *err = NULL;
  const char *argv[] = {
    "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", cms_path,
    "-content", doc_path, "-CAfile", ca_path, "-out", "/dev/null",
    purpose_any ? "-purpose" : NULL, "any", NULL
  };
  int status = app_test_run (argv, &err);

  g_test_message ("openssl cms -verify: %d %s", status, err);
  app_test_remove_tmp (cms_path);
  app_test_remove_tmp (doc_path);
  return status;
}

static void
test_software (void)
{
  g_autoptr(MdgSigner) signer = software_signer ("kawaguchi-76", "sign");
  g_autoptr(GBytes) content = canonical_document ("kawaguchi-76");
  g_autoptr(GBytes) tampered = g_bytes_new_static ("{\"tampered\":true}", 17);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = mdg_cms_sign_detached (signer, content, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (cms);
  /* A JPKI signature certificate (digitalSignature + nonRepudiation, no
   * EKU) passes the default S/MIME signing purpose: no -purpose needed. */
  g_assert_cmpint (openssl_verify (cms, content, "sign-ca.pem", FALSE), ==, 0);
  g_assert_cmpint (openssl_verify (cms, content, "sign-ca.pem", TRUE), ==, 0);
  g_assert_cmpint (openssl_verify (cms, tampered, "sign-ca.pem", FALSE), !=, 0);
  g_assert_cmpint (openssl_verify (cms, content, "auth-ca.pem", FALSE), !=, 0);
}

static void
test_card (void)
{
  g_autoptr(MdgSimCard) sim = NULL;
  g_autoptr(MdgCard) card = app_test_sim_card ("kawaguchi-76", &sim);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, "abc123", &error);
  g_autoptr(MdgSigner) signer = mdg_card_signer_new (card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE);
  g_autoptr(GBytes) content = canonical_document ("kawaguchi-76");
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autofree char *cert_path = app_test_pki_path ("kawaguchi-76", "sign.pem");
  g_autoptr(GBytes) expected_cert = mdg_certificate_file_to_der (cert_path, NULL);

  g_assert_no_error (error);
  cms = mdg_cms_sign_detached (signer, content, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cms);
  g_assert_cmpint (openssl_verify (cms, content, "sign-ca.pem", FALSE), ==, 0);
  cert = mdg_signer_get_certificate (signer, &error);
  g_assert_true (g_bytes_equal (cert, expected_cert));
  g_assert_cmpint (mdg_sim_card_get_tries (sim, "sign"), ==, 5);
}

static void
test_card_wrong_pin (void)
{
  g_autoptr(MdgSimCard) sim = NULL;
  g_autoptr(MdgCard) card = app_test_sim_card ("kawaguchi-76", &sim);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, "WRONG1", &error);
  g_autoptr(MdgSigner) signer = mdg_card_signer_new (card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE);
  g_autoptr(GBytes) content = canonical_document ("kawaguchi-76");
  g_autoptr(GBytes) cms = mdg_cms_sign_detached (signer, content, NULL, &error);

  g_assert_null (cms);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_INCORRECT);
  g_assert_cmpint (mdg_card_signer_get_tries_left (MDG_CARD_SIGNER (signer)), ==, 4);
  g_assert_cmpint (mdg_sim_card_get_tries (sim, "sign"), ==, 4);
}

/* The signature password is never sent with one try left unless the
 * caller confirmed it. */
static void
test_card_last_try (void)
{
  g_autoptr(MdgSimCard) sim = NULL;
  g_autoptr(MdgCard) card = app_test_sim_card ("sign-one-try-left", &sim);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, "ONETRY52", &error);
  g_autoptr(MdgPin) wrong = mdg_pin_new (MDG_PIN_SIGN, "WRONG99", NULL);
  /* A wrong password: had it been sent, the key would now be blocked. */
  g_autoptr(MdgSigner) unconfirmed = mdg_card_signer_new (card, MDG_JPKI_KEY_SIGN, wrong, MDG_PIN_FLAGS_NONE);
  g_autoptr(MdgSigner) confirmed = mdg_card_signer_new (card, MDG_JPKI_KEY_SIGN, pin,
                                                        MDG_PIN_FLAGS_CONFIRM_LAST_TRY);
  g_autoptr(GBytes) content = canonical_document ("sign-one-try-left");
  g_autoptr(GBytes) cms = NULL;

  mdg_sim_card_reset_apdu_count (sim);
  cms = mdg_cms_sign_detached (unconfirmed, content, NULL, &error);
  g_assert_null (cms);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_LAST_TRY);
  g_assert_cmpint (mdg_sim_card_get_tries (sim, "sign"), ==, 1);
  g_clear_error (&error);

  cms = mdg_cms_sign_detached (confirmed, content, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cms);
  /* A correct password resets the counter. */
  g_assert_cmpint (mdg_sim_card_get_tries (sim, "sign"), ==, 5);
  g_assert_cmpint (openssl_verify (cms, content, "sign-ca.pem", FALSE), ==, 0);
}

/* A certificate outside its validity at the signing time is refused by the
 * self-check; inside it (an earlier signing time) the signature is made. */
static void
test_expired (void)
{
  g_autoptr(MdgSigner) signer = software_signer ("expired-cert", "sign");
  g_autoptr(GBytes) content = canonical_document ("expired-cert");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) cms = mdg_cms_sign_detached (signer, content, NULL, &error);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, -60);

  g_assert_null (cms);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_EXPIRED);
  g_clear_error (&error);
  cms = mdg_cms_sign_detached (signer, content, then, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cms);
}

int
main (int argc,
      char *argv[])
{
  app_test_parse_args (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cms/software", test_software);
  g_test_add_func ("/cms/card", test_card);
  g_test_add_func ("/cms/card-wrong-pin", test_card_wrong_pin);
  g_test_add_func ("/cms/card-last-try", test_card_last_try);
  g_test_add_func ("/cms/expired", test_expired);

  return g_test_run ();
}
