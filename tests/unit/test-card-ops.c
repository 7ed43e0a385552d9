/* test-card-ops.c: card operations and JPKI sequences against a scripted card
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <openssl/evp.h>

#include "madoguchi-card.h"
#include "mock-card.h"
#include "test-pki.h"
#include "test-vectors.h"

#define SELECT_JPKI "00A4040C0A D392F000260100000001"
#define SELECT_TEXT "00A4040C0A D39210003100010104 08"
#define SELECT_ISD  "00A4040C07 A0000001510000"

static EVP_PKEY *card_key;
static GBytes *card_cert;   /* matches card_key */
static EVP_PKEY *other_key;

static GBytes *
make_blob (gsize total)
{
  guint8 *data = g_malloc (total);

  /* 30 82 LL LL: a SEQUENCE of @total bytes, the rest a pattern. */
  g_assert_cmpuint (total, >=, 4);
  data[0] = 0x30;
  data[1] = 0x82;
  data[2] = (total - 4) >> 8;
  data[3] = (total - 4) & 0xFF;
  for (gsize i = 4; i < total; i++)
    data[i] = (guint8) (i * 31 + 7);
  return g_bytes_new_take (data, total);
}

/* The Madoguchi read of a BER EF holding @content (EF padded with FF). */
static void
expect_ber_ef (MockCard *mock,
               guint16 fid,
               GBytes *content)
{
  g_autofree char *select = g_strdup_printf ("00A4020C02%04X", fid);
  gsize total = g_bytes_get_size (content);
  const guint8 *data = g_bytes_get_data (content, NULL);
  guint8 first[256];
  g_autoptr(GBytes) first_bytes = NULL;

  mock_card_expect (mock, select, "9000");

  memset (first, 0xFF, sizeof first);
  memcpy (first, data, MIN (total, 256));
  first_bytes = g_bytes_new (first, 256);
  mock_card_expect_data (mock, "00B0000000", first_bytes, 0x9000);

  for (gsize offset = 256; offset < total; offset += 256)
    {
      gsize le = MIN (total - offset, 256);
      g_autofree char *cmd = g_strdup_printf ("00B0%04X%02X", (guint) offset, (guint) (le & 0xFF));
      g_autoptr(GBytes) chunk = g_bytes_new (data + offset, le);

      mock_card_expect_data (mock, cmd, chunk, 0x9000);
    }
}

static void
test_get_response_chain (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GError) error = NULL;
  MdgApdu apdu = { 0x00, 0xCA, 0x00, 0x45, NULL, 0, 256 };
  guint16 sw = 0;

  mock_card_expect (mock, "00CA004500", "AABB 6110");
  mock_card_expect (mock, "00C0000010", "000102030405060708090A0B0C0D0E0F 6100");
  mock_card_expect_data (mock, "00C0000000", NULL, 0x9000);

  data = mdg_card_transceive (card, &apdu, &sw, &error);
  g_assert_no_error (error);
  g_assert_cmphex (sw, ==, 0x9000);
  g_assert_cmpmem (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                   "\xAA\xBB\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E\x0F", 18);
  g_assert_cmpuint (mdg_card_get_apdu_count (card), ==, 3);
  mock_card_assert_done (mock);
}

static void
test_wrong_le_resend (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;
  MdgApdu apdu = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 0x20 };
  guint16 sw = 0;

  mock_card_expect (mock, "00B0000020", "6C04");
  mock_card_expect (mock, "00B0000004", "30020500 9000");
  data = mdg_card_transceive (card, &apdu, &sw, &error);
  g_assert_no_error (error);
  g_assert_cmphex (sw, ==, 0x9000);
  g_assert_cmpuint (g_bytes_get_size (data), ==, 4);

  /* Only one resend: a second 6Cxx is handed back. */
  mock_card_expect (mock, "00B0000020", "6C04");
  mock_card_expect (mock, "00B0000004", "6C02");
  again = mdg_card_transceive (card, &apdu, &sw, &error);
  g_assert_no_error (error);
  g_assert_cmphex (sw, ==, 0x6C02);
  g_assert_cmpuint (g_bytes_get_size (again), ==, 0);
  g_assert_cmpuint (mdg_card_get_apdu_count (card), ==, 4);
  mock_card_assert_done (mock);
}

