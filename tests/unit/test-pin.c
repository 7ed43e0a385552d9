/* test-pin.c: PIN validation, last-try policy and wiping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "madoguchi-card.h"

static void
test_validation_table (void)
{
  static const struct
  {
    MdgPinKind  kind;
    const char *input;
    gboolean    valid;
  } table[] = {
    { MDG_PIN_AUTH, "1234", TRUE },
    { MDG_PIN_AUTH, "0000", TRUE },
    { MDG_PIN_AUTH, "123", FALSE },
    { MDG_PIN_AUTH, "12345", FALSE },
    { MDG_PIN_AUTH, "12a4", FALSE },
    { MDG_PIN_AUTH, "", FALSE },
    { MDG_PIN_AUTH, NULL, FALSE },
    { MDG_PIN_AUTH, "１２３４", FALSE },  /* full-width digits */
    { MDG_PIN_TEXT, "9876", TRUE },
    { MDG_PIN_TEXT, " 987", FALSE },
    { MDG_PIN_SIGN, "ABC123", TRUE },
    { MDG_PIN_SIGN, "abc123", TRUE },
    { MDG_PIN_SIGN, "A1B2C3D4E5F6G7H8", TRUE },
    { MDG_PIN_SIGN, "A1B2C3D4E5F6G7H8I", FALSE },
    { MDG_PIN_SIGN, "ABC12", FALSE },
    { MDG_PIN_SIGN, "ABC 123", FALSE },
    { MDG_PIN_SIGN, "ABC-123", FALSE },
    { MDG_PIN_SIGN, "ＡＢＣ１２３", FALSE },
    { MDG_PIN_SIGN, NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MdgPin) pin = NULL;

      pin = mdg_pin_new (table[i].kind, table[i].input, &error);
      if (table[i].valid)
        {
          g_assert_no_error (error);
          g_assert_nonnull (pin);
          g_assert_true (mdg_pin_validate (table[i].kind, table[i].input, NULL));
        }
      else
        {
          g_assert_null (pin);
          g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_FORMAT);
          /* The message never repeats what was typed. */
          if (table[i].input != NULL && table[i].input[0] != '\0')
            g_assert_null (strstr (error->message, table[i].input));
          g_assert_false (mdg_pin_validate (table[i].kind, table[i].input, NULL));
        }
    }
}

static void
test_uppercase (void)
{
  g_autoptr(MdgPin) sign = mdg_pin_new (MDG_PIN_SIGN, "abc123xyz", NULL);
  g_autoptr(MdgPin) auth = mdg_pin_new (MDG_PIN_AUTH, "1234", NULL);

  g_assert_cmpstr (mdg_pin_get_data (sign), ==, "ABC123XYZ");
  g_assert_cmpuint (mdg_pin_get_length (sign), ==, 9);
  g_assert_cmpint (mdg_pin_get_kind (sign), ==, MDG_PIN_SIGN);
  g_assert_cmpstr (mdg_pin_get_data (auth), ==, "1234");
  g_assert_cmpuint (mdg_pin_get_length (auth), ==, 4);
}

static void
test_kinds (void)
{
  g_assert_cmpuint (mdg_pin_kind_max_tries (MDG_PIN_AUTH), ==, 3);
  g_assert_cmpuint (mdg_pin_kind_max_tries (MDG_PIN_SIGN), ==, 5);
  g_assert_cmpuint (mdg_pin_kind_max_tries (MDG_PIN_TEXT), ==, 3);
  g_assert_cmphex (mdg_pin_kind_fid (MDG_PIN_AUTH), ==, 0x0018);
  g_assert_cmphex (mdg_pin_kind_fid (MDG_PIN_SIGN), ==, 0x001B);
  g_assert_cmphex (mdg_pin_kind_fid (MDG_PIN_TEXT), ==, 0x0011);
  g_assert_cmpstr (mdg_pin_kind_to_string (MDG_PIN_AUTH), ==, "user authentication PIN");
  g_assert_cmpstr (mdg_pin_kind_to_string (MDG_PIN_SIGN), ==, "signature password");
  g_assert_cmpstr (mdg_pin_kind_to_string (MDG_PIN_TEXT), ==, "card info input support PIN");
}

static void
test_attempt_policy (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mdg_pin_check_attempt (MDG_PIN_SIGN, 5, MDG_PIN_FLAGS_NONE, &error));
  g_assert_true (mdg_pin_check_attempt (MDG_PIN_SIGN, 2, MDG_PIN_FLAGS_NONE, &error));
  g_assert_true (mdg_pin_check_attempt (MDG_PIN_SIGN, MDG_CARD_TRIES_UNKNOWN, MDG_PIN_FLAGS_NONE, &error));
  g_assert_no_error (error);

  g_assert_false (mdg_pin_check_attempt (MDG_PIN_SIGN, 1, MDG_PIN_FLAGS_NONE, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_LAST_TRY);
  g_clear_error (&error);
  g_assert_true (mdg_pin_check_attempt (MDG_PIN_SIGN, 1, MDG_PIN_FLAGS_CONFIRM_LAST_TRY, &error));
  g_assert_no_error (error);

  /* Confirmation never unlocks a blocked PIN. */
  g_assert_false (mdg_pin_check_attempt (MDG_PIN_AUTH, 0, MDG_PIN_FLAGS_CONFIRM_LAST_TRY, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_BLOCKED);
  g_clear_error (&error);
  g_assert_false (mdg_pin_check_attempt (MDG_PIN_TEXT, 0, MDG_PIN_FLAGS_NONE, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_BLOCKED);
}

static void
test_wipe (void)
{
  char buffer[32];

  memset (buffer, 'A', sizeof buffer);
  mdg_secure_wipe (buffer + 4, 16);
  for (gsize i = 0; i < sizeof buffer; i++)
    g_assert_cmpint (buffer[i], ==, (i >= 4 && i < 20) ? 0 : 'A');

  mdg_secure_wipe (NULL, 10);  /* harmless */
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pin/validation", test_validation_table);
  g_test_add_func ("/pin/uppercase", test_uppercase);
  g_test_add_func ("/pin/kinds", test_kinds);
  g_test_add_func ("/pin/attempt-policy", test_attempt_policy);
  g_test_add_func ("/pin/wipe", test_wipe);

  return g_test_run ();
}
