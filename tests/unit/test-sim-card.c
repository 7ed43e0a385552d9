/* test-sim-card.c: the card library against the simulator core, in process
 *
 * Personas come from smartcard/sim/personas, keys and certificates from the
 * build-time test PKI. Every test uses a fresh state file in a temporary
 * directory, so PIN counters never leak between tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "madoguchi-card.h"
#include "mdg-sim-card.h"

static char *pki_dir;
static char *personas_dir;

typedef struct
{
  char               *tmp_dir;
  char               *state_path;
  MdgSimCard         *sim;
  MdgMemoryTransport *transport;
  MdgCard            *card;
  JsonObject         *persona;
  JsonParser         *parser;
} Fixture;

static void
fixture_setup (Fixture *f,
               gconstpointer data)
{
  const char *persona_id = data;
  g_autofree char *persona_path = NULL;
  g_autoptr(GError) error = NULL;

  f->tmp_dir = g_dir_make_tmp ("mdg-unit-sim-XXXXXX", &error);
  g_assert_no_error (error);
  f->state_path = g_build_filename (f->tmp_dir, "state.json", NULL);

  persona_path = g_strdup_printf ("%s/%s.json", personas_dir, persona_id);
  f->sim = mdg_sim_card_new (persona_path, pki_dir, f->state_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->sim);

  f->transport = mdg_memory_transport_new (mdg_sim_card_get_memory_funcs (),
                                           g_object_ref (f->sim), g_object_unref);
  f->card = mdg_card_new (MDG_TRANSPORT (f->transport));

  f->parser = json_parser_new ();
  g_assert_true (json_parser_load_from_file (f->parser, persona_path, &error));
  g_assert_no_error (error);
  f->persona = json_node_get_object (json_parser_get_root (f->parser));
}

static void
fixture_teardown (Fixture *f,
                  gconstpointer data)
{
  g_clear_object (&f->card);
  g_clear_object (&f->transport);
  g_clear_object (&f->sim);
  g_clear_object (&f->parser);
  g_remove (f->state_path);
  g_rmdir (f->tmp_dir);
  g_free (f->state_path);
  g_free (f->tmp_dir);
}

static const char *
persona_string (Fixture *f,
                const char *member)
{
  return json_object_get_string_member (f->persona, member);
}

static MdgPin *
persona_pin (Fixture *f,
             MdgPinKind kind)
{
  static const char *names[] = { "auth", "sign", "text" };
  JsonObject *pins = json_object_get_object_member (f->persona, "pins");
  g_autoptr(GError) error = NULL;
  MdgPin *pin = mdg_pin_new (kind, json_object_get_string_member (pins, names[kind]), &error);

  g_assert_no_error (error);
  return pin;
}

static GPtrArray *
digests_of (const char *text)
{
  GPtrArray *digests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 hash[32];
  gsize len = sizeof hash;

  g_checksum_update (sum, (const guchar *) text, -1);
  g_checksum_get_digest (sum, hash, &len);
  g_ptr_array_add (digests, g_bytes_new (hash, sizeof hash));
  return digests;
}

static void
assert_verifies (GBytes *cert_der,
                 GBytes *digest,
                 GBytes *signature)
{
  g_autoptr(MdgCertificate) cert = NULL;
  g_autoptr(GError) error = NULL;
  guint8 digest_info[51];

  cert = mdg_certificate_new_from_der (cert_der, &error);
  g_assert_no_error (error);
  mdg_digest_info_sha256 (g_bytes_get_data (digest, NULL), digest_info);
  g_assert_true (mdg_certificate_verify_digest_info (cert, digest_info, sizeof digest_info,
                                                     g_bytes_get_data (signature, NULL),
                                                     g_bytes_get_size (signature), &error));
  g_assert_no_error (error);
}

static MdgCardStatus *
read_status (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  MdgCardStatus *status = mdg_card_status_read (f->card, &error);

  g_assert_no_error (error);
  g_assert_nonnull (status);
  return status;
}

static void
test_status (Fixture *f,
             gconstpointer data)
{
  g_autoptr(MdgCardStatus) status = read_status (f);
  g_autoptr(MdgCertificate) auth = NULL;
  g_autoptr(MdgCertificate) auth_ca = NULL;
  g_autoptr(MdgCertificate) sign_ca = NULL;
  g_autoptr(MdgJpkiAttributes) attrs = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (status->token_type, ==, MDG_TOKEN_CARD);
  g_assert_cmpstr (status->token_label, ==, "JPKIAPICCTOKEN2");
  g_assert_true (status->has_sign_cert);
  g_assert_true (status->has_auth_cert);
  g_assert_cmpint (status->tries_left[MDG_PIN_AUTH], ==, 3);
  g_assert_cmpint (status->tries_left[MDG_PIN_SIGN], ==, 5);
  g_assert_cmpint (status->tries_left[MDG_PIN_TEXT], ==, 3);

  auth = mdg_certificate_new_from_der (status->auth_cert, &error);
  g_assert_no_error (error);
  auth_ca = mdg_certificate_new_from_der (status->auth_ca_cert, &error);
  g_assert_no_error (error);
  sign_ca = mdg_certificate_new_from_der (status->sign_ca_cert, &error);
  g_assert_no_error (error);

  /* The authentication certificate carries no personal data. */
  attrs = mdg_certificate_get_jpki_attributes (auth, &error);
  g_assert_no_error (error);
  g_assert_null (attrs);

  /* Nothing was verified: the transaction ended cleanly. */
  g_assert_false (mdg_memory_transport_in_transaction (f->transport));
}

