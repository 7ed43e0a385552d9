/* mdg-verify.c: verification of a signed application
 *
 * Each rule is one named check in the report, so a municipality sees why a
 * signature is refused. Revocation is always "not checked": J-LIS gives
 * CRL/OCSP only to accredited verifiers (jpki-card.md §6.6).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "mdg-app-error.h"
#include "mdg-application.h"
#include "mdg-certificate.h"
#include "mdg-cms.h"
#include "mdg-pin.h"
#include "mdg-verify.h"

typedef struct
{
  char           *id;
  MdgCheckResult  result;
  int             code;     /* MdgAppError for failures */
  char           *message;
} Check;

struct _MdgVerifyReport
{
  GPtrArray    *checks;
  MdgTrustMode  mode;
  char         *document_id;
  char         *procedure_id;
  char         *signer_serial;
  char         *signer_issuer;
  char         *signing_time;
};

static void
check_free (Check *c)
{
  g_free (c->id);
  g_free (c->message);
  g_free (c);
}

void
mdg_verify_report_free (MdgVerifyReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->checks);
  g_free (report->document_id);
  g_free (report->procedure_id);
  g_free (report->signer_serial);
  g_free (report->signer_issuer);
  g_free (report->signing_time);
  g_free (report);
}

G_GNUC_PRINTF (5, 6)
static void
add_check (MdgVerifyReport *report,
           const char *id,
           MdgCheckResult result,
           int code,
           const char *format,
           ...)
{
  Check *c = g_new0 (Check, 1);
  va_list args;

  c->id = g_strdup (id);
  c->result = result;
  c->code = code;
  va_start (args, format);
  c->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (report->checks, c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CMS_ContentInfo, CMS_ContentInfo_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE, X509_STORE_free)

static GDateTime *
asn1_time_to_datetime (const ASN1_TIME *t)
{
  struct tm tm;

  if (t == NULL || !ASN1_TIME_to_tm (t, &tm))
    return NULL;
  return g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static GDateTime *
signing_time_of (CMS_SignerInfo *si)
{
  int idx = CMS_signed_get_attr_by_NID (si, NID_pkcs9_signingTime, -1);
  X509_ATTRIBUTE *attr = idx >= 0 ? CMS_signed_get_attr (si, idx) : NULL;
  ASN1_TYPE *value = attr != NULL ? X509_ATTRIBUTE_get0_type (attr, 0) : NULL;

  if (value == NULL || (value->type != V_ASN1_UTCTIME && value->type != V_ASN1_GENERALIZEDTIME))
    return NULL;
  return asn1_time_to_datetime (value->value.utctime);
}

static void
compare_attribute (MdgVerifyReport *report,
                   const char *id,
                   const char *label,
                   const char *document_value,
                   const char *certificate_value)
{
  if (g_strcmp0 (document_value, certificate_value) == 0)
    add_check (report, id, MDG_CHECK_PASS, 0, _("The applicant's %s matches the certificate."), label);
  else
    add_check (report, id, MDG_CHECK_FAIL, MDG_APP_ERROR_VERIFY,
               _("The applicant's %s differs from the signature certificate (for example after a move or a change of name)."),
               label);
}

static void
check_applicant (MdgVerifyReport *report,
                 MdgApplication *doc,
                 GBytes *cert_der)
{
  g_autoptr(MdgCertificate) cert = mdg_certificate_new_from_der (cert_der, NULL);
  g_autoptr(MdgJpkiAttributes) attrs = cert ? mdg_certificate_get_jpki_attributes (cert, NULL) : NULL;
  JsonObject *applicant = mdg_application_get_applicant (doc);
  g_autofree char *birth = NULL;
  const char *doc_birth = json_object_get_string_member (applicant, "birth_date");

  if (attrs == NULL)
    {
      add_check (report, "applicant", MDG_CHECK_FAIL, MDG_APP_ERROR_WRONG_KEY,
                 _("The certificate carries no JPKI personal attributes: it is not a signature certificate."));
      return;
    }
  /* The card writes an era digit before YYYYMMDD; compare the Gregorian date. */
  if (attrs->birth_date != NULL && strlen (attrs->birth_date) == 9)
    birth = g_strdup_printf ("%.4s-%.2s-%.2s", attrs->birth_date + 1, attrs->birth_date + 5,
                             attrs->birth_date + 7);
  compare_attribute (report, "applicant.name", _("name"),
                     json_object_get_string_member (applicant, "name"), attrs->name);
  compare_attribute (report, "applicant.sex", _("sex"),
                     json_object_get_string_member (applicant, "sex"), attrs->sex);
  compare_attribute (report, "applicant.birth_date", _("date of birth"), doc_birth, birth);
  compare_attribute (report, "applicant.address", _("address"),
                     json_object_get_string_member (applicant, "address"), attrs->address);
  if (birth != NULL)
    mdg_secure_wipe (birth, strlen (birth));
}

static void
check_validity (MdgVerifyReport *report,
                const char *id,
                X509 *cert,
                GDateTime *when,
                const char *what)
{
  g_autoptr(GDateTime) nb = asn1_time_to_datetime (X509_get0_notBefore (cert));
  g_autoptr(GDateTime) na = asn1_time_to_datetime (X509_get0_notAfter (cert));

  if (when == NULL || nb == NULL || na == NULL)
    add_check (report, id, MDG_CHECK_FAIL, MDG_APP_ERROR_EXPIRED,
               _("The certificate's validity at %s cannot be established."), what);
  else if (g_date_time_compare (when, nb) < 0 || g_date_time_compare (when, na) > 0)
    add_check (report, id, MDG_CHECK_FAIL, MDG_APP_ERROR_EXPIRED,
               _("The certificate was not valid at %s."), what);
  else
    add_check (report, id, MDG_CHECK_PASS, 0, _("The certificate was valid at %s."), what);
}

static MdgVerifyReport *verify_common (MdgTrustStore *trust,
                                       GBytes *document,
                                       GBytes *cms_der,
                                       GHashTable *attachments,
                                       GHashTable *digests,
                                       GDateTime *now,
                                       GError **error);

MdgVerifyReport *
mdg_verify_application (MdgTrustStore *trust,
                        GBytes *document,
                        GBytes *cms_der,
                        GHashTable *attachments,
                        GDateTime *now,
                        GError **error)
{
  return verify_common (trust, document, cms_der, attachments, NULL, now, error);
}

MdgVerifyReport *
mdg_verify_application_digests (MdgTrustStore *trust,
                                GBytes *document,
                                GBytes *cms_der,
                                GHashTable *digests,
                                GDateTime *now,
                                GError **error)
{
  return verify_common (trust, document, cms_der, NULL, digests, now, error);
}

static MdgVerifyReport *
verify_common (MdgTrustStore *trust,
               GBytes *document,
               GBytes *cms_der,
               GHashTable *attachments,
               GHashTable *digests,
               GDateTime *now,
               GError **error)
{
  g_autoptr(MdgVerifyReport) report = NULL;
  g_autoptr(MdgApplication) doc = NULL;
  g_autoptr(CMS_ContentInfo) cms = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) signed_at = NULL;
  g_autoptr(GBytes) cert_der = NULL;
  g_autoptr(MdgBioChain) dcont = NULL;
  g_autoptr(X509_STORE) empty = X509_STORE_new ();
  g_autoptr(GError) att_error = NULL;
  STACK_OF (X509) *certs = NULL;
  CMS_SignerInfo *si;
  X509 *cert = NULL;
  MdgTrustPurpose purpose = MDG_TRUST_PURPOSE_SIGN;
  gboolean test_root = FALSE;
  int verify_error = 0;

  g_return_val_if_fail (MDG_IS_TRUST_STORE (trust), NULL);
  g_return_val_if_fail (document != NULL && cms_der != NULL, NULL);

  if (now == NULL)
    now = local_now = g_date_time_new_now_utc ();

  doc = mdg_application_new_from_data (g_bytes_get_data (document, NULL),
                                       g_bytes_get_size (document), error);
  if (doc == NULL)
    return NULL;

  cms = mdg_cms_parse_detached (cms_der, &cert, &certs, error);
  if (cms == NULL)
    return NULL;
  si = sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (cms), 0);
  cert_der = mdg_x509_to_der (cert);

  report = g_new0 (MdgVerifyReport, 1);
  report->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) check_free);
  report->mode = mdg_trust_store_get_mode (trust);
  report->document_id = g_strdup (mdg_application_get_id (doc));
  report->procedure_id = g_strdup (mdg_application_get_procedure_id (doc));
  {
    g_autoptr(MdgCertificate) c = mdg_certificate_new_from_der (cert_der, NULL);

    report->signer_serial = c ? mdg_certificate_get_serial_hex (c) : NULL;
    report->signer_issuer = c ? mdg_certificate_get_issuer (c) : NULL;
  }

  /* 1. The signature and messageDigest over the exact bytes received, and
   * signingCertificateV2 against the certificate (OpenSSL checks the ESS
   * attribute when present). Trust is checked separately. */
  dcont = mdg_cms_content_bio (document);
  if (CMS_verify (cms, NULL, empty, dcont, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1)
    add_check (report, "signature", MDG_CHECK_PASS, 0,
               _("The signature and its message digest match the document."));
  else
    add_check (report, "signature", MDG_CHECK_FAIL, MDG_APP_ERROR_VERIFY,
               _("The signature does not match the document: it was changed after signing, or the certificate was swapped."));
  ERR_clear_error ();

  if (g_bytes_equal (document, mdg_application_get_canonical (doc)))
    add_check (report, "canonical", MDG_CHECK_PASS, 0, _("The document is in canonical form (RFC 8785)."));
  else
    add_check (report, "canonical", MDG_CHECK_FAIL, MDG_APP_ERROR_VERIFY,
               _("The document is not in its canonical form (RFC 8785)."));

  if (CMS_signed_get_attr_by_NID (si, NID_id_smime_aa_signingCertificateV2, -1) >= 0
      && CMS_signed_get_attr_by_NID (si, NID_pkcs9_contentType, -1) >= 0)
    add_check (report, "attributes", MDG_CHECK_PASS, 0,
               _("The signed attributes include contentType and signingCertificateV2."));
  else
    add_check (report, "attributes", MDG_CHECK_FAIL, MDG_APP_ERROR_VERIFY,
               _("The signed attributes lack contentType or signingCertificateV2."));

  /* 2. The chain, by key identifier and signature. */
  if (!mdg_trust_store_find_anchor (trust, cert, certs, &purpose, &test_root, &verify_error))
    add_check (report, "chain", MDG_CHECK_FAIL, MDG_APP_ERROR_UNTRUSTED,
               _("The certificate does not chain to a configured trust anchor (%s)."),
               X509_verify_cert_error_string (verify_error));
  else if (test_root && report->mode == MDG_TRUST_MODE_PRODUCTION)
    add_check (report, "chain", MDG_CHECK_FAIL, MDG_APP_ERROR_TEST_ROOT,
               _("The certificate chains to a test root; a production configuration refuses test signatures."));
  else if (purpose == MDG_TRUST_PURPOSE_AUTH)
    add_check (report, "chain", MDG_CHECK_FAIL, MDG_APP_ERROR_WRONG_KEY,
               _("The document was signed with the authentication key; an application needs the signature key (署名用電子証明書)."));
  else
    add_check (report, "chain", MDG_CHECK_PASS, 0,
               test_root
               ? _("The certificate chains to a TEST root (test configuration).")
               : _("The certificate chains to a J-LIS signature root."));

  /* 3. Validity at both times, key usage. */
  signed_at = signing_time_of (si);
  if (signed_at != NULL)
    report->signing_time = g_date_time_format_iso8601 (signed_at);
  if (signed_at != NULL && g_date_time_compare (signed_at, now) > 0)
    add_check (report, "signing_time", MDG_CHECK_FAIL, MDG_APP_ERROR_VERIFY,
               _("The signing time lies in the future."));
  check_validity (report, "validity.signing_time", cert, signed_at, _("the signing time"));
  check_validity (report, "validity.now", cert, now, _("the verification time"));
  if ((X509_get_key_usage (cert) & KU_NON_REPUDIATION) != 0)
    add_check (report, "key_usage", MDG_CHECK_PASS, 0, _("The certificate allows nonRepudiation."));
  else
    add_check (report, "key_usage", MDG_CHECK_FAIL, MDG_APP_ERROR_WRONG_KEY,
               _("The certificate does not allow nonRepudiation: it is not a signature certificate."));

  /* 4. The applicant against the certificate's four attributes. */
  check_applicant (report, doc, cert_der);

  /* 5. Attachments, revocation. */
  if (attachments == NULL && digests == NULL)
    add_check (report, "attachments", MDG_CHECK_NOT_CHECKED, 0, _("Attachments were not supplied."));
  else if (digests != NULL ? mdg_application_check_attachment_digests (doc, digests, &att_error)
                           : mdg_application_check_attachments (doc, attachments, &att_error))
    add_check (report, "attachments", MDG_CHECK_PASS, 0, _("Every attachment matches its signed hash."));
  else
    add_check (report, "attachments", MDG_CHECK_FAIL, MDG_APP_ERROR_VERIFY, "%s", att_error->message);
  add_check (report, "revocation", MDG_CHECK_NOT_CHECKED, 0,
             _("Revocation was not checked: J-LIS revocation data is only available to accredited verifiers."));

  sk_X509_pop_free (certs, X509_free);
  return g_steal_pointer (&report);
}

