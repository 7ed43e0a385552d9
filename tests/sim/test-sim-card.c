/* test-sim-card.c: the simulated card, driven by raw APDUs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "mdg-sim-card.h"
#include "mdg-sim-persona.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)

#define SEL_JPKI   "00A4040C0AD392F000260100000001"
#define SEL_TEXT   "00A4040C0AD3921000310001010408"
#define SEL_VISUAL "00A4040C0AD3921000310001010402"
#define SEL_JUKI   "00A4040C0AD3921000310001010401"
#define SEL_COMMON "00A4040C0AD3921000310001010100"
#define SEL_ISD    "00A4040C07A0000001510000"
#define REMOVED    0xFFFF

/* kawaguchi-76 */
#define AUTH_PIN  "1234"
#define SIGN_PIN  "ABC123"
#define TEXT_PIN  "1234"
#define MY_NUMBER "123456789018"

static const guint8 digest_info_prefix[19] = {
  0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20
};

static MdgSimCard *
new_card (const char *id,
          const char *state)
{
  g_autoptr(GError) error = NULL;
  MdgSimCard *card = mdg_sim_card_new (id, SIM_PKI_DIR, state, &error);

  g_assert_no_error (error);
  g_assert_nonnull (card);
  return card;
}

static GByteArray *
unhex (const char *hex)
{
  GByteArray *out = g_byte_array_new ();

  for (const char *s = hex; *s; s++)
    {
      guint8 b;
      if (*s == ' ')
        continue;
      g_assert_true (g_ascii_isxdigit (s[0]) && g_ascii_isxdigit (s[1]));
      b = g_ascii_xdigit_value (s[0]) << 4 | g_ascii_xdigit_value (s[1]);
      g_byte_array_append (out, &b, 1);
      s++;
    }
  return out;
}

static guint16
txb (MdgSimCard *card,
     const guint8 *cmd,
     gsize len,
     GByteArray **data)
{
  guint8 resp[70000];
  gsize resp_len = sizeof resp;

  if (mdg_sim_card_process (card, cmd, len, resp, &resp_len) == MDG_MEMORY_CARD_REMOVED)
    return REMOVED;
  g_assert_cmpuint (resp_len, >=, 2);
  if (data != NULL)
    {
      *data = g_byte_array_new ();
      g_byte_array_append (*data, resp, resp_len - 2);
    }
  return resp[resp_len - 2] << 8 | resp[resp_len - 1];
}

static guint16
tx (MdgSimCard *card,
    const char *hex,
    GByteArray **data)
{
  g_autoptr(GByteArray) cmd = unhex (hex);

  return txb (card, cmd->data, cmd->len, data);
}

static guint16
select_ef (MdgSimCard *card,
           guint16 fid)
{
  guint8 cmd[7] = { 0x00, 0xA4, 0x02, 0x0C, 0x02, fid >> 8, fid & 0xff };

  return txb (card, cmd, sizeof cmd, NULL);
}

static guint16
verify (MdgSimCard *card,
        guint16 fid,
        const char *pin)
{
  guint8 cmd[5 + 32] = { 0x00, 0x20, 0x00, 0x80, 0 };
  gsize len = strlen (pin);
  guint16 sw = select_ef (card, fid);

  g_assert_cmpuint (len, <=, 32);
  if (sw != 0x9000)
    return sw;
  cmd[4] = len;
  memcpy (cmd + 5, pin, len);
  return txb (card, cmd, 5 + len, NULL);
}

static guint16
empty_verify (MdgSimCard *card,
              guint16 fid)
{
  g_assert_cmphex (select_ef (card, fid), ==, 0x9000);
  return tx (card, "00200080", NULL);
}

static guint16
read_chunk (MdgSimCard *card,
            gsize offset,
            guint le,
            GByteArray **data)
{
  guint8 cmd[5] = { 0x00, 0xB0, (offset >> 8) & 0x7f, offset & 0xff, le & 0xff };

  return txb (card, cmd, sizeof cmd, data);
}

/* Reads the current EF until the card says end of file. */
static GByteArray *
read_physical (MdgSimCard *card)
{
  GByteArray *all = g_byte_array_new ();

  for (;;)
    {
      g_autoptr(GByteArray) chunk = NULL;
      guint16 sw = read_chunk (card, all->len, 0, &chunk);

      if (sw == 0x6B00)
        break;
      g_assert_cmphex (sw, ==, 0x9000);
      g_assert_cmpuint (chunk->len, >, 0);
      g_byte_array_append (all, chunk->data, chunk->len);
    }
  return all;
}

static GBytes *
pki_file (const char *id,
          const char *name)
{
  g_autofree char *path = id != NULL ? g_build_filename (SIM_PKI_DIR, id, name, NULL)
                                     : g_build_filename (SIM_PKI_DIR, name, NULL);
  char *data;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

static EVP_PKEY *
cert_key (const char *id,
          const char *name)
{
  g_autoptr(GBytes) der = pki_file (id, name);
  const guint8 *p = g_bytes_get_data (der, NULL);
  X509 *cert = d2i_X509 (NULL, &p, g_bytes_get_size (der));
  EVP_PKEY *key;

  g_assert_nonnull (cert);
  key = X509_get_pubkey (cert);
  X509_free (cert);
  return key;
}

/* 80 2A 00 80 with a SHA-256 DigestInfo of @message; returns the SW. */
static guint16
sign (MdgSimCard *card,
      const char *message,
      GByteArray **sig,
      guint8 digest_info[51])
{
  guint8 cmd[5 + 51 + 1] = { 0x80, 0x2A, 0x00, 0x80, 51 };
  gsize dlen = 32;
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (c, (const guint8 *) message, -1);
  memcpy (cmd + 5, digest_info_prefix, 19);
  g_checksum_get_digest (c, cmd + 5 + 19, &dlen);
  g_checksum_free (c);
  if (digest_info != NULL)
    memcpy (digest_info, cmd + 5, 51);
  return txb (card, cmd, sizeof cmd, sig);
}

/* PKCS#1 v1.5 type 1 recovery must give back exactly the DigestInfo. */
static gboolean
signature_ok (EVP_PKEY *key,
              const GByteArray *sig,
              const guint8 digest_info[51])
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (NULL, key, NULL);
  guint8 out[256];
  size_t out_len = sizeof out;
  gboolean ok;

  ok = EVP_PKEY_verify_recover_init (ctx) > 0
       && EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING) > 0
       && EVP_PKEY_verify_recover (ctx, out, &out_len, sig->data, sig->len) > 0
       && out_len == 51 && memcmp (out, digest_info, 51) == 0;
  EVP_PKEY_CTX_free (ctx);
  return ok;
}

