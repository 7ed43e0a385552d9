/* test-text-ap.c: attribute and My Number parsing, check digits, masking
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "madoguchi-card.h"
#include "test-vectors.h"

static void
test_attributes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgTextAttributes) attrs = NULL;

  attrs = mdg_text_attributes_parse (test_attributes_ef, sizeof test_attributes_ef, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attrs);
  g_assert_cmpstr (attrs->name, ==, TEST_NAME);
  g_assert_cmpstr (attrs->address, ==, TEST_ADDRESS);
  g_assert_cmpstr (attrs->birth_date, ==, "19800217");
  g_assert_cmpstr (attrs->sex, ==, "1");
}

/* Copies the vector and lets @edit break it; parsing must fail MALFORMED. */
static void
assert_attributes_malformed (void (*edit) (guint8 *buf, gsize *len))
{
  guint8 buf[sizeof test_attributes_ef];
  gsize len = sizeof buf;
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgTextAttributes) attrs = NULL;

  memcpy (buf, test_attributes_ef, sizeof buf);
  edit (buf, &len);
  attrs = mdg_text_attributes_parse (buf, len, &error);
  g_assert_null (attrs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
}

static void edit_bad_sex (guint8 *buf, gsize *len) { buf[0x67] = '3'; }
static void edit_bad_date (guint8 *buf, gsize *len) { buf[0x5C + 2] = 'X'; }
static void edit_bad_utf8 (guint8 *buf, gsize *len) { buf[0x11] = 0xC0; }
static void edit_nul_in_name (guint8 *buf, gsize *len) { buf[0x12] = 0x00; }
static void edit_wrong_offset (guint8 *buf, gsize *len) { buf[0x0D] = 0x65; }
static void edit_outer_tag (guint8 *buf, gsize *len) { buf[1] = 0x21; }
static void edit_truncated (guint8 *buf, gsize *len) { *len = 0x50; }
static void edit_empty (guint8 *buf, gsize *len) { *len = 0; }
static void edit_only_filler (guint8 *buf, gsize *len) { memset (buf, 0xFF, *len); }
static void edit_missing_sex (guint8 *buf, gsize *len) { buf[0x65] = 0x26; }
static void edit_indefinite (guint8 *buf, gsize *len) { buf[2] = 0x80; }

static void
test_attributes_malformed (void)
{
  assert_attributes_malformed (edit_bad_sex);
  assert_attributes_malformed (edit_bad_date);
  assert_attributes_malformed (edit_bad_utf8);
  assert_attributes_malformed (edit_nul_in_name);
  assert_attributes_malformed (edit_wrong_offset);
  assert_attributes_malformed (edit_outer_tag);
  assert_attributes_malformed (edit_truncated);
  assert_attributes_malformed (edit_empty);
  assert_attributes_malformed (edit_only_filler);
  assert_attributes_malformed (edit_missing_sex);
  assert_attributes_malformed (edit_indefinite);
}

static void
test_attributes_without_offsets (void)
{
  /* DF21 is a cross-check only; without it the data still parses. */
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  g_autoptr(MdgTextAttributes) attrs = NULL;
  g_autoptr(GError) error = NULL;
  guint8 header[] = { 0xFF, 0x20, 0x65 - 11 };

  g_byte_array_append (buf, header, sizeof header);
  g_byte_array_append (buf, test_attributes_ef + 14, 0x68 - 14);
  attrs = mdg_text_attributes_parse (buf->data, buf->len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attrs->name, ==, TEST_NAME);
  g_assert_cmpstr (attrs->sex, ==, "1");
}

static void
test_check_digit (void)
{
  g_assert_cmpint (mdg_my_number_check_digit ("12345678901"), ==, 8);
  g_assert_cmpint (mdg_my_number_check_digit ("00000000000"), ==, 0);
  g_assert_cmpint (mdg_my_number_check_digit ("11111111111"), ==, 8);
  g_assert_cmpint (mdg_my_number_check_digit ("98765432109"), ==, 3);
  g_assert_cmpint (mdg_my_number_check_digit ("31415926535"), ==, 2);
  g_assert_cmpint (mdg_my_number_check_digit ("1234567890"), ==, -1);
  g_assert_cmpint (mdg_my_number_check_digit ("1234567890a"), ==, -1);
  g_assert_cmpint (mdg_my_number_check_digit (NULL), ==, -1);

  g_assert_true (mdg_my_number_is_valid ("123456789018"));
  g_assert_true (mdg_my_number_is_valid ("314159265352"));
  g_assert_false (mdg_my_number_is_valid ("123456789017"));
  g_assert_false (mdg_my_number_is_valid ("12345678901"));
  g_assert_false (mdg_my_number_is_valid ("1234567890188"));
  g_assert_false (mdg_my_number_is_valid ("12345678901X"));
  g_assert_false (mdg_my_number_is_valid (NULL));

  /* Every single-digit change of a valid number is caught. */
  for (guint pos = 0; pos < 12; pos++)
    for (char d = '0'; d <= '9'; d++)
      {
        char n[] = "123456789018";

        if (n[pos] == d)
          continue;
        n[pos] = d;
        g_assert_false (mdg_my_number_is_valid (n));
      }
}

static void
test_my_number_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  guint8 buf[sizeof test_my_number_ef];

  number = mdg_my_number_parse (test_my_number_ef, sizeof test_my_number_ef, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, "123456789018");

  /* Filler is optional. */
  g_clear_pointer (&number, g_free);
  number = mdg_my_number_parse (test_my_number_ef, 15, &error);
  g_assert_cmpstr (number, ==, "123456789018");

  memcpy (buf, test_my_number_ef, sizeof buf);
  buf[14] = '7';  /* wrong check digit */
  g_assert_null (mdg_my_number_parse (buf, sizeof buf, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  memcpy (buf, test_my_number_ef, sizeof buf);
  buf[5] = 'A';
  g_assert_null (mdg_my_number_parse (buf, sizeof buf, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  memcpy (buf, test_my_number_ef, sizeof buf);
  buf[2] = 0x0B;  /* 11 digits */
  g_assert_null (mdg_my_number_parse (buf, sizeof buf, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  memcpy (buf, test_my_number_ef, sizeof buf);
  buf[1] = 0x11;  /* wrong tag */
  g_assert_null (mdg_my_number_parse (buf, sizeof buf, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_null (mdg_my_number_parse (test_my_number_ef, 10, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_null (mdg_my_number_parse (NULL, 0, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
}

static void
test_mask (void)
{
  g_autofree char *masked = mdg_my_number_mask ("123456789018");
  g_autofree char *bad = mdg_my_number_mask ("1234");
  g_autofree char *null = mdg_my_number_mask (NULL);

  g_assert_cmpstr (masked, ==, "**** **** 9018");
  g_assert_cmpstr (bad, ==, "**** **** ****");
  g_assert_cmpstr (null, ==, "**** **** ****");
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text-ap/attributes/parse", test_attributes);
  g_test_add_func ("/text-ap/attributes/malformed", test_attributes_malformed);
  g_test_add_func ("/text-ap/attributes/no-offsets", test_attributes_without_offsets);
  g_test_add_func ("/text-ap/my-number/check-digit", test_check_digit);
  g_test_add_func ("/text-ap/my-number/parse", test_my_number_parse);
  g_test_add_func ("/text-ap/my-number/mask", test_mask);

  return g_test_run ();
}