void
mdg_verify_report_add_check (MdgVerifyReport *report,
                             const char *id,
                             MdgCheckResult result,
                             int code,
                             const char *message)
{
  add_check (report, id, result, code, "%s", message);
}

gboolean
mdg_verify_report_is_valid (MdgVerifyReport *report)
{
  for (guint i = 0; i < report->checks->len; i++)
    if (((Check *) report->checks->pdata[i])->result == MDG_CHECK_FAIL)
      return FALSE;
  return TRUE;
}

gint
mdg_verify_report_get_check (MdgVerifyReport *report,
                             const char *id,
                             const char **message)
{
  for (guint i = 0; i < report->checks->len; i++)
    {
      Check *c = report->checks->pdata[i];

      if (strcmp (c->id, id) == 0)
        {
          if (message != NULL)
            *message = c->message;
          return c->result;
        }
    }
  return -1;
}

gboolean
mdg_verify_report_to_error (MdgVerifyReport *report,
                            GError **error)
{
  for (guint i = 0; i < report->checks->len; i++)
    {
      Check *c = report->checks->pdata[i];

      if (c->result == MDG_CHECK_FAIL)
        {
          g_set_error_literal (error, MDG_APP_ERROR, c->code, c->message);
          return TRUE;
        }
    }
  return FALSE;
}

