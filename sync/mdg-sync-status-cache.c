/* mdg-sync-status-cache.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mdg-jcs.h"
#include "mdg-sync-status-cache.h"

/* Each cache entry is named like the member it keeps. */
#define SUBMISSIONS_KEY "submissions"
#define RECORDS_KEY "records"

void
mdg_sync_status_change_free (MdgSyncStatusChange *change)
{
  if (change == NULL)
    return;
  g_free (change->uuid);
  g_free (change->receipt_number);
  g_free (change->old_status);
  g_free (change->new_status);
  g_free (change->comment);
  g_free (change);
}

/* The array @member of the cached object @key, and when it was fetched. */
static JsonArray *
cache_get (MdgStore *store,
           const char *key,
           GDateTime **fetched,
           GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GBytes) body = mdg_store_status_cache_get (store, key, &local);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonNode *items;

  if (body == NULL)
    {
      if (local != NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  /* Written by us, inside the encrypted store: a damaged copy is simply
   * no copy. */
  root = mdg_jcs_parse (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  items = json_object_get_member (obj, key);
  if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items))
    return NULL;
  if (fetched != NULL)
    *fetched = g_date_time_new_from_unix_utc (json_object_get_int_member_with_default (obj, "fetched", 0));

  return json_array_ref (json_node_get_array (items));
}

/* Stores @items as {"fetched": now, @key: items} under @key. */
static gboolean
cache_put (MdgStore *store,
           const char *key,
           JsonArray *items,
           GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GBytes) body = NULL;
  JsonNode *array = json_node_new (JSON_NODE_ARRAY);
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "fetched");
  json_builder_add_int_value (builder, g_date_time_to_unix (now));
  json_builder_set_member_name (builder, key);
  json_node_set_array (array, items);
  json_builder_add_value (builder, array);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  body = g_bytes_new_take (text, strlen (text));

  return mdg_store_status_cache_put (store, key, body, MDG_SYNC_STATUS_CACHE_LIFETIME, error);
}

JsonArray *
mdg_sync_status_cached (MdgStore *store,
                        GDateTime **fetched,
                        GError **error)
{
  return cache_get (store, SUBMISSIONS_KEY, fetched, error);
}

JsonArray *
mdg_sync_records_cached (MdgStore *store,
                         GDateTime **fetched,
                         GError **error)
{
  return cache_get (store, RECORDS_KEY, fetched, error);
}

gboolean
mdg_sync_records_refresh (MdgStore *store,
                          MdgSyncClient *client,
                          GCancellable *cancellable,
                          GError **error)
{
  g_autoptr(JsonArray) records = mdg_sync_client_get_records (client, cancellable, error);

  return records != NULL && cache_put (store, RECORDS_KEY, records, error);
}

static JsonObject *
find_item (JsonArray *items,
           const char *uuid)
{
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (item, "uuid", NULL), uuid) == 0)
        return item;
    }
  return NULL;
}

static guint
history_length (JsonObject *item)
{
  JsonNode *history = item != NULL ? json_object_get_member (item, "history") : NULL;

  return history != NULL && JSON_NODE_HOLDS_ARRAY (history)
         ? json_array_get_length (json_node_get_array (history)) : 0;
}

static const char *
comment_of (JsonObject *item)
{
  JsonNode *comment = json_object_get_member (item, "comment");

  return comment != NULL && JSON_NODE_HOLDS_VALUE (comment) ? json_node_get_string (comment) : NULL;
}

GPtrArray *
mdg_sync_status_refresh (MdgStore *store,
                         MdgSyncClient *client,
                         GCancellable *cancellable,
                         GError **error)
{
  g_autoptr(JsonArray) items = NULL;
  g_autoptr(JsonArray) before = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) local = NULL;

  items = mdg_sync_client_get_submissions (client, cancellable, error);
  if (items == NULL)
    return NULL;

  /* A cache that cannot be read only means every item counts as new. */
  before = mdg_sync_status_cached (store, NULL, &local);
  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) mdg_sync_status_change_free);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      const char *uuid = json_object_get_string_member (item, "uuid");
      const char *status = json_object_get_string_member (item, "status");
      JsonObject *old = find_item (before, uuid);
      const char *old_status = old != NULL ? json_object_get_string_member_with_default (old, "status", NULL) : NULL;
      MdgSyncStatusChange *change;

      if (old != NULL && g_strcmp0 (old_status, status) == 0
          && history_length (old) == history_length (item))
        continue;
      change = g_new0 (MdgSyncStatusChange, 1);
      change->uuid = g_strdup (uuid);
      change->receipt_number = g_strdup (json_object_get_string_member (item, "receipt_number"));
      change->old_status = g_strdup (old_status);
      change->new_status = g_strdup (status);
      change->comment = g_strdup (comment_of (item));
      g_ptr_array_add (changes, change);
    }

  if (!cache_put (store, SUBMISSIONS_KEY, items, error))
    return NULL;

  return g_steal_pointer (&changes);
}

char *
mdg_sync_format_age (GTimeSpan age)
{
  gint64 minutes = age / G_TIME_SPAN_MINUTE;
  gint64 hours = age / G_TIME_SPAN_HOUR;
  gint64 days = age / G_TIME_SPAN_DAY;

  if (minutes < 1)
    return g_strdup (_("just now"));
  if (hours < 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", (gulong) minutes),
                            (int) minutes);
  if (days < 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", (gulong) hours),
                            (int) hours);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", (gulong) days),
                          (int) days);
}