static void
test_select (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, SEL_TEXT, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, SEL_VISUAL, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, SEL_JUKI, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, SEL_COMMON, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, SEL_ISD, NULL), ==, 0x9000);
  /* Unknown AID, a prefix of the JPKI AID, wrong P2. */
  g_assert_cmphex (tx (card, "00A4040C0AD392F000260100000002", NULL), ==, 0x6A82);
  g_assert_cmphex (tx (card, "00A4040C05D392F00026", NULL), ==, 0x6A82);
  g_assert_cmphex (tx (card, "00A404000AD392F000260100000001", NULL), ==, 0x6A86);
  /* No AP: no EF to select or read. */
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x6A82);
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6986);
  g_assert_cmphex (select_ef (card, 0x0005), ==, 0x6A82);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  g_assert_cmphex (tx (card, "00A4020002000A", NULL), ==, 0x6A86);
  g_assert_cmphex (tx (card, "00A4080C02000A", NULL), ==, 0x6A86);
  /* INS and CLA checks. */
  g_assert_cmphex (tx (card, "00FE000000", NULL), ==, 0x6D00);
  g_assert_cmphex (tx (card, "10B0000004", NULL), ==, 0x6E00);
  g_assert_cmphex (tx (card, "80B0000004", NULL), ==, 0x6E00);
  g_assert_cmphex (tx (card, "01B0000004", NULL), ==, 0x6881);
  g_assert_cmphex (tx (card, "0CB0000004", NULL), ==, 0x6882);
  g_assert_cmphex (tx (card, "002A008001AA00", NULL), ==, 0x6E00);
  g_assert_cmphex (tx (card, "00B0", NULL), ==, 0x6700);
  g_assert_cmphex (tx (card, "00B00000020102", NULL), ==, 0x6700);
}

static void
test_access_jpki (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GByteArray) data = NULL;
  g_autoptr(GBytes) sign_der = pki_file ("kawaguchi-76", "sign.der");
  g_autoptr(GByteArray) cert = NULL;
  const guint16 free_efs[] = { 0x0002, 0x000A, 0x000B, 0x0006, 0x0008 };

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  for (guint i = 0; i < G_N_ELEMENTS (free_efs); i++)
    {
      g_assert_cmphex (select_ef (card, free_efs[i]), ==, 0x9000);
      g_assert_cmphex (tx (card, "00B0000003", NULL), ==, 0x9000);
    }
  g_assert_cmphex (select_ef (card, 0x0008), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000000", &data), ==, 0x9000);
  g_assert_cmpmem (data->data, data->len, "\x8F\x8F\x00", 3);

  /* The sign certificate needs the sign password; the auth PIN is not enough. */
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6982);
  g_assert_cmphex (verify (card, 0x0018, AUTH_PIN), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6982);
  g_assert_cmphex (select_ef (card, 0x0009), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6982);
  /* PIN and key EFs are not readable at all. */
  g_assert_cmphex (select_ef (card, 0x0018), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6981);
  g_assert_cmphex (select_ef (card, 0x001A), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6981);

  g_assert_cmphex (verify (card, 0x001B, SIGN_PIN), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  cert = read_physical (card);
  g_assert_cmpuint (cert->len, >, g_bytes_get_size (sign_der));
  g_assert_cmpmem (cert->data, g_bytes_get_size (sign_der),
                   g_bytes_get_data (sign_der, NULL), g_bytes_get_size (sign_der));
}

static void
test_read_binary (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GBytes) der = pki_file ("kawaguchi-76", "auth.der");
  gsize der_len = g_bytes_get_size (der);
  g_autoptr(GByteArray) head = NULL;
  g_autoptr(GByteArray) all = NULL;
  g_autoptr(GByteArray) tail = NULL;
  g_autoptr(GByteArray) mid = NULL;
  gsize total;

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  /* OpenSC's method: 4 bytes, then the DER length. */
  g_assert_cmphex (tx (card, "00B0000004", &head), ==, 0x9000);
  g_assert_cmpuint (head->len, ==, 4);
  g_assert_cmphex (head->data[0], ==, 0x30);
  g_assert_cmphex (head->data[1], ==, 0x82);
  total = (head->data[2] << 8 | head->data[3]) + 4;
  g_assert_cmpuint (total, ==, der_len);

  all = read_physical (card);
  g_assert_cmpuint (all->len, >, der_len);
  g_assert_cmpmem (all->data, der_len, g_bytes_get_data (der, NULL), der_len);
  for (gsize i = der_len; i < all->len; i++)
    g_assert_cmphex (all->data[i], ==, 0xFF);

  /* A short read at the end, then 6B00 at and beyond the end. */
  g_assert_cmphex (read_chunk (card, all->len - 5, 0, &tail), ==, 0x9000);
  g_assert_cmpuint (tail->len, ==, 5);
  g_assert_cmphex (read_chunk (card, all->len, 1, NULL), ==, 0x6B00);
  g_assert_cmphex (tx (card, "00B07FFF01", NULL), ==, 0x6B00);
  /* A 15-bit offset above 255. */
  g_assert_cmphex (read_chunk (card, 0x0123, 0x10, &mid), ==, 0x9000);
  g_assert_cmpmem (mid->data, mid->len, (const guint8 *) g_bytes_get_data (der, NULL) + 0x123, 0x10);
}

static void
test_verify_empty (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmphex (empty_verify (card, 0x0018), ==, 0x63C3);
      g_assert_cmphex (empty_verify (card, 0x001B), ==, 0x63C5);
    }
  g_assert_cmpint (mdg_sim_card_get_tries (card, "auth"), ==, 3);
  /* Empty VERIFY without a PIN EF selected. */
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "00200080", NULL), ==, 0x6986);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  g_assert_cmphex (tx (card, "00200080", NULL), ==, 0x6A88);
  g_assert_cmphex (tx (card, "00200180", NULL), ==, 0x6A86);
}

static void
check_lockout (guint16 fid,
               const char *good,
               const char *bad,
               guint max)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  for (guint left = max - 1; left > 0; left--)
    g_assert_cmphex (verify (card, fid, bad), ==, 0x63C0 | left);
  /* The exhausting attempt answers 63C0; afterwards 6984, even when right. */
  g_assert_cmphex (verify (card, fid, bad), ==, 0x63C0);
  g_assert_cmphex (verify (card, fid, good), ==, 0x6984);
  g_assert_cmphex (verify (card, fid, bad), ==, 0x6984);
  g_assert_cmphex (empty_verify (card, fid), ==, 0x63C0);
}

