/* mdg-sim-card.c: the simulated My Number card (jpki-card.md §1–§5, §11)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "mdg-sim-card.h"
#include "mdg-sim-persona.h"
#include "mdg-sim-pki.h"
#include "mdg-sim-state.h"

G_DEFINE_QUARK (mdg-sim-error-quark, mdg_sim_error)

typedef enum
{
  AP_NONE,
  AP_JPKI,
  AP_TEXT,
  AP_VISUAL,
  AP_JUKI,
  AP_COMMON,
  AP_ISD,
} Ap;

static const struct
{
  Ap ap;
  guint8 len;
  guint8 aid[10];
} aids[] = {
  { AP_JPKI,   10, { 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01 } },
  { AP_TEXT,   10, { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08 } },
  { AP_VISUAL, 10, { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02 } },
  { AP_JUKI,   10, { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01 } },
  { AP_COMMON, 10, { 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00 } },
  { AP_ISD,     7, { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00 } },
};

/* PINs and other reference data. The state file uses the names. */
typedef enum
{
  PIN_AUTH,
  PIN_SIGN,
  PIN_TEXT,
  PIN_TEXT_A,
  PIN_TEXT_B,
  PIN_TEXT_BLOCKED,
  PIN_VISUAL_A,
  PIN_VISUAL_B,
  PIN_JUKI,
  N_PINS
} PinId;

static const struct
{
  const char *name;
  Ap ap;
  guint16 fid;
  gint max;
} pin_info[N_PINS] = {
  [PIN_AUTH]         = { "auth",     AP_JPKI,   0x0018, 3 },
  [PIN_SIGN]         = { "sign",     AP_JPKI,   0x001B, 5 },
  [PIN_TEXT]         = { "text",     AP_TEXT,   0x0011, 3 },
  [PIN_TEXT_A]       = { "text-a",   AP_TEXT,   0x0014, 10 },
  [PIN_TEXT_B]       = { "text-b",   AP_TEXT,   0x0015, 10 },
  [PIN_TEXT_BLOCKED] = { "text-0012", AP_TEXT,  0x0012, 0 },
  [PIN_VISUAL_A]     = { "visual-a", AP_VISUAL, 0x0013, 10 },
  [PIN_VISUAL_B]     = { "visual-b", AP_VISUAL, 0x0012, 10 },
  [PIN_JUKI]         = { "juki",     AP_JUKI,   0x001C, 3 },
};

typedef enum
{
  EF_DATA,
  EF_PIN,
  EF_KEY,
} EfKind;

typedef enum
{
  ACC_FREE,
  ACC_SIGN,        /* JPKI 0001: after VERIFY 001B */
  ACC_TEXT_NUMBER, /* text 0001: PIN 0011 or 照合番号A */
  ACC_TEXT_ATTRS,  /* text 0002: PIN 0011 or 照合番号B */
  ACC_TEXT_ANY,    /* PIN 0011 or either 照合番号 */
  ACC_VISUAL,      /* 券面 0013 or 0012 */
  ACC_NEVER,
} Access;

typedef struct
{
  Ap ap;
  guint16 fid;
  EfKind kind;
  Access access;
  GBytes *data;      /* physical content, filler included */
  gsize der_len;     /* certificate EFs: length of the DER */
  gboolean is_cert;
  PinId pin;         /* EF_PIN: itself; EF_KEY: the PIN it needs */
  EVP_PKEY *key;     /* EF_KEY, borrowed from the material */
} SimEf;

typedef enum
{
  QUIRK_EMPTY_VERIFY_9000,
  QUIRK_WARM_RESET_CLEARS,
  QUIRK_RESELECT_CLEARS,
  QUIRK_MF_SELECT,
  QUIRK_EOF_6282,
  QUIRK_SFI_VERIFY,
  QUIRK_SFI_SIGN,
  QUIRK_SFI_READ,
  QUIRK_EXTENDED_LENGTH,
  QUIRK_WRONG_LE_6CXX,
  N_QUIRKS
} Quirk;

static const struct
{
  const char *name;
  gboolean default_on;
} quirk_info[N_QUIRKS] = {
  [QUIRK_EMPTY_VERIFY_9000] = { "empty-verify-9000", FALSE },
  [QUIRK_WARM_RESET_CLEARS] = { "warm-reset-clears", FALSE },
  [QUIRK_RESELECT_CLEARS]   = { "reselect-clears", FALSE },
  [QUIRK_MF_SELECT]         = { "mf-select", TRUE },
  [QUIRK_EOF_6282]          = { "eof-6282", FALSE },
  [QUIRK_SFI_VERIFY]        = { "sfi-verify", TRUE },
  [QUIRK_SFI_SIGN]          = { "sfi-sign", TRUE },
  [QUIRK_SFI_READ]          = { "sfi-read", TRUE },
  [QUIRK_EXTENDED_LENGTH]   = { "extended-length", TRUE },
  [QUIRK_WRONG_LE_6CXX]     = { "wrong-le-6cxx", FALSE },
};

struct _MdgSimCard
{
  GObject parent_instance;

  GMutex lock;
  MdgSimPersona *persona;
  MdgSimPkiMaterial *pki;
  char *state_path;
  MdgSimStatePin pins[N_PINS];
  gboolean verified[N_PINS];
  GPtrArray *efs;            /* SimEf */
  GBytes *atr;

  gboolean powered;
  Ap current_ap;
  Ap status_ap;              /* the AP the security status belongs to */
  SimEf *current_ef;
  gboolean fresh_power;      /* next APDU is the first after power-up */

  gboolean quirks[N_QUIRKS];

  /* Faults */
  gint pull_read_after;      /* -1 off; reads left before the pull */
  gboolean pull_after_verify;
  gboolean pull_pending;
  gboolean pull_sign;
  gboolean first_6f00;
  guint slow_sign_ms;
  guint corrupt_responses;
  guint corrupt_signatures;
  gint truncate_fid;         /* -1 off, 0 every certificate EF */

  guint apdu_count;
};

G_DEFINE_FINAL_TYPE (MdgSimCard, mdg_sim_card, G_TYPE_OBJECT)

/* ATRs of jpki-card.md §7. */
static const struct
{
  const char *name;
  const char *hex;
} atrs[] = {
  { "contact",          "3BE000FF8131FE4514" },
  { "contact-c0",       "3BDA13FF8131FB468012392F31C173C601C03B" },
  { "contact-00",       "3BC5FF8131FB458073C6010000" },
  { "contact-d1d6",     "3BF59100FF918171FE400042000100D1D6" },
  { "contact-a115",     "3BF59100FF918171FE4000420001B3A115" },
  { "contactless",      "3B888001000005E0B381A1007F" },
  { "contactless-4b51", "3B888001004B51FF0081D100BC" },
  { "contactless-pupi", NULL },
};

static void
sim_ef_free (gpointer data)
{
  SimEf *ef = data;

  g_bytes_unref (ef->data);
  g_free (ef);
}

