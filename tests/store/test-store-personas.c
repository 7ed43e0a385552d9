/* test-store-personas.c: the kiosk card key, and the plaintext test: two
 * personas' drafts, signatures, outbox, receipts and expiry leave none of
 * their personal data in any file, in any common encoding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "app-test-util.h"
#include "mdg-app-error.h"
#include "mdg-store-card-key.h"
#include "mdg-store-key.h"
#include "store-test-util.h"

typedef struct
{
  const char *id;
  const char *auth_pin;
  const char *sign_pin;
} Persona;

static const Persona personas[] = {
  { "kawaguchi-76", "1234", "ABC123" },
  { "kumamoto-68-disability", "2468", "KUMA2468" },
};

static gboolean
derive (const Persona *persona,
        const char *pin_text,
        guint8 key[MDG_STORE_KEY_SIZE],
        char **slot,
        GError **error)
{
  g_autoptr(MdgCard) card = app_test_sim_card (persona->id, NULL);
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_AUTH, pin_text, NULL);

  g_assert_nonnull (pin);
  return mdg_store_card_key_derive (card, pin, MDG_PIN_FLAGS_NONE, key, slot, NULL, error);
}

/* ---- kiosk key ----------------------------------------------------------- */

static void
test_kiosk_card_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = store_test_make_profile_dir ();
  guint8 key_a[MDG_STORE_KEY_SIZE], again[MDG_STORE_KEY_SIZE], key_b[MDG_STORE_KEY_SIZE];
  g_autofree char *slot_a = NULL;
  g_autofree char *slot_again = NULL;
  g_autofree char *slot_b = NULL;
  g_autofree char *dir_a = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GBytes) doc = g_bytes_new_static ("{\"draft\":1}", 11);
  g_autoptr(GBytes) loaded = NULL;
  g_autofree char *id = NULL;

  g_assert_true (derive (&personas[0], personas[0].auth_pin, key_a, &slot_a, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (slot_a), ==, 32);

  /* Same card and PIN: the same key and slot (a fresh simulator run). */
  g_assert_true (derive (&personas[0], personas[0].auth_pin, again, &slot_again, &error));
  g_assert_cmpmem (key_a, sizeof key_a, again, sizeof again);
  g_assert_cmpstr (slot_a, ==, slot_again);

  g_assert_true (derive (&personas[1], personas[1].auth_pin, key_b, &slot_b, &error));
  g_assert_no_error (error);
  g_assert_false (memcmp (key_a, key_b, sizeof key_a) == 0);
  g_assert_cmpstr (slot_a, !=, slot_b);

  /* A wrong PIN derives nothing. */
  g_assert_false (derive (&personas[0], "9999", again, NULL, &error));
  g_assert_error (error, MDG_CARD_ERROR, MDG_CARD_ERROR_PIN_INCORRECT);
  g_clear_error (&error);

  dir_a = g_build_filename (base, slot_a, NULL);
  store = mdg_store_open_full (dir_a, key_a, MDG_STORE_DRAFT_MAX_AGE_KIOSK, NULL, NULL, &error);
  g_assert_no_error (error);
  id = mdg_store_draft_save (store, "p", doc, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  /* The other resident's card cannot open it. */
  store = mdg_store_open (dir_a, key_b, &error);
  g_assert_null (store);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_WRONG_KEY);
  g_clear_error (&error);

  /* Her own card reopens it. */
  g_assert_true (derive (&personas[0], personas[0].auth_pin, again, NULL, &error));
  store = mdg_store_open (dir_a, again, &error);
  g_assert_no_error (error);
  loaded = mdg_store_draft_load (store, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, doc));
  g_clear_object (&store);

  store_test_remove_dir (base);
}

/* ---- the plaintext test -------------------------------------------------- */