static void
test_read_ber_ef_1302 (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgMemoryTransport) transport = NULL;
  g_autoptr(MdgCard) card = mock_card_connect (mock, &transport);
  g_autoptr(GBytes) blob = make_blob (1302);
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GError) error = NULL;
  static const char *expected[] = {
    "00A4020C02000A",
    "00B0000000", "00B0010000", "00B0020000", "00B0030000", "00B0040000", "00B0050016",
  };
  GPtrArray *log;

  expect_ber_ef (mock, 0x000A, blob);
  read = mdg_card_read_ber_ef (card, 0x000A, 8192, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (read, blob));

  /* jpki-card.md §3.3: 0x0512 + 4 = 1302 bytes, last chunk Le 16. */
  log = mock_card_get_log (mock);
  g_assert_cmpuint (log->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < log->len; i++)
    g_assert_cmpstr (log->pdata[i], ==, expected[i]);
  g_assert_cmpuint (mdg_memory_transport_get_apdu_count (transport), ==, 7);
  mock_card_assert_done (mock);
}

static void
test_read_ber_ef_small (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GBytes) short_ef = g_bytes_new (test_attributes_ef, sizeof test_attributes_ef);
  g_autoptr(GError) error = NULL;

  /* The EF is shorter than 256: the card answers with what it has. */
  mock_card_expect (mock, "00A4020C020002", "9000");
  mock_card_expect_data (mock, "00B0000000", short_ef, 0x9000);
  read = mdg_card_read_ber_ef (card, 0x0002, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (read), ==, 0x68);
  g_assert_cmpmem (g_bytes_get_data (read, NULL), 0x68, test_attributes_ef, 0x68);
  mock_card_assert_done (mock);
}

static void
test_read_ber_ef_truncated (void)
{
  static const guint16 end_sws[] = { 0x6B00, 0x6282 };

  for (guint i = 0; i < G_N_ELEMENTS (end_sws); i++)
    {
      g_autoptr(MockCard) mock = mock_card_new ();
      g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
      g_autoptr(GBytes) blob = make_blob (1302);
      g_autoptr(GBytes) first = g_bytes_new (g_bytes_get_data (blob, NULL), 256);
      g_autoptr(GBytes) second = g_bytes_new ((const guint8 *) g_bytes_get_data (blob, NULL) + 256, 256);
      g_autoptr(GBytes) read = NULL;
      g_autoptr(GError) error = NULL;

      mock_card_expect (mock, "00A4020C020001", "9000");
      mock_card_expect_data (mock, "00B0000000", first, 0x9000);
      mock_card_expect_data (mock, "00B0010000", second, 0x9000);
      mock_card_expect_data (mock, "00B0020000", NULL, end_sws[i]);

      read = mdg_card_read_ber_ef (card, 0x0001, 8192, &error);
      g_assert_null (read);
      g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED);
      mock_card_assert_done (mock);
    }
}

static void
test_read_ber_ef_guards (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GError) error = NULL;

  /* Claims 1 MiB: refused before reading on. */
  mock_card_expect (mock, "00A4020C020001", "9000");
  mock_card_expect (mock, "00B0000000", "3083100000 0102 9000");
  read = mdg_card_read_ber_ef (card, 0x0001, 8192, &error);
  g_assert_null (read);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  /* Indefinite length. The EF is still current: no second SELECT. */
  mock_card_expect (mock, "00B0000000", "3080 0102 9000");
  read = mdg_card_read_ber_ef (card, 0x0001, 8192, &error);
  g_assert_null (read);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  /* Access denied before the PIN. */
  mock_card_expect (mock, "00B0000000", "6982");
  read = mdg_card_read_ber_ef (card, 0x0001, 8192, &error);
  g_assert_null (read);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_REQUIRED);
  g_clear_error (&error);

  /* Unknown EF. */
  mock_card_expect (mock, "00A4020C020009", "6A82");
  read = mdg_card_read_ber_ef (card, 0x0009, 8192, &error);
  g_assert_null (read);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FILE_NOT_FOUND);
  g_clear_error (&error);

  /* A short read with 9000 is followed up; an empty one is truncation. */
  mock_card_expect (mock, "00A4020C020001", "9000");
  mock_card_expect (mock, "00B0000000", "3082000A 01020304 9000");
  mock_card_expect (mock, "00B0000806", "0506 9000");
  mock_card_expect (mock, "00B0000A04", "9000");
  read = mdg_card_read_ber_ef (card, 0x0001, 8192, &error);
  g_assert_null (read);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED);
  mock_card_assert_done (mock);
}

