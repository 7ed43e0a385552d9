/* mdg-login-signature.c: a server challenge signed with the authentication key
 *
 * The same CMS profile as applications (mdg-cms.c), so one verifier and
 * `openssl cms -verify` serve both; only the trust anchors differ.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "mdg-app-error.h"
#include "mdg-cms.h"
#include "mdg-login-signature.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CMS_ContentInfo, CMS_ContentInfo_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE, X509_STORE_free)

static gboolean
check_challenge (GBytes *challenge,
                 GError **error)
{
  gsize len = g_bytes_get_size (challenge);

  if (len < MDG_LOGIN_CHALLENGE_MIN || len > MDG_LOGIN_CHALLENGE_MAX)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT,
                   _("A login challenge must be between %d and %d bytes long."),
                   MDG_LOGIN_CHALLENGE_MIN, MDG_LOGIN_CHALLENGE_MAX);
      return FALSE;
    }
  return TRUE;
}

GBytes *
mdg_login_signature_sign (MdgSigner *auth_signer,
                          GBytes *challenge,
                          GDateTime *signing_time,
                          GError **error)
{
  g_return_val_if_fail (MDG_IS_SIGNER (auth_signer), NULL);
  g_return_val_if_fail (challenge != NULL, NULL);

  if (!check_challenge (challenge, error))
    return NULL;
  return mdg_cms_sign_detached (auth_signer, challenge, signing_time, error);
}

GBytes *
mdg_login_signature_verify (MdgTrustStore *trust,
                            GBytes *expected_challenge,
                            GBytes *cms_der,
                            GDateTime *now,
                            GError **error)
{
  g_autoptr(CMS_ContentInfo) cms = NULL;
  g_autoptr(X509_STORE) empty = X509_STORE_new ();
  g_autoptr(MdgBioChain) dcont = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  STACK_OF (X509) *certs = NULL;
  X509 *cert = NULL;
  MdgTrustPurpose purpose;
  gboolean test_root = FALSE;
  int verify_error = 0;
  time_t when;
  GBytes *result = NULL;

  g_return_val_if_fail (MDG_IS_TRUST_STORE (trust), NULL);
  g_return_val_if_fail (expected_challenge != NULL && cms_der != NULL, NULL);

  if (!check_challenge (expected_challenge, error))
    return NULL;
  cms = mdg_cms_parse_detached (cms_der, &cert, &certs, error);
  if (cms == NULL)
    return NULL;
  if (now == NULL)
    now = local_now = g_date_time_new_now_utc ();
  when = (time_t) g_date_time_to_unix (now);

  /* The signature over exactly the challenge this server issued. */
  dcont = mdg_cms_content_bio (expected_challenge);
  if (CMS_verify (cms, NULL, empty, dcont, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY,
                   _("The login signature does not match the challenge."));
      goto out;
    }
  if (!mdg_trust_store_find_anchor (trust, cert, certs, &purpose, &test_root, &verify_error))
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_UNTRUSTED,
                   _("The login certificate does not chain to a configured trust anchor (%s)."),
                   X509_verify_cert_error_string (verify_error));
      goto out;
    }
  if (test_root && mdg_trust_store_get_mode (trust) == MDG_TRUST_MODE_PRODUCTION)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_TEST_ROOT,
                   _("The login certificate chains to a test root; a production configuration refuses test signatures."));
      goto out;
    }
  if (purpose != MDG_TRUST_PURPOSE_AUTH)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_WRONG_KEY,
                   _("The login was signed with the signature key; a login needs the authentication key (利用者証明用電子証明書)."));
      goto out;
    }
  if (X509_cmp_time (X509_get0_notBefore (cert), &when) > 0
      || X509_cmp_time (X509_get0_notAfter (cert), &when) < 0)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_EXPIRED,
                   _("The login certificate is not valid at the verification time."));
      goto out;
    }
  if ((X509_get_key_usage (cert) & KU_DIGITAL_SIGNATURE) == 0)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_WRONG_KEY,
                   _("The login certificate does not allow digitalSignature."));
      goto out;
    }
  result = mdg_x509_to_der (cert);

out:
  ERR_clear_error ();
  sk_X509_pop_free (certs, X509_free);
  return result;
}
