/* mdg-store.h: the encrypted local store of one profile (SQLCipher)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define MDG_STORE_KEY_SIZE 32
#define MDG_STORE_SCHEMA_VERSION 4

/* Default draft lifetimes (domain.md R8). */
#define MDG_STORE_DRAFT_MAX_AGE_HOME  (30 * G_TIME_SPAN_DAY)
#define MDG_STORE_DRAFT_MAX_AGE_KIOSK (7 * G_TIME_SPAN_DAY)

/* Returns the current time; tests inject their own. */
typedef GDateTime *(*MdgStoreClockFunc) (gpointer user_data);

/* Decides whether @receipt is the server's valid receipt for the envelope
 * @envelope_uuid whose SHA-256 is @envelope_sha256 (hex). */
typedef gboolean (*MdgStoreReceiptVerifyFunc) (const char *envelope_uuid,
                                               const char *envelope_sha256,
                                               GBytes *receipt,
                                               gpointer user_data,
                                               GError **error);

typedef struct
{
  char   *id;         /* random UUID: never derived from personal data */
  char   *procedure;  /* catalog procedure ID */
  gint64  created;    /* Unix seconds */
  gint64  updated;
  gsize   size;       /* bytes of the document */
} MdgDraftInfo;

typedef struct
{
  char   *uuid;
  char   *sha256;     /* hex */
  gint64  created;
  gsize   size;
  gboolean has_receipt;
  char   *rejected;   /* the server's problem code when it refused the
                       * envelope for good, NULL while it is to be sent */
} MdgOutboxInfo;

void          mdg_draft_info_free   (MdgDraftInfo *info);
void          mdg_outbox_info_free  (MdgOutboxInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgDraftInfo, mdg_draft_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgOutboxInfo, mdg_outbox_info_free)

#define MDG_TYPE_STORE (mdg_store_get_type ())
G_DECLARE_FINAL_TYPE (MdgStore, mdg_store, MDG, STORE, GObject)

/* Opens (creating when missing) the store in @profile_dir with the raw
 * 256-bit @key. @key NULL opens a plain, unencrypted database: only for
 * the benchmark's baseline. Takes the profile's lock (STORE_LOCKED when
 * another instance holds it), checks the key (STORE_WRONG_KEY,
 * STORE_CORRUPT), migrates the schema, and expires old drafts with the
 * default clock. */
MdgStore     *mdg_store_open                 (const char *profile_dir,
                                              const guint8 *key,
                                              GError **error);
/* The same with @clock and a draft lifetime, applied before the first
 * expiry. @clock NULL is the real time. */
MdgStore     *mdg_store_open_full            (const char *profile_dir,
                                              const guint8 *key,
                                              GTimeSpan draft_max_age,
                                              MdgStoreClockFunc clock,
                                              gpointer clock_data,
                                              GError **error);
/* Checkpoints and closes the database, then releases the lock. Also done
 * when the last reference goes. */
void          mdg_store_close                (MdgStore *self);
const char   *mdg_store_get_profile_dir      (MdgStore *self);
char         *mdg_store_get_database_path    (MdgStore *self);

void          mdg_store_set_draft_max_age    (MdgStore *self,
                                              GTimeSpan max_age);
GTimeSpan     mdg_store_get_draft_max_age    (MdgStore *self);
/* Runs expiry now: drafts older than the lifetime, and stale status cache
 * entries. Returns how many drafts were deleted, -1 on error. */
gint          mdg_store_expire               (MdgStore *self,
                                              GError **error);
/* Runs expiry every hour on the thread-default main context until the
 * store is closed. */
void          mdg_store_start_expiry_timer   (MdgStore *self);

/* Drafts: @document is opaque (the JSON of an application document). */
char         *mdg_store_draft_save           (MdgStore *self,
                                              const char *procedure,
                                              GBytes *document,
                                              GError **error);
gboolean      mdg_store_draft_update         (MdgStore *self,
                                              const char *id,
                                              GBytes *document,
                                              GError **error);
/* MdgDraftInfo, newest first. */
GPtrArray    *mdg_store_draft_list           (MdgStore *self,
                                              GError **error);
GBytes       *mdg_store_draft_load           (MdgStore *self,
                                              const char *id,
                                              MdgDraftInfo **info,
                                              GError **error);
gboolean      mdg_store_draft_delete         (MdgStore *self,
                                              const char *id,
                                              GError **error);

/* Outbox: signed envelopes, opaque, keyed by their UUID. */
gboolean      mdg_store_outbox_add_stream    (MdgStore *self,
                                              const char *uuid,
                                              GInputStream *stream,
                                              GCancellable *cancellable,
                                              GError **error);
gboolean      mdg_store_outbox_add_file      (MdgStore *self,
                                              const char *uuid,
                                              const char *path,
                                              GError **error);
gboolean      mdg_store_outbox_add_bytes     (MdgStore *self,
                                              const char *uuid,
                                              GBytes *envelope,
                                              GError **error);
/* MdgOutboxInfo, oldest first: envelopes still waiting or refused. */
GPtrArray    *mdg_store_outbox_list          (MdgStore *self,
                                              GError **error);
GBytes       *mdg_store_outbox_load          (MdgStore *self,
                                              const char *uuid,
                                              char **sha256_out,
                                              GError **error);

/* Marks an envelope the server refused for good (@problem_code, e.g.
 * "envelope-signature-invalid"): it is kept, and not sent again. */
gboolean      mdg_store_outbox_set_rejected  (MdgStore *self,
                                              const char *uuid,
                                              const char *problem_code,
                                              GError **error);
/* Deletes an envelope that is still in the outbox (the resident's choice). */
gboolean      mdg_store_outbox_delete        (MdgStore *self,
                                              const char *uuid,
                                              GError **error);

/* Stores the server's @receipt for the envelope @envelope_uuid. When
 * @verify accepts it (or @verified is TRUE and @verify is NULL) the
 * envelope is deleted in the same transaction and only the receipt stays. */
gboolean      mdg_store_receipt_add          (MdgStore *self,
                                              const char *envelope_uuid,
                                              GBytes *receipt,
                                              MdgStoreReceiptVerifyFunc verify,
                                              gpointer verify_data,
                                              gboolean verified,
                                              GError **error);
/* Stores verified receipts for @n envelopes and deletes the envelopes, all
 * in one transaction: all or none. */
gboolean      mdg_store_receipts_add_verified (MdgStore *self,
                                               const char * const *envelope_uuids,
                                               GBytes * const *receipts,
                                               guint n,
                                               GError **error);
GBytes       *mdg_store_receipt_load         (MdgStore *self,
                                              const char *envelope_uuid,
                                              gboolean *verified,
                                              GError **error);

/* Short-lived cache of application status for offline viewing. */
gboolean      mdg_store_status_cache_put     (MdgStore *self,
                                              const char *key,
                                              GBytes *body,
                                              GTimeSpan lifetime,
                                              GError **error);
/* NULL without error when missing or stale. */
GBytes       *mdg_store_status_cache_get     (MdgStore *self,
                                              const char *key,
                                              GError **error);

G_END_DECLS