static void
test_malformed_responses (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) read = NULL;

  /* One byte: no status word. */
  mock_card_expect (mock, SELECT_JPKI, "90");
  g_assert_false (mdg_card_select_aid (card, MDG_JPKI_AID, sizeof MDG_JPKI_AID, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  /* Garbage: a meaningless status word. */
  mock_card_expect (mock, SELECT_JPKI, "DEADBEEF");
  g_assert_false (mdg_card_select_aid (card, MDG_JPKI_AID, sizeof MDG_JPKI_AID, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "BEEF"));
  g_clear_error (&error);

  /* More data than asked for. */
  mock_card_expect (mock, "00B0000002", "010203 9000");
  read = mdg_card_read_binary (card, 0, 2, &error);
  g_assert_null (read);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  /* Filler where a certificate should be. */
  mock_card_expect (mock, "00A4020C02000A", "9000");
  mock_card_expect (mock, "00B0000000", "FFFFFFFFFFFF 9000");
  read = mdg_card_read_ber_ef (card, 0x000A, 8192, &error);
  g_assert_null (read);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  g_clear_error (&error);

  /* A card that never stops announcing data. */
  mock_card_expect (mock, "00B0000000", "6101");
  for (guint i = 0; i < 64; i++)
    mock_card_expect (mock, "00C0000001", "00 6101");
  read = mdg_card_read_binary (card, 0, 256, &error);
  g_assert_null (read);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_MALFORMED);
  mock_card_assert_done (mock);
}

static void
test_card_removed (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(GBytes) blob = make_blob (1302);
  g_autoptr(GBytes) first = g_bytes_new (g_bytes_get_data (blob, NULL), 256);
  g_autoptr(GBytes) read = NULL;
  g_autoptr(GError) error = NULL;

  mock_card_expect (mock, "00A4020C02000A", "9000");
  mock_card_expect_data (mock, "00B0000000", first, 0x9000);
  mock_card_expect_removed (mock, "00B0010000");

  read = mdg_card_read_ber_ef (card, 0x000A, 8192, &error);
  g_assert_null (read);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CARD_REMOVED);
  g_clear_error (&error);
  g_assert_cmpuint (mock_card_get_power_offs (mock), ==, 1);

  /* Everything after fails the same way without reaching the card. */
  g_assert_false (mdg_jpki_select (card, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CARD_REMOVED);
  mock_card_assert_done (mock);
}

static void
test_6f00_after_power_up (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(GError) error = NULL;

  mock_card_expect (mock, SELECT_JPKI, "6F00");
  mock_card_expect (mock, SELECT_JPKI, "9000");
  g_assert_true (mdg_jpki_select (card, &error));
  g_assert_no_error (error);

  /* Not a My Number card. */
  mock_card_expect (mock, SELECT_JPKI, "6A82");
  g_assert_false (mdg_jpki_select (card, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_NOT_MYNUMBER_CARD);
  mock_card_assert_done (mock);
}

static void
test_pin_tries (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(GError) error = NULL;

  mock_card_expect (mock, "00A4020C02001B", "9000");
  mock_card_expect (mock, "00200080", "63C5");
  g_assert_cmpint (mdg_card_pin_tries (card, 0x001B, &error), ==, 5);
  mock_card_expect (mock, "00200080", "9000");
  g_assert_cmpint (mdg_card_pin_tries (card, 0x001B, &error), ==, MDG_CARD_TRIES_UNKNOWN);
  mock_card_expect (mock, "00200080", "6984");
  g_assert_cmpint (mdg_card_pin_tries (card, 0x001B, &error), ==, 0);
  mock_card_expect (mock, "00200080", "63C0");
  g_assert_cmpint (mdg_card_pin_tries (card, 0x001B, &error), ==, 0);
  g_assert_no_error (error);
  mock_card_expect (mock, "00200080", "6A86");
  g_assert_cmpint (mdg_card_pin_tries (card, 0x001B, &error), ==, -1);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_NOT_SUPPORTED);
  mock_card_assert_done (mock);
}

static GPtrArray *
one_digest (guint8 hash[32])
{
  GPtrArray *digests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < 32; i++)
    hash[i] = 0xA0 + i;
  g_ptr_array_add (digests, g_bytes_new (hash, 32));
  return digests;
}