static void
test_verify_lockout_auth (void)
{
  check_lockout (0x0018, AUTH_PIN, "9999", 3);
}

static void
test_verify_lockout_sign (void)
{
  check_lockout (0x001B, SIGN_PIN, "WRONG1", 5);
}

static void
test_verify_reset_on_success (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (verify (card, 0x001B, "WRONG1"), ==, 0x63C4);
  g_assert_cmphex (verify (card, 0x001B, "WRONG2"), ==, 0x63C3);
  g_assert_cmphex (verify (card, 0x001B, SIGN_PIN), ==, 0x9000);
  g_assert_cmphex (empty_verify (card, 0x001B), ==, 0x63C5);
  /* Case matters: the card compares bytes. */
  g_assert_cmphex (verify (card, 0x001B, "abc123"), ==, 0x63C4);
  /* A wrong PIN also ends the login. */
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6982);
  g_assert_cmphex (verify (card, 0x0018, "12345678901234567"), ==, 0x6700);
}

static char *
temp_state (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mdg-sim-XXXXXX", &error);

  g_assert_no_error (error);
  return g_build_filename (dir, "state.json", NULL);
}

static void
remove_state (const char *state)
{
  g_autofree char *dir = g_path_get_dirname (state);

  g_unlink (state);
  g_rmdir (dir);
}

static void
test_verify_persistence (void)
{
  g_autofree char *state = temp_state ();

  {
    g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", state);
    g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
    g_assert_cmphex (verify (card, 0x0018, "0000"), ==, 0x63C2);
    g_assert_cmphex (verify (card, 0x0018, "0000"), ==, 0x63C1);
  }
  {
    g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", state);
    g_assert_cmpint (mdg_sim_card_get_tries (card, "auth"), ==, 1);
    g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
    g_assert_cmphex (empty_verify (card, 0x0018), ==, 0x63C1);
    g_assert_cmphex (verify (card, 0x0018, "0000"), ==, 0x63C0);
  }
  {
    /* A locked card stays locked across restarts. */
    g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", state);
    g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
    g_assert_cmphex (verify (card, 0x0018, AUTH_PIN), ==, 0x6984);
    g_assert_cmphex (empty_verify (card, 0x001B), ==, 0x63C5);
  }
  remove_state (state);
}

static void
test_change_pin (void)
{
  g_autofree char *state = temp_state ();

  {
    g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", state);
    g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
    g_assert_cmphex (select_ef (card, 0x0018), ==, 0x9000);
    /* Only after a successful VERIFY of that PIN. */
    g_assert_cmphex (tx (card, "0024018004 35363738", NULL), ==, 0x6982);
    g_assert_cmphex (verify (card, 0x001B, SIGN_PIN), ==, 0x9000);
    g_assert_cmphex (select_ef (card, 0x0018), ==, 0x9000);
    g_assert_cmphex (tx (card, "0024018004 35363738", NULL), ==, 0x6982);
    g_assert_cmphex (verify (card, 0x0018, AUTH_PIN), ==, 0x9000);
    g_assert_cmphex (tx (card, "0024008004 35363738", NULL), ==, 0x6A86);
    g_assert_cmphex (tx (card, "0024018003 353637", NULL), ==, 0x6A80);
    g_assert_cmphex (tx (card, "0024018004 3536373A", NULL), ==, 0x6A80);
    g_assert_cmphex (tx (card, "0024018004 35363738", NULL), ==, 0x9000);
    g_assert_cmphex (verify (card, 0x0018, AUTH_PIN), ==, 0x63C2);
    g_assert_cmphex (verify (card, 0x0018, "5678"), ==, 0x9000);
    /* The sign password follows its own rules. */
    g_assert_cmphex (verify (card, 0x001B, SIGN_PIN), ==, 0x9000);
    g_assert_cmphex (tx (card, "0024018006 616263313233", NULL), ==, 0x6A80);
    g_assert_cmphex (tx (card, "0024018007 4E455750415353", NULL), ==, 0x9000);
    /* Without a current EF. */
    g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
    g_assert_cmphex (tx (card, "0024018004 35363738", NULL), ==, 0x6986);
  }
  {
    /* The new PINs persist in the state file. */
    g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", state);
    g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
    g_assert_cmphex (verify (card, 0x0018, "5678"), ==, 0x9000);
    g_assert_cmphex (verify (card, 0x001B, "NEWPASS"), ==, 0x9000);
    g_assert_cmphex (verify (card, 0x001B, SIGN_PIN), ==, 0x63C4);
  }
  remove_state (state);
}

static void
test_sign (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(EVP_PKEY) sign_key = cert_key ("kawaguchi-76", "sign.der");
  g_autoptr(EVP_PKEY) auth_key = cert_key ("kawaguchi-76", "auth.der");
  guint8 di[51];
  guint8 long_cmd[5 + 246 + 1] = { 0x80, 0x2A, 0x00, 0x80, 246 };

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (sign (card, "x", NULL, NULL), ==, 0x6982);
  g_assert_cmphex (select_ef (card, 0x001A), ==, 0x9000);
  g_assert_cmphex (sign (card, "x", NULL, NULL), ==, 0x6982);
  g_assert_cmphex (verify (card, 0x001B, SIGN_PIN), ==, 0x9000);
  /* The current EF must be a key. */
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  g_assert_cmphex (sign (card, "x", NULL, NULL), ==, 0x6982);
  /* The auth key needs the auth PIN. */
  g_assert_cmphex (select_ef (card, 0x0017), ==, 0x9000);
  g_assert_cmphex (sign (card, "x", NULL, NULL), ==, 0x6982);

  g_assert_cmphex (select_ef (card, 0x001A), ==, 0x9000);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GByteArray) sig = NULL;
      g_autofree char *msg = g_strdup_printf ("document %u", i);

      g_assert_cmphex (sign (card, msg, &sig, di), ==, 0x9000);
      g_assert_cmpuint (sig->len, ==, 256);
      g_assert_true (signature_ok (sign_key, sig, di));
      g_assert_false (signature_ok (auth_key, sig, di));
    }
  /* More than 245 bytes, or nothing, is too long/short. */
  memset (long_cmd + 5, 0x30, 246);
  g_assert_cmphex (txb (card, long_cmd, sizeof long_cmd, NULL), ==, 0x6700);
  long_cmd[4] = 245;
  long_cmd[5 + 245] = 0;
  g_assert_cmphex (txb (card, long_cmd, 5 + 245 + 1, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "802A0180 01 AA 00", NULL), ==, 0x6A86);

  /* Auth key after the auth PIN. */
  g_assert_cmphex (verify (card, 0x0018, AUTH_PIN), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0017), ==, 0x9000);
  {
    g_autoptr(GByteArray) sig = NULL;
    g_assert_cmphex (sign (card, "login", &sig, di), ==, 0x9000);
    g_assert_true (signature_ok (auth_key, sig, di));
  }
}