static void
wipe_string (char **s)
{
  if (*s != NULL)
    OPENSSL_cleanse (*s, strlen (*s));
  g_clear_pointer (s, g_free);
}

static void
mdg_sim_card_finalize (GObject *object)
{
  MdgSimCard *self = MDG_SIM_CARD (object);

  for (guint i = 0; i < N_PINS; i++)
    wipe_string (&self->pins[i].value);
  g_clear_pointer (&self->efs, g_ptr_array_unref);
  g_clear_pointer (&self->pki, mdg_sim_pki_material_free);
  if (self->persona != NULL)
    {
      wipe_string (&self->persona->pin_auth);
      wipe_string (&self->persona->pin_sign);
      wipe_string (&self->persona->pin_text);
    }
  g_clear_pointer (&self->persona, mdg_sim_persona_free);
  g_clear_pointer (&self->atr, g_bytes_unref);
  g_free (self->state_path);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (mdg_sim_card_parent_class)->finalize (object);
}

static void
mdg_sim_card_class_init (MdgSimCardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mdg_sim_card_finalize;
}

static void
mdg_sim_card_init (MdgSimCard *self)
{
  g_mutex_init (&self->lock);
  self->efs = g_ptr_array_new_with_free_func (sim_ef_free);
  for (guint i = 0; i < N_QUIRKS; i++)
    self->quirks[i] = quirk_info[i].default_on;
  self->pull_read_after = -1;
  self->truncate_fid = -1;
}

/* ---- building the file system ------------------------------------------ */

static void
append_len (GByteArray *out,
            gsize len)
{
  guint8 b[3];

  if (len < 0x80)
    {
      b[0] = len;
      g_byte_array_append (out, b, 1);
    }
  else if (len < 0x100)
    {
      b[0] = 0x81;
      b[1] = len;
      g_byte_array_append (out, b, 2);
    }
  else
    {
      b[0] = 0x82;
      b[1] = len >> 8;
      b[2] = len & 0xff;
      g_byte_array_append (out, b, 3);
    }
}

/* Appends a TLV; @tag is one or two bytes. */
static void
append_tlv (GByteArray *out,
            guint16 tag,
            const guint8 *value,
            gsize len)
{
  guint8 t[2] = { tag >> 8, tag & 0xff };

  if (tag > 0xff)
    g_byte_array_append (out, t, 2);
  else
    g_byte_array_append (out, t + 1, 1);
  append_len (out, len);
  /* NULL @value: header only, the caller appends the value. */
  if (len > 0 && value != NULL)
    g_byte_array_append (out, value, len);
}

static GBytes *
pad_ff (GByteArray *content,
        gsize physical)
{
  gsize len = content->len;

  if (physical > len)
    {
      g_byte_array_set_size (content, physical);
      memset (content->data + len, 0xff, physical - len);
    }
  return g_byte_array_free_to_bytes (content);
}

static SimEf *
add_ef (MdgSimCard *self,
        Ap ap,
        guint16 fid,
        EfKind kind,
        Access access,
        GBytes *data)
{
  SimEf *ef = g_new0 (SimEf, 1);

  ef->ap = ap;
  ef->fid = fid;
  ef->kind = kind;
  ef->access = access;
  ef->data = data != NULL ? data : g_bytes_new (NULL, 0);
  g_ptr_array_add (self->efs, ef);
  return ef;
}

static void
add_cert_ef (MdgSimCard *self,
             guint16 fid,
             Access access,
             GBytes *der)
{
  GByteArray *content = g_byte_array_new ();
  gsize len = g_bytes_get_size (der);
  SimEf *ef;

  g_byte_array_append (content, g_bytes_get_data (der, NULL), len);
  /* Physically larger than the certificate, FF filler (pyjpki, myna-card). */
  ef = add_ef (self, AP_JPKI, fid, EF_DATA, access, pad_ff (content, (len / 256 + 2) * 256));
  ef->der_len = len;
  ef->is_cert = TRUE;
}

static void
add_pin_ef (MdgSimCard *self,
            PinId pin)
{
  SimEf *ef = add_ef (self, pin_info[pin].ap, pin_info[pin].fid, EF_PIN, ACC_NEVER, NULL);

  ef->pin = pin;
}

static void
add_key_ef (MdgSimCard *self,
            guint16 fid,
            PinId pin,
            EVP_PKEY *key)
{
  SimEf *ef = add_ef (self, AP_JPKI, fid, EF_KEY, ACC_NEVER, NULL);

  ef->pin = pin;
  ef->key = key;
}

static GBytes *
random_bytes (gsize len)
{
  guint8 *buf = g_malloc (len);

  RAND_bytes (buf, len);
  return g_bytes_new_take (buf, len);
}

static void
put_padded (guint8 *dst,
            const char *s,
            gsize width)
{
  gsize len = MIN (strlen (s), width);

  memset (dst, ' ', width);
  memcpy (dst, s, len);
}

static void
put_be32 (guint8 *dst,
          guint32 v)
{
  dst[0] = v >> 24;
  dst[1] = v >> 16;
  dst[2] = v >> 8;
  dst[3] = v;
}

/* A serialised CK_TOKEN_INFO, 32-bit big endian, 160 bytes. */
static GBytes *
make_token_info (const char *label)
{
  guint8 *b = g_malloc0 (160);
  const guint32 counters[10] = { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                                 16, 6, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff };

  put_padded (b, label, 32);
  put_padded (b + 32, "J-LIS TEST", 32);
  put_padded (b + 64, "E16R01NJ", 16);
  put_padded (b + 80, "0000000000000000", 16);
  put_be32 (b + 96, 0x040D);
  for (guint i = 0; i < 10; i++)
    put_be32 (b + 100 + 4 * i, counters[i]);
  b[140] = 1;  /* hardware and firmware version 1.0 */
  b[142] = 1;
  memset (b + 144, ' ', 16);
  return g_bytes_new_take (b, 160);
}

static gboolean
rsa_sign_raw (EVP_PKEY *key,
              const guint8 *input,
              gsize input_len,
              guint8 *sig,
              gsize *sig_len)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey (NULL, key, NULL);
  gboolean ok;

  /* No digest set: the input is padded as-is (PKCS#1 v1.5 type 1). */
  ok = ctx != NULL
       && EVP_PKEY_sign_init (ctx) > 0
       && EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_PADDING) > 0
       && EVP_PKEY_sign (ctx, sig, sig_len, input, input_len) > 0;
  EVP_PKEY_CTX_free (ctx);
  return ok;
}

static gboolean
rsa_sign_sha256 (EVP_PKEY *key,
                 const guint8 *data,
                 gsize len,
                 guint8 *sig,
                 gsize *sig_len)
{
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  gboolean ok;

  ok = md != NULL
       && EVP_DigestSignInit_ex (md, NULL, "SHA256", NULL, NULL, key, NULL) > 0
       && EVP_DigestSign (md, sig, sig_len, data, len) > 0;
  EVP_MD_CTX_free (md);
  return ok;
}