/* §3.9 with the card's signature of @hash; @with_cert inserts the
 * certificate read after VERIFY. */
static GBytes *
expect_sign_sequence (MockCard *mock,
                      const guint8 hash[32],
                      gboolean with_cert,
                      EVP_PKEY *signing_key)
{
  guint8 digest_info[51];
  g_autofree char *di_hex = NULL;
  g_autofree char *sign_cmd = NULL;
  GBytes *sig;

  mdg_digest_info_sha256 (hash, digest_info);
  di_hex = hex_encode (digest_info, sizeof digest_info);
  sign_cmd = g_strdup_printf ("802A008033 %s 00", di_hex);
  sig = test_pki_sign_raw (signing_key, digest_info, sizeof digest_info);

  mock_card_expect (mock, SELECT_JPKI, "9000");
  mock_card_expect (mock, "00A4020C02001B", "9000");
  mock_card_expect (mock, "00200080", "63C5");
  mock_card_expect (mock, "0020008006 414243313233", "9000");
  if (with_cert)
    expect_ber_ef (mock, 0x0001, card_cert);
  mock_card_expect (mock, "00A4020C02001A", "9000");
  mock_card_expect_data (mock, sign_cmd, sig, 0x9000);
  mock_card_expect (mock, SELECT_ISD, "9000");
  return sig;
}

static void
test_sign_sequence_known_cert (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgMemoryTransport) transport = NULL;
  g_autoptr(MdgCard) card = mock_card_connect (mock, &transport);
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, "abc123", NULL);
  g_autoptr(GPtrArray) digests = NULL;
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GBytes) expected_sig = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;
  guint8 hash[32];
  gint tries = -1;

  digests = one_digest (hash);
  expected_sig = expect_sign_sequence (mock, hash, FALSE, card_key);

  sigs = mdg_jpki_sign_digests_with_certificate (card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE,
                                                 digests, card_cert, &cert, &tries, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sigs);
  g_assert_cmpuint (sigs->len, ==, 1);
  g_assert_true (g_bytes_equal (sigs->pdata[0], expected_sig));
  g_assert_true (g_bytes_equal (cert, card_cert));
  g_assert_cmpint (tries, ==, 5);

  /* The APDU budget: 7 commands per sign-key signature. */
  g_assert_cmpuint (mdg_card_get_apdu_count (card), ==, 7);
  g_assert_cmpuint (mdg_memory_transport_get_apdu_count (transport), ==, 7);
  g_assert_false (mdg_memory_transport_in_transaction (transport));
  mock_card_assert_done (mock);
}

static void
test_sign_sequence_reads_cert (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, "ABC123", NULL);
  g_autoptr(GBytes) expected_sig = NULL;
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) digests = NULL;
  guint8 hash[32];

  digests = one_digest (hash);
  expected_sig = expect_sign_sequence (mock, hash, TRUE, card_key);

  sig = mdg_jpki_sign_sha256 (card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE, hash, &cert, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (sig, expected_sig));
  g_assert_true (g_bytes_equal (cert, card_cert));
  mock_card_assert_done (mock);
}

static void
test_sign_bad_signature (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgMemoryTransport) transport = NULL;
  g_autoptr(MdgCard) card = mock_card_connect (mock, &transport);
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, "ABC123", NULL);
  g_autoptr(GPtrArray) digests = NULL;
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GBytes) wrong_sig = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;
  guint8 hash[32];

  /* The card signs with a key its certificate does not hold. */
  digests = one_digest (hash);
  wrong_sig = expect_sign_sequence (mock, hash, FALSE, other_key);

  sigs = mdg_jpki_sign_digests_with_certificate (card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE,
                                                 digests, card_cert, &cert, NULL, &error);
  g_assert_null (sigs);
  g_assert_null (cert);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_BAD_SIGNATURE);
  g_assert_false (mdg_memory_transport_in_transaction (transport));
  mock_card_assert_done (mock);  /* the ISD select was sent */
}