static void
test_sign_auth (Fixture *f,
                gconstpointer data)
{
  g_autoptr(MdgPin) pin = persona_pin (f, MDG_PIN_AUTH);
  g_autoptr(GPtrArray) digests = digests_of ("auth challenge");
  g_autoptr(GPtrArray) second = digests_of ("second");
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgCardStatus) status = NULL;

  g_ptr_array_add (digests, g_bytes_ref (second->pdata[0]));
  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_AUTH, pin, MDG_PIN_FLAGS_NONE,
                                digests, &cert, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sigs->len, ==, 2);
  assert_verifies (cert, digests->pdata[0], sigs->pdata[0]);
  assert_verifies (cert, digests->pdata[1], sigs->pdata[1]);

  /* The certificate is the free one from the status read. */
  status = read_status (f);
  g_assert_true (g_bytes_equal (cert, status->auth_cert));
}

static void
test_sign_sign (Fixture *f,
                gconstpointer data)
{
  g_autoptr(MdgPin) pin = persona_pin (f, MDG_PIN_SIGN);
  g_autoptr(GPtrArray) digests = digests_of ("application form");
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GBytes) cert_der = NULL;
  g_autoptr(MdgCertificate) cert = NULL;
  g_autoptr(MdgJpkiAttributes) attrs = NULL;
  g_autoptr(GError) error = NULL;

  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE,
                                digests, &cert_der, NULL, &error);
  g_assert_no_error (error);
  assert_verifies (cert_der, digests->pdata[0], sigs->pdata[0]);

  cert = mdg_certificate_new_from_der (cert_der, &error);
  g_assert_no_error (error);
  g_assert_true (mdg_certificate_has_non_repudiation (cert));
  attrs = mdg_certificate_get_jpki_attributes (cert, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attrs);
  g_assert_cmpstr (attrs->name, ==, persona_string (f, "name"));
  g_assert_cmpstr (attrs->address, ==, persona_string (f, "address"));
  g_assert_cmpstr (attrs->sex, ==, persona_string (f, "sex"));

  /* After the sequence the sign certificate is locked again. */
  g_assert_null (mdg_jpki_read_certificate (f->card, MDG_JPKI_CERT_SIGN, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_REQUIRED);
}

static void
test_sign_apdu_budget (Fixture *f,
                       gconstpointer data)
{
  g_autoptr(MdgPin) pin = persona_pin (f, MDG_PIN_SIGN);
  g_autoptr(GPtrArray) digests = digests_of ("budget");
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;
  guint before;

  /* The certificate from an earlier signature (or the status screen). */
  cert = mdg_jpki_read_sign_certificate (f->card, pin, MDG_PIN_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);

  before = mdg_memory_transport_get_apdu_count (f->transport);
  mdg_sim_card_reset_apdu_count (f->sim);
  sigs = mdg_jpki_sign_digests_with_certificate (f->card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE,
                                                 digests, cert, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_verifies (cert, digests->pdata[0], sigs->pdata[0]);

  g_assert_cmpuint (mdg_memory_transport_get_apdu_count (f->transport) - before, <=, 8);
  g_assert_cmpuint (mdg_sim_card_get_apdu_count (f->sim), <=, 8);
}

static void
test_wrong_pin_decrements (Fixture *f,
                           gconstpointer data)
{
  g_autoptr(MdgPin) wrong = mdg_pin_new (MDG_PIN_SIGN, "WRONG1", NULL);
  g_autoptr(MdgPin) right = persona_pin (f, MDG_PIN_SIGN);
  g_autoptr(GPtrArray) digests = digests_of ("x");
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(MdgCardStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  gint tries = -1;

  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_SIGN, wrong, MDG_PIN_FLAGS_NONE,
                                digests, NULL, &tries, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_INCORRECT);
  g_assert_cmpint (tries, ==, 4);
  g_clear_error (&error);

  status = read_status (f);
  g_assert_cmpint (status->tries_left[MDG_PIN_SIGN], ==, 4);
  g_clear_pointer (&status, mdg_card_status_free);

  /* A correct PIN resets the counter. */
  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_SIGN, right, MDG_PIN_FLAGS_NONE,
                                digests, NULL, &tries, &error);
  g_assert_no_error (error);
  status = read_status (f);
  g_assert_cmpint (status->tries_left[MDG_PIN_SIGN], ==, 5);
}