static void
login_sign (MdgSimCard *card)
{
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (verify (card, 0x001B, SIGN_PIN), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x001A), ==, 0x9000);
}

static guint16
sign_again (MdgSimCard *card)
{
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x001A), ==, 0x9000);
  return sign (card, "again", NULL, NULL);
}

static void
test_security_cleared (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  /* Re-selecting the same AP and a warm reset keep the status (§4). */
  login_sign (card);
  g_assert_cmphex (sign_again (card), ==, 0x9000);
  mdg_sim_card_warm_reset (card);
  g_assert_cmphex (sign_again (card), ==, 0x9000);

  mdg_sim_card_power (card, FALSE);
  mdg_sim_card_power (card, TRUE);
  g_assert_cmphex (sign_again (card), ==, 0x6982);

  login_sign (card);
  g_assert_cmphex (tx (card, SEL_ISD, NULL), ==, 0x9000);
  g_assert_cmphex (sign_again (card), ==, 0x6982);

  login_sign (card);
  g_assert_cmphex (tx (card, SEL_TEXT, NULL), ==, 0x9000);
  g_assert_cmphex (sign_again (card), ==, 0x6982);

  /* The text PIN does not survive a trip to the JPKI AP either. */
  g_assert_cmphex (tx (card, SEL_TEXT, NULL), ==, 0x9000);
  g_assert_cmphex (verify (card, 0x0011, TEXT_PIN), ==, 0x9000);
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, SEL_TEXT, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000011", NULL), ==, 0x6982);
}

static void
test_quirk_empty_verify (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  login_sign (card);
  g_assert_cmphex (empty_verify (card, 0x001B), ==, 0x63C5);
  g_assert_true (mdg_sim_card_set_quirk (card, "empty-verify-9000", TRUE, NULL));
  g_assert_cmphex (empty_verify (card, 0x001B), ==, 0x9000);
  g_assert_cmphex (empty_verify (card, 0x0018), ==, 0x63C3);
}

static void
test_quirk_warm_reset (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_true (mdg_sim_card_set_quirk (card, "warm-reset-clears", TRUE, NULL));
  login_sign (card);
  mdg_sim_card_warm_reset (card);
  g_assert_cmphex (sign_again (card), ==, 0x6982);
}

static void
test_quirk_reselect (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_true (mdg_sim_card_set_quirk (card, "reselect-clears", TRUE, NULL));
  login_sign (card);
  g_assert_cmphex (sign_again (card), ==, 0x6982);
}

static void
test_quirk_mf_select (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_cmphex (tx (card, "00A40000", NULL), ==, 0x6A86);
  g_assert_cmphex (tx (card, "00A4000C023F00", NULL), ==, 0x6A82);
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  /* Inside an AP: 9000 and the DF does not change. */
  g_assert_cmphex (tx (card, "00A40000", NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x000B), ==, 0x9000);

  g_assert_true (mdg_sim_card_set_quirk (card, "mf-select", FALSE, NULL));
  mdg_sim_card_power (card, TRUE);
  g_assert_cmphex (tx (card, "00A40000", NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "00A4000C023F00", NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x6A82);
}

static void
test_quirk_eof (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0008), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000301", NULL), ==, 0x6B00);
  g_assert_true (mdg_sim_card_set_quirk (card, "eof-6282", TRUE, NULL));
  g_assert_cmphex (tx (card, "00B0000301", NULL), ==, 0x6282);
}

static void
test_quirk_sfi (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GByteArray) data = NULL;
  g_autoptr(EVP_PKEY) key = cert_key ("kawaguchi-76", "sign.der");
  guint8 di[51];

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  /* READ BINARY SFI 08, VERIFY 80|1B, SIGN 80|1A. */
  g_assert_cmphex (tx (card, "00B0880003", &data), ==, 0x9000);
  g_assert_cmpmem (data->data, data->len, "\x8F\x8F\x00", 3);
  g_assert_cmphex (tx (card, "0020009B06 414243313233", NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "0020009B", NULL), ==, 0x63C5);
  {
    guint8 cmd[5 + 51 + 1] = { 0x80, 0x2A, 0x00, 0x9A, 51 };
    g_autoptr(GByteArray) sig = NULL;
    memcpy (cmd + 5, digest_info_prefix, 19);
    memset (cmd + 5 + 19, 0x42, 32);
    memcpy (di, cmd + 5, 51);
    g_assert_cmphex (txb (card, cmd, sizeof cmd, &sig), ==, 0x9000);
    g_assert_true (signature_ok (key, sig, di));
  }

  g_assert_true (mdg_sim_card_set_quirk (card, "sfi-read", FALSE, NULL));
  g_assert_cmphex (tx (card, "00B0880003", NULL), ==, 0x6A86);
  g_assert_true (mdg_sim_card_set_quirk (card, "sfi-verify", FALSE, NULL));
  g_assert_cmphex (tx (card, "0020009B", NULL), ==, 0x6A86);
  g_assert_true (mdg_sim_card_set_quirk (card, "sfi-sign", FALSE, NULL));
  g_assert_cmphex (tx (card, "802A009A01AA00", NULL), ==, 0x6A86);
  g_assert_true (mdg_sim_card_set_quirk (card, "sfi", TRUE, NULL));
  g_assert_cmphex (tx (card, "00B0880003", NULL), ==, 0x9000);
}

static void
test_quirk_extended (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GByteArray) data = NULL;
  g_autoptr(GBytes) der = pki_file ("kawaguchi-76", "auth.der");

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  /* Extended Le 0000 = 65536: the whole EF in one go. */
  g_assert_cmphex (tx (card, "00B00000000000", &data), ==, 0x9000);
  g_assert_cmpuint (data->len, >, g_bytes_get_size (der));
  g_assert_true (mdg_sim_card_set_quirk (card, "extended-length", FALSE, NULL));
  g_assert_cmphex (tx (card, "00B00000000000", NULL), ==, 0x6700);
  g_assert_cmphex (tx (card, "00B0000000", NULL), ==, 0x9000);
}