static void
add_forms (GPtrArray *needles,
           const char *text)
{
  glong n = 0;
  gunichar2 *utf16 = g_utf8_to_utf16 (text, -1, NULL, &n, NULL);
  gsize len = strlen (text);

  g_assert_nonnull (utf16);
  /* Plain UTF-8. */
  g_ptr_array_add (needles, g_bytes_new (text, len));
  /* UTF-16, both byte orders. */
  {
    g_autofree guint8 *le = g_malloc (2 * n), *be = g_malloc (2 * n);

    for (glong i = 0; i < n; i++)
      {
        le[2 * i] = utf16[i] & 0xff;
        le[2 * i + 1] = utf16[i] >> 8;
        be[2 * i] = utf16[i] >> 8;
        be[2 * i + 1] = utf16[i] & 0xff;
      }
    g_ptr_array_add (needles, g_bytes_new (le, 2 * n));
    g_ptr_array_add (needles, g_bytes_new (be, 2 * n));
  }
  g_free (utf16);

  /* Base64 at each of the three alignments: the characters that depend on
   * @text alone, whatever precedes it in the encoded stream. */
  for (guint shift = 0; shift < 3; shift++)
    {
      g_autofree guint8 *buf = g_malloc0 (len + 6);
      g_autofree char *b64 = NULL;
      gsize skip;
      gsize keep_end;

      memcpy (buf + shift, text, len);
      b64 = g_base64_encode (buf, len + shift);
      /* Drop the characters that mix in the prefix and the last group. */
      skip = shift == 0 ? 0 : 4;
      keep_end = ((len + shift) / 3) * 4;
      if (keep_end > skip + 4)
        g_ptr_array_add (needles, g_bytes_new (b64 + skip, keep_end - skip));
    }
}

static GPtrArray *
persona_needles (const char *persona)
{
  g_autofree char *path = app_test_pki_path (persona, "persona.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *needles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  JsonObject *p;
  const char *birth;
  g_autofree char *dashed = NULL;
  g_auto(GStrv) name_parts = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  p = json_node_get_object (json_parser_get_root (parser));
  birth = json_object_get_string_member (p, "birth");
  dashed = g_strdup_printf ("%.4s-%.2s-%.2s", birth, birth + 4, birth + 6);
  name_parts = g_strsplit (json_object_get_string_member (p, "name"), "　", 2);

  add_forms (needles, json_object_get_string_member (p, "name"));
  add_forms (needles, name_parts[0]);
  add_forms (needles, json_object_get_string_member (p, "name_kana"));
  add_forms (needles, json_object_get_string_member (p, "address"));
  add_forms (needles, birth);
  add_forms (needles, dashed);
  add_forms (needles, json_object_get_string_member (p, "my_number"));

  return needles;
}

static gboolean
contains (const guint8 *data,
          gsize len,
          const guint8 *needle,
          gsize nlen)
{
  for (const guint8 *p = data; p + nlen <= data + len;)
    {
      p = memchr (p, needle[0], (gsize) (data + len - p));
      if (p == NULL || p + nlen > data + len)
        return FALSE;
      if (memcmp (p, needle, nlen) == 0)
        return TRUE;
      p++;
    }

  return FALSE;
}

static guint
count_hits_in (GBytes *haystack,
               GPtrArray *needles,
               const char *where)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (haystack, &len);
  guint hits = 0;

  for (guint i = 0; i < needles->len; i++)
    {
      gsize nlen = 0;
      const guint8 *needle = g_bytes_get_data (needles->pdata[i], &nlen);

      if (nlen == 0 || len < nlen)
        continue;
      if (contains (data, len, needle, nlen))
        {
          g_test_message ("plaintext form %u found in %s", i, where);
          hits++;
        }
    }

  return hits;
}

