/* fuzz-certificate.c: X.509 parsing and the JPKI otherNames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "madoguchi-card.h"
#include "fuzz-common.h"


int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t size)
{
  GBytes *der = g_bytes_new (data, size);
  GError *error = NULL;
  MdgCertificate *cert;

  fuzz_init ();

  cert = mdg_certificate_new_from_der (der, &error);
  if (cert != NULL)
    {
      MdgJpkiAttributes *attrs;
      GDateTime *t;
      guint8 digest_info[51] = { 0 };
      guint8 sig[256] = { 0 };

      g_free (mdg_certificate_get_subject (cert));
      g_free (mdg_certificate_get_issuer (cert));
      g_free (mdg_certificate_get_serial_hex (cert));
      t = mdg_certificate_get_not_before (cert);
      if (t != NULL)
        {
          mdg_certificate_is_valid_at (cert, t);
          g_date_time_unref (t);
        }
      t = mdg_certificate_get_not_after (cert);
      g_clear_pointer (&t, g_date_time_unref);
      mdg_certificate_has_non_repudiation (cert);

      attrs = mdg_certificate_get_jpki_attributes (cert, &error);
      if (attrs != NULL)
        {
          if (attrs->name != NULL)
            g_assert (g_utf8_validate (attrs->name, -1, NULL));
          mdg_jpki_attributes_free (attrs);
        }
      g_clear_error (&error);

      /* An all-zero signature never verifies. */
      g_assert (!mdg_certificate_verify_digest_info (cert, digest_info, sizeof digest_info,
                                                     sig, sizeof sig, &error));
      g_clear_error (&error);
      mdg_certificate_free (cert);
    }
  else
    {
      g_assert (error != NULL);
      g_error_free (error);
    }

  g_bytes_unref (der);
  return 0;
}
