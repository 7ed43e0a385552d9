/* fuzz-cms.c: the readers of signed documents: the strict JSON parser and
 * canonical form (JCS), the application document, the detached CMS
 * parser, and the verification of a document with its signature
 *
 * The first byte picks the reader; for verification the rest is a 2-byte
 * big-endian document length, the document, then the CMS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "mdg-application.h"
#include "mdg-cms.h"
#include "mdg-jcs.h"
#include "mdg-verify.h"
#include "fuzz-signing-common.h"

static MdgTrustStore *trust;

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  trust = fuzz_signing_init ("fuzz-cms", argc, argv);
  return 0;
}

static void
fuzz_jcs (const guint8 *data,
          size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = mdg_jcs_parse ((const char *) data, size, &error);
  g_autoptr(GBytes) canonical = NULL;
  g_autoptr(GBytes) again = NULL;

  if (node == NULL)
    {
      g_assert (error != NULL);
      return;
    }
  canonical = mdg_jcs_serialize (node, &error);
  if (canonical == NULL)
    {
      g_assert (error != NULL);
      return;
    }
  /* The canonical form is a fixed point and valid UTF-8. */
  g_assert (g_utf8_validate (g_bytes_get_data (canonical, NULL), g_bytes_get_size (canonical), NULL));
  again = mdg_jcs_canonicalize (g_bytes_get_data (canonical, NULL), g_bytes_get_size (canonical), &error);
  g_assert_no_error (error);
  g_assert (g_bytes_equal (canonical, again));
}

static void
fuzz_application (const guint8 *data,
                  size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgApplication) app = mdg_application_new_from_data ((const char *) data, size, &error);

  if (app == NULL)
    {
      g_assert (error != NULL);
      return;
    }
  g_assert (mdg_application_get_canonical (app) != NULL);
  g_assert (mdg_application_get_id (app) != NULL);
  g_assert (mdg_application_get_procedure_id (app) != NULL);
}

static void
fuzz_cms_parse (const guint8 *data,
                size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = g_bytes_new (data, size);
  STACK_OF (X509) *certs = NULL;
  X509 *cert = NULL;
  CMS_ContentInfo *cms = mdg_cms_parse_detached (der, &cert, &certs, &error);

  if (cms == NULL)
    {
      g_assert (error != NULL);
      return;
    }
  g_assert (cert != NULL && certs != NULL);
  g_bytes_unref (mdg_x509_to_der (cert));
  sk_X509_pop_free (certs, X509_free);
  CMS_ContentInfo_free (cms);
}

static void
fuzz_verify (const guint8 *data,
             size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) document = NULL;
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(MdgVerifyReport) report = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);
  size_t doc_len;

  if (size < 2)
    return;
  doc_len = (size_t) data[0] << 8 | data[1];
  if (doc_len > size - 2)
    return;
  document = g_bytes_new (data + 2, doc_len);
  cms = g_bytes_new (data + 2 + doc_len, size - 2 - doc_len);
  report = mdg_verify_application (trust, document, cms, NULL, now, &error);
  if (report != NULL)
    {
      g_autoptr(JsonNode) json = mdg_verify_report_to_json (report);
      g_autofree char *text = mdg_verify_report_to_text (report);

      g_assert (json != NULL && text != NULL);
    }
  else
    g_assert (error != NULL);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t size)
{
  if (size == 0)
    return 0;
  switch (data[0] % 4)
    {
    case 0:
      fuzz_jcs (data + 1, size - 1);
      break;
    case 1:
      fuzz_application (data + 1, size - 1);
      break;
    case 2:
      fuzz_cms_parse (data + 1, size - 1);
      break;
    default:
      fuzz_verify (data + 1, size - 1);
      break;
    }
  return 0;
}
