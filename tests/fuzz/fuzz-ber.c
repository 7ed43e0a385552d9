/* fuzz-ber.c: the BER-TLV reader on arbitrary card data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "madoguchi-card.h"
#include "fuzz-common.h"


/* Walks every TLV, descending into constructed ones, as parsers do. */
static void
walk (const guint8 *buf,
      gsize len,
      guint depth)
{
  gsize pos = 0;

  if (depth > 16)
    return;

  while (pos < len)
    {
      MdgBerTlv tlv;

      if (!mdg_ber_read (buf + pos, len - pos, &tlv, NULL))
        return;
      g_assert (tlv.value >= buf + pos && tlv.value + tlv.length <= buf + len);
      g_assert (tlv.header_len >= 2 && tlv.header_len <= 7);
      if (tlv.constructed)
        walk (tlv.value, tlv.length, depth + 1);
      pos += tlv.header_len + tlv.length;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t size)
{
  GError *error = NULL;
  MdgBerTlv tlv;
  gsize total;

  fuzz_init ();

  total = mdg_ber_total_length (data, size, &error);
  g_assert ((total == 0) == (error != NULL));
  g_clear_error (&error);

  if (mdg_ber_read (data, size, &tlv, &error))
    g_assert (tlv.header_len + tlv.length == total);
  else
    g_assert (error != NULL);
  g_clear_error (&error);

  for (guint32 tag = 0xDF21; tag <= 0xDF25; tag++)
    {
      if (mdg_ber_find (data, size, tag, &tlv, &error))
        g_assert (tlv.tag == tag && tlv.value + tlv.length <= data + size);
      g_clear_error (&error);
    }

  walk (data, size, 0);
  return 0;
}