static void
test_quirk_wrong_le (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GByteArray) data = NULL;

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0008), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000000", &data), ==, 0x9000);
  g_assert_cmpuint (data->len, ==, 3);
  g_assert_true (mdg_sim_card_set_quirk (card, "wrong-le-6cxx", TRUE, NULL));
  g_assert_cmphex (tx (card, "00B0000000", NULL), ==, 0x6C03);
  g_assert_cmphex (tx (card, "00B0000003", NULL), ==, 0x9000);
}

static void
test_quirk_unknown (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (mdg_sim_card_set_quirk (card, "no-such-quirk", TRUE, &error));
  g_assert_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_UNKNOWN);
}

static void
test_fault_pull_read (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_true (mdg_sim_card_set_fault (card, "pull-read", "2", NULL));
  login_sign (card);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000400", NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0010000", NULL), ==, REMOVED);
  /* Back in the reader: powered up afresh, logged out, fault spent. */
  mdg_sim_card_power (card, TRUE);
  g_assert_cmphex (sign_again (card), ==, 0x6982);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x9000);
}

static void
test_fault_pull_sign (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_true (mdg_sim_card_set_fault (card, "pull-sign", NULL, NULL));
  login_sign (card);
  g_assert_cmphex (sign (card, "x", NULL, NULL), ==, REMOVED);
  mdg_sim_card_power (card, TRUE);
  login_sign (card);
  g_assert_cmphex (sign (card, "x", NULL, NULL), ==, 0x9000);

  /* Between VERIFY and SIGN: the VERIFY is answered, the next APDU is not. */
  g_assert_true (mdg_sim_card_set_fault (card, "pull-after-verify", NULL, NULL));
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (verify (card, 0x001B, SIGN_PIN), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x001A), ==, REMOVED);
  mdg_sim_card_power (card, TRUE);
  g_assert_cmphex (sign_again (card), ==, 0x6982);
}

static void
test_fault_first_6f00 (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);

  g_assert_true (mdg_sim_card_set_fault (card, "first-6f00", NULL, NULL));
  mdg_sim_card_power (card, TRUE);
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x6F00);
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  mdg_sim_card_power (card, FALSE);
  mdg_sim_card_power (card, TRUE);
  g_assert_cmphex (tx (card, "00A40000", NULL), ==, 0x6F00);
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_true (mdg_sim_card_set_fault (card, "none", NULL, NULL));
  mdg_sim_card_power (card, TRUE);
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
}

static void
test_fault_slow_sign (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(EVP_PKEY) key = cert_key ("kawaguchi-76", "sign.der");
  g_autoptr(GByteArray) sig = NULL;
  g_autoptr(GError) error = NULL;
  guint8 di[51];

  g_assert_false (mdg_sim_card_set_fault (card, "slow-sign", "soon", &error));
  g_assert_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_UNKNOWN);
  g_assert_true (mdg_sim_card_set_fault (card, "slow-sign", "20", NULL));
  login_sign (card);
  g_assert_cmphex (sign (card, "slow", &sig, di), ==, 0x9000);
  g_assert_true (signature_ok (key, sig, di));
}

static void
test_fault_corrupt (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(EVP_PKEY) key = cert_key ("kawaguchi-76", "sign.der");
  g_autoptr(GByteArray) good = NULL;
  g_autoptr(GByteArray) bad = NULL;
  g_autoptr(GByteArray) again = NULL;
  guint8 di[51];

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000040", &good), ==, 0x9000);
  g_assert_true (mdg_sim_card_set_fault (card, "corrupt-response", NULL, NULL));
  /* Status-only answers do not use up the fault. */
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000040", &bad), ==, 0x9000);
  g_assert_cmpuint (bad->len, ==, good->len);
  g_assert_true (memcmp (bad->data, good->data, good->len) != 0);
  g_assert_cmphex (tx (card, "00B0000040", &again), ==, 0x9000);
  g_assert_cmpmem (again->data, again->len, good->data, good->len);

  g_assert_true (mdg_sim_card_set_fault (card, "corrupt-signature", NULL, NULL));
  login_sign (card);
  {
    g_autoptr(GByteArray) sig = NULL;
    g_assert_cmphex (sign (card, "one", &sig, di), ==, 0x9000);
    g_assert_cmpuint (sig->len, ==, 256);
    g_assert_false (signature_ok (key, sig, di));
  }
  {
    g_autoptr(GByteArray) sig = NULL;
    g_assert_cmphex (sign (card, "two", &sig, di), ==, 0x9000);
    g_assert_true (signature_ok (key, sig, di));
  }
}

static void
test_fault_truncate (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GBytes) der = pki_file ("kawaguchi-76", "auth.der");
  g_autoptr(GByteArray) all = NULL;
  g_autoptr(GByteArray) ca = NULL;

  g_assert_true (mdg_sim_card_set_fault (card, "truncate-cert", "000A", NULL));
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  all = read_physical (card);
  g_assert_cmpuint (all->len, <, g_bytes_get_size (der));
  g_assert_cmpuint (all->len, >, 4);
  /* Other certificate EFs are intact. */
  g_assert_cmphex (select_ef (card, 0x000B), ==, 0x9000);
  ca = read_physical (card);
  g_assert_cmpuint (ca->len, >, g_bytes_get_size (der) / 2);
  g_assert_true (mdg_sim_card_set_fault (card, "none", NULL, NULL));
  g_assert_cmphex (select_ef (card, 0x000A), ==, 0x9000);
  g_clear_pointer (&all, g_byte_array_unref);
  all = read_physical (card);
  g_assert_cmpuint (all->len, >, g_bytes_get_size (der));
}

static void
test_fault_tries (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *desc = NULL;

  g_assert_true (mdg_sim_card_set_fault (card, "tries", "sign:1", NULL));
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (empty_verify (card, 0x001B), ==, 0x63C1);
  g_assert_false (mdg_sim_card_set_fault (card, "tries", "sign:9", &error));
  g_clear_error (&error);
  g_assert_false (mdg_sim_card_set_fault (card, "no-such-fault", NULL, &error));
  g_assert_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_UNKNOWN);
  desc = mdg_sim_card_describe_tries (card);
  g_assert_nonnull (strstr (desc, "auth=3 sign=1 text=3"));
}