static void
sha256 (const guint8 *data,
        gsize len,
        guint8 out[32])
{
  gsize out_len = 32;
  GChecksum *c = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (c, data, len);
  g_checksum_get_digest (c, out, &out_len);
  g_checksum_free (c);
}

/* 照合番号B: era year (2 digits) + MMDD of birth + card expiry year +
 * a 4-digit security code (here: the last four digits of the My Number). */
static char *
make_lookup_b (const MdgSimPersona *p)
{
  guint year = g_ascii_strtoull (p->birth_date, NULL, 10) / 10000;
  g_autofree char *era = mdg_sim_birth_date_with_era (p->birth_date);
  static const guint base[] = { 0, 1867, 1911, 1925, 1988, 2018 };

  return g_strdup_printf ("%02u%.4s2035%.4s", year - base[era[0] - '0'],
                          p->birth_date + 4, p->my_number + 8);
}

/* EF 0002 of the text AP: FF20 { DF21 offsets, DF22…DF25 } + filler. */
static GBytes *
make_text_attributes (const MdgSimPersona *p,
                      gsize *value_start,
                      gsize *value_end)
{
  GByteArray *parts[4];
  const char *values[4] = { p->name, p->text_address, p->birth_date, p->sex };
  g_autoptr(GByteArray) header = g_byte_array_new ();
  GByteArray *out = g_byte_array_new ();
  guint8 offsets[8];
  gsize inner = 11;
  gsize pos;

  for (guint i = 0; i < 4; i++)
    {
      parts[i] = g_byte_array_new ();
      append_tlv (parts[i], 0xDF22 + i, (const guint8 *) values[i], strlen (values[i]));
      inner += parts[i]->len;
    }
  append_tlv (header, 0xFF20, NULL, inner);
  pos = header->len + 11;
  *value_start = pos;
  for (guint i = 0; i < 4; i++)
    {
      offsets[2 * i] = pos >> 8;
      offsets[2 * i + 1] = pos & 0xff;
      pos += parts[i]->len;
    }
  *value_end = pos;
  g_byte_array_append (out, header->data, header->len);
  append_tlv (out, 0xDF21, offsets, sizeof offsets);
  for (guint i = 0; i < 4; i++)
    {
      g_byte_array_append (out, parts[i]->data, parts[i]->len);
      g_byte_array_unref (parts[i]);
    }
  return pad_ff (out, out->len + 64);
}

static gboolean
build_text_ap (MdgSimCard *self,
               GError **error)
{
  const MdgSimPersona *p = self->persona;
  GByteArray *number = g_byte_array_new ();
  g_autoptr(GBytes) number_bytes = NULL;
  g_autoptr(GBytes) attrs = NULL;
  GByteArray *record, *cv, *info;
  g_autoptr(GByteArray) inner = g_byte_array_new ();
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GByteArray) pubkey = g_byte_array_new ();
  g_autoptr(GByteArray) rsa = g_byte_array_new ();
  guint8 digests[64], sig[256], modulus[256];
  gsize sig_len = sizeof sig, start, end;
  BIGNUM *n = NULL;
  const guint8 ff[2] = { 0xff, 0xff };
  const guint8 e[3] = { 0x01, 0x00, 0x01 };

  append_tlv (number, 0xFF10, (const guint8 *) p->my_number, 12);
  g_byte_array_append (number, ff, 2);
  number_bytes = g_byte_array_free_to_bytes (number);
  attrs = make_text_attributes (p, &start, &end);

  /* FF30: hashes of EF0001 (physical) and EF0002 after DF21, signed by
   * the AP key over DF31 || DF32. */
  sha256 (g_bytes_get_data (number_bytes, NULL), g_bytes_get_size (number_bytes), digests);
  sha256 ((const guint8 *) g_bytes_get_data (attrs, NULL) + start, end - start, digests + 32);
  if (!rsa_sign_sha256 (self->pki->text_key, digests, 64, sig, &sig_len))
    {
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI, _("Cannot sign the text AP record"));
      return FALSE;
    }
  append_tlv (inner, 0xDF31, digests, 32);
  append_tlv (inner, 0xDF32, digests + 32, 32);
  append_tlv (inner, 0xDF33, sig, sig_len);
  record = g_byte_array_new ();
  append_tlv (record, 0xFF30, inner->data, inner->len);

  /* 0004: a CV-certificate-like container for the AP's public key. */
  if (!EVP_PKEY_get_bn_param (self->pki->text_key, OSSL_PKEY_PARAM_RSA_N, &n)
      || BN_bn2binpad (n, modulus, sizeof modulus) != sizeof modulus)
    {
      BN_free (n);
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI, _("The text AP key is not RSA-2048"));
      return FALSE;
    }
  BN_free (n);
  append_tlv (rsa, 0x81, modulus, sizeof modulus);
  append_tlv (rsa, 0x82, e, sizeof e);
  append_tlv (body, 0x42, (const guint8 *) "JPKITEST", 8);
  append_tlv (pubkey, 0x7F49, rsa->data, rsa->len);
  g_byte_array_append (body, pubkey->data, pubkey->len);
  append_tlv (body, 0x5F20, (const guint8 *) "TEXTAP01", 8);
  g_byte_array_set_size (inner, 0);
  append_tlv (inner, 0x7F4E, body->data, body->len);
  sig_len = sizeof sig;
  if (!rsa_sign_sha256 (self->pki->text_key, inner->data, inner->len, sig, &sig_len))
    {
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI, _("Cannot sign the text AP record"));
      return FALSE;
    }
  append_tlv (inner, 0x5F37, sig, sig_len);
  cv = g_byte_array_new ();
  append_tlv (cv, 0x7F21, inner->data, inner->len);

  info = g_byte_array_new ();
  g_byte_array_set_size (inner, 0);
  {
    g_autoptr(GBytes) r1 = random_bytes (16);
    g_autoptr(GBytes) r2 = random_bytes (128);
    const guint8 version[4] = { 0x00, 0x01, 0x00, 0x00 };
    append_tlv (inner, 0xDF41, version, 4);
    append_tlv (inner, 0xDF42, g_bytes_get_data (r1, NULL), 16);
    append_tlv (inner, 0xDF43, g_bytes_get_data (r2, NULL), 128);
  }
  append_tlv (info, 0xFF40, inner->data, inner->len);

  add_ef (self, AP_TEXT, 0x0001, EF_DATA, ACC_TEXT_NUMBER, g_steal_pointer (&number_bytes));
  add_ef (self, AP_TEXT, 0x0002, EF_DATA, ACC_TEXT_ATTRS, g_steal_pointer (&attrs));
  add_ef (self, AP_TEXT, 0x0003, EF_DATA, ACC_TEXT_ANY, pad_ff (record, 336));
  add_ef (self, AP_TEXT, 0x0004, EF_DATA, ACC_FREE, pad_ff (cv, 568));
  add_ef (self, AP_TEXT, 0x0005, EF_DATA, ACC_FREE, pad_ff (info, info->len + 16));
  add_ef (self, AP_TEXT, 0x0006, EF_DATA, ACC_TEXT_ANY, random_bytes (270));
  add_ef (self, AP_TEXT, 0x0007, EF_DATA, ACC_TEXT_ANY, random_bytes (270));
  add_pin_ef (self, PIN_TEXT);
  add_pin_ef (self, PIN_TEXT_BLOCKED);
  add_pin_ef (self, PIN_TEXT_A);
  add_pin_ef (self, PIN_TEXT_B);
  return TRUE;
}