static void
test_sign_blocked_pin_not_sent (void)
{
  static const char *blocked_sws[] = { "63C0", "6984" };

  for (guint i = 0; i < G_N_ELEMENTS (blocked_sws); i++)
    {
      g_autoptr(MockCard) mock = mock_card_new ();
      g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
      g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, "ABC123", NULL);
      g_autoptr(GPtrArray) digests = NULL;
      g_autoptr(GPtrArray) sigs = NULL;
      g_autoptr(GError) error = NULL;
      guint8 hash[32];
      gint tries = -1;

      digests = one_digest (hash);
      mock_card_expect (mock, SELECT_JPKI, "9000");
      mock_card_expect (mock, "00A4020C02001B", "9000");
      mock_card_expect (mock, "00200080", blocked_sws[i]);
      mock_card_expect (mock, SELECT_ISD, "9000");

      /* Even a confirmed attempt is not sent to a blocked PIN. */
      sigs = mdg_jpki_sign_digests_with_certificate (card, MDG_JPKI_KEY_SIGN, pin,
                                                     MDG_PIN_FLAGS_CONFIRM_LAST_TRY,
                                                     digests, card_cert, NULL, &tries, &error);
      g_assert_null (sigs);
      g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_BLOCKED);
      g_assert_cmpint (tries, ==, 0);
      mock_card_assert_done (mock);
    }
}

static void
test_sign_last_try (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, "ABC123", NULL);
  g_autoptr(GPtrArray) digests = NULL;
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GError) error = NULL;
  guint8 hash[32];
  gint tries = -1;

  digests = one_digest (hash);
  mock_card_expect (mock, SELECT_JPKI, "9000");
  mock_card_expect (mock, "00A4020C02001B", "9000");
  mock_card_expect (mock, "00200080", "63C1");
  mock_card_expect (mock, SELECT_ISD, "9000");

  sigs = mdg_jpki_sign_digests_with_certificate (card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE,
                                                 digests, card_cert, NULL, &tries, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_LAST_TRY);
  g_assert_cmpint (tries, ==, 1);
  mock_card_assert_done (mock);
  g_clear_error (&error);

  /* Confirmed: the VERIFY goes out, and fails. */
  mock_card_expect (mock, SELECT_JPKI, "9000");
  mock_card_expect (mock, "00A4020C02001B", "9000");
  mock_card_expect (mock, "00200080", "63C1");
  mock_card_expect (mock, "0020008006 414243313233", "63C0");
  mock_card_expect (mock, SELECT_ISD, "9000");
  sigs = mdg_jpki_sign_digests_with_certificate (card, MDG_JPKI_KEY_SIGN, pin,
                                                 MDG_PIN_FLAGS_CONFIRM_LAST_TRY,
                                                 digests, card_cert, NULL, &tries, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_BLOCKED);
  g_assert_cmpint (tries, ==, 0);
  mock_card_assert_done (mock);
}

static void
test_sign_wrong_pin_clears_status (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgMemoryTransport) transport = NULL;
  g_autoptr(MdgCard) card = mock_card_connect (mock, &transport);
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_AUTH, "1234", NULL);
  g_autoptr(GPtrArray) digests = NULL;
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *log;
  guint8 hash[32];
  gint tries = -1;

  digests = one_digest (hash);
  mock_card_expect (mock, SELECT_JPKI, "9000");
  mock_card_expect (mock, "00A4020C020018", "9000");
  mock_card_expect (mock, "00200080", "63C3");
  mock_card_expect (mock, "0020008004 31323334", "63C2");
  mock_card_expect (mock, SELECT_ISD, "9000");

  sigs = mdg_jpki_sign_digests (card, MDG_JPKI_KEY_AUTH, pin, MDG_PIN_FLAGS_NONE,
                                digests, NULL, &tries, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_INCORRECT);
  g_assert_nonnull (strstr (error->message, "2 tries left"));
  g_assert_null (strstr (error->message, "1234"));
  g_assert_cmpint (tries, ==, 2);

  log = mock_card_get_log (mock);
  g_assert_cmpstr (g_ptr_array_index (log, log->len - 1), ==, "00A4040C07A0000001510000");
  g_assert_false (mdg_memory_transport_in_transaction (transport));
  mock_card_assert_done (mock);
}

