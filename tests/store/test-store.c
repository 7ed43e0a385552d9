/* test-store.c: the encrypted local store: drafts, outbox, receipts,
 * retention, keys, failures, SQLCipher 4 settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "mdg-app-error.h"
#include "mdg-store-key.h"
#include "mdg-store-private.h"
#include "store-test-util.h"

/* ---- drafts -------------------------------------------------------------- */

static void
test_drafts (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = store_test_open (dir, store_test_key (1), NULL);
  g_autoptr(GBytes) doc_a = g_bytes_new_static ("{\"a\":1}", 7);
  g_autoptr(GBytes) doc_b = g_bytes_new_static ("{\"b\":2}", 7);
  g_autoptr(GBytes) doc_c = g_bytes_new_static ("{\"c\":3}", 7);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GBytes) loaded = NULL;
  g_autoptr(MdgDraftInfo) info = NULL;
  g_autofree char *id_a = NULL;
  g_autofree char *id_b = NULL;

  id_a = mdg_store_draft_save (store, "kawasaki-child-medical", doc_a, &error);
  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (id_a));
  id_b = mdg_store_draft_save (store, "kawaguchi-kouki", doc_b, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id_a, !=, id_b);

  list = mdg_store_draft_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  /* Newest first (same second: insertion order decides). */
  g_assert_cmpstr (((MdgDraftInfo *) list->pdata[0])->id, ==, id_b);
  g_assert_cmpuint (((MdgDraftInfo *) list->pdata[0])->size, ==, 7);

  loaded = mdg_store_draft_load (store, id_a, &info, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, doc_a));
  g_assert_cmpstr (info->procedure, ==, "kawasaki-child-medical");
  g_clear_pointer (&loaded, g_bytes_unref);

  g_assert_true (mdg_store_draft_update (store, id_a, doc_c, &error));
  g_assert_no_error (error);
  loaded = mdg_store_draft_load (store, id_a, NULL, &error);
  g_assert_true (g_bytes_equal (loaded, doc_c));

  g_assert_true (mdg_store_draft_delete (store, id_a, &error));
  g_assert_no_error (error);
  g_assert_false (mdg_store_draft_delete (store, id_a, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (mdg_store_draft_load (store, id_a, NULL, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (mdg_store_draft_update (store, id_a, doc_a, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NOT_FOUND);
  g_clear_error (&error);

  /* Survives close and reopen. */
  mdg_store_close (store);
  g_clear_object (&store);
  store = store_test_open (dir, store_test_key (1), NULL);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = mdg_store_draft_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((MdgDraftInfo *) list->pdata[0])->id, ==, id_b);

  g_clear_object (&store);
  store_test_remove_dir (dir);
}

/* ---- outbox and receipts ------------------------------------------------- */

static gboolean
verify_receipt (const char *envelope_uuid,
                const char *envelope_sha256,
                GBytes *receipt,
                gpointer user_data,
                GError **error)
{
  const char *expected_sha256 = user_data;
  g_autofree char *text = g_strndup (g_bytes_get_data (receipt, NULL), g_bytes_get_size (receipt));

  g_assert_cmpstr (envelope_sha256, ==, expected_sha256);
  if (g_str_has_prefix (text, "GOOD "))
    return TRUE;

  g_set_error_literal (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY, "bad receipt");
  return FALSE;
}

static void
test_outbox (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *file_path = g_build_filename (dir, "..", "envelope.bin", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = store_test_open (dir, store_test_key (2), NULL);
  g_autoptr(GBytes) env1 = g_bytes_new_static ("envelope one", 12);
  g_autoptr(GBytes) env2 = g_bytes_new_static ("envelope two", 12);
  g_autoptr(GBytes) bad = g_bytes_new_static ("BAD receipt", 11);
  g_autoptr(GBytes) good = g_bytes_new_static ("GOOD receipt", 12);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GBytes) loaded = NULL;
  g_autoptr(GBytes) receipt = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *expected_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, env1);
  const char *uuid1 = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  const char *uuid2 = "2b4e28ba-2fa1-41d2-883f-0016d3cca427";
  const char *uuid3 = "3b4e28ba-2fa1-41d2-883f-0016d3cca427";
  gboolean verified = TRUE;

  stream = g_memory_input_stream_new_from_bytes (env1);
  g_assert_true (mdg_store_outbox_add_stream (store, uuid1, stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (file_path, "envelope two", 12, NULL));
  g_assert_true (mdg_store_outbox_add_file (store, uuid2, file_path, &error));
  g_assert_no_error (error);
  g_unlink (file_path);
  g_assert_true (mdg_store_outbox_add_bytes (store, uuid3, env2, &error));
  g_assert_no_error (error);

  /* The same UUID twice, and no UUID at all, are refused. */
  g_assert_false (mdg_store_outbox_add_bytes (store, uuid3, env2, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED);
  g_clear_error (&error);
  g_assert_false (mdg_store_outbox_add_bytes (store, "not-a-uuid", env2, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED);
  g_clear_error (&error);

  list = mdg_store_outbox_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((MdgOutboxInfo *) list->pdata[0])->uuid, ==, uuid1);
  g_assert_cmpstr (((MdgOutboxInfo *) list->pdata[0])->sha256, ==, expected_sha);

  loaded = mdg_store_outbox_load (store, uuid2, &sha, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, env2));

  /* An unverified receipt is kept, and the envelope with it. */
  g_assert_true (mdg_store_receipt_add (store, uuid1, bad, verify_receipt, expected_sha, FALSE,
                                        &error));
  g_assert_no_error (error);
  g_clear_pointer (&loaded, g_bytes_unref);
  loaded = mdg_store_outbox_load (store, uuid1, NULL, &error);
  g_assert_no_error (error);
  receipt = mdg_store_receipt_load (store, uuid1, &verified, &error);
  g_assert_no_error (error);
  g_assert_false (verified);
  g_clear_pointer (&receipt, g_bytes_unref);

  /* A verified one deletes the envelope, keeping only the receipt. */
  g_assert_true (mdg_store_receipt_add (store, uuid1, good, verify_receipt, expected_sha, FALSE,
                                        &error));
  g_assert_no_error (error);
  g_assert_null (mdg_store_outbox_load (store, uuid1, NULL, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NOT_FOUND);
  g_clear_error (&error);
  receipt = mdg_store_receipt_load (store, uuid1, &verified, &error);
  g_assert_no_error (error);
  g_assert_true (verified);
  g_assert_true (g_bytes_equal (receipt, good));

  /* The flag instead of a callback. */
  g_assert_true (mdg_store_receipt_add (store, uuid3, good, NULL, NULL, TRUE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = mdg_store_outbox_list (store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((MdgOutboxInfo *) list->pdata[0])->uuid, ==, uuid2);

  /* A receipt for an envelope that is not (or no longer) queued. */
  g_assert_false (mdg_store_receipt_add (store, uuid1, good, NULL, NULL, TRUE, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NOT_FOUND);

  g_clear_object (&store);
  store_test_remove_dir (dir);
}

/* ---- retention ----------------------------------------------------------- */

static void
test_expiry (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autoptr(GError) error = NULL;
  StoreTestClock clock = { .now = 1700000000 };
  g_autoptr(MdgStore) store = store_test_open (dir, store_test_key (3), &clock);
  g_autoptr(GBytes) doc = g_bytes_new_static ("{}", 2);
  g_autoptr(GBytes) status = g_bytes_new_static ("{\"state\":\"received\"}", 20);
  g_autoptr(GBytes) cached = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *old = NULL;
  g_autofree char *young = NULL;
  g_autofree char *touched = NULL;

  g_assert_cmpint (mdg_store_get_draft_max_age (store), ==, 30 * G_TIME_SPAN_DAY);
  old = mdg_store_draft_save (store, "p", doc, &error);
  touched = mdg_store_draft_save (store, "p", doc, &error);
  clock.now += 10 * 86400;
  young = mdg_store_draft_save (store, "p", doc, &error);
  g_assert_no_error (error);
  g_assert_true (mdg_store_status_cache_put (store, "app-1", status, G_TIME_SPAN_HOUR, &error));

  /* Editing a draft restarts its lifetime. */
  clock.now += 15 * 86400;
  g_assert_true (mdg_store_draft_update (store, touched, doc, &error));
  cached = mdg_store_status_cache_get (store, "app-1", &error);
  g_assert_no_error (error);
  g_assert_null (cached);  /* fifteen days later, stale */

  clock.now += 5 * 86400 - 1;  /* 30 days minus a second after `old` */
  g_assert_cmpint (mdg_store_expire (store, &error), ==, 0);
  clock.now += 1;
  g_assert_cmpint (mdg_store_expire (store, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_null (mdg_store_draft_load (store, old, NULL, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&store);

  /* Start-up runs expiry: with the kiosk's 7 days, both remaining drafts
   * are gone at the next open. */
  clock.now += 2 * 86400;
  store = mdg_store_open_full (dir, store_test_key (3), MDG_STORE_DRAFT_MAX_AGE_KIOSK,
                               store_test_clock, &clock, &error);
  g_assert_no_error (error);
  list = mdg_store_draft_list (store, &error);
  g_assert_cmpuint (list->len, ==, 0);

  /* The hourly timer is installed once and removed on close. */
  mdg_store_start_expiry_timer (store);
  mdg_store_start_expiry_timer (store);
  mdg_store_close (store);

  g_clear_object (&store);
  store_test_remove_dir (dir);
}

/* ---- failures ------------------------------------------------------------ */

static void
test_second_instance (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) first = store_test_open (dir, store_test_key (4), NULL);
  g_autoptr(MdgStore) second = NULL;
  g_autoptr(GBytes) doc = g_bytes_new_static ("{}", 2);
  g_autofree char *id = mdg_store_draft_save (first, "p", doc, &error);

  second = mdg_store_open (dir, store_test_key (4), &error);
  g_assert_null (second);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_LOCKED);
  g_clear_error (&error);

  /* Erasing is refused too while the profile is open. */
  g_assert_false (mdg_store_erase_profile (dir, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_LOCKED);
  g_clear_error (&error);

  /* The first instance lost nothing. */
  g_assert_true (mdg_store_draft_delete (first, id, &error));
  g_assert_no_error (error);
  mdg_store_close (first);

  second = store_test_open (dir, store_test_key (4), NULL);
  g_assert_nonnull (second);
  g_clear_object (&second);
  store_test_remove_dir (dir);
}

static void
test_wrong_key (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *kcv = g_build_filename (dir, MDG_STORE_KEY_CHECK_NAME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = store_test_open (dir, store_test_key (5), NULL);
  g_autoptr(GBytes) doc = g_bytes_new_static ("{}", 2);
  g_autofree char *id = mdg_store_draft_save (store, "p", doc, &error);
  g_autoptr(GBytes) loaded = NULL;

  g_clear_object (&store);

  store = mdg_store_open (dir, store_test_key (6), &error);
  g_assert_null (store);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_WRONG_KEY);
  g_clear_error (&error);

  /* Without the key check, SQLCipher's own answer still says so. */
  g_assert_cmpint (g_unlink (kcv), ==, 0);
  store = mdg_store_open (dir, store_test_key (6), &error);
  g_assert_null (store);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_WRONG_KEY);
  g_clear_error (&error);

  store = store_test_open (dir, store_test_key (5), NULL);
  loaded = mdg_store_draft_load (store, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, doc));
  g_assert_true (g_file_test (kcv, G_FILE_TEST_EXISTS));

  g_clear_object (&store);
  store_test_remove_dir (dir);
}

static void
corrupt_file (const char *path,
              goffset offset)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, >, (gsize) offset + 64);
  for (guint i = 0; i < 64; i++)
    contents[offset + i] ^= 0x5a;
  g_assert_true (g_file_set_contents (path, contents, (gssize) len, NULL));
}

static void
test_corrupt (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *db = g_build_filename (dir, MDG_STORE_DATABASE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = store_test_open (dir, store_test_key (7), NULL);
  g_autoptr(GBytes) big = store_test_filler_bytes (8000, 'x');
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len = 0, after_len = 0;
  g_autofree char *id = mdg_store_draft_save (store, "p", big, &error);

  g_assert_no_error (error);
  g_clear_object (&store);

  /* A damaged data page (the draft's overflow pages are the last ones):
   * the store opens, the draft reports CORRUPT. */
  g_assert_true (g_file_get_contents (db, &before, &before_len, NULL));
  g_clear_pointer (&before, g_free);
  corrupt_file (db, (goffset) before_len - 3 * MDG_STORE_CIPHER_PAGE_SIZE + 100);
  g_assert_true (g_file_get_contents (db, &before, &before_len, NULL));
  store = mdg_store_open (dir, store_test_key (7), &error);
  if (store != NULL)
    {
      g_autoptr(GBytes) loaded = mdg_store_draft_load (store, id, NULL, &error);

      g_assert_null (loaded);
    }
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_CORRUPT);
  g_clear_error (&error);
  g_clear_object (&store);

  /* The damaged file is left as it was, for recovery. */
  g_assert_true (g_file_get_contents (db, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);

  /* A damaged first page with the right key: CORRUPT, not WRONG_KEY. */
  corrupt_file (db, 200);
  store = mdg_store_open (dir, store_test_key (7), &error);
  g_assert_null (store);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_CORRUPT);

  store_test_remove_dir (dir);
}

static void
test_disk_full (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = store_test_open (dir, store_test_key (8), NULL);
  g_autoptr(GBytes) doc = g_bytes_new_static ("{\"kept\":true}", 13);
  g_autoptr(GBytes) big = store_test_filler_bytes (256 * 1024, 'y');
  g_autoptr(GBytes) loaded = NULL;
  g_autofree char *kept = mdg_store_draft_save (store, "p", doc, &error);
  g_autofree char *lost = NULL;
  g_autofree char *later = NULL;
  sqlite3 *db = mdg_store_get_handle (store);
  g_autoptr(GPtrArray) list = NULL;

  /* SQLite's own "disk full" path: no page may be added. */
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA max_page_count = 1", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  lost = mdg_store_draft_save (store, "p", big, &error);
  g_assert_null (lost);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FULL);
  g_clear_error (&error);

  loaded = mdg_store_draft_load (store, kept, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, doc));
  list = mdg_store_draft_list (store, &error);
  g_assert_cmpuint (list->len, ==, 1);

  /* Space again: work goes on. */
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  later = mdg_store_draft_save (store, "p", big, &error);
  g_assert_no_error (error);
  g_assert_nonnull (later);

  g_clear_object (&store);
  store_test_remove_dir (dir);
}

/* ---- SQLCipher 4 settings and migrations --------------------------------- */

static int
raw_open_count (const char *path,
                const guint8 *key,
                int page_size,
                gboolean use_hmac,
                const char *sql)
{
  g_autofree char *hex = store_test_hex (key, MDG_STORE_KEY_SIZE);
  g_autofree char *pragmas = g_strdup_printf ("PRAGMA key = \"x'%s'\";"
                                              "PRAGMA cipher_page_size = %d;"
                                              "PRAGMA kdf_iter = 64000;"
                                              "PRAGMA cipher_use_hmac = %s;",
                                              hex, page_size, use_hmac ? "ON" : "OFF");
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int count = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, pragmas, NULL, NULL, NULL), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return count;
}

/* SQLCipher 4 reads a 3.x file under `PRAGMA cipher_compatibility = 3`,
 * i.e. exactly these settings with a raw key; anything else fails. */
static void
test_sqlcipher4_settings (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *db = g_build_filename (dir, MDG_STORE_DATABASE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = store_test_open (dir, store_test_key (9), NULL);
  g_autoptr(GBytes) doc = g_bytes_new_static ("{}", 2);
  g_autofree char *head = NULL;
  gsize len = 0;

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *id = mdg_store_draft_save (store, "p", doc, &error);

      g_assert_no_error (error);
      g_assert_nonnull (id);
    }
  g_clear_object (&store);

  g_assert_cmpint (raw_open_count (db, store_test_key (9), 1024, TRUE,
                                   "SELECT count(*) FROM drafts"), ==, 2);
  g_assert_cmpint (raw_open_count (db, store_test_key (9), 4096, TRUE,
                                   "SELECT count(*) FROM drafts"), ==, -1);
  g_assert_cmpint (raw_open_count (db, store_test_key (9), 2048, TRUE,
                                   "SELECT count(*) FROM drafts"), ==, -1);
  g_assert_cmpint (raw_open_count (db, store_test_key (9), 1024, FALSE,
                                   "SELECT count(*) FROM drafts"), ==, -1);
  g_assert_cmpint (raw_open_count (db, store_test_key (10), 1024, TRUE,
                                   "SELECT count(*) FROM drafts"), ==, -1);

  /* The file is noise from its first byte: no "SQLite format 3" header. */
  g_assert_true (g_file_get_contents (db, &head, &len, NULL));
  g_assert_cmpuint (len % 1024, ==, 0);
  g_assert_false (memcmp (head, "SQLite format 3", 15) == 0);

  store_test_remove_dir (dir);
}

static void
test_plain_baseline (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *db = g_build_filename (dir, MDG_STORE_DATABASE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = mdg_store_open (dir, NULL, &error);
  g_autofree char *head = NULL;

  /* The benchmark's baseline really is plain SQLite. */
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_true (g_file_get_contents (db, &head, NULL, NULL));
  g_assert_true (memcmp (head, "SQLite format 3", 15) == 0);

  store_test_remove_dir (dir);
}

static char *
pragma_value (sqlite3 *db,
              const char *pragma)
{
  g_autofree char *sql = g_strconcat ("PRAGMA ", pragma, NULL);
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

/* The side-channel settings hold on every open, encrypted or not, so the
 * benchmark's baseline differs from the store only by the key. */
static void
test_pragmas (void)
{
  static const struct { const char *pragma, *value; } expected[] = {
    { "page_size", G_STRINGIFY (MDG_STORE_CIPHER_PAGE_SIZE) },
    { "cache_size", "-" G_STRINGIFY (MDG_STORE_CACHE_KIB) },
    { "temp_store", "2" },
    { "secure_delete", "1" },
    { "journal_mode", "wal" },
    { "synchronous", "1" },
  };

  for (guint encrypted = 0; encrypted < 2; encrypted++)
    {
      g_autofree char *dir = store_test_make_profile_dir ();
      g_autoptr(GError) error = NULL;
      g_autoptr(MdgStore) store = mdg_store_open (dir, encrypted ? store_test_key (11) : NULL,
                                                  &error);

      g_assert_no_error (error);
      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        {
          g_autofree char *value = pragma_value (mdg_store_get_handle (store),
                                                 expected[i].pragma);

          g_assert_cmpstr (value, ==, expected[i].value);
        }
      g_clear_object (&store);
      store_test_remove_dir (dir);
    }
}

static void
test_migrations (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *db_path = g_build_filename (dir, MDG_STORE_DATABASE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GBytes) loaded = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("ok", 2);
  g_autoptr(GPtrArray) list = NULL;
  sqlite3_stmt *stmt = NULL;

  /* A schema-1 file as the first release wrote it. */
  store = store_test_open (dir, store_test_key (11), NULL);
  g_assert_cmpint (sqlite3_exec (mdg_store_get_handle (store),
                                 "DROP TABLE status_cache; DROP TABLE drafts; DROP TABLE outbox;"
                                 "CREATE TABLE outbox ("
                                 "  uuid TEXT PRIMARY KEY NOT NULL,"
                                 "  sha256 TEXT NOT NULL,"
                                 "  created INTEGER NOT NULL,"
                                 "  envelope BLOB NOT NULL);"
                                 "CREATE TABLE drafts ("
                                 "  id TEXT PRIMARY KEY NOT NULL,"
                                 "  procedure TEXT NOT NULL,"
                                 "  created INTEGER NOT NULL,"
                                 "  updated INTEGER NOT NULL,"
                                 "  document BLOB NOT NULL);"
                                 "CREATE INDEX drafts_updated ON drafts (updated);"
                                 "PRAGMA user_version = 1;"
                                 "INSERT INTO drafts VALUES ('d1', 'p', 4102444800, 4102444800, 'v1');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&store);

  store = store_test_open (dir, store_test_key (11), NULL);
  g_assert_cmpint (sqlite3_prepare_v2 (mdg_store_get_handle (store), "PRAGMA user_version", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, MDG_STORE_SCHEMA_VERSION);
  sqlite3_finalize (stmt);
  loaded = mdg_store_draft_load (store, "d1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (loaded, NULL), g_bytes_get_size (loaded), "v1", 2);
  /* 2 → 3 filled in the listed size of existing drafts. */
  list = mdg_store_draft_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpuint (((MdgDraftInfo *) list->pdata[0])->size, ==, 2);
  g_assert_true (mdg_store_status_cache_put (store, "k", body, G_TIME_SPAN_HOUR, &error));
  g_assert_no_error (error);
  /* 3 → 4 lets the outbox keep refused envelopes. */
  {
    const char *uuid = "2f1c5a9e-8b7d-4c3e-9a1f-0e2d3c4b5a69";
    g_autoptr(GPtrArray) outbox = NULL;

    g_assert_true (mdg_store_outbox_add_bytes (store, uuid, body, &error));
    g_assert_true (mdg_store_outbox_set_rejected (store, uuid, "envelope-malformed", &error));
    g_assert_no_error (error);
    outbox = mdg_store_outbox_list (store, &error);
    g_assert_cmpstr (((MdgOutboxInfo *) outbox->pdata[0])->rejected, ==, "envelope-malformed");
    g_assert_false (mdg_store_outbox_set_rejected (store, "00000000-0000-4000-8000-000000000000", "x", &error));
    g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NOT_FOUND);
    g_clear_error (&error);
    g_assert_true (mdg_store_outbox_delete (store, uuid, &error));
    g_clear_pointer (&outbox, g_ptr_array_unref);
    outbox = mdg_store_outbox_list (store, &error);
    g_assert_cmpuint (outbox->len, ==, 0);
  }

  /* A newer release's file is refused and left alone. */
  g_assert_cmpint (sqlite3_exec (mdg_store_get_handle (store), "PRAGMA user_version = 99",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_object (&store);
  store = mdg_store_open (dir, store_test_key (11), &error);
  g_assert_null (store);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_TOO_NEW);
  g_assert_true (g_file_test (db_path, G_FILE_TEST_EXISTS));

  store_test_remove_dir (dir);
}

/* ---- keys ---------------------------------------------------------------- */

static void
test_key_passphrase (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *key_path = g_build_filename (dir, MDG_STORE_KEY_FILE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  const MdgScryptParams cheap = { .n = 1 << 10, .r = 8, .p = 1 };
  MdgScryptParams recorded = { 0 };
  MdgStoreKeyMethod chosen = MDG_STORE_KEY_AUTO;
  guint8 key[MDG_STORE_KEY_SIZE], again[MDG_STORE_KEY_SIZE];
  g_autofree char *text = NULL;
  g_autofree char *tampered = NULL;
  g_auto(GStrv) parts = NULL;

  g_assert_true (mdg_store_key_create (dir, MDG_STORE_KEY_PASSPHRASE, "correct horse", &cheap,
                                       key, &chosen, &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, MDG_STORE_KEY_PASSPHRASE);
  g_assert_false (mdg_store_key_create (dir, MDG_STORE_KEY_PASSPHRASE, "x", &cheap, again, NULL,
                                        &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED);
  g_clear_error (&error);

  g_assert_true (mdg_store_key_unlock (dir, "correct horse", again, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (key, sizeof key, again, sizeof again);

  g_assert_false (mdg_store_key_unlock (dir, "wrong horse", again, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE);
  g_clear_error (&error);
  g_assert_false (mdg_store_key_unlock (dir, NULL, again, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE);
  g_clear_error (&error);

  g_assert_true (mdg_store_key_get_scrypt_params (dir, &recorded, &error));
  g_assert_cmpuint (recorded.n, ==, cheap.n);
  g_assert_cmpuint (recorded.r, ==, 8);
  g_assert_cmpuint (recorded.p, ==, 1);

  /* The parameters are authenticated: a lowered cost does not unwrap. */
  g_assert_true (g_file_get_contents (key_path, &text, NULL, NULL));
  parts = g_strsplit (text, "\"n\" : 1024", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  tampered = g_strjoinv ("\"n\" : 512", parts);
  g_assert_true (g_file_set_contents (key_path, tampered, -1, NULL));
  g_assert_false (mdg_store_key_unlock (dir, "correct horse", again, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE);

  store_test_remove_dir (dir);
}

static void
test_key_calibrated (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autoptr(GError) error = NULL;
  MdgScryptParams recorded = { 0 };
  guint8 key[MDG_STORE_KEY_SIZE], again[MDG_STORE_KEY_SIZE];

  /* No wall-clock assertion: the floor is 2^15 (32 MiB), and what was used
   * is recorded so that it can be raised later. */
  g_assert_true (mdg_store_key_create (dir, MDG_STORE_KEY_PASSPHRASE, "pass", NULL, key, NULL,
                                       &error));
  g_assert_no_error (error);
  g_assert_true (mdg_store_key_get_scrypt_params (dir, &recorded, &error));
  g_assert_cmpuint (recorded.n, >=, 1 << 15);
  g_assert_cmpuint (recorded.r, ==, 8);
  g_assert_true (mdg_store_key_unlock (dir, "pass", again, &error));
  g_assert_cmpmem (key, sizeof key, again, sizeof again);

  store_test_remove_dir (dir);
}

static void
test_key_raise_scrypt (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *key_path = g_build_filename (dir, MDG_STORE_KEY_FILE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  const MdgScryptParams cheap = { .n = 1 << 10, .r = 8, .p = 1 };
  const MdgScryptParams stronger = { .n = 1 << 12, .r = 8, .p = 1 };
  const MdgScryptParams weaker = { .n = 1 << 11, .r = 8, .p = 1 };
  MdgScryptParams recorded = { 0 };
  guint8 key[MDG_STORE_KEY_SIZE], again[MDG_STORE_KEY_SIZE];
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *unchanged = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GBytes) doc = g_bytes_new_static ("{\"raised\":1}", 12);
  g_autoptr(GBytes) loaded = NULL;
  g_autofree char *id = NULL;

  g_assert_true (mdg_store_key_create (dir, MDG_STORE_KEY_PASSPHRASE, "pass", &cheap, key, NULL,
                                       &error));
  g_assert_no_error (error);
  store = store_test_open (dir, key, NULL);
  id = mdg_store_draft_save (store, "p", doc, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_true (g_file_get_contents (key_path, &before, NULL, NULL));

  /* A wrong passphrase changes nothing. */
  g_assert_false (mdg_store_key_raise_scrypt_params (dir, "wrong", &stronger, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (key_path, &unchanged, NULL, NULL));
  g_assert_cmpstr (unchanged, ==, before);

  g_assert_true (mdg_store_key_raise_scrypt_params (dir, "pass", &stronger, &error));
  g_assert_no_error (error);
  g_assert_true (mdg_store_key_get_scrypt_params (dir, &recorded, &error));
  g_assert_cmpuint (recorded.n, ==, stronger.n);
  g_assert_cmpuint (recorded.r, ==, stronger.r);
  g_assert_cmpuint (recorded.p, ==, stronger.p);
  /* Fresh salt and nonce: nothing of the old wrapping is reused. */
  g_assert_true (g_file_get_contents (key_path, &after, NULL, NULL));
  g_assert_cmpstr (after, !=, before);

  /* The same data key: the drafts still open. */
  g_assert_true (mdg_store_key_unlock (dir, "pass", again, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (key, sizeof key, again, sizeof again);
  store = store_test_open (dir, again, NULL);
  loaded = mdg_store_draft_load (store, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (loaded, doc));
  g_clear_object (&store);

  /* Lowering is refused, and the recorded parameters stay. */
  g_assert_false (mdg_store_key_raise_scrypt_params (dir, "pass", &weaker, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_FAILED);
  g_clear_error (&error);
  g_assert_true (mdg_store_key_get_scrypt_params (dir, &recorded, &error));
  g_assert_cmpuint (recorded.n, ==, stronger.n);
  g_assert_cmpuint (recorded.p, ==, stronger.p);

  /* NULL calibrates here: at least the 2^15 floor. */
  g_assert_true (mdg_store_key_raise_scrypt_params (dir, "pass", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (mdg_store_key_get_scrypt_params (dir, &recorded, &error));
  g_assert_cmpuint (recorded.n, >=, 1 << 15);
  g_assert_true (mdg_store_key_unlock (dir, "pass", again, &error));
  g_assert_cmpmem (key, sizeof key, again, sizeof again);

  store_test_remove_dir (dir);
}

static void
test_key_fallback (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autoptr(GError) error = NULL;
  MdgStoreKeyMethod chosen = MDG_STORE_KEY_AUTO;
  const MdgScryptParams cheap = { .n = 1 << 10, .r = 8, .p = 1 };
  guint8 key[MDG_STORE_KEY_SIZE];

  /* The decision table. */
  g_assert_true (mdg_store_key_choose_method (MDG_STORE_KEY_AUTO, TRUE, FALSE, &chosen, &error));
  g_assert_cmpint (chosen, ==, MDG_STORE_KEY_SECRET_SERVICE);
  g_assert_true (mdg_store_key_choose_method (MDG_STORE_KEY_AUTO, FALSE, TRUE, &chosen, &error));
  g_assert_cmpint (chosen, ==, MDG_STORE_KEY_PASSPHRASE);
  g_assert_false (mdg_store_key_choose_method (MDG_STORE_KEY_AUTO, FALSE, FALSE, &chosen, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE);
  g_clear_error (&error);
  g_assert_false (mdg_store_key_choose_method (MDG_STORE_KEY_SECRET_SERVICE, FALSE, TRUE, &chosen,
                                               &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY);
  g_clear_error (&error);

  /* main() pointed the session bus at nothing: the real probe agrees. */
  g_assert_false (mdg_store_secret_service_available ());
  g_assert_false (mdg_store_key_create (dir, MDG_STORE_KEY_AUTO, NULL, &cheap, key, &chosen,
                                        &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_PASSPHRASE);
  g_clear_error (&error);
  g_assert_false (mdg_store_key_exists (dir));
  g_assert_true (mdg_store_key_create (dir, MDG_STORE_KEY_AUTO, "pass", &cheap, key, &chosen,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpint (chosen, ==, MDG_STORE_KEY_PASSPHRASE);
  g_assert_true (mdg_store_key_get_method (dir, &chosen, &error));
  g_assert_cmpint (chosen, ==, MDG_STORE_KEY_PASSPHRASE);

  store_test_remove_dir (dir);
}

static void
test_erase (void)
{
  g_autofree char *dir = store_test_make_profile_dir ();
  g_autofree char *db = g_build_filename (dir, MDG_STORE_DATABASE_NAME, NULL);
  g_autoptr(GError) error = NULL;
  const MdgScryptParams cheap = { .n = 1 << 10, .r = 8, .p = 1 };
  guint8 key[MDG_STORE_KEY_SIZE];
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GBytes) doc = g_bytes_new_static ("{}", 2);
  g_autofree char *id = NULL;

  g_assert_true (mdg_store_key_create (dir, MDG_STORE_KEY_PASSPHRASE, "pass", &cheap, key, NULL,
                                       &error));
  store = store_test_open (dir, key, NULL);
  id = mdg_store_draft_save (store, "p", doc, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_true (g_file_test (db, G_FILE_TEST_EXISTS));

  g_assert_true (mdg_store_erase_profile (dir, &error));
  g_assert_no_error (error);
  g_assert_false (mdg_store_key_exists (dir));
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_false (mdg_store_key_unlock (dir, "pass", key, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_STORE_NO_KEY);
  g_clear_error (&error);

  /* Erasing nothing is not an error. */
  g_assert_true (mdg_store_erase_profile (dir, &error));
  g_assert_no_error (error);

  store_test_remove_dir (dir);
}

int
main (int argc,
      char **argv)
{
  /* No keyring here: the fallback test relies on it. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/madoguchi-test-bus", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/drafts", test_drafts);
  g_test_add_func ("/store/outbox-receipts", test_outbox);
  g_test_add_func ("/store/expiry", test_expiry);
  g_test_add_func ("/store/failure/second-instance", test_second_instance);
  g_test_add_func ("/store/failure/wrong-key", test_wrong_key);
  g_test_add_func ("/store/failure/corrupt", test_corrupt);
  g_test_add_func ("/store/failure/disk-full", test_disk_full);
  g_test_add_func ("/store/sqlcipher4-settings", test_sqlcipher4_settings);
  g_test_add_func ("/store/plain-baseline", test_plain_baseline);
  g_test_add_func ("/store/pragmas", test_pragmas);
  g_test_add_func ("/store/migrations", test_migrations);
  g_test_add_func ("/store/key/passphrase", test_key_passphrase);
  g_test_add_func ("/store/key/calibrated", test_key_calibrated);
  g_test_add_func ("/store/key/raise-scrypt", test_key_raise_scrypt);
  g_test_add_func ("/store/key/fallback", test_key_fallback);
  g_test_add_func ("/store/key/erase", test_erase);

  return g_test_run ();
}