static void
build_other_aps (MdgSimCard *self)
{
  const MdgSimPersona *p = self->persona;
  g_autoptr(GByteArray) inner = g_byte_array_new ();
  GByteArray *face = g_byte_array_new ();
  GByteArray *image = g_byte_array_new ();

  /* 券面事項確認AP: a minimal card face (no images). */
  append_tlv (inner, 0xDF22, (const guint8 *) p->birth_date, 8);
  append_tlv (inner, 0xDF23, (const guint8 *) p->sex, 1);
  append_tlv (inner, 0xDF29, (const guint8 *) "20350101", 8);
  append_tlv (face, 0xFF20, inner->data, inner->len);
  add_ef (self, AP_VISUAL, 0x0002, EF_DATA, ACC_VISUAL, pad_ff (face, face->len + 32));
  append_tlv (image, 0xFF40, (const guint8 *) p->my_number, 12);
  add_ef (self, AP_VISUAL, 0x0005, EF_DATA, ACC_VISUAL, pad_ff (image, image->len + 16));
  add_pin_ef (self, PIN_VISUAL_A);
  add_pin_ef (self, PIN_VISUAL_B);
  add_pin_ef (self, PIN_JUKI);
}

static void
build_jpki_ap (MdgSimCard *self)
{
  const MdgSimPersona *p = self->persona;
  guint8 *avail = g_malloc (3);

  avail[0] = p->has_sign_cert ? 0x8F : 0x00;
  avail[1] = 0x8F;
  avail[2] = 0x00;
  if (p->has_sign_cert)
    {
      add_cert_ef (self, 0x0001, ACC_SIGN, self->pki->sign_cert);
      add_key_ef (self, 0x001A, PIN_SIGN, self->pki->sign_key);
      add_pin_ef (self, PIN_SIGN);
    }
  add_cert_ef (self, 0x0002, ACC_FREE, self->pki->sign_ca);
  add_cert_ef (self, 0x000A, ACC_FREE, self->pki->auth_cert);
  add_cert_ef (self, 0x000B, ACC_FREE, self->pki->auth_ca);
  add_ef (self, AP_JPKI, 0x0006, EF_DATA, ACC_FREE, make_token_info (p->token_type));
  add_ef (self, AP_JPKI, 0x0008, EF_DATA, ACC_FREE, g_bytes_new_take (avail, 3));
  add_ef (self, AP_JPKI, 0x0009, EF_DATA, ACC_NEVER, random_bytes (32));
  add_ef (self, AP_JPKI, 0x0016, EF_DATA, ACC_NEVER, random_bytes (32));
  add_key_ef (self, 0x0017, PIN_AUTH, self->pki->auth_key);
  add_pin_ef (self, PIN_AUTH);
}

static void
set_pin (MdgSimCard *self,
         PinId pin,
         const char *value,
         gint tries)
{
  self->pins[pin].name = pin_info[pin].name;
  self->pins[pin].value = g_strdup (value);
  self->pins[pin].tries = tries;
}

static void
save_state (MdgSimCard *self)
{
  g_autoptr(GError) error = NULL;

  if (self->state_path == NULL)
    return;
  if (!mdg_sim_state_save (self->state_path, self->pins, N_PINS, &error))
    g_warning ("%s", error->message);
}

MdgSimCard *
mdg_sim_card_new (const char *persona_path,
                  const char *pki_dir,
                  const char *state_path,
                  GError **error)
{
  g_autoptr(MdgSimCard) self = g_object_new (MDG_TYPE_SIM_CARD, NULL);
  g_autofree char *id = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *lookup_b = NULL;
  const MdgSimPersona *p;

  g_return_val_if_fail (persona_path != NULL && pki_dir != NULL, NULL);

  /* The resolved persona in the PKI dir is authoritative: its birth date
   * is the one in the certificate. */
  if (g_file_test (persona_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(MdgSimPersona) source = mdg_sim_persona_load (persona_path, NULL, error);
      if (source == NULL)
        return NULL;
      id = g_strdup (source->id);
    }
  else if (strchr (persona_path, '/') == NULL && !g_str_has_suffix (persona_path, ".json"))
    id = g_strdup (persona_path);
  else
    {
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PERSONA,
                   _("Persona file %s not found"), persona_path);
      return NULL;
    }
  resolved = g_build_filename (pki_dir, id, "persona.json", NULL);
  if (!g_file_test (resolved, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PKI,
                   _("No test PKI for persona “%s” in %s (run `madoguchi-card-sim pki`)"),
                   id, pki_dir);
      return NULL;
    }
  self->persona = mdg_sim_persona_load (resolved, NULL, error);
  if (self->persona == NULL)
    return NULL;
  p = self->persona;
  self->pki = mdg_sim_pki_load (pki_dir, p->id, p->has_sign_cert, error);
  if (self->pki == NULL)
    return NULL;

  lookup_b = make_lookup_b (p);
  set_pin (self, PIN_AUTH, p->pin_auth, p->tries_auth);
  set_pin (self, PIN_SIGN, p->pin_sign, p->tries_sign);
  set_pin (self, PIN_TEXT, p->pin_text, p->tries_text);
  set_pin (self, PIN_TEXT_A, p->my_number, pin_info[PIN_TEXT_A].max);
  set_pin (self, PIN_TEXT_B, lookup_b, pin_info[PIN_TEXT_B].max);
  set_pin (self, PIN_TEXT_BLOCKED, "0000", 0);
  set_pin (self, PIN_VISUAL_A, p->my_number, pin_info[PIN_VISUAL_A].max);
  set_pin (self, PIN_VISUAL_B, lookup_b, pin_info[PIN_VISUAL_B].max);
  set_pin (self, PIN_JUKI, p->pin_text, pin_info[PIN_JUKI].max);
  OPENSSL_cleanse (lookup_b, strlen (lookup_b));

  if (state_path != NULL)
    {
      self->state_path = g_strdup (state_path);
      if (!mdg_sim_state_load (state_path, self->pins, N_PINS, error))
        return NULL;
    }

  build_jpki_ap (self);
  if (!build_text_ap (self, error))
    return NULL;
  build_other_aps (self);

  self->atr = g_bytes_new (NULL, 0);
  if (!mdg_sim_card_set_atr (self, "contact", error))
    return NULL;
  mdg_sim_card_power (self, TRUE);
  return g_steal_pointer (&self);
}

/* ---- power and security status ----------------------------------------- */

static void
clear_security (MdgSimCard *self)
{
  for (guint i = 0; i < N_PINS; i++)
    self->verified[i] = FALSE;
}

