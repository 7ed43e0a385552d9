/* test-apdu.c: short APDU encoding and status word mapping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "madoguchi-card.h"

static void
assert_encodes (const MdgApdu *apdu,
                const char *hex)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  guint8 out[MDG_APDU_MAX_COMMAND];
  gsize out_len = 0;

  g_assert_true (mdg_apdu_encode (apdu, out, &out_len, &error));
  g_assert_no_error (error);
  got = g_malloc0 (out_len * 2 + 1);
  for (gsize i = 0; i < out_len; i++)
    g_snprintf (got + 2 * i, 3, "%02X", out[i]);
  g_assert_cmpstr (got, ==, hex);
}

static void
test_encode_cases (void)
{
  static const guint8 aid[] = { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
  static const guint8 fid[] = { 0x00, 0x1B };
  guint8 big[255];
  MdgApdu case1 = { 0x00, 0x20, 0x00, 0x80, NULL, 0, -1 };
  MdgApdu case2 = { 0x00, 0xB0, 0x01, 0x00, NULL, 0, 4 };
  MdgApdu case2_256 = { 0x00, 0xB0, 0x05, 0x00, NULL, 0, 256 };
  MdgApdu case3 = { 0x00, 0xA4, 0x04, 0x0C, aid, sizeof aid, -1 };
  MdgApdu case3_fid = { 0x00, 0xA4, 0x02, 0x0C, fid, sizeof fid, -1 };
  MdgApdu case4 = { 0x80, 0x2A, 0x00, 0x80, fid, sizeof fid, 256 };
  MdgApdu case4_le = { 0x80, 0x2A, 0x00, 0x80, fid, sizeof fid, 0x16 };
  MdgApdu case4_max = { 0x00, 0x2A, 0x00, 0x80, big, sizeof big, 256 };
  guint8 out[MDG_APDU_MAX_COMMAND];
  gsize out_len = 0;

  assert_encodes (&case1, "00200080");
  assert_encodes (&case2, "00B0010004");
  assert_encodes (&case2_256, "00B0050000");
  assert_encodes (&case3, "00A4040C0AD392F000260100000001");
  assert_encodes (&case3_fid, "00A4020C02001B");
  assert_encodes (&case4, "802A008002001B00");
  assert_encodes (&case4_le, "802A008002001B16");

  memset (big, 0xAB, sizeof big);
  g_assert_true (mdg_apdu_encode (&case4_max, out, &out_len, NULL));
  g_assert_cmpuint (out_len, ==, MDG_APDU_MAX_COMMAND);
  g_assert_cmpuint (out[4], ==, 255);
  g_assert_cmpuint (out[out_len - 1], ==, 0x00);
}

static void
test_encode_rejects (void)
{
  guint8 big[300] = { 0 };
  guint8 out[MDG_APDU_MAX_COMMAND];
  gsize out_len = 0;
  MdgApdu oversized = { 0x00, 0xD6, 0x00, 0x00, big, 256, -1 };
  MdgApdu extended_le = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 257 };
  MdgApdu zero_le = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 0 };
  MdgApdu negative_le = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, -5 };
  MdgApdu missing_data = { 0x00, 0xD6, 0x00, 0x00, NULL, 3, -1 };
  const MdgApdu *bad[] = { &oversized, &extended_le, &zero_le, &negative_le, &missing_data };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (mdg_apdu_encode (bad[i], out, &out_len, &error));
      g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_parse_response (void)
{
  static const guint8 ok[] = { 0x30, 0x82, 0x05, 0x12, 0x90, 0x00 };
  static const guint8 sw_only[] = { 0x63, 0xC5 };
  static const guint8 one[] = { 0x90 };
  guint8 too_long[259] = { 0 };
  g_autoptr(GError) error = NULL;
  gsize data_len = 99;
  guint16 sw = 0;

  g_assert_true (mdg_apdu_parse_response (ok, sizeof ok, &data_len, &sw, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (data_len, ==, 4);
  g_assert_cmphex (sw, ==, 0x9000);

  g_assert_true (mdg_apdu_parse_response (sw_only, sizeof sw_only, &data_len, &sw, NULL));
  g_assert_cmpuint (data_len, ==, 0);
  g_assert_cmphex (sw, ==, 0x63C5);

  g_assert_false (mdg_apdu_parse_response (one, sizeof one, &data_len, &sw, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_false (mdg_apdu_parse_response (one, 0, &data_len, &sw, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_false (mdg_apdu_parse_response (too_long, sizeof too_long, &data_len, &sw, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
}

static void
test_sw_mapping (void)
{
  static const struct
  {
    guint16 sw;
    gint    code;  /* -1: success */
  } table[] = {
    { 0x9000, -1 },
    { 0x63C0, MDG_CARD_ERROR_PIN_BLOCKED },
    { 0x6984, MDG_CARD_ERROR_PIN_BLOCKED },
    { 0x63C1, MDG_CARD_ERROR_PIN_INCORRECT },
    { 0x63C4, MDG_CARD_ERROR_PIN_INCORRECT },
    { 0x63CF, MDG_CARD_ERROR_PIN_INCORRECT },
    { 0x6982, MDG_CARD_ERROR_PIN_REQUIRED },
    { 0x6A82, MDG_CARD_ERROR_FILE_NOT_FOUND },
    { 0x6B00, MDG_CARD_ERROR_TRUNCATED },
    { 0x6282, MDG_CARD_ERROR_TRUNCATED },
    { 0x6D00, MDG_CARD_ERROR_NOT_SUPPORTED },
    { 0x6E00, MDG_CARD_ERROR_NOT_SUPPORTED },
    { 0x6A86, MDG_CARD_ERROR_NOT_SUPPORTED },
    { 0x6881, MDG_CARD_ERROR_NOT_SUPPORTED },
    { 0x6882, MDG_CARD_ERROR_NOT_SUPPORTED },
    { 0x69FC, MDG_CARD_ERROR_NOT_SUPPORTED },
    { 0x6700, MDG_CARD_ERROR_FAILED },
    { 0x6F00, MDG_CARD_ERROR_FAILED },
    { 0x6985, MDG_CARD_ERROR_FAILED },
    { 0x6300, MDG_CARD_ERROR_FAILED },
    { 0x1234, MDG_CARD_ERROR_FAILED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = mdg_apdu_check_sw (table[i].sw, &error);

      if (table[i].code == -1)
        {
          g_assert_true (ok);
          g_assert_no_error (error);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, MDG_CARD_ERROR, table[i].code);
        }
    }
}

