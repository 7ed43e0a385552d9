/* test-jcs.c: RFC 8785 canonical form and the strict parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mdg-app-error.h"
#include "mdg-jcs.h"

static void
assert_canonical (const char *input,
                  const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = mdg_jcs_canonicalize (input, -1, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (out);
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_cmpstr (text, ==, expected);
}

static void
assert_refused (const char *input,
                gssize len,
                MdgAppError code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = mdg_jcs_canonicalize (input, len, &error);

  g_assert_null (out);
  g_assert_error (error, MDG_APP_ERROR, (int) code);
  g_assert_nonnull (error->message);
}

/* RFC 8785 §3.2.3: sorting by UTF-16 code units puts U+1F600 (D83D DE00)
 * before U+FB33, unlike code-point order. */
static void
test_sorting (void)
{
  assert_canonical ("{\n"
                    "  \"\\u20ac\": \"Euro Sign\",\n"
                    "  \"\\r\": \"Carriage Return\",\n"
                    "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
                    "  \"1\": \"One\",\n"
                    "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
                    "  \"\\u0080\": \"Control\",\n"
                    "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
                    "}",
                    "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
                    "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
                    "\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
                    "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
  /* Raw UTF-8 keys sort the same way; nested objects are sorted too. */
  assert_canonical ("{\"b\":{\"z\":1,\"a\":[{\"y\":2,\"x\":1}]},\"a\":\"\xef\xac\xb3\",\"\xf0\x9f\x98\x80\":0}",
                    "{\"a\":\"\xef\xac\xb3\",\"b\":{\"a\":[{\"x\":1,\"y\":2}],\"z\":1},\"\xf0\x9f\x98\x80\":0}");
}

/* RFC 8785 §3.2.2 example: numbers, escapes, literals. */
static void
test_rfc_example (void)
{
  assert_canonical ("{\n"
                    "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                    "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                    "  \"literals\": [null, true, false]\n"
                    "}",
                    "{\"literals\":[null,true,false],"
                    "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                    "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

static void
test_escapes (void)
{
  /* Only ", \ and C0 controls are escaped; DEL, U+2028 and non-ASCII stay. */
  assert_canonical ("[\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u2028\xe3\x81\x82\"]",
                    "[\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xe2\x80\xa8\xe3\x81\x82\"]");
}

static double
double_from_bits (guint64 bits)
{
  double d;

  memcpy (&d, &bits, sizeof d);
  return d;
}

/* RFC 8785 Appendix B. */
static void
test_numbers (void)
{
  static const struct { guint64 bits; const char *text; } vectors[] = {
    { G_GUINT64_CONSTANT (0x0000000000000000), "0" },
    { G_GUINT64_CONSTANT (0x8000000000000000), "0" },
    { G_GUINT64_CONSTANT (0x0000000000000001), "5e-324" },
    { G_GUINT64_CONSTANT (0x8000000000000001), "-5e-324" },
    { G_GUINT64_CONSTANT (0x7fefffffffffffff), "1.7976931348623157e+308" },
    { G_GUINT64_CONSTANT (0xffefffffffffffff), "-1.7976931348623157e+308" },
    { G_GUINT64_CONSTANT (0x4340000000000000), "9007199254740992" },
    { G_GUINT64_CONSTANT (0xc340000000000000), "-9007199254740992" },
    { G_GUINT64_CONSTANT (0x4430000000000000), "295147905179352830000" },
    { G_GUINT64_CONSTANT (0x44b52d02c7e14af5), "9.999999999999997e+22" },
    { G_GUINT64_CONSTANT (0x44b52d02c7e14af6), "1e+23" },
    { G_GUINT64_CONSTANT (0x44b52d02c7e14af7), "1.0000000000000001e+23" },
    { G_GUINT64_CONSTANT (0x444b1ae4d6e2ef4e), "999999999999999700000" },
    { G_GUINT64_CONSTANT (0x444b1ae4d6e2ef4f), "999999999999999900000" },
    { G_GUINT64_CONSTANT (0x444b1ae4d6e2ef50), "1e+21" },
    { G_GUINT64_CONSTANT (0x3eb0c6f7a0b5ed8c), "9.999999999999997e-7" },
    { G_GUINT64_CONSTANT (0x3eb0c6f7a0b5ed8d), "0.000001" },
    { G_GUINT64_CONSTANT (0x41b3de4355555553), "333333333.3333332" },
    { G_GUINT64_CONSTANT (0x41b3de4355555554), "333333333.33333325" },
    { G_GUINT64_CONSTANT (0x41b3de4355555555), "333333333.3333333" },
    { G_GUINT64_CONSTANT (0x41b3de4355555556), "333333333.3333334" },
    { G_GUINT64_CONSTANT (0x41b3de4355555557), "333333333.33333343" },
    { G_GUINT64_CONSTANT (0xbecbf647612f3696), "-0.0000033333333333333333" },
    { G_GUINT64_CONSTANT (0x43143ff3c1cb0959), "1424953923781206.2" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GError) error = NULL;

      g_assert_true (mdg_jcs_format_number (double_from_bits (vectors[i].bits), out, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (out->str, ==, vectors[i].text);
    }

  /* NaN and infinities have no JSON form. */
  for (guint64 bits = G_GUINT64_CONSTANT (0x7ff0000000000000);
       bits <= G_GUINT64_CONSTANT (0x7ff0000000000001); bits++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GError) error = NULL;

      g_assert_false (mdg_jcs_format_number (double_from_bits (bits), out, &error));
      g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_UNSUPPORTED_VALUE);
    }

  /* Integers stay exact up to 2^53 - 1; larger ones are refused. */
  assert_canonical ("[9007199254740991,-9007199254740991,10,-0,1.0,1e2]",
                    "[9007199254740991,-9007199254740991,10,0,1,100]");
  assert_refused ("[9007199254740993]", -1, MDG_APP_ERROR_UNSUPPORTED_VALUE);
  assert_refused ("[1e400]", -1, MDG_APP_ERROR_UNSUPPORTED_VALUE);
}

static void
test_bad_input (void)
{
  static const char latin1[] = "{\"name\":\"caf\xe9\"}";
  static const char with_nul[] = "{\"a\":\"x\0y\"}";
  g_autoptr(GString) deep = g_string_new (NULL);

  assert_refused ("{\"a\":1,\"b\":2,\"a\":3}", -1, MDG_APP_ERROR_DUPLICATE_KEY);
  assert_refused ("{\"a\":{\"x\":1,\"x\":1}}", -1, MDG_APP_ERROR_DUPLICATE_KEY);
  assert_refused ("[{\"a\":1},{\"a\":1,\"a\":1}]", -1, MDG_APP_ERROR_DUPLICATE_KEY);
  /* Same name written two ways is still the same name. */
  assert_refused ("{\"a\":1,\"\\u0061\":2}", -1, MDG_APP_ERROR_DUPLICATE_KEY);
  assert_refused (latin1, -1, MDG_APP_ERROR_INVALID_UTF8);
  assert_refused ("[\"\xed\xa0\x80\"]", -1, MDG_APP_ERROR_INVALID_UTF8);  /* UTF-8 surrogate */
  assert_refused (with_nul, sizeof with_nul - 1, MDG_APP_ERROR_INVALID_JSON);
  assert_refused ("[\"\\u0000\"]", -1, MDG_APP_ERROR_INVALID_JSON);
  assert_refused ("{\"a\":", -1, MDG_APP_ERROR_INVALID_JSON);
  assert_refused ("", -1, MDG_APP_ERROR_INVALID_JSON);
  assert_refused ("{\"a\":1} x", -1, MDG_APP_ERROR_INVALID_JSON);

  for (int i = 0; i < 10000; i++)
    g_string_append_c (deep, '[');
  assert_refused (deep->str, -1, MDG_APP_ERROR_INVALID_JSON);

  /* Equal members in different objects are fine. */
  assert_canonical ("[{\"a\":1},{\"a\":2}]", "[{\"a\":1},{\"a\":2}]");
}

int
main (int argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jcs/sorting", test_sorting);
  g_test_add_func ("/jcs/rfc-example", test_rfc_example);
  g_test_add_func ("/jcs/escapes", test_escapes);
  g_test_add_func ("/jcs/numbers", test_numbers);
  g_test_add_func ("/jcs/bad-input", test_bad_input);

  return g_test_run ();
}