void
mdg_sim_card_power (MdgSimCard *self,
                    gboolean on)
{
  g_return_if_fail (MDG_IS_SIM_CARD (self));

  g_mutex_lock (&self->lock);
  clear_security (self);
  self->powered = on;
  self->current_ap = AP_NONE;
  self->status_ap = AP_NONE;
  self->current_ef = NULL;
  self->fresh_power = on;
  self->pull_pending = FALSE;
  g_mutex_unlock (&self->lock);
}

void
mdg_sim_card_warm_reset (MdgSimCard *self)
{
  g_return_if_fail (MDG_IS_SIM_CARD (self));

  g_mutex_lock (&self->lock);
  /* Real cards keep the security status over a warm reset (§4). */
  if (self->quirks[QUIRK_WARM_RESET_CLEARS] || !self->powered)
    {
      clear_security (self);
      self->status_ap = AP_NONE;
    }
  self->powered = TRUE;
  self->current_ap = AP_NONE;
  self->current_ef = NULL;
  g_mutex_unlock (&self->lock);
}

static guint8
atr_tck (const guint8 *atr,
         gsize len)
{
  guint8 x = 0;

  for (gsize i = 1; i < len; i++)
    x ^= atr[i];
  return x;
}

gboolean
mdg_sim_card_set_atr (MdgSimCard *self,
                      const char *name_or_hex,
                      GError **error)
{
  g_autofree char *hex = NULL;
  g_autoptr(GByteArray) atr = g_byte_array_new ();

  g_return_val_if_fail (MDG_IS_SIM_CARD (self), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (atrs); i++)
    if (g_ascii_strcasecmp (name_or_hex, atrs[i].name) == 0)
      {
        if (atrs[i].hex == NULL)
          {
            /* A reader that puts the random PUPI where the application
             * data belongs (OpenSC#3021): unmatchable by ATR. */
            guint8 b[13] = { 0x3B, 0x88, 0x80, 0x01, 0, 0, 0, 0, 0xB3, 0x81, 0xA1, 0x00, 0 };
            RAND_bytes (b + 4, 4);
            b[12] = atr_tck (b, 12);
            g_byte_array_append (atr, b, sizeof b);
          }
        else
          hex = g_strdup (atrs[i].hex);
        break;
      }
  if (atr->len == 0)
    {
      const char *s;

      if (hex == NULL)
        hex = g_strdup (name_or_hex);
      for (s = hex; *s; s++)
        {
          if (*s == ' ' || *s == ':')
            continue;
          if (!g_ascii_isxdigit (s[0]) || !g_ascii_isxdigit (s[1]))
            break;
          guint8 b = g_ascii_xdigit_value (s[0]) << 4 | g_ascii_xdigit_value (s[1]);
          g_byte_array_append (atr, &b, 1);
          s++;
        }
      if (*s != '\0' || atr->len < 2 || atr->len > 33 || (atr->data[0] != 0x3B && atr->data[0] != 0x3F))
        {
          g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_UNKNOWN,
                       _("Unknown ATR “%s” (a name such as contact, contactless, contactless-pupi, or hex)"),
                       name_or_hex);
          return FALSE;
        }
    }
  g_mutex_lock (&self->lock);
  g_bytes_unref (self->atr);
  self->atr = g_byte_array_free_to_bytes (g_steal_pointer (&atr));
  g_mutex_unlock (&self->lock);
  return TRUE;
}

GBytes *
mdg_sim_card_get_atr (MdgSimCard *self)
{
  GBytes *atr;

  g_return_val_if_fail (MDG_IS_SIM_CARD (self), NULL);
  g_mutex_lock (&self->lock);
  atr = g_bytes_ref (self->atr);
  g_mutex_unlock (&self->lock);
  return atr;
}

/* ---- APDU processing ---------------------------------------------------- */

typedef struct
{
  guint8 cla, ins, p1, p2;
  const guint8 *data;
  gsize lc;
  gsize le;          /* 0 = no Le field */
  gboolean extended;
} Apdu;

typedef struct
{
  GByteArray *data;
  guint16 sw;
  guint sleep_ms;
} Reply;

#define SW(r, s) ((r)->sw = (s), MDG_MEMORY_CARD_REPLY)

static gboolean
parse_apdu (const guint8 *c,
            gsize n,
            Apdu *a)
{
  memset (a, 0, sizeof *a);
  if (n < 4)
    return FALSE;
  a->cla = c[0];
  a->ins = c[1];
  a->p1 = c[2];
  a->p2 = c[3];
  if (n == 4)
    return TRUE;
  if (n == 5)
    {
      a->le = c[4] != 0 ? c[4] : 256;
      return TRUE;
    }
  if (c[4] != 0)
    {
      a->lc = c[4];
      a->data = c + 5;
      if (n == 5 + a->lc)
        return TRUE;
      if (n == 6 + a->lc)
        {
          a->le = c[5 + a->lc] != 0 ? c[5 + a->lc] : 256;
          return TRUE;
        }
      return FALSE;
    }
  /* Extended length: 00 followed by two length bytes at least. */
  if (n < 7)
    return FALSE;
  a->extended = TRUE;
  if (n == 7)
    {
      a->le = (c[5] << 8 | c[6]) != 0 ? (gsize) (c[5] << 8 | c[6]) : 65536;
      return TRUE;
    }
  a->lc = c[5] << 8 | c[6];
  a->data = c + 7;
  if (a->lc == 0)
    return FALSE;
  if (n == 7 + a->lc)
    return TRUE;
  if (n == 9 + a->lc)
    {
      gsize le = c[7 + a->lc] << 8 | c[8 + a->lc];
      a->le = le != 0 ? le : 65536;
      return TRUE;
    }
  return FALSE;
}

static SimEf *
find_ef (MdgSimCard *self,
         Ap ap,
         guint16 fid)
{
  for (guint i = 0; i < self->efs->len; i++)
    {
      SimEf *ef = g_ptr_array_index (self->efs, i);
      if (ef->ap == ap && ef->fid == fid)
        return ef;
    }
  return NULL;
}

static gboolean
access_ok (MdgSimCard *self,
           Access access)
{
  const gboolean *v = self->verified;

  switch (access)
    {
    case ACC_FREE:
      return TRUE;
    case ACC_SIGN:
      return v[PIN_SIGN];
    case ACC_TEXT_NUMBER:
      return v[PIN_TEXT] || v[PIN_TEXT_A];
    case ACC_TEXT_ATTRS:
      return v[PIN_TEXT] || v[PIN_TEXT_B];
    case ACC_TEXT_ANY:
      return v[PIN_TEXT] || v[PIN_TEXT_A] || v[PIN_TEXT_B];
    case ACC_VISUAL:
      return v[PIN_VISUAL_A] || v[PIN_VISUAL_B];
    case ACC_NEVER:
    default:
      return FALSE;
    }
}

static gsize
ef_size (MdgSimCard *self,
         const SimEf *ef)
{
  if (ef->is_cert && (self->truncate_fid == 0 || self->truncate_fid == ef->fid))
    return ef->der_len / 2;
  return g_bytes_get_size (ef->data);
}