static guint
scan_tree (const char *path,
           GPtrArray *needles,
           guint *files)
{
  GDir *dir;
  guint hits = 0;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return 0;

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    {
      g_autoptr(GMappedFile) mapped = NULL;
      g_autoptr(GBytes) bytes = NULL;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return 0;
      mapped = g_mapped_file_new (path, FALSE, NULL);
      bytes = mapped != NULL ? g_mapped_file_get_bytes (mapped) : g_bytes_new (NULL, 0);
      (*files)++;
      /* A file name is data too. */
      {
        g_autofree char *base = g_path_get_basename (path);
        g_autoptr(GBytes) name = g_bytes_new (base, strlen (base));

        hits += count_hits_in (name, needles, path);
      }
      return hits + count_hits_in (bytes, needles, path);
    }

  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      hits += scan_tree (child, needles, files);
    }
  g_dir_close (dir);

  return hits;
}

static guint
scan_everything (GPtrArray *needles,
                 guint *files)
{
  const char *roots[] = {
    g_get_user_data_dir (),
    g_get_user_cache_dir (),
    g_get_user_config_dir (),
    g_get_user_state_dir (),
    g_get_tmp_dir (),
  };
  guint hits = 0;

  *files = 0;
  for (guint i = 0; i < G_N_ELEMENTS (roots); i++)
    {
      gboolean nested = FALSE;

      /* The isolated XDG directories live inside the temp directory:
       * scan each file once. */
      for (guint j = 0; j < G_N_ELEMENTS (roots); j++)
        {
          g_autofree char *prefix = g_strconcat (roots[j], G_DIR_SEPARATOR_S, NULL);

          if (i != j && g_str_has_prefix (roots[i], prefix))
            nested = TRUE;
        }
      if (!nested)
        hits += scan_tree (roots[i], needles, files);
    }

  return hits;
}

