/* mdg-ber.c: a BER-TLV reader for card data (no allocation)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mdg-ber.h"
#include "mdg-card-error.h"

typedef enum
{
  HEADER_OK,
  HEADER_SHORT,        /* the buffer ends inside the header */
  HEADER_LONG_TAG,     /* more than three tag bytes */
  HEADER_INDEFINITE,   /* 80: not allowed in DER card data */
  HEADER_LONG_LENGTH,  /* 84 or more length bytes */
} HeaderResult;

static HeaderResult
parse_header (const guint8 *buf,
              gsize len,
              guint32 *tag,
              gboolean *constructed,
              gsize *header_len,
              gsize *value_len)
{
  gsize pos = 0;
  guint32 t;
  guint n_len;

  if (len < 1)
    return HEADER_SHORT;

  t = buf[pos++];
  *constructed = (t & 0x20) != 0;

  /* Low five bits all set: the tag number continues in following bytes,
   * each with bit 8 set except the last. */
  if ((t & 0x1F) == 0x1F)
    {
      for (;;)
        {
          guint8 b;

          if (pos >= len)
            return HEADER_SHORT;
          if (pos >= 3)
            return HEADER_LONG_TAG;
          b = buf[pos++];
          t = (t << 8) | b;
          if ((b & 0x80) == 0)
            break;
        }
    }

  if (pos >= len)
    return HEADER_SHORT;

  n_len = buf[pos++];
  if (n_len < 0x80)
    {
      *value_len = n_len;
    }
  else if (n_len == 0x80)
    {
      return HEADER_INDEFINITE;
    }
  else if (n_len <= 0x83)
    {
      gsize v = 0;
      guint count = n_len & 0x7F;

      if (len - pos < count)
        return HEADER_SHORT;
      for (guint i = 0; i < count; i++)
        v = (v << 8) | buf[pos++];
      *value_len = v;
    }
  else
    {
      return HEADER_LONG_LENGTH;
    }

  *tag = t;
  *header_len = pos;
  return HEADER_OK;
}

static void
set_header_error (HeaderResult result,
                  gboolean short_is_truncated,
                  GError **error)
{
  switch (result)
    {
    case HEADER_SHORT:
      if (short_is_truncated)
        g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED,
                     _("Card data ends inside a TLV header"));
      else
        g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                     _("Card data ends inside a TLV header"));
      break;
    case HEADER_LONG_TAG:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("Card data has a TLV tag longer than three bytes"));
      break;
    case HEADER_INDEFINITE:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("Card data uses an indefinite length"));
      break;
    case HEADER_LONG_LENGTH:
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED,
                   _("Card data has a TLV length of more than three bytes"));
      break;
    case HEADER_OK:
    default:
      g_assert_not_reached ();
    }
}

gboolean
mdg_ber_read (const guint8 *buf,
              gsize len,
              MdgBerTlv *tlv,
              GError **error)
{
  HeaderResult result;
  guint32 tag = 0;
  gboolean constructed = FALSE;
  gsize header_len = 0;
  gsize value_len = 0;

  g_return_val_if_fail (tlv != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (buf == NULL)
    len = 0;

  result = parse_header (buf, len, &tag, &constructed, &header_len, &value_len);
  if (result != HEADER_OK)
    {
      set_header_error (result, FALSE, error);
      return FALSE;
    }

  if (value_len > len - header_len)
    {
      g_set_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED,
                   _("A TLV value of %zu bytes runs past the end of the data"),
                   value_len);
      return FALSE;
    }

  tlv->tag = tag;
  tlv->constructed = constructed;
  tlv->value = buf + header_len;
  tlv->length = value_len;
  tlv->header_len = header_len;
  return TRUE;
}

gsize
mdg_ber_total_length (const guint8 *buf,
                      gsize len,
                      GError **error)
{
  HeaderResult result;
  guint32 tag = 0;
  gboolean constructed = FALSE;
  gsize header_len = 0;
  gsize value_len = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (buf == NULL)
    len = 0;

  result = parse_header (buf, len, &tag, &constructed, &header_len, &value_len);
  if (result != HEADER_OK)
    {
      set_header_error (result, TRUE, error);
      return 0;
    }

  return header_len + value_len;
}

/* FF FF … or a lone trailing FF, or 00: the unused rest of an EF. A single
 * FF followed by anything else starts a private tag such as FF20. */
static gboolean
is_filler (const guint8 *buf,
           gsize len)
{
  if (buf[0] == 0x00)
    return TRUE;
  if (buf[0] == 0xFF && (len == 1 || buf[1] == 0xFF))
    return TRUE;
  return FALSE;
}

gboolean
mdg_ber_find (const guint8 *buf,
              gsize len,
              guint32 tag,
              MdgBerTlv *tlv,
              GError **error)
{
  gsize pos = 0;

  g_return_val_if_fail (tlv != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (buf == NULL)
    return FALSE;

  while (pos < len && !is_filler (buf + pos, len - pos))
    {
      MdgBerTlv item;

      if (!mdg_ber_read (buf + pos, len - pos, &item, error))
        return FALSE;

      if (item.tag == tag)
        {
          *tlv = item;
          return TRUE;
        }

      pos += item.header_len + item.length;
    }

  return FALSE;
}