static void
select_ap (MdgSimCard *self,
           Ap ap)
{
  /* Another AP or the ISD clears the status; re-selecting the same AP
   * keeps it on real cards (§4). */
  if (ap != self->status_ap || ap == AP_ISD || self->quirks[QUIRK_RESELECT_CLEARS])
    clear_security (self);
  self->status_ap = ap == AP_ISD ? AP_NONE : ap;
  self->current_ap = ap;
  self->current_ef = NULL;
}

static MdgMemoryCardResult
do_select (MdgSimCard *self,
           const Apdu *a,
           Reply *r)
{
  switch (a->p1)
    {
    case 0x04:
      if (a->p2 != 0x0C)
        return SW (r, 0x6A86);
      if (a->lc == 0)
        return SW (r, 0x6700);
      for (guint i = 0; i < G_N_ELEMENTS (aids); i++)
        if (aids[i].len == a->lc && memcmp (aids[i].aid, a->data, a->lc) == 0)
          {
            select_ap (self, aids[i].ap);
            return SW (r, 0x9000);
          }
      return SW (r, 0x6A82);

    case 0x02:
      {
        SimEf *ef;

        if (a->p2 != 0x0C)
          return SW (r, 0x6A86);
        if (a->lc != 2)
          return SW (r, 0x6700);
        ef = find_ef (self, self->current_ap, a->data[0] << 8 | a->data[1]);
        if (ef == NULL)
          return SW (r, 0x6A82);
        self->current_ef = ef;
        return SW (r, 0x9000);
      }

    case 0x00:
      if (self->quirks[QUIRK_MF_SELECT])
        {
          /* No usable MF (§1). */
          if (a->lc == 2 && a->data[0] == 0x3F && a->data[1] == 0x00)
            return SW (r, 0x6A82);
          if (a->lc != 0)
            return SW (r, 0x6A86);
          if (self->current_ap == AP_NONE || self->current_ap == AP_ISD)
            return SW (r, 0x6A86);
          return SW (r, 0x9000);
        }
      if (a->lc != 0 && !(a->lc == 2 && a->data[0] == 0x3F && a->data[1] == 0x00))
        return SW (r, 0x6A82);
      select_ap (self, AP_NONE);
      return SW (r, 0x9000);

    default:
      return SW (r, 0x6A86);
    }
}

static MdgMemoryCardResult
do_read_binary (MdgSimCard *self,
                const Apdu *a,
                Reply *r)
{
  SimEf *ef = self->current_ef;
  gsize offset, size, avail, n;

  if (self->pull_read_after == 0)
    {
      self->pull_read_after = -1;
      return MDG_MEMORY_CARD_REMOVED;
    }
  if (self->pull_read_after > 0)
    self->pull_read_after--;

  if (a->p1 & 0x80)
    {
      /* SFI form: P1 = 80 | SFI, P2 = offset. */
      if (!self->quirks[QUIRK_SFI_READ] || (a->p1 & 0x60) != 0)
        return SW (r, 0x6A86);
      ef = find_ef (self, self->current_ap, a->p1 & 0x1f);
      if (ef == NULL)
        return SW (r, 0x6A82);
      self->current_ef = ef;
      offset = a->p2;
    }
  else
    offset = (a->p1 << 8 | a->p2) & 0x7fff;

  if (ef == NULL)
    return SW (r, 0x6986);
  if (ef->kind != EF_DATA)
    return SW (r, 0x6981);
  if (!access_ok (self, ef->access))
    return SW (r, 0x6982);
  if (a->lc != 0 || a->le == 0)
    return SW (r, 0x6700);

  size = ef_size (self, ef);
  if (offset >= size)
    return SW (r, self->quirks[QUIRK_EOF_6282] ? 0x6282 : 0x6B00);
  avail = size - offset;
  if (self->quirks[QUIRK_WRONG_LE_6CXX] && a->le > avail && avail < 256)
    return SW (r, 0x6C00 | avail);
  n = MIN (avail, a->le);
  g_byte_array_append (r->data, (const guint8 *) g_bytes_get_data (ef->data, NULL) + offset, n);
  return SW (r, 0x9000);
}

static SimEf *
find_pin_ef (MdgSimCard *self,
             guint8 p2,
             gboolean sfi_allowed,
             guint16 *sw)
{
  SimEf *ef;

  if (p2 == 0x80)
    {
      ef = self->current_ef;
      if (ef == NULL)
        *sw = 0x6986;
      else if (ef->kind != EF_PIN)
        {
          *sw = 0x6A88;
          ef = NULL;
        }
      return ef;
    }
  if ((p2 & 0x80) && (p2 & 0x60) == 0 && (p2 & 0x1f) != 0 && sfi_allowed)
    {
      ef = find_ef (self, self->current_ap, p2 & 0x1f);
      if (ef == NULL || ef->kind != EF_PIN)
        {
          *sw = 0x6A88;
          return NULL;
        }
      return ef;
    }
  *sw = 0x6A86;
  return NULL;
}

static gboolean
pin_equal (const char *pin,
           const guint8 *data,
           gsize len)
{
  gsize pin_len = strlen (pin);
  guint8 diff = pin_len != len;

  for (gsize i = 0; i < len; i++)
    diff |= data[i] ^ (guint8) pin[i < pin_len ? i : 0];
  return diff == 0;
}

static MdgMemoryCardResult
do_verify (MdgSimCard *self,
           const Apdu *a,
           Reply *r)
{
  guint16 sw = 0;
  SimEf *ef;
  PinId pin;
  MdgSimStatePin *state;

  if (a->p1 != 0x00)
    return SW (r, 0x6A86);
  ef = find_pin_ef (self, a->p2, self->quirks[QUIRK_SFI_VERIFY], &sw);
  if (ef == NULL)
    return SW (r, sw);
  pin = ef->pin;
  state = &self->pins[pin];

  if (a->lc == 0)
    {
      /* Remaining tries; consumes nothing (§3.5). */
      if (state->tries == 0)
        return SW (r, 0x63C0);
      if (self->verified[pin] && self->quirks[QUIRK_EMPTY_VERIFY_9000])
        return SW (r, 0x9000);
      return SW (r, 0x63C0 | state->tries);
    }
  if (a->lc > 16)
    return SW (r, 0x6700);
  if (state->tries == 0)
    return SW (r, 0x6984);

  if (pin_equal (state->value, a->data, a->lc))
    {
      state->tries = pin_info[pin].max;
      self->verified[pin] = TRUE;
      save_state (self);
      if (self->pull_after_verify)
        {
          self->pull_after_verify = FALSE;
          self->pull_pending = TRUE;
        }
      return SW (r, 0x9000);
    }
  state->tries--;
  self->verified[pin] = FALSE;
  save_state (self);
  return SW (r, 0x63C0 | state->tries);
}