static void
test_personas_tries (void)
{
  g_autoptr(MdgSimCard) one = new_card ("sign-one-try-left", NULL);
  g_autoptr(MdgSimCard) blocked = new_card ("auth-blocked", NULL);

  g_assert_cmphex (tx (one, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (empty_verify (one, 0x001B), ==, 0x63C1);
  g_assert_cmphex (verify (one, 0x001B, "WRONG1"), ==, 0x63C0);
  g_assert_cmphex (verify (one, 0x001B, "ONETRY52"), ==, 0x6984);

  g_assert_cmphex (tx (blocked, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (empty_verify (blocked, 0x0018), ==, 0x63C0);
  g_assert_cmphex (verify (blocked, 0x0018, "6363"), ==, 0x6984);
  g_assert_cmphex (verify (blocked, 0x001B, "BLOCKED63"), ==, 0x9000);
}

static void
test_minor (void)
{
  g_autoptr(MdgSimCard) card = new_card ("minor-14", NULL);
  g_autoptr(GByteArray) data = NULL;

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0008), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000003", &data), ==, 0x9000);
  g_assert_cmpmem (data->data, data->len, "\x00\x8F\x00", 3);
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x6A82);
  g_assert_cmphex (select_ef (card, 0x001A), ==, 0x6A82);
  g_assert_cmphex (select_ef (card, 0x001B), ==, 0x6A82);
  g_assert_cmphex (tx (card, "0020009B", NULL), ==, 0x6A88);
  g_assert_cmphex (verify (card, 0x0018, "1414"), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0017), ==, 0x9000);
  g_assert_cmphex (sign (card, "ok", NULL, NULL), ==, 0x9000);
}

static void
test_token_info (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GByteArray) data = NULL;

  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0006), ==, 0x9000);
  data = read_physical (card);
  g_assert_cmpuint (data->len, ==, 160);
  g_assert_cmpmem (data->data, 32, "JPKIAPICCTOKEN2                 ", 32);
  g_assert_cmpmem (data->data + 96, 4, "\x00\x00\x04\x0D", 4);
}

/* A minimal BER reader for the test: tag (1–2 bytes), definite length. */
static gboolean
ber_next (const guint8 *p,
          gsize len,
          guint *tag,
          gsize *header,
          gsize *value_len)
{
  gsize i = 0;

  if (len < 2)
    return FALSE;
  *tag = p[i++];
  if ((*tag & 0x1f) == 0x1f)
    *tag = *tag << 8 | p[i++];
  if (i >= len)
    return FALSE;
  if (p[i] < 0x80)
    *value_len = p[i++];
  else if (p[i] == 0x81 && i + 1 < len)
    {
      *value_len = p[i + 1];
      i += 2;
    }
  else if (p[i] == 0x82 && i + 2 < len)
    {
      *value_len = p[i + 1] << 8 | p[i + 2];
      i += 3;
    }
  else
    return FALSE;
  *header = i;
  return i + *value_len <= len;
}

static char *
resolved_field (const char *id,
                const char *field)
{
  g_autofree char *path = g_build_filename (SIM_PKI_DIR, id, "persona.json", NULL);
  g_autoptr(MdgSimPersona) p = mdg_sim_persona_load (path, NULL, NULL);

  g_assert_nonnull (p);
  if (strcmp (field, "name") == 0)
    return g_strdup (p->name);
  if (strcmp (field, "address") == 0)
    return g_strdup (p->text_address);
  if (strcmp (field, "birth") == 0)
    return g_strdup (p->birth_date);
  return g_strdup (p->sex);
}

