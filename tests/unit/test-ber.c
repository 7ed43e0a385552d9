/* test-ber.c: the BER-TLV reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "madoguchi-card.h"
#include "test-vectors.h"

static void
test_short_length (void)
{
  static const guint8 buf[] = { 0x04, 0x03, 'a', 'b', 'c', 0xFF };
  g_autoptr(GError) error = NULL;
  MdgBerTlv tlv;

  g_assert_true (mdg_ber_read (buf, sizeof buf, &tlv, &error));
  g_assert_no_error (error);
  g_assert_cmphex (tlv.tag, ==, 0x04);
  g_assert_false (tlv.constructed);
  g_assert_cmpuint (tlv.length, ==, 3);
  g_assert_cmpuint (tlv.header_len, ==, 2);
  g_assert_true (tlv.value == buf + 2);
  g_assert_cmpuint (mdg_ber_total_length (buf, sizeof buf, NULL), ==, 5);
}

static void
test_long_lengths (void)
{
  guint8 buf[0x10000 + 16] = { 0 };
  MdgBerTlv tlv;

  /* 81 xx */
  buf[0] = 0x30; buf[1] = 0x81; buf[2] = 0x80;
  g_assert_true (mdg_ber_read (buf, 3 + 0x80, &tlv, NULL));
  g_assert_true (tlv.constructed);
  g_assert_cmpuint (tlv.length, ==, 0x80);
  g_assert_cmpuint (tlv.header_len, ==, 3);

  /* 82 xx xx: a 1302-byte certificate */
  buf[1] = 0x82; buf[2] = 0x05; buf[3] = 0x12;
  g_assert_cmpuint (mdg_ber_total_length (buf, 4, NULL), ==, 1302);
  g_assert_true (mdg_ber_read (buf, 1302, &tlv, NULL));
  g_assert_cmpuint (tlv.length, ==, 0x512);
  g_assert_cmpuint (tlv.header_len, ==, 4);

  /* 83 xx xx xx */
  buf[1] = 0x83; buf[2] = 0x01; buf[3] = 0x00; buf[4] = 0x00;
  g_assert_cmpuint (mdg_ber_total_length (buf, 5, NULL), ==, 0x10005);
  g_assert_true (mdg_ber_read (buf, 0x10005, &tlv, NULL));
  g_assert_cmpuint (tlv.length, ==, 0x10000);
  g_assert_cmpuint (tlv.header_len, ==, 5);
}