static gboolean
new_pin_ok (PinId pin,
            const guint8 *data,
            gsize len)
{
  if (pin == PIN_SIGN)
    {
      if (len < 6 || len > 16)
        return FALSE;
      for (gsize i = 0; i < len; i++)
        if (!g_ascii_isdigit (data[i]) && !g_ascii_isupper (data[i]))
          return FALSE;
      return TRUE;
    }
  if (len != 4)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (data[i]))
      return FALSE;
  return TRUE;
}

static MdgMemoryCardResult
do_change_reference_data (MdgSimCard *self,
                          const Apdu *a,
                          Reply *r)
{
  SimEf *ef = self->current_ef;
  MdgSimStatePin *state;

  if (a->p1 != 0x01 || a->p2 != 0x80)
    return SW (r, 0x6A86);
  if (ef == NULL)
    return SW (r, 0x6986);
  if (ef->kind != EF_PIN)
    return SW (r, 0x6A88);
  if (ef->pin != PIN_AUTH && ef->pin != PIN_SIGN && ef->pin != PIN_TEXT && ef->pin != PIN_JUKI)
    return SW (r, 0x6985);
  state = &self->pins[ef->pin];
  if (state->tries == 0)
    return SW (r, 0x6984);
  if (!self->verified[ef->pin])
    return SW (r, 0x6982);
  if (a->lc == 0 || !new_pin_ok (ef->pin, a->data, a->lc))
    return SW (r, 0x6A80);

  wipe_string (&state->value);
  state->value = g_strndup ((const char *) a->data, a->lc);
  state->changed = TRUE;
  state->tries = pin_info[ef->pin].max;
  save_state (self);
  return SW (r, 0x9000);
}

static MdgMemoryCardResult
do_sign (MdgSimCard *self,
         const Apdu *a,
         Reply *r)
{
  SimEf *ef = self->current_ef;
  guint8 sig[512];
  gsize sig_len = sizeof sig;

  if (a->p1 != 0x00)
    return SW (r, 0x6A86);
  if (a->p2 != 0x80)
    {
      if (!self->quirks[QUIRK_SFI_SIGN] || (a->p2 & 0xe0) != 0x80 || (a->p2 & 0x1f) == 0)
        return SW (r, 0x6A86);
      ef = find_ef (self, self->current_ap, a->p2 & 0x1f);
      if (ef == NULL || ef->kind != EF_KEY)
        return SW (r, 0x6A88);
    }
  if (ef == NULL || ef->kind != EF_KEY || !self->verified[ef->pin])
    return SW (r, 0x6982);
  if (a->lc == 0 || a->lc > 245)
    return SW (r, 0x6700);
  if (self->pull_sign)
    {
      self->pull_sign = FALSE;
      return MDG_MEMORY_CARD_REMOVED;
    }
  if (!rsa_sign_raw (ef->key, a->data, a->lc, sig, &sig_len))
    return SW (r, 0x6F00);
  if (self->corrupt_signatures > 0)
    {
      self->corrupt_signatures--;
      sig[sig_len / 2] ^= 0x5A;
    }
  r->sleep_ms = self->slow_sign_ms;
  g_byte_array_append (r->data, sig, sig_len);
  return SW (r, 0x9000);
}

static MdgMemoryCardResult
dispatch (MdgSimCard *self,
          const guint8 *command,
          gsize command_len,
          Reply *r)
{
  Apdu a;

  if (self->pull_pending)
    {
      self->pull_pending = FALSE;
      return MDG_MEMORY_CARD_REMOVED;
    }
  if (self->fresh_power)
    {
      self->fresh_power = FALSE;
      if (self->first_6f00)
        return SW (r, 0x6F00);
    }
  if (!parse_apdu (command, command_len, &a))
    return SW (r, 0x6700);
  if (a.extended && !self->quirks[QUIRK_EXTENDED_LENGTH])
    return SW (r, 0x6700);
  if ((a.cla & 0xf0) != 0x00 && (a.cla & 0xf0) != 0x80)
    return SW (r, 0x6E00);
  if (a.cla & 0x0c)
    return SW (r, 0x6882);
  if (a.cla & 0x03)
    return SW (r, 0x6881);

  if (a.ins == 0x2A)
    return (a.cla & 0xf0) == 0x80 ? do_sign (self, &a, r) : SW (r, 0x6E00);

  switch (a.ins)
    {
    case 0xA4:
    case 0xB0:
    case 0x20:
    case 0x24:
    case 0x84:
    case 0xB2:
      if ((a.cla & 0xf0) != 0x00)
        return SW (r, 0x6E00);
      break;
    default:
      return SW (r, 0x6D00);
    }

  switch (a.ins)
    {
    case 0xA4:
      return do_select (self, &a, r);
    case 0xB0:
      return do_read_binary (self, &a, r);
    case 0x20:
      return do_verify (self, &a, r);
    case 0x24:
      return do_change_reference_data (self, &a, r);
    case 0x84:
      {
        g_autoptr(GBytes) challenge = NULL;
        if (a.p1 != 0 || a.p2 != 0)
          return SW (r, 0x6A86);
        if (a.le == 0 || a.le > 256 || a.lc != 0)
          return SW (r, 0x6700);
        challenge = random_bytes (a.le);
        g_byte_array_append (r->data, g_bytes_get_data (challenge, NULL), a.le);
        return SW (r, 0x9000);
      }
    case 0xB2:
    default:
      {
        /* 共通AP: record 1 holds the card manufacture number. */
        static const char record[] = "TEST0000000001";
        if (self->current_ap != AP_COMMON)
          return SW (r, 0x6981);
        if (a.p1 != 0x01)
          return SW (r, 0x6A83);
        g_byte_array_append (r->data, (const guint8 *) record, MIN (sizeof record - 1, a.le));
        return SW (r, 0x9000);
      }
    }
}

MdgMemoryCardResult
mdg_sim_card_process (MdgSimCard *self,
                      const guint8 *command,
                      gsize command_len,
                      guint8 *response,
                      gsize *response_len)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  Reply r = { data, 0, 0 };
  MdgMemoryCardResult result;

  g_return_val_if_fail (MDG_IS_SIM_CARD (self), MDG_MEMORY_CARD_REMOVED);
  g_return_val_if_fail (response != NULL && response_len != NULL && *response_len >= 2,
                        MDG_MEMORY_CARD_REMOVED);

  g_mutex_lock (&self->lock);
  self->apdu_count++;
  self->powered = TRUE;
  result = dispatch (self, command, command_len, &r);
  if (result == MDG_MEMORY_CARD_REMOVED)
    {
      /* The card left the field: it loses power and the security status. */
      clear_security (self);
      self->powered = FALSE;
      self->current_ap = self->status_ap = AP_NONE;
      self->current_ef = NULL;
      g_mutex_unlock (&self->lock);
      return result;
    }
  if (data->len + 2 > *response_len)
    {
      g_byte_array_set_size (data, 0);
      r.sw = 0x6700;
    }
  if (self->corrupt_responses > 0 && data->len > 0)
    {
      self->corrupt_responses--;
      data->data[data->len / 2] ^= 0xFF;
    }
  if (data->len > 0)
    memcpy (response, data->data, data->len);
  response[data->len] = r.sw >> 8;
  response[data->len + 1] = r.sw & 0xff;
  *response_len = data->len + 2;
  OPENSSL_cleanse (data->data, data->len);
  g_mutex_unlock (&self->lock);

  /* Slow signing without holding the lock: the control socket stays live. */
  if (r.sleep_ms > 0)
    g_usleep ((gulong) r.sleep_ms * 1000);
  return result;
}