static void
test_sign_rejects_bad_arguments (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(MdgPin) auth_pin = mdg_pin_new (MDG_PIN_AUTH, "1234", NULL);
  g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (digests, g_bytes_new ("short", 5));

  /* Auth PIN for the sign key, and a digest that is not SHA-256: nothing is sent. */
  sigs = mdg_jpki_sign_digests (card, MDG_JPKI_KEY_SIGN, auth_pin, MDG_PIN_FLAGS_NONE,
                                digests, NULL, NULL, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  sigs = mdg_jpki_sign_digests (card, MDG_JPKI_KEY_AUTH, auth_pin, MDG_PIN_FLAGS_NONE,
                                digests, NULL, NULL, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (mdg_card_get_apdu_count (card), ==, 0);
}

static void
test_sign_card_removed_between_verify_and_sign (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, "ABC123", NULL);
  g_autoptr(GPtrArray) digests = NULL;
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GError) error = NULL;
  guint8 hash[32];

  digests = one_digest (hash);
  mock_card_expect (mock, SELECT_JPKI, "9000");
  mock_card_expect (mock, "00A4020C02001B", "9000");
  mock_card_expect (mock, "00200080", "63C5");
  mock_card_expect (mock, "0020008006 414243313233", "9000");
  mock_card_expect_removed (mock, "00A4020C02001A");

  sigs = mdg_jpki_sign_digests_with_certificate (card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE,
                                                 digests, card_cert, NULL, NULL, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CARD_REMOVED);
  g_assert_cmpuint (mock_card_get_power_offs (mock), ==, 1);
  mock_card_assert_done (mock);
}

static void
test_text_ap_read (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_TEXT, "1234", NULL);
  g_autoptr(MdgTextAttributes) attrs = NULL;
  g_autoptr(GBytes) number_ef = g_bytes_new (test_my_number_ef, sizeof test_my_number_ef);
  g_autoptr(GBytes) attr_ef = g_bytes_new (test_attributes_ef, sizeof test_attributes_ef);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  gint tries = -1;

  mock_card_expect (mock, SELECT_TEXT, "9000");
  mock_card_expect (mock, "00A4020C020011", "9000");
  mock_card_expect (mock, "00200080", "63C3");
  mock_card_expect (mock, "0020008004 31323334", "9000");
  mock_card_expect (mock, "00A4020C020001", "9000");
  mock_card_expect_data (mock, "00B0000011", number_ef, 0x9000);
  mock_card_expect (mock, "00A4020C020002", "9000");
  mock_card_expect_data (mock, "00B0000000", attr_ef, 0x9000);
  mock_card_expect (mock, SELECT_ISD, "9000");

  g_assert_true (mdg_text_ap_read (card, pin, MDG_PIN_FLAGS_NONE, &number, &attrs, &tries, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, "123456789018");
  g_assert_cmpstr (attrs->name, ==, TEST_NAME);
  g_assert_cmpstr (attrs->birth_date, ==, "19800217");
  g_assert_cmpint (tries, ==, 3);
  mock_card_assert_done (mock);
}

static void
test_change_pin (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(MdgPin) old_pin = mdg_pin_new (MDG_PIN_SIGN, "abc123", NULL);
  g_autoptr(MdgPin) new_pin = mdg_pin_new (MDG_PIN_SIGN, "xyz789", NULL);
  g_autoptr(MdgPin) text_old = mdg_pin_new (MDG_PIN_TEXT, "1234", NULL);
  g_autoptr(MdgPin) text_new = mdg_pin_new (MDG_PIN_TEXT, "5678", NULL);
  g_autoptr(GError) error = NULL;

  mock_card_expect (mock, SELECT_JPKI, "9000");
  mock_card_expect (mock, "00A4020C02001B", "9000");
  mock_card_expect (mock, "00200080", "63C5");
  mock_card_expect (mock, "0020008006 414243313233", "9000");
  mock_card_expect (mock, "0024018006 58595A373839", "9000");
  mock_card_expect (mock, SELECT_ISD, "9000");
  g_assert_true (mdg_card_change_pin (card, old_pin, new_pin, MDG_PIN_FLAGS_NONE, NULL, &error));
  g_assert_no_error (error);

  mock_card_expect (mock, SELECT_TEXT, "9000");
  mock_card_expect (mock, "00A4020C020011", "9000");
  mock_card_expect (mock, "00200080", "63C3");
  mock_card_expect (mock, "0020008004 31323334", "9000");
  mock_card_expect (mock, "0024018004 35363738", "9000");
  mock_card_expect (mock, SELECT_ISD, "9000");
  g_assert_true (mdg_card_change_pin (card, text_old, text_new, MDG_PIN_FLAGS_NONE, NULL, &error));
  g_assert_no_error (error);

  /* Mixed kinds are refused before anything is sent. */
  g_assert_false (mdg_card_change_pin (card, old_pin, text_new, MDG_PIN_FLAGS_NONE, NULL, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_INVALID_ARGUMENT);
  mock_card_assert_done (mock);
}

static void
test_certificate_unavailable (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgCard) card = mock_card_connect (mock, NULL);
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;

  /* A holder under 15: EF 0001 holds only filler and 0008 says so. */
  mock_card_expect (mock, SELECT_JPKI, "9000");
  mock_card_expect (mock, "00A4020C020001", "9000");
  mock_card_expect (mock, "00B0000000", "FFFFFFFF 9000");
  mock_card_expect (mock, "00A4020C020008", "9000");
  mock_card_expect (mock, "00B0000002", "008F 9000");
  cert = mdg_jpki_read_certificate (card, MDG_JPKI_CERT_SIGN, &error);
  g_assert_null (cert);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CERT_UNAVAILABLE);
  mock_card_assert_done (mock);
}