static void
check_text_ap (const char *id,
               const char *text_pin,
               const char *my_number)
{
  g_autoptr(MdgSimCard) card = new_card (id, NULL);
  g_autoptr(GByteArray) number = NULL;
  g_autoptr(GByteArray) attrs = NULL;
  g_autoptr(GByteArray) record = NULL;
  const char *fields[] = { "name", "address", "birth", "sex" };
  guint tag;
  gsize hdr, vlen, pos, end, after_df21;
  guint8 digest[32], signed_digests[64];
  gsize dlen = 32;
  GChecksum *c;

  g_assert_cmphex (tx (card, SEL_TEXT, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000011", NULL), ==, 0x6982);
  g_assert_cmphex (empty_verify (card, 0x0011), ==, 0x63C3);
  g_assert_cmphex (verify (card, 0x0011, text_pin), ==, 0x9000);

  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  number = read_physical (card);
  g_assert_cmpuint (number->len, ==, 17);
  g_assert_cmpmem (number->data, 3, "\xFF\x10\x0C", 3);
  g_assert_cmpmem (number->data + 3, 12, my_number, 12);
  g_assert_cmpmem (number->data + 15, 2, "\xFF\xFF", 2);

  g_assert_cmphex (select_ef (card, 0x0002), ==, 0x9000);
  attrs = read_physical (card);
  g_assert_true (ber_next (attrs->data, attrs->len, &tag, &hdr, &vlen));
  g_assert_cmphex (tag, ==, 0xFF20);
  end = hdr + vlen;
  for (gsize i = end; i < attrs->len; i++)
    g_assert_cmphex (attrs->data[i], ==, 0xFF);
  pos = hdr;
  g_assert_true (ber_next (attrs->data + pos, end - pos, &tag, &hdr, &vlen));
  g_assert_cmphex (tag, ==, 0xDF21);
  g_assert_cmpuint (vlen, ==, 8);
  {
    const guint8 *offsets = attrs->data + pos + hdr;
    pos += hdr + vlen;
    after_df21 = pos;
    for (guint i = 0; i < 4; i++)
      {
        g_autofree char *want = resolved_field (id, fields[i]);
        /* DF21 holds the file offset of each tag. */
        g_assert_cmpuint (offsets[2 * i] << 8 | offsets[2 * i + 1], ==, pos);
        g_assert_true (ber_next (attrs->data + pos, end - pos, &tag, &hdr, &vlen));
        g_assert_cmphex (tag, ==, 0xDF22 + i);
        g_assert_cmpmem (attrs->data + pos + hdr, vlen, want, strlen (want));
        pos += hdr + vlen;
      }
    g_assert_cmpuint (pos, ==, end);
  }

  /* FF30 is consistent with 0001 and 0002 and signed by the AP key. */
  g_assert_cmphex (select_ef (card, 0x0003), ==, 0x9000);
  record = read_physical (card);
  g_assert_true (ber_next (record->data, record->len, &tag, &hdr, &vlen));
  g_assert_cmphex (tag, ==, 0xFF30);
  pos = hdr;
  g_assert_true (ber_next (record->data + pos, record->len - pos, &tag, &hdr, &vlen));
  g_assert_cmphex (tag, ==, 0xDF31);
  memcpy (signed_digests, record->data + pos + hdr, 32);
  c = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (c, number->data, number->len);
  g_checksum_get_digest (c, digest, &dlen);
  g_checksum_free (c);
  g_assert_cmpmem (record->data + pos + hdr, vlen, digest, 32);
  pos += hdr + vlen;
  g_assert_true (ber_next (record->data + pos, record->len - pos, &tag, &hdr, &vlen));
  g_assert_cmphex (tag, ==, 0xDF32);
  memcpy (signed_digests + 32, record->data + pos + hdr, 32);
  c = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (c, attrs->data + after_df21, end - after_df21);
  dlen = 32;
  g_checksum_get_digest (c, digest, &dlen);
  g_checksum_free (c);
  g_assert_cmpmem (record->data + pos + hdr, vlen, digest, 32);
  pos += hdr + vlen;
  g_assert_true (ber_next (record->data + pos, record->len - pos, &tag, &hdr, &vlen));
  g_assert_cmphex (tag, ==, 0xDF33);
  {
    g_autofree char *path = g_build_filename (SIM_PKI_DIR, "text-ap.key.pem", NULL);
    FILE *f = fopen (path, "r");
    EVP_PKEY *key = PEM_read_PrivateKey (f, NULL, NULL, NULL);
    EVP_MD_CTX *md = EVP_MD_CTX_new ();

    fclose (f);
    g_assert_nonnull (key);
    g_assert_cmpint (EVP_DigestVerifyInit_ex (md, NULL, "SHA256", NULL, NULL, key, NULL), ==, 1);
    g_assert_cmpint (EVP_DigestVerify (md, record->data + pos + hdr, vlen, signed_digests, 64), ==, 1);
    EVP_MD_CTX_free (md);
    EVP_PKEY_free (key);
  }
}

static void
test_text_ap (void)
{
  check_text_ap ("kawaguchi-76", TEXT_PIN, MY_NUMBER);
  g_assert_true (mdg_sim_my_number_is_valid (MY_NUMBER));
}

static void
test_text_ap_gaiji (void)
{
  g_autofree char *name = resolved_field ("gaiji", "name");

  g_assert_nonnull (strstr (name, "\xF0\xA0\xAE\xB7"));  /* U+20BB7 */
  check_text_ap ("gaiji", "8181", "135792468015");
}

static void
test_text_ap_lookup_numbers (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autofree char *birth = resolved_field ("kawaguchi-76", "birth");
  g_autofree char *era = mdg_sim_birth_date_with_era (birth);
  static const guint base[] = { 0, 1867, 1911, 1925, 1988, 2018 };
  guint year = g_ascii_strtoull (birth, NULL, 10) / 10000;
  g_autofree char *lookup_b = g_strdup_printf ("%02u%.4s2035%.4s", year - base[era[0] - '0'],
                                               birth + 4, &MY_NUMBER[8]);

  /* 照合番号A (the My Number) opens 0001, not 0002. */
  g_assert_cmphex (tx (card, SEL_TEXT, NULL), ==, 0x9000);
  g_assert_cmphex (verify (card, 0x0014, MY_NUMBER), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000011", NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0002), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6982);
  g_assert_cmphex (select_ef (card, 0x0003), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x9000);
  /* 照合番号B opens 0002, not 0001. */
  mdg_sim_card_power (card, TRUE);
  g_assert_cmphex (tx (card, SEL_TEXT, NULL), ==, 0x9000);
  g_assert_cmpuint (strlen (lookup_b), ==, 14);
  g_assert_cmphex (verify (card, 0x0015, lookup_b), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0002), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0001), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6982);
  /* 0012 is blocked from issuance; free EFs need nothing. */
  g_assert_cmphex (empty_verify (card, 0x0012), ==, 0x63C0);
  g_assert_cmphex (verify (card, 0x0012, "0000"), ==, 0x6984);
  g_assert_cmphex (select_ef (card, 0x0004), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000002", NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0005), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000002", NULL), ==, 0x9000);
  /* Text PIN lockout: 3 tries. */
  g_assert_cmphex (verify (card, 0x0011, "0000"), ==, 0x63C2);
  g_assert_cmphex (verify (card, 0x0011, "0000"), ==, 0x63C1);
  g_assert_cmphex (verify (card, 0x0011, "0000"), ==, 0x63C0);
  g_assert_cmphex (verify (card, 0x0011, TEXT_PIN), ==, 0x6984);
}

static void
test_other_aps (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GByteArray) record = NULL;

  g_assert_cmphex (tx (card, SEL_VISUAL, NULL), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0002), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x6982);
  g_assert_cmphex (verify (card, 0x0013, MY_NUMBER), ==, 0x9000);
  g_assert_cmphex (select_ef (card, 0x0002), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B0000004", NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, SEL_JUKI, NULL), ==, 0x9000);
  g_assert_cmphex (empty_verify (card, 0x001C), ==, 0x63C3);
  g_assert_cmphex (tx (card, SEL_COMMON, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "00B2010C00", &record), ==, 0x9000);
  g_assert_cmpuint (record->len, >, 0);
}

static void
test_atr (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  g_autoptr(GBytes) atr = mdg_sim_card_get_atr (card);
  g_autoptr(GError) error = NULL;
  const guint8 *a;
  gsize len;
  guint8 x = 0;

  g_assert_cmpmem (g_bytes_get_data (atr, NULL), g_bytes_get_size (atr),
                   "\x3B\xE0\x00\xFF\x81\x31\xFE\x45\x14", 9);
  g_assert_true (mdg_sim_card_set_atr (card, "contactless", NULL));
  g_clear_pointer (&atr, g_bytes_unref);
  atr = mdg_sim_card_get_atr (card);
  g_assert_cmpmem (g_bytes_get_data (atr, NULL), 4, "\x3B\x88\x80\x01", 4);
  g_assert_true (mdg_sim_card_set_atr (card, "contactless-pupi", NULL));
  g_clear_pointer (&atr, g_bytes_unref);
  atr = mdg_sim_card_get_atr (card);
  a = g_bytes_get_data (atr, &len);
  g_assert_cmpuint (len, ==, 13);
  g_assert_cmpmem (a, 4, "\x3B\x88\x80\x01", 4);
  for (gsize i = 1; i < len; i++)
    x ^= a[i];
  g_assert_cmphex (x, ==, 0);  /* TCK */
  g_assert_true (mdg_sim_card_set_atr (card, "3B 8F 80 01", NULL));
  g_assert_false (mdg_sim_card_set_atr (card, "nonsense", &error));
  g_assert_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_UNKNOWN);
  /* AID-based detection does not care. */
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
}