static void
test_rejects (void)
{
  static const guint8 indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
  static const guint8 len84[] = { 0x30, 0x84, 0x00, 0x00, 0x00, 0x01, 0x00 };
  static const guint8 long_tag[] = { 0xDF, 0x81, 0x82, 0x03, 0x01, 0x00 };
  static const guint8 tag_runs_off[] = { 0xDF, 0x81 };
  static const guint8 length_runs_off[] = { 0x30, 0x82, 0x05 };
  static const guint8 value_runs_off[] = { 0x04, 0x05, 0x01, 0x02 };
  g_autoptr(GError) error = NULL;
  MdgBerTlv tlv;

  g_assert_false (mdg_ber_read (indefinite, sizeof indefinite, &tlv, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_cmpuint (mdg_ber_total_length (indefinite, sizeof indefinite, &error), ==, 0);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_false (mdg_ber_read (len84, sizeof len84, &tlv, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_false (mdg_ber_read (long_tag, sizeof long_tag, &tlv, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_false (mdg_ber_read (tag_runs_off, sizeof tag_runs_off, &tlv, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  /* A header cut short is a truncated file when sizing a read. */
  g_assert_cmpuint (mdg_ber_total_length (length_runs_off, sizeof length_runs_off, &error), ==, 0);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED);
  g_clear_error (&error);
  g_assert_cmpuint (mdg_ber_total_length (length_runs_off, 0, &error), ==, 0);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED);
  g_clear_error (&error);

  g_assert_false (mdg_ber_read (value_runs_off, sizeof value_runs_off, &tlv, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED);
  g_clear_error (&error);

  g_assert_false (mdg_ber_read (NULL, 0, &tlv, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
}

static void
test_two_byte_tags (void)
{
  static const guint8 buf[] = { 0xDF, 0x21, 0x02, 0x00, 0x0E, 0xFF, 0x20, 0x00 };
  static const guint8 three[] = { 0x9F, 0x81, 0x01, 0x01, 0x55 };
  MdgBerTlv tlv;

  g_assert_true (mdg_ber_read (buf, sizeof buf, &tlv, NULL));
  g_assert_cmphex (tlv.tag, ==, 0xDF21);
  g_assert_false (tlv.constructed);
  g_assert_cmpuint (tlv.header_len, ==, 3);
  g_assert_cmpuint (tlv.length, ==, 2);

  g_assert_true (mdg_ber_read (buf + 5, 3, &tlv, NULL));
  g_assert_cmphex (tlv.tag, ==, 0xFF20);
  g_assert_true (tlv.constructed);
  g_assert_cmpuint (tlv.length, ==, 0);

  g_assert_true (mdg_ber_read (three, sizeof three, &tlv, NULL));
  g_assert_cmphex (tlv.tag, ==, 0x9F8101);
  g_assert_cmpuint (tlv.header_len, ==, 4);
  g_assert_cmpuint (tlv.value[0], ==, 0x55);
}

static void
test_find_and_filler (void)
{
  static const guint8 siblings[] = {
    0x01, 0x01, 0xAA,
    0xDF, 0x22, 0x02, 0xBB, 0xCC,
    0xFF, 0xFF, 0xFF,
    0xDF, 0x23, 0x01, 0xDD,  /* after filler: never reached */
  };
  static const guint8 zero_filler[] = { 0x01, 0x01, 0xAA, 0x00, 0xDF, 0x23, 0x01, 0xDD };
  static const guint8 lone_ff[] = { 0x01, 0x01, 0xAA, 0xFF };
  static const guint8 broken[] = { 0x01, 0x01, 0xAA, 0x02, 0x09, 0x00 };
  g_autoptr(GError) error = NULL;
  MdgBerTlv tlv;

  g_assert_true (mdg_ber_find (siblings, sizeof siblings, 0xDF22, &tlv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tlv.length, ==, 2);
  g_assert_cmpuint (tlv.value[1], ==, 0xCC);

  g_assert_false (mdg_ber_find (siblings, sizeof siblings, 0xDF23, &tlv, &error));
  g_assert_no_error (error);
  g_assert_false (mdg_ber_find (zero_filler, sizeof zero_filler, 0xDF23, &tlv, &error));
  g_assert_no_error (error);
  g_assert_false (mdg_ber_find (lone_ff, sizeof lone_ff, 0x02, &tlv, &error));
  g_assert_no_error (error);

  /* A sibling that runs past the end is an error, not "absent". */
  g_assert_false (mdg_ber_find (broken, sizeof broken, 0x03, &tlv, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED);
}

static void
test_text_ap_vector (void)
{
  g_autoptr(GError) error = NULL;
  MdgBerTlv outer, child;
  static const guint8 offsets[] = { 0x00, 0x0E, 0x00, 0x20, 0x00, 0x59, 0x00, 0x64 };

  /* The outer FF20 is found at top level despite the FF filler after it. */
  g_assert_true (mdg_ber_find (test_attributes_ef, sizeof test_attributes_ef, 0xFF20, &outer, &error));
  g_assert_no_error (error);
  g_assert_true (outer.constructed);
  g_assert_cmpuint (outer.length, ==, 0x65);
  g_assert_cmpuint (mdg_ber_total_length (test_attributes_ef, sizeof test_attributes_ef, NULL), ==, 0x68);

  g_assert_true (mdg_ber_find (outer.value, outer.length, 0xDF21, &child, NULL));
  g_assert_cmpmem (child.value, child.length, offsets, sizeof offsets);

  g_assert_true (mdg_ber_find (outer.value, outer.length, 0xDF22, &child, NULL));
  g_assert_cmpmem (child.value, child.length, TEST_NAME, strlen (TEST_NAME));
  g_assert_true (child.value - child.header_len == test_attributes_ef + 0x0E);

  g_assert_true (mdg_ber_find (outer.value, outer.length, 0xDF23, &child, NULL));
  g_assert_cmpuint (child.length, ==, 0x36);

  g_assert_true (mdg_ber_find (outer.value, outer.length, 0xDF24, &child, NULL));
  g_assert_cmpmem (child.value, child.length, "19800217", 8);

  g_assert_true (mdg_ber_find (outer.value, outer.length, 0xDF25, &child, NULL));
  g_assert_cmpmem (child.value, child.length, "1", 1);
  g_assert_true (child.value - child.header_len == test_attributes_ef + 0x64);

  g_assert_false (mdg_ber_find (outer.value, outer.length, 0xDF26, &child, &error));
  g_assert_no_error (error);
}

static void
test_truncated_vector (void)
{
  MdgBerTlv tlv;
  g_autoptr(GError) error = NULL;

  for (gsize len = 0; len < 0x68; len++)
    {
      g_assert_false (mdg_ber_read (test_attributes_ef, len, &tlv, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
  g_assert_true (mdg_ber_read (test_attributes_ef, 0x68, &tlv, NULL));
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ber/length/short", test_short_length);
  g_test_add_func ("/ber/length/long", test_long_lengths);
  g_test_add_func ("/ber/rejects", test_rejects);
  g_test_add_func ("/ber/tags/multi-byte", test_two_byte_tags);
  g_test_add_func ("/ber/find/filler", test_find_and_filler);
  g_test_add_func ("/ber/vector/text-ap", test_text_ap_vector);
  g_test_add_func ("/ber/vector/truncated", test_truncated_vector);

  return g_test_run ();
}