/* Wrong entries until blocked; the last one needs confirmation. */
static void
exhaust (Fixture *f,
         MdgJpkiKey key,
         const char *wrong_input,
         gint max)
{
  g_autoptr(MdgPin) wrong = mdg_pin_new (mdg_jpki_key_pin_kind (key), wrong_input, NULL);
  g_autoptr(MdgPin) right = persona_pin (f, mdg_jpki_key_pin_kind (key));
  g_autoptr(GPtrArray) digests = digests_of ("x");
  g_autoptr(GError) error = NULL;
  GPtrArray *sigs;
  gint tries = -1;

  for (gint left = max - 1; left >= 1; left--)
    {
      sigs = mdg_jpki_sign_digests (f->card, key, wrong, MDG_PIN_FLAGS_NONE, digests, NULL, &tries, &error);
      g_assert_null (sigs);
      g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_INCORRECT);
      g_assert_cmpint (tries, ==, left);
      g_clear_error (&error);
    }

  /* One try left: refused without consent, nothing spent. */
  sigs = mdg_jpki_sign_digests (f->card, key, wrong, MDG_PIN_FLAGS_NONE, digests, NULL, &tries, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_LAST_TRY);
  g_assert_cmpint (tries, ==, 1);
  g_clear_error (&error);

  sigs = mdg_jpki_sign_digests (f->card, key, wrong, MDG_PIN_FLAGS_CONFIRM_LAST_TRY, digests, NULL, &tries, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_BLOCKED);
  g_assert_cmpint (tries, ==, 0);
  g_clear_error (&error);

  /* Blocked: even the right PIN is not sent. */
  sigs = mdg_jpki_sign_digests (f->card, key, right, MDG_PIN_FLAGS_CONFIRM_LAST_TRY, digests, NULL, &tries, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_BLOCKED);
}

static void
test_lock_auth (Fixture *f,
                gconstpointer data)
{
  g_autoptr(MdgCardStatus) status = NULL;

  exhaust (f, MDG_JPKI_KEY_AUTH, "9999", 3);
  status = read_status (f);
  g_assert_cmpint (status->tries_left[MDG_PIN_AUTH], ==, 0);
  g_assert_cmpint (status->tries_left[MDG_PIN_SIGN], ==, 5);
}

static void
test_lock_sign (Fixture *f,
                gconstpointer data)
{
  g_autoptr(MdgCardStatus) status = NULL;

  exhaust (f, MDG_JPKI_KEY_SIGN, "WRONG99", 5);
  status = read_status (f);
  g_assert_cmpint (status->tries_left[MDG_PIN_SIGN], ==, 0);
  g_assert_cmpint (status->tries_left[MDG_PIN_AUTH], ==, 3);
}

static void
test_text_ap (Fixture *f,
              gconstpointer data)
{
  g_autoptr(MdgPin) pin = persona_pin (f, MDG_PIN_TEXT);
  g_autoptr(MdgTextAttributes) attrs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;
  gint tries = -1;

  g_assert_true (mdg_text_ap_read (f->card, pin, MDG_PIN_FLAGS_NONE, &number, &attrs, &tries, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, persona_string (f, "my_number"));
  g_assert_cmpstr (attrs->name, ==, persona_string (f, "name"));
  g_assert_cmpstr (attrs->address, ==, persona_string (f, "address"));
  g_assert_cmpstr (attrs->sex, ==, persona_string (f, "sex"));
  g_assert_cmpuint (strlen (attrs->birth_date), ==, 8);
  g_assert_cmpint (tries, ==, 3);
}

static void
test_minor_no_sign_cert (Fixture *f,
                         gconstpointer data)
{
  g_autoptr(MdgCardStatus) status = read_status (f);
  g_autoptr(MdgPin) pin = persona_pin (f, MDG_PIN_SIGN);
  g_autoptr(GPtrArray) digests = digests_of ("x");
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (status->has_sign_cert);
  g_assert_true (status->has_auth_cert);
  g_assert_nonnull (status->auth_cert);

  cert = mdg_jpki_read_sign_certificate (f->card, pin, MDG_PIN_FLAGS_NONE, NULL, &error);
  g_assert_null (cert);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CERT_UNAVAILABLE);
  g_clear_error (&error);

  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE, digests, NULL, NULL, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CERT_UNAVAILABLE);
}