static void
on_transmitted (GObject *source,
                GAsyncResult *result,
                gpointer user_data)
{
  GBytes **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = mdg_transport_transmit_finish (MDG_TRANSPORT (source), result, &error);
  g_assert_no_error (error);
}

static void
test_transmit_async (void)
{
  g_autoptr(MockCard) mock = mock_card_new ();
  g_autoptr(MdgMemoryTransport) transport = NULL;
  g_autoptr(MdgCard) card = mock_card_connect (mock, &transport);
  g_autoptr(GBytes) command = hex_decode ("00A4020C02000A");
  g_autoptr(GBytes) expected = hex_decode ("9000");
  GBytes *response = NULL;

  g_assert_true (mdg_card_get_transport (card) == MDG_TRANSPORT (transport));

  mock_card_expect (mock, "00A4020C02000A", "9000");
  mdg_transport_transmit_async (MDG_TRANSPORT (transport), command, NULL, on_transmitted, &response);
  while (response == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (g_bytes_equal (response, expected));
  g_bytes_unref (response);
  mock_card_assert_done (mock);
}

int
main (int argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  card_key = test_pki_generate_key ();
  other_key = test_pki_generate_key ();
  card_cert = test_pki_make_certificate (card_key, "JPKI-TEST sign", TRUE);

  g_test_add_func ("/card-ops/transceive/get-response", test_get_response_chain);
  g_test_add_func ("/card-ops/transceive/wrong-le", test_wrong_le_resend);
  g_test_add_func ("/card-ops/read-ber-ef/1302", test_read_ber_ef_1302);
  g_test_add_func ("/card-ops/read-ber-ef/small", test_read_ber_ef_small);
  g_test_add_func ("/card-ops/read-ber-ef/truncated", test_read_ber_ef_truncated);
  g_test_add_func ("/card-ops/read-ber-ef/guards", test_read_ber_ef_guards);
  g_test_add_func ("/card-ops/malformed-responses", test_malformed_responses);
  g_test_add_func ("/card-ops/card-removed", test_card_removed);
  g_test_add_func ("/card-ops/6f00-after-power-up", test_6f00_after_power_up);
  g_test_add_func ("/card-ops/pin-tries", test_pin_tries);
  g_test_add_func ("/card-ops/sign/known-certificate", test_sign_sequence_known_cert);
  g_test_add_func ("/card-ops/sign/reads-certificate", test_sign_sequence_reads_cert);
  g_test_add_func ("/card-ops/sign/bad-signature", test_sign_bad_signature);
  g_test_add_func ("/card-ops/sign/blocked-pin-not-sent", test_sign_blocked_pin_not_sent);
  g_test_add_func ("/card-ops/sign/last-try", test_sign_last_try);
  g_test_add_func ("/card-ops/sign/wrong-pin-clears-status", test_sign_wrong_pin_clears_status);
  g_test_add_func ("/card-ops/sign/bad-arguments", test_sign_rejects_bad_arguments);
  g_test_add_func ("/card-ops/sign/card-removed", test_sign_card_removed_between_verify_and_sign);
  g_test_add_func ("/card-ops/text-ap/read", test_text_ap_read);
  g_test_add_func ("/card-ops/change-pin", test_change_pin);
  g_test_add_func ("/card-ops/certificate-unavailable", test_certificate_unavailable);
  g_test_add_func ("/card-ops/transport/transmit-async", test_transmit_async);

  ret = g_test_run ();
  g_bytes_unref (card_cert);
  EVP_PKEY_free (card_key);
  EVP_PKEY_free (other_key);
  return ret;
}