static char *
persona_document (const char *persona)
{
  g_autofree char *path = app_test_pki_path (persona, "persona.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *p;
  const char *birth;

  g_assert_true (json_parser_load_from_file (parser, path, NULL));
  p = json_node_get_object (json_parser_get_root (parser));
  birth = json_object_get_string_member (p, "birth");

  return g_strdup_printf ("{\"procedure\":\"kouki-premium\",\"fields\":{\"name\":\"%s\","
                          "\"name_kana\":\"%s\",\"address\":\"%s\",\"birth_date\":"
                          "\"%.4s-%.2s-%.2s\",\"birth_compact\":\"%s\",\"my_number\":\"%s\"}}",
                          json_object_get_string_member (p, "name"),
                          json_object_get_string_member (p, "name_kana"),
                          json_object_get_string_member (p, "address"),
                          birth, birth + 4, birth + 6, birth,
                          json_object_get_string_member (p, "my_number"));
}

static gboolean
accept_receipt (const char *envelope_uuid,
                const char *envelope_sha256,
                GBytes *receipt,
                gpointer user_data,
                GError **error)
{
  return TRUE;
}

/* One persona's whole journey; returns the store still open. */
static MdgStore *
journey (const Persona *persona,
         const char *profile_dir,
         const guint8 *key,
         StoreTestClock *clock,
         GTimeSpan max_age)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autofree char *json = persona_document (persona->id);
  g_autoptr(GBytes) doc = g_bytes_new (json, strlen (json));
  g_autoptr(MdgCard) card = app_test_sim_card (persona->id, NULL);
  g_autoptr(MdgPin) pin = mdg_pin_new (MDG_PIN_SIGN, persona->sign_pin, NULL);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GByteArray) envelope = g_byte_array_new ();
  g_autoptr(GBytes) envelope_bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *id = NULL;
  g_autofree char *kept = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  GChecksum *checksum = g_checksum_new (G_CHECKSUM_SHA256);

  store = mdg_store_open_full (profile_dir, key, max_age, store_test_clock, clock, &error);
  g_assert_no_error (error);
  id = mdg_store_draft_save (store, "kouki-premium", doc, &error);
  kept = mdg_store_draft_save (store, "kouki-premium", doc, &error);
  g_assert_true (mdg_store_draft_update (store, id, doc, &error));
  g_assert_no_error (error);

  /* Signing: the card in process; nothing of it touches a file. */
  g_checksum_update (checksum, g_bytes_get_data (doc, NULL), g_bytes_get_size (doc));
  g_checksum_get_digest (checksum, digest, &digest_len);
  g_checksum_free (checksum);
  signature = mdg_jpki_sign_sha256 (card, MDG_JPKI_KEY_SIGN, pin, MDG_PIN_FLAGS_NONE, digest,
                                    NULL, NULL, &error);
  g_assert_no_error (error);

  /* An opaque envelope: the document and its signature. */
  g_byte_array_append (envelope, g_bytes_get_data (doc, NULL), (guint) g_bytes_get_size (doc));
  g_byte_array_append (envelope, g_bytes_get_data (signature, NULL),
                       (guint) g_bytes_get_size (signature));
  envelope_bytes = g_byte_array_free_to_bytes (g_steal_pointer (&envelope));
  stream = g_memory_input_stream_new_from_bytes (envelope_bytes);
  g_assert_true (mdg_store_outbox_add_stream (store, uuid, stream, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (mdg_store_receipt_add (store, uuid, signature, accept_receipt, NULL, FALSE,
                                        &error));
  g_assert_no_error (error);
  g_assert_true (mdg_store_draft_delete (store, id, &error));

  return g_steal_pointer (&store);
}

static void
test_plaintext (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) needles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char *home_dir = g_build_filename (g_get_user_data_dir (), "madoguchi", "profile",
                                                NULL);
  g_autofree char *kiosk_base = g_build_filename (g_get_user_data_dir (), "madoguchi", "kiosk",
                                                  NULL);
  g_autofree char *kiosk_dir = NULL;
  g_autofree char *slot = NULL;
  g_autofree char *control = NULL;
  g_autoptr(MdgStore) home = NULL;
  g_autoptr(MdgStore) kiosk = NULL;
  g_autoptr(GBytes) control_bytes = NULL;
  g_autoptr(GPtrArray) left = NULL;
  const MdgScryptParams cheap = { .n = 1 << 12, .r = 8, .p = 1 };
  StoreTestClock clock = { .now = 1700000000 };
  guint8 home_key[MDG_STORE_KEY_SIZE], kiosk_key[MDG_STORE_KEY_SIZE];
  guint files = 0;

  for (guint i = 0; i < G_N_ELEMENTS (personas); i++)
    {
      g_autoptr(GPtrArray) more = persona_needles (personas[i].id);

      for (guint j = 0; j < more->len; j++)
        g_ptr_array_add (needles, g_bytes_ref (more->pdata[j]));
    }

  /* The scanner itself finds every form: the documents, base64-encoded at
   * each offset and in UTF-16, must all hit. */
  {
    g_autoptr(GString) buffer = g_string_new (NULL);

    for (guint i = 0; i < G_N_ELEMENTS (personas); i++)
      {
        g_autofree char *doc = persona_document (personas[i].id);
        glong n = 0;
        g_autofree gunichar2 *utf16 = g_utf8_to_utf16 (doc, -1, NULL, &n, NULL);

        g_string_append_len (buffer, doc, (gssize) strlen (doc));
        g_string_append_len (buffer, (const char *) utf16, 2 * n);
        for (glong k = 0; k < n; k++)
          utf16[k] = GUINT16_SWAP_LE_BE (utf16[k]);
        g_string_append_len (buffer, (const char *) utf16, 2 * n);
        for (guint shift = 0; shift < 3; shift++)
          {
            g_autofree char *prefixed = g_strdup_printf ("%.*s%s", shift, "xyz", doc);
            g_autofree char *b64 = g_base64_encode ((const guint8 *) prefixed, strlen (prefixed));

            g_string_append (buffer, b64);
          }
      }
    control_bytes = g_bytes_new (buffer->str, buffer->len);
    g_assert_cmpuint (count_hits_in (control_bytes, needles, "the control buffer"), ==,
                      needles->len);
  }

  /* Home: a passphrase-wrapped key (no keyring here), persona 0. */
  g_assert_true (mdg_store_key_create (home_dir, MDG_STORE_KEY_PASSPHRASE, "pass phrase", &cheap,
                                       home_key, NULL, &error));
  g_assert_no_error (error);
  home = journey (&personas[0], home_dir, home_key, &clock, MDG_STORE_DRAFT_MAX_AGE_HOME);

  /* Kiosk: persona 1's card-bound store. */
  g_assert_true (derive (&personas[1], personas[1].auth_pin, kiosk_key, &slot, &error));
  g_assert_no_error (error);
  kiosk_dir = g_build_filename (kiosk_base, slot, NULL);
  kiosk = journey (&personas[1], kiosk_dir, kiosk_key, &clock, MDG_STORE_DRAFT_MAX_AGE_KIOSK);

  /* While drafts, receipts and open databases (with their WAL) exist. */
  g_assert_cmpuint (scan_everything (needles, &files), ==, 0);
  g_assert_cmpuint (files, >=, 6);

  /* Expiry: a week later the kiosk draft is gone, a month later the home one. */
  clock.now += 8 * 86400;
  g_assert_cmpint (mdg_store_expire (kiosk, &error), ==, 1);
  g_assert_cmpint (mdg_store_expire (home, &error), ==, 0);
  clock.now += 30 * 86400;
  g_assert_cmpint (mdg_store_expire (home, &error), ==, 1);
  left = mdg_store_draft_list (home, &error);
  g_assert_cmpuint (left->len, ==, 0);
  g_clear_object (&home);
  g_clear_object (&kiosk);

  g_assert_cmpuint (scan_everything (needles, &files), ==, 0);
  g_assert_cmpuint (files, >=, 6);

  /* The control: the same scan over a plaintext copy does find them. */
  control = g_build_filename (g_get_tmp_dir (), "control.bin", NULL);
  g_assert_true (g_file_set_contents (control, g_bytes_get_data (control_bytes, NULL),
                                      (gssize) g_bytes_get_size (control_bytes), NULL));
  g_assert_cmpuint (scan_everything (needles, &files), ==, needles->len);
  g_unlink (control);

  g_assert_true (mdg_store_erase_profile (home_dir, &error));
  g_assert_true (mdg_store_erase_profile (kiosk_dir, &error));
  g_assert_no_error (error);
}