/* ---- quirks, faults, counters ------------------------------------------- */

gboolean
mdg_sim_card_set_quirk (MdgSimCard *self,
                        const char *name,
                        gboolean enabled,
                        GError **error)
{
  g_return_val_if_fail (MDG_IS_SIM_CARD (self), FALSE);

  g_mutex_lock (&self->lock);
  if (g_strcmp0 (name, "sfi") == 0)
    {
      self->quirks[QUIRK_SFI_VERIFY] = self->quirks[QUIRK_SFI_SIGN] = self->quirks[QUIRK_SFI_READ] = enabled;
      g_mutex_unlock (&self->lock);
      return TRUE;
    }
  for (guint i = 0; i < N_QUIRKS; i++)
    if (g_strcmp0 (name, quirk_info[i].name) == 0)
      {
        self->quirks[i] = enabled;
        g_mutex_unlock (&self->lock);
        return TRUE;
      }
  g_mutex_unlock (&self->lock);
  g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_UNKNOWN, _("Unknown quirk “%s”"), name);
  return FALSE;
}

static gboolean
parse_uint_arg (const char *argument,
                guint fallback,
                guint max,
                guint *out)
{
  guint64 v;

  if (argument == NULL || *argument == '\0')
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (argument, 10, 0, max, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

gboolean
mdg_sim_card_set_fault (MdgSimCard *self,
                        const char *name,
                        const char *argument,
                        GError **error)
{
  guint n = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (MDG_IS_SIM_CARD (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (strcmp (name, "none") == 0)
    {
      self->pull_read_after = -1;
      self->pull_after_verify = self->pull_pending = self->pull_sign = FALSE;
      self->first_6f00 = FALSE;
      self->slow_sign_ms = 0;
      self->corrupt_responses = self->corrupt_signatures = 0;
      self->truncate_fid = -1;
    }
  else if (strcmp (name, "pull-read") == 0 && (ok = parse_uint_arg (argument, 0, G_MAXINT, &n)))
    self->pull_read_after = n;
  else if (strcmp (name, "pull-after-verify") == 0)
    self->pull_after_verify = TRUE;
  else if (strcmp (name, "pull-sign") == 0)
    self->pull_sign = TRUE;
  else if (strcmp (name, "first-6f00") == 0)
    self->first_6f00 = TRUE;
  else if (strcmp (name, "slow-sign") == 0 && (ok = parse_uint_arg (argument, 3000, 600000, &n)))
    self->slow_sign_ms = n;
  else if (strcmp (name, "corrupt-response") == 0 && (ok = parse_uint_arg (argument, 1, G_MAXINT, &n)))
    self->corrupt_responses = n;
  else if (strcmp (name, "corrupt-signature") == 0 && (ok = parse_uint_arg (argument, 1, G_MAXINT, &n)))
    self->corrupt_signatures = n;
  else if (strcmp (name, "truncate-cert") == 0)
    {
      guint64 fid = 0;
      if (argument != NULL && *argument != '\0'
          && !g_ascii_string_to_unsigned (argument, 16, 1, 0x1e, &fid, NULL))
        ok = FALSE;
      else
        self->truncate_fid = (gint) fid;
    }
  else if (strcmp (name, "tries") == 0)
    {
      /* "PIN:N", e.g. "sign:1" or "auth:0" (blocked). */
      g_auto(GStrv) parts = argument != NULL ? g_strsplit (argument, ":", 2) : NULL;
      ok = FALSE;
      if (parts != NULL && parts[0] != NULL && parts[1] != NULL)
        for (guint i = 0; i < N_PINS; i++)
          if (strcmp (parts[0], pin_info[i].name) == 0
              && parse_uint_arg (parts[1], 0, pin_info[i].max, &n))
            {
              self->pins[i].tries = n;
              self->verified[i] = FALSE;
              save_state (self);
              ok = TRUE;
            }
    }
  else if (ok)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_UNKNOWN, _("Unknown fault “%s”"), name);
      return FALSE;
    }
  g_mutex_unlock (&self->lock);
  if (!ok)
    g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_UNKNOWN,
                 _("Bad argument “%s” for fault “%s”"), argument != NULL ? argument : "", name);
  return ok;
}

guint
mdg_sim_card_get_apdu_count (MdgSimCard *self)
{
  guint n;

  g_return_val_if_fail (MDG_IS_SIM_CARD (self), 0);
  g_mutex_lock (&self->lock);
  n = self->apdu_count;
  g_mutex_unlock (&self->lock);
  return n;
}

void
mdg_sim_card_reset_apdu_count (MdgSimCard *self)
{
  g_return_if_fail (MDG_IS_SIM_CARD (self));
  g_mutex_lock (&self->lock);
  self->apdu_count = 0;
  g_mutex_unlock (&self->lock);
}

gint
mdg_sim_card_get_tries (MdgSimCard *self,
                        const char *pin_name)
{
  gint tries = -1;

  g_return_val_if_fail (MDG_IS_SIM_CARD (self), -1);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < N_PINS; i++)
    if (g_strcmp0 (pin_name, pin_info[i].name) == 0)
      tries = self->pins[i].tries;
  g_mutex_unlock (&self->lock);
  return tries;
}

char *
mdg_sim_card_describe_tries (MdgSimCard *self)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (MDG_IS_SIM_CARD (self), NULL);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < N_PINS; i++)
    if (i != PIN_TEXT_BLOCKED)
      g_string_append_printf (s, "%s%s=%d", s->len ? " " : "", pin_info[i].name, self->pins[i].tries);
  g_mutex_unlock (&self->lock);
  return g_string_free (s, FALSE);
}

const char *
mdg_sim_card_get_persona_id (MdgSimCard *self)
{
  g_return_val_if_fail (MDG_IS_SIM_CARD (self), NULL);
  return self->persona->id;
}

static MdgMemoryCardResult
funcs_process (gpointer card,
               const guint8 *command,
               gsize command_len,
               guint8 *response,
               gsize *response_len)
{
  return mdg_sim_card_process (card, command, command_len, response, response_len);
}

static void
funcs_power (gpointer card,
             gboolean on)
{
  mdg_sim_card_power (card, on);
}

static GBytes *
funcs_get_atr (gpointer card)
{
  return mdg_sim_card_get_atr (card);
}

const MdgMemoryCardFuncs *
mdg_sim_card_get_memory_funcs (void)
{
  static const MdgMemoryCardFuncs funcs = { funcs_process, funcs_power, funcs_get_atr };

  return &funcs;
}