static const char *
result_name (MdgCheckResult result)
{
  switch (result)
    {
    case MDG_CHECK_PASS: return "pass";
    case MDG_CHECK_FAIL: return "fail";
    case MDG_CHECK_NOT_CHECKED: return "not_checked";
    }
  return "fail";
}

JsonNode *
mdg_verify_report_to_json (MdgVerifyReport *report)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "valid");
  json_builder_add_boolean_value (b, mdg_verify_report_is_valid (report));
  json_builder_set_member_name (b, "trust");
  json_builder_add_string_value (b, report->mode == MDG_TRUST_MODE_TEST ? "test" : "production");
  json_builder_set_member_name (b, "document_id");
  json_builder_add_string_value (b, report->document_id);
  json_builder_set_member_name (b, "procedure_id");
  json_builder_add_string_value (b, report->procedure_id);
  json_builder_set_member_name (b, "signer_serial");
  json_builder_add_string_value (b, report->signer_serial);
  json_builder_set_member_name (b, "signer_issuer");
  json_builder_add_string_value (b, report->signer_issuer);
  json_builder_set_member_name (b, "signing_time");
  json_builder_add_string_value (b, report->signing_time);
  json_builder_set_member_name (b, "checks");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->checks->len; i++)
    {
      Check *c = report->checks->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, c->id);
      json_builder_set_member_name (b, "result");
      json_builder_add_string_value (b, result_name (c->result));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, c->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

char *
mdg_verify_report_to_text (MdgVerifyReport *report)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%s\n", mdg_verify_report_is_valid (report)
                          ? _("Signature valid") : _("Signature NOT valid"));
  g_string_append_printf (out, "%s: %s\n", _("Trust"),
                          report->mode == MDG_TRUST_MODE_TEST ? _("TEST roots") : _("J-LIS roots"));
  g_string_append_printf (out, "%s: %s\n", _("Certificate serial"),
                          report->signer_serial ? report->signer_serial : "-");
  g_string_append_printf (out, "%s: %s\n", _("Signing time"),
                          report->signing_time ? report->signing_time : "-");
  for (guint i = 0; i < report->checks->len; i++)
    {
      Check *c = report->checks->pdata[i];
      const char *mark = c->result == MDG_CHECK_PASS ? "OK  "
                         : c->result == MDG_CHECK_FAIL ? "FAIL" : "--  ";

      g_string_append_printf (out, "[%s] %s: %s\n", mark, c->id, c->message);
    }
  return g_string_free (out, FALSE);
}