int
main (int argc,
      char **argv)
{
  static const struct { const char *var, *dir; } xdg_vars[] = {
    { "HOME", "home" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_STATE_HOME", "state" },
    { "XDG_RUNTIME_DIR", "runtime" },
  };
  g_autofree char *tmp = NULL;
  char *home_probe;
  int ret;

  /* A temporary directory of our own, so that "the temp directory" in the
   * scan is exactly what this process could have written. */
  tmp = g_strdup ("/tmp/mdg-store-personas-XXXXXX");
  g_assert_nonnull (g_mkdtemp (tmp));
  g_setenv ("TMPDIR", tmp, TRUE);
  /* Our own XDG directories inside it (G_TEST_OPTION_ISOLATE_DIRS would do
   * the same, but its strings show up as leaks under LSan). */
  for (guint i = 0; i < G_N_ELEMENTS (xdg_vars); i++)
    {
      g_autofree char *dir = g_build_filename (tmp, xdg_vars[i].dir, NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (xdg_vars[i].var, dir, TRUE);
    }
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/madoguchi-test-bus", TRUE);

  app_test_parse_args (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/kiosk/card-key", test_kiosk_card_key);
  g_test_add_func ("/store/plaintext", test_plaintext);

  ret = g_test_run ();
  store_test_remove_dir (home_probe = g_build_filename (tmp, "x", NULL));
  g_free (home_probe);

  return ret;
}