static void
test_apdu_count (void)
{
  g_autoptr(MdgSimCard) card = new_card ("kawaguchi-76", NULL);
  const MdgMemoryCardFuncs *funcs = mdg_sim_card_get_memory_funcs ();
  guint8 cmd[] = { 0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 };
  guint8 resp[258];
  gsize resp_len = sizeof resp;
  g_autoptr(GBytes) atr = NULL;

  g_assert_cmpuint (mdg_sim_card_get_apdu_count (card), ==, 0);
  g_assert_cmphex (tx (card, SEL_JPKI, NULL), ==, 0x9000);
  g_assert_cmphex (tx (card, "00FF0000", NULL), ==, 0x6D00);
  g_assert_cmpuint (mdg_sim_card_get_apdu_count (card), ==, 2);
  g_assert_cmpint (funcs->process (card, cmd, sizeof cmd, resp, &resp_len), ==, MDG_MEMORY_CARD_REPLY);
  g_assert_cmpuint (resp_len, ==, 2);
  funcs->power (card, TRUE);
  atr = funcs->get_atr (card);
  g_assert_nonnull (atr);
  g_assert_cmpuint (mdg_sim_card_get_apdu_count (card), ==, 3);
  mdg_sim_card_reset_apdu_count (card);
  g_assert_cmpuint (mdg_sim_card_get_apdu_count (card), ==, 0);
}

static void
test_persona_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mdg-sim-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.json", NULL);
  g_autoptr(MdgSimCard) card = NULL;
  g_autoptr(MdgSimPersona) p = NULL;

  g_assert_false (mdg_sim_my_number_is_valid ("123456789019"));
  g_assert_false (mdg_sim_my_number_is_valid ("12345678901"));
  g_assert_true (mdg_sim_my_number_is_valid ("112233445560"));

  g_assert_true (g_file_set_contents (bad, "{\"id\": \"x\", \"name\": 3}", -1, NULL));
  p = mdg_sim_persona_load (bad, NULL, &error);
  g_assert_null (p);
  g_assert_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PERSONA);
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (bad, "not json", -1, NULL));
  g_assert_null (mdg_sim_persona_load (bad, NULL, &error));
  g_assert_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PERSONA);
  g_clear_error (&error);

  card = mdg_sim_card_new ("no-such-persona", SIM_PKI_DIR, NULL, &error);
  g_assert_null (card);
  g_assert_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI);
  g_unlink (bad);
  g_rmdir (dir);
}

static void
test_persona_relative_birth (void)
{
  g_autofree char *path = g_build_filename (SIM_PERSONAS_DIR, "nagaoka-74.json", NULL);
  g_autoptr(MdgSimPersona) p = NULL;
  GDate today;

  /* Resolved against a fixed day: 74 now, 75 on the 10th of next month. */
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 23, G_DATE_NOVEMBER, 2026);
  p = mdg_sim_persona_load (path, &today, NULL);
  g_assert_nonnull (p);
  g_assert_cmpstr (p->birth_date, ==, "19511210");
  g_assert_cmpint (p->age, ==, 74);
  g_clear_pointer (&p, mdg_sim_persona_free);
  g_date_set_dmy (&today, 15, G_DATE_DECEMBER, 2026);
  p = mdg_sim_persona_load (path, &today, NULL);
  g_assert_cmpstr (p->birth_date, ==, "19520110");
  {
    g_autofree char *era = mdg_sim_birth_date_with_era ("19520110");
    g_assert_cmpstr (era, ==, "319520110");
  }
  {
    g_autofree char *era = mdg_sim_birth_date_with_era ("20190501");
    g_assert_cmpstr (era, ==, "520190501");
  }
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim/select", test_select);
  g_test_add_func ("/sim/access/jpki", test_access_jpki);
  g_test_add_func ("/sim/read-binary", test_read_binary);
  g_test_add_func ("/sim/verify/empty", test_verify_empty);
  g_test_add_func ("/sim/verify/lockout-auth", test_verify_lockout_auth);
  g_test_add_func ("/sim/verify/lockout-sign", test_verify_lockout_sign);
  g_test_add_func ("/sim/verify/reset-on-success", test_verify_reset_on_success);
  g_test_add_func ("/sim/verify/persistence", test_verify_persistence);
  g_test_add_func ("/sim/change-pin", test_change_pin);
  g_test_add_func ("/sim/sign", test_sign);
  g_test_add_func ("/sim/security-cleared", test_security_cleared);
  g_test_add_func ("/sim/quirk/empty-verify-9000", test_quirk_empty_verify);
  g_test_add_func ("/sim/quirk/warm-reset-clears", test_quirk_warm_reset);
  g_test_add_func ("/sim/quirk/reselect-clears", test_quirk_reselect);
  g_test_add_func ("/sim/quirk/mf-select", test_quirk_mf_select);
  g_test_add_func ("/sim/quirk/eof-6282", test_quirk_eof);
  g_test_add_func ("/sim/quirk/sfi", test_quirk_sfi);
  g_test_add_func ("/sim/quirk/extended-length", test_quirk_extended);
  g_test_add_func ("/sim/quirk/wrong-le-6cxx", test_quirk_wrong_le);
  g_test_add_func ("/sim/quirk/unknown", test_quirk_unknown);
  g_test_add_func ("/sim/fault/pull-read", test_fault_pull_read);
  g_test_add_func ("/sim/fault/pull-sign", test_fault_pull_sign);
  g_test_add_func ("/sim/fault/first-6f00", test_fault_first_6f00);
  g_test_add_func ("/sim/fault/slow-sign", test_fault_slow_sign);
  g_test_add_func ("/sim/fault/corrupt", test_fault_corrupt);
  g_test_add_func ("/sim/fault/truncate-cert", test_fault_truncate);
  g_test_add_func ("/sim/fault/tries", test_fault_tries);
  g_test_add_func ("/sim/persona/tries", test_personas_tries);
  g_test_add_func ("/sim/persona/minor", test_minor);
  g_test_add_func ("/sim/persona/errors", test_persona_errors);
  g_test_add_func ("/sim/persona/relative-birth", test_persona_relative_birth);
  g_test_add_func ("/sim/token-info", test_token_info);
  g_test_add_func ("/sim/text-ap", test_text_ap);
  g_test_add_func ("/sim/text-ap/gaiji", test_text_ap_gaiji);
  g_test_add_func ("/sim/text-ap/lookup-numbers", test_text_ap_lookup_numbers);
  g_test_add_func ("/sim/other-aps", test_other_aps);
  g_test_add_func ("/sim/atr", test_atr);
  g_test_add_func ("/sim/apdu-count", test_apdu_count);

  return g_test_run ();
}