static void
test_sign_one_try_left (Fixture *f,
                        gconstpointer data)
{
  g_autoptr(MdgPin) pin = persona_pin (f, MDG_PIN_SIGN);
  g_autoptr(GPtrArray) digests = digests_of ("x");
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(MdgCardStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  gint tries = -1;

  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE, digests, NULL, &tries, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_LAST_TRY);
  g_assert_cmpint (tries, ==, 1);
  g_clear_error (&error);

  status = read_status (f);
  g_assert_cmpint (status->tries_left[MDG_PIN_SIGN], ==, 1);

  /* With consent the right password signs and resets the counter. */
  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_CONFIRM_LAST_TRY,
                                digests, NULL, &tries, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sigs);
  g_clear_pointer (&status, mdg_card_status_free);
  status = read_status (f);
  g_assert_cmpint (status->tries_left[MDG_PIN_SIGN], ==, 5);
}

static void
test_auth_blocked (Fixture *f,
                   gconstpointer data)
{
  g_autoptr(MdgPin) pin = persona_pin (f, MDG_PIN_AUTH);
  g_autoptr(GPtrArray) digests = digests_of ("x");
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GError) error = NULL;
  gint tries = -1;

  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_AUTH, pin, MDG_PIN_FLAGS_CONFIRM_LAST_TRY,
                                digests, NULL, &tries, &error);
  g_assert_null (sigs);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_BLOCKED);
  g_assert_cmpint (tries, ==, 0);
}

static void
test_pulled_mid_read (Fixture *f,
                      gconstpointer data)
{
  g_autoptr(MdgCardStatus) status = NULL;
  g_autoptr(GError) error = NULL;

  /* Pulled on the fourth READ BINARY: inside a certificate. */
  g_assert_true (mdg_sim_card_set_fault (f->sim, "pull-read", "3", &error));
  status = mdg_card_status_read (f->card, &error);
  g_assert_null (status);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CARD_REMOVED);
  g_clear_error (&error);

  /* The transport stays dead until the card is reconnected. */
  status = mdg_card_status_read (f->card, &error);
  g_assert_null (status);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CARD_REMOVED);
}

static void
test_corrupted_signature (Fixture *f,
                          gconstpointer data)
{
  g_autoptr(MdgPin) pin = persona_pin (f, MDG_PIN_SIGN);
  g_autoptr(GPtrArray) digests = digests_of ("x");
  g_autoptr(GPtrArray) sigs = NULL;
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (mdg_sim_card_set_fault (f->sim, "corrupt-signature", "1", &error));
  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE, digests, &cert, NULL, &error);
  g_assert_null (sigs);
  g_assert_null (cert);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* The next signature is sound again. */
  sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE, digests, &cert, NULL, &error);
  g_assert_no_error (error);
  assert_verifies (cert, digests->pdata[0], sigs->pdata[0]);
}

static void
test_first_6f00 (Fixture *f,
                 gconstpointer data)
{
  g_autoptr(MdgCardStatus) status = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (mdg_sim_card_set_fault (f->sim, "first-6f00", NULL, &error));
  mdg_sim_card_power (f->sim, FALSE);
  mdg_sim_card_power (f->sim, TRUE);
  status = mdg_card_status_read (f->card, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status->token_type, ==, MDG_TOKEN_CARD);
}

static void
test_truncated_cert (Fixture *f,
                     gconstpointer data)
{
  g_autoptr(MdgCardStatus) status = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (mdg_sim_card_set_fault (f->sim, "truncate-cert", "0A", &error));
  status = mdg_card_status_read (f->card, &error);
  g_assert_null (status);
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_TRUNCATED);
}