static void
test_sw_messages (void)
{
  g_autoptr(GError) error = NULL;

  mdg_apdu_check_sw (0x63C2, &error);
  g_assert_nonnull (strstr (error->message, "2 tries left"));
  g_clear_error (&error);

  mdg_apdu_check_sw (0x63C1, &error);
  g_assert_nonnull (strstr (error->message, "1 try left"));
  g_clear_error (&error);

  /* Unknown status words carry their hex value. */
  mdg_apdu_check_sw (0x6A88, &error);
  g_assert_nonnull (strstr (error->message, "6A88"));
  g_clear_error (&error);

  mdg_apdu_check_sw (0x6700, &error);
  g_assert_nonnull (strstr (error->message, "wrong length"));
}

static void
test_tries_left (void)
{
  g_assert_cmpint (mdg_apdu_sw_tries_left (0x63C5), ==, 5);
  g_assert_cmpint (mdg_apdu_sw_tries_left (0x63C0), ==, 0);
  g_assert_cmpint (mdg_apdu_sw_tries_left (0x63CF), ==, 15);
  g_assert_cmpint (mdg_apdu_sw_tries_left (0x9000), ==, -1);
  g_assert_cmpint (mdg_apdu_sw_tries_left (0x6300), ==, -1);
  g_assert_cmpint (mdg_apdu_sw_tries_left (0x6984), ==, -1);
}

static void
test_describe (void)
{
  g_assert_cmpstr (mdg_apdu_sw_describe (0x9000), ==, "success");
  g_assert_cmpstr (mdg_apdu_sw_describe (0x6B00), ==, "wrong offset");
  g_assert_cmpstr (mdg_apdu_sw_describe (0x6A82), ==, "file not found");
  g_assert_cmpstr (mdg_apdu_sw_describe (0x6110), ==, "more data available");
  g_assert_cmpstr (mdg_apdu_sw_describe (0x6C20), ==, "wrong Le");
  g_assert_cmpstr (mdg_apdu_sw_describe (0x63C2), ==, "wrong PIN, tries left");
  g_assert_cmpstr (mdg_apdu_sw_describe (0x1234), ==, "unknown status");
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/apdu/encode/cases", test_encode_cases);
  g_test_add_func ("/apdu/encode/rejects", test_encode_rejects);
  g_test_add_func ("/apdu/response/parse", test_parse_response);
  g_test_add_func ("/apdu/sw/mapping", test_sw_mapping);
  g_test_add_func ("/apdu/sw/messages", test_sw_messages);
  g_test_add_func ("/apdu/sw/tries-left", test_tries_left);
  g_test_add_func ("/apdu/sw/describe", test_describe);

  return g_test_run ();
}