static void
test_change_pin (Fixture *f,
                 gconstpointer data)
{
  g_autoptr(MdgPin) old_pin = persona_pin (f, MDG_PIN_TEXT);
  g_autoptr(MdgPin) new_pin = mdg_pin_new (MDG_PIN_TEXT, "8642", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *number = NULL;

  g_assert_true (mdg_card_change_pin (f->card, old_pin, new_pin, MDG_PIN_FLAGS_NONE, NULL, &error));
  g_assert_no_error (error);

  /* The old PIN no longer works, the new one does. */
  g_assert_false (mdg_text_ap_read (f->card, old_pin, MDG_PIN_FLAGS_NONE, &number, NULL, NULL, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_INCORRECT);
  g_clear_error (&error);
  g_assert_true (mdg_text_ap_read (f->card, new_pin, MDG_PIN_FLAGS_NONE, &number, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (number, ==, persona_string (f, "my_number"));
}

/* Single-sourced card behaviours (jpki-card.md §11): the library copes
 * with either variant. */
static void
test_quirks (Fixture *f,
             gconstpointer data)
{
  static const char *quirks[] = { "eof-6282", "wrong-le-6cxx", "empty-verify-9000", "reselect-clears" };
  g_autoptr(MdgPin) pin = persona_pin (f, MDG_PIN_SIGN);
  g_autoptr(MdgPin) text_pin = persona_pin (f, MDG_PIN_TEXT);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (quirks); i++)
    {
      g_autoptr(MdgCardStatus) status = NULL;
      g_autoptr(GPtrArray) digests = digests_of (quirks[i]);
      g_autoptr(GPtrArray) sigs = NULL;
      g_autoptr(GBytes) cert = NULL;
      g_autoptr(MdgTextAttributes) attrs = NULL;

      g_test_message ("quirk %s", quirks[i]);
      g_assert_true (mdg_sim_card_set_quirk (f->sim, quirks[i], TRUE, &error));
      g_assert_no_error (error);

      status = read_status (f);
      g_assert_nonnull (status->auth_cert);
      g_assert_nonnull (status->sign_ca_cert);

      sigs = mdg_jpki_sign_digests (f->card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE,
                                    digests, &cert, NULL, &error);
      g_assert_no_error (error);
      assert_verifies (cert, digests->pdata[0], sigs->pdata[0]);

      g_assert_true (mdg_text_ap_read (f->card, text_pin, MDG_PIN_FLAGS_NONE, NULL, &attrs, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (attrs->name, ==, persona_string (f, "name"));

      g_assert_true (mdg_sim_card_set_quirk (f->sim, quirks[i], FALSE, &error));
    }
}

static void
add (const char *path,
     const char *persona,
     void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, persona, fixture_setup, func, fixture_teardown);
}

int
main (int argc,
      char *argv[])
{
  int out = 1;

  /* --sim-pki-dir=DIR --sim-personas-dir=DIR, consumed before GTest. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--sim-pki-dir="))
        pki_dir = g_strdup (argv[i] + strlen ("--sim-pki-dir="));
      else if (g_str_has_prefix (argv[i], "--sim-personas-dir="))
        personas_dir = g_strdup (argv[i] + strlen ("--sim-personas-dir="));
      else
        argv[out++] = argv[i];
    }
  argc = out;
  argv[argc] = NULL;

  g_test_init (&argc, &argv, NULL);

  if (pki_dir == NULL || personas_dir == NULL)
    g_error ("usage: test-sim-card --sim-pki-dir=DIR --sim-personas-dir=DIR");

  add ("/sim-card/status", "kawaguchi-76", test_status);
  add ("/sim-card/sign/auth", "kawaguchi-76", test_sign_auth);
  add ("/sim-card/sign/sign", "kawaguchi-76", test_sign_sign);
  add ("/sim-card/sign/apdu-budget", "kawaguchi-76", test_sign_apdu_budget);
  add ("/sim-card/pin/wrong-decrements", "kawaguchi-76", test_wrong_pin_decrements);
  add ("/sim-card/pin/lock-auth", "kawaguchi-76", test_lock_auth);
  add ("/sim-card/pin/lock-sign", "kawaguchi-76", test_lock_sign);
  add ("/sim-card/pin/change", "kawaguchi-76", test_change_pin);
  add ("/sim-card/text-ap", "kawaguchi-76", test_text_ap);
  add ("/sim-card/text-ap/gaiji", "gaiji", test_text_ap);
  add ("/sim-card/minor-no-sign-cert", "minor-14", test_minor_no_sign_cert);
  add ("/sim-card/sign-one-try-left", "sign-one-try-left", test_sign_one_try_left);
  add ("/sim-card/auth-blocked", "auth-blocked", test_auth_blocked);
  add ("/sim-card/fault/pulled-mid-read", "kawaguchi-76", test_pulled_mid_read);
  add ("/sim-card/fault/corrupted-signature", "kawaguchi-76", test_corrupted_signature);
  add ("/sim-card/fault/first-6f00", "kawaguchi-76", test_first_6f00);
  add ("/sim-card/fault/truncated-cert", "kawaguchi-76", test_truncated_cert);
  add ("/sim-card/quirks", "kawaguchi-76", test_quirks);

  return g_test_run ();
}
