/* mdg-cli-sync.c: `madoguchi-cli outbox add|list|delete`, `sync` and
 * `status`: signed envelopes go to the municipality, statuses come back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "madoguchi-card.h"
#include "mdg-app-error.h"
#include "mdg-application.h"
#include "mdg-cli-card-signer.h"
#include "mdg-cli-error.h"
#include "mdg-cli-store.h"
#include "mdg-cli-sync.h"
#include "mdg-envelope.h"
#include "mdg-store.h"
#include "mdg-sync-client.h"
#include "mdg-sync-error.h"
#include "mdg-sync-outbox.h"
#include "mdg-sync-scheduler.h"
#include "mdg-sync-status.h"
#include "mdg-sync-status-cache.h"

/* ---- outbox -------------------------------------------------------------- */

static int
outbox_add (const MdgCliGlobal *global,
            int argc,
            char **argv)
{
  g_auto(MdgCliStoreOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgEnvelope) envelope = NULL;
  g_autoptr(MdgApplication) doc = NULL;
  g_autoptr(MdgStore) store = NULL;
  GBytes *document;
  int rc;

  rc = mdg_cli_store_parse (_("ENVELOPE — queue a signed envelope for sending"), NULL, NULL,
                            &options, &argc, &argv, 1);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;

  /* Only a well-formed envelope is queued; its document's UUID names the
   * submission, so the same application cannot be queued twice. */
  envelope = mdg_envelope_open (argv[1], &error);
  if (envelope == NULL)
    return mdg_cli_report_error (error, -1, -1);
  document = mdg_envelope_get_document (envelope);
  doc = mdg_application_new_from_data (g_bytes_get_data (document, NULL),
                                       (gssize) g_bytes_get_size (document), &error);
  if (doc == NULL)
    return mdg_cli_report_error (error, -1, -1);

  store = mdg_cli_store_open (&options, TRUE, &error);
  if (store == NULL
      || !mdg_store_outbox_add_file (store, mdg_application_get_id (doc), argv[1], &error))
    return mdg_cli_report_error (error, -1, -1);

  g_print ("%s\n", mdg_application_get_id (doc));
  return MDG_CLI_EXIT_OK;
}

static int
outbox_list (const MdgCliGlobal *global,
             int argc,
             char **argv)
{
  g_auto(MdgCliStoreOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  rc = mdg_cli_store_open_to_list (_("— list the envelopes waiting to be sent"), &options, &argc,
                                   &argv, &store);
  if (store == NULL)
    return rc;
  list = mdg_store_outbox_list (store, &error);
  if (list == NULL)
    return mdg_cli_report_error (error, -1, -1);

  for (guint i = 0; i < list->len; i++)
    {
      MdgOutboxInfo *info = list->pdata[i];
      g_autofree char *when = mdg_cli_format_time (info->created);

      if (info->rejected != NULL)
        /* TRANSLATORS: the server's reason is a code such as envelope-signature-invalid */
        g_print (_("%s  %s  %zu bytes  refused by the server (%s)\n"), info->uuid, when, info->size,
                 info->rejected);
      else
        g_print (_("%s  %s  %zu bytes  waiting to be sent\n"), info->uuid, when, info->size);
    }

  return MDG_CLI_EXIT_OK;
}

static int
outbox_delete (const MdgCliGlobal *global,
               int argc,
               char **argv)
{
  g_auto(MdgCliStoreOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  int rc;

  rc = mdg_cli_store_parse (_("UUID — delete an envelope that was not sent"), NULL, NULL, &options,
                            &argc, &argv, 1);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;

  store = mdg_cli_store_open (&options, FALSE, &error);
  if (store == NULL || !mdg_store_outbox_delete (store, argv[1], &error))
    return mdg_cli_report_error (error, -1, -1);

  return MDG_CLI_EXIT_OK;
}

static const MdgCliCommand outbox_commands[] = {
  { "add", N_("Queue a signed envelope for sending; prints its UUID"), outbox_add },
  { "list", N_("List the envelopes not sent yet, and those the server refused"), outbox_list },
  { "delete", N_("Delete an envelope that was not sent"), outbox_delete },
};

int
mdg_cli_outbox_main (const MdgCliGlobal *global,
                     int argc,
                     char **argv)
{
  return mdg_cli_run_subcommand (global, argc, argv, "outbox", outbox_commands,
                                 G_N_ELEMENTS (outbox_commands));
}

/* ---- sync ---------------------------------------------------------------- */

static char *
default_endpoint (void)
{
  return g_build_filename (g_get_user_config_dir (), "madoguchi", "endpoint.ini", NULL);
}

static void
print_change (MdgSyncStatusChange *change)
{
  if (change->old_status == NULL)
    g_print ("%s  %s\n", change->receipt_number, mdg_sync_status_get_label (change->new_status));
  else
    g_print ("%s  %s → %s\n", change->receipt_number, mdg_sync_status_get_label (change->old_status),
             mdg_sync_status_get_label (change->new_status));
  if (change->comment != NULL)
    /* TRANSLATORS: the municipality's comment (自治体コメント) on an application */
    g_print (_("    Comment from the municipality: %s\n"), change->comment);
}

/* A desktop notification per change (org.freedesktop.Notifications):
 * the 受付番号 and the new status only — never a comment, which may carry
 * personal details, on a screen others can see. Best effort: without a
 * notification service nothing happens. */
static void
notify_changes (GPtrArray *changes)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  for (guint i = 0; bus != NULL && i < changes->len; i++)
    {
      MdgSyncStatusChange *change = changes->pdata[i];
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *body = g_strdup_printf ("%s: %s", change->receipt_number,
                                               mdg_sync_status_get_label (change->new_status));

      reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                           "org.freedesktop.Notifications", "Notify",
                                           g_variant_new ("(susss@as@a{sv}i)", "Madoguchi", 0u,
                                                          "io.github.madoguchi.Madoguchi",
                                                          _("Your application’s status changed"), body,
                                                          g_variant_new_strv (NULL, 0),
                                                          g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0),
                                                          -1),
                                           G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 2000,
                                           NULL, &error);
      if (reply == NULL)
        g_debug ("No notification: %s", error->message);
    }
}

/* What `sync` and `draft correct` share: the server, the store, the card. */
typedef struct
{
  MdgCliStoreOptions store;
  char              *endpoint_path;
  gint               pin_fd;
  gboolean           confirm_last_try;
  gint               retry_minutes;
  gboolean           notify;
} SessionOptions;

static void
session_options_clear (SessionOptions *options)
{
  mdg_cli_store_options_clear (&options->store);
  g_clear_pointer (&options->endpoint_path, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SessionOptions, session_options_clear)

/* Parses the session options and @n_args arguments. Returns an exit code. */
static int
session_parse (const char *usage,
               SessionOptions *options,
               int *argc,
               char ***argv,
               int n_args)
{
  GOptionEntry entries[] = {
    { "endpoint", 0, 0, G_OPTION_ARG_FILENAME, &options->endpoint_path,
      N_("The municipality’s server settings (default: ~/.config/madoguchi/endpoint.ini)"), N_("FILE") },
    { "pin-fd", 0, 0, G_OPTION_ARG_INT, &options->pin_fd,
      N_("Read the user authentication PIN from file descriptor FD"), N_("FD") },
    { "confirm-last-try", 0, 0, G_OPTION_ARG_NONE, &options->confirm_last_try,
      N_("Allow the PIN to be sent when only one try is left"), NULL },
    { "retry-for", 0, 0, G_OPTION_ARG_INT, &options->retry_minutes,
      N_("While the server cannot be reached, keep trying for up to MINUTES (sync)"), N_("MINUTES") },
    { "notify", 0, 0, G_OPTION_ARG_NONE, &options->notify,
      N_("Show a desktop notification for every status that changed (sync)"), NULL },
    { NULL }
  };
  int rc;

  options->pin_fd = -1;
  rc = mdg_cli_store_parse (usage, NULL, entries, &options->store, argc, argv, n_args);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (options->pin_fd < -1)
    return mdg_cli_usage_error (_("--pin-fd needs a file descriptor"));
  if (options->endpoint_path == NULL)
    options->endpoint_path = default_endpoint ();
  return MDG_CLI_EXIT_OK;
}

/* Opens the store, the client and the card's authentication key (its PIN
 * asked now and kept by the signer, so that a retry can log in again).
 * Returns an exit code. */
static int
session_open (const MdgCliGlobal *global,
              SessionOptions *options,
              MdgStore **store_out,
              MdgSyncClient **client_out,
              MdgSigner **signer_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgSyncEndpoint) endpoint = NULL;
  g_autoptr(MdgSyncClient) client = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(MdgSigner) signer = NULL;
  int rc;

  endpoint = mdg_sync_endpoint_load (options->endpoint_path, &error);
  if (endpoint == NULL || (client = mdg_sync_client_new (endpoint, &error)) == NULL)
    return mdg_cli_report_error (error, -1, -1);
  store = mdg_cli_store_open (&options->store, TRUE, &error);
  if (store == NULL)
    return mdg_cli_report_error (error, -1, -1);

  signer = mdg_cli_card_signer_open (global, options->pin_fd, MDG_JPKI_KEY_AUTH, options->confirm_last_try,
                                     &rc);
  if (signer == NULL)
    return rc;

  *store_out = g_steal_pointer (&store);
  *client_out = g_steal_pointer (&client);
  *signer_out = g_steal_pointer (&signer);
  return MDG_CLI_EXIT_OK;
}

/* Reports @error of a session: a card error names the PIN and its tries. */
static int
session_report (MdgSigner *signer,
                const GError *error)
{
  if (error->domain == MDG_CARD_ERROR)
    return mdg_cli_card_signer_report (signer, error);
  return mdg_cli_report_error (error, -1, -1);
}

/* One round of `sync`: log in when needed, deliver, fetch. */
typedef struct
{
  MdgStore              *store;
  MdgSyncClient         *client;
  MdgSigner             *signer;
  MdgSyncDeliveryReport  report;
  guint                  sent;      /* over every round */
  GPtrArray             *changes;
  GMainLoop             *loop;
  gboolean               done;
  GError                *error;
} SyncRun;

static gboolean
sync_round (gpointer data,
            GCancellable *cancellable,
            GError **error)
{
  SyncRun *run = data;
  gboolean delivered;

  if (!mdg_sync_client_is_logged_in (run->client)
      && !mdg_sync_client_login (run->client, run->signer, cancellable, error))
    return FALSE;
  delivered = mdg_sync_outbox_deliver (run->store, run->client, &run->report, cancellable, error);
  run->sent += run->report.sent;
  if (!delivered)
    return FALSE;
  g_clear_pointer (&run->changes, g_ptr_array_unref);
  run->changes = mdg_sync_status_refresh (run->store, run->client, cancellable, error);

  return run->changes != NULL && mdg_sync_records_refresh (run->store, run->client, cancellable, error);
}

static void
round_finished (MdgSyncScheduler *scheduler,
                gboolean ok,
                const GError *error,
                SyncRun *run)
{
  g_clear_error (&run->error);
  run->done = ok;
  if (!ok)
    run->error = g_error_copy (error);
  /* Done, or a failure that waiting will not cure. */
  if (ok || !mdg_sync_error_is_transient (error))
    g_main_loop_quit (run->loop);
}

static void
retry_scheduled (MdgSyncScheduler *scheduler,
                 gint64 delay,
                 SyncRun *run)
{
  int seconds = (int) ((delay + G_TIME_SPAN_SECOND - 1) / G_TIME_SPAN_SECOND);

  g_printerr (g_dngettext (GETTEXT_PACKAGE, "madoguchi-cli: %s; trying again in %d second\n",
                           "madoguchi-cli: %s; trying again in %d seconds\n", (gulong) seconds),
              run->error->message, seconds);
}

static gboolean
give_up (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* Runs sync_round() until it succeeds, fails for good, or @minutes pass,
 * with backoff between tries and as soon as the network comes back. */
static gboolean
sync_with_retries (SyncRun *run,
                   const char *uri,
                   int minutes)
{
  g_autoptr(MdgSyncScheduler) scheduler = mdg_sync_scheduler_new (NULL, sync_round, run, NULL);
  g_autoptr(GSocketConnectable) destination = g_network_address_parse_uri (uri, 443, NULL);
  guint deadline;

  run->loop = g_main_loop_new (NULL, FALSE);
  if (destination != NULL)
    mdg_sync_scheduler_set_destination (scheduler, destination);
  g_signal_connect (scheduler, "finished", G_CALLBACK (round_finished), run);
  g_signal_connect (scheduler, "retry-scheduled", G_CALLBACK (retry_scheduled), run);
  deadline = g_timeout_add_seconds ((guint) minutes * 60, give_up, run->loop);
  mdg_sync_scheduler_start (scheduler);
  g_main_loop_run (run->loop);
  mdg_sync_scheduler_stop (scheduler);
  g_clear_handle_id (&deadline, g_source_remove);
  /* A round still running is cancelled; wait for it to let go. */
  while (mdg_sync_scheduler_is_running (scheduler))
    g_main_context_iteration (NULL, TRUE);
  g_clear_pointer (&run->loop, g_main_loop_unref);
  if (!run->done && run->error == NULL)
    g_set_error_literal (&run->error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_NETWORK,
                         _("The network to the municipality’s server did not come up."));

  return run->done;
}

int
mdg_cli_sync_main (const MdgCliGlobal *global,
                   int argc,
                   char **argv)
{
  g_auto(SessionOptions) options = { 0 };
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(MdgSyncClient) client = NULL;
  g_autoptr(MdgSigner) signer = NULL;
  SyncRun run = { 0 };
  gboolean ok;
  int rc;

  rc = session_parse (_("— send the outbox and fetch the status of your applications"), &options, &argc,
                      &argv, 0);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (options.retry_minutes < 0)
    return mdg_cli_usage_error (_("--retry-for needs a number of minutes"));
  rc = session_open (global, &options, &store, &client, &signer);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;

  run.store = store;
  run.client = client;
  run.signer = signer;
  if (options.retry_minutes > 0)
    ok = sync_with_retries (&run, mdg_sync_client_get_uri (client), options.retry_minutes);
  else
    ok = sync_round (&run, NULL, &run.error);

  g_print (_("Sent: %u, refused: %u, waiting: %u\n"), run.sent, run.report.refused, run.report.waiting);
  if (!ok)
    {
      rc = session_report (signer, run.error);
      g_clear_error (&run.error);
      g_clear_pointer (&run.changes, g_ptr_array_unref);
      return rc;
    }
  for (guint i = 0; i < run.changes->len; i++)
    print_change (run.changes->pdata[i]);
  if (options.notify)
    notify_changes (run.changes);
  g_clear_pointer (&run.changes, g_ptr_array_unref);
  if (run.report.refused > 0)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "madoguchi-cli: %u envelope was refused by the server; see “madoguchi-cli outbox list”\n",
                               "madoguchi-cli: %u envelopes were refused by the server; see “madoguchi-cli outbox list”\n",
                               run.report.refused), run.report.refused);
      return MDG_CLI_EXIT_SYNC_REFUSED;
    }

  return MDG_CLI_EXIT_OK;
}

/* ---- draft correct ------------------------------------------------------- */

static const char *
member_text (JsonObject *obj,
             const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}


/* The cached status item of @uuid, or NULL. */
static JsonObject *
cached_item (JsonArray *items,
             const char *uuid)
{
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);

      if (g_strcmp0 (member_text (item, "uuid"), uuid) == 0)
        return item;
    }
  return NULL;
}

int
mdg_cli_draft_correct_main (const MdgCliGlobal *global,
                            int argc,
                            char **argv)
{
  g_auto(SessionOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(MdgSyncClient) client = NULL;
  g_autoptr(MdgSigner) signer = NULL;
  g_autoptr(JsonArray) items = NULL;
  g_autoptr(GBytes) original = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(MdgApplication) source = NULL;
  g_autoptr(MdgApplication) doc = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *uuid = NULL;
  g_autofree char *text = NULL;
  g_autofree char *draft = NULL;
  JsonObject *item;
  int rc;

  rc = session_parse (_("SUBMISSION — start a new draft that answers a correction request (補正依頼)"),
                      &options, &argc, &argv, 1);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (!g_uuid_string_is_valid (argv[1]))
    return mdg_cli_usage_error (_("“%s” is not a submission UUID"), argv[1]);
  uuid = g_ascii_strdown (argv[1], -1);

  rc = session_open (global, &options, &store, &client, &signer);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  if (!mdg_sync_client_login (client, signer, NULL, &error))
    return session_report (signer, error);

  /* Only what the municipality asked to correct, as of now. */
  if (mdg_sync_status_refresh (store, client, NULL, &error) == NULL)
    return mdg_cli_report_error (error, -1, -1);
  items = mdg_sync_status_cached (store, NULL, &error);
  item = cached_item (items, uuid);
  if (item == NULL || g_strcmp0 (member_text (item, "status"), "correction-requested") != 0)
    {
      g_set_error (&error, MDG_CLI_ERROR, MDG_CLI_ERROR_FAILED,
                   _("The municipality has not asked for a correction of %s."), uuid);
      return mdg_cli_report_error (error, -1, -1);
    }

  /* The signed original, with a new id and time, and the link back. */
  original = mdg_sync_client_get_document (client, uuid, NULL, &error);
  if (original == NULL)
    return mdg_cli_report_error (error, -1, -1);
  source = mdg_application_new_from_data (g_bytes_get_data (original, NULL), (gssize) g_bytes_get_size (original),
                                          NULL);
  if (source == NULL)
    {
      g_set_error_literal (&error, MDG_SYNC_ERROR, MDG_SYNC_ERROR_PROTOCOL,
                           _("The server sent an application document that is not valid."));
      return mdg_cli_report_error (error, -1, -1);
    }
  doc = mdg_application_new_correction (source, uuid, now, &error);
  if (doc == NULL)
    return mdg_cli_report_error (error, -1, -1);
  root = json_node_init_object (json_node_alloc (), mdg_application_get_root (doc));
  text = json_to_string (root, TRUE);
  {
    g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

    draft = mdg_store_draft_save (store, mdg_application_get_procedure_id (doc), body, &error);
  }
  if (draft == NULL)
    return mdg_cli_report_error (error, -1, -1);

  g_print ("%s\n", draft);
  if (member_text (item, "comment") != NULL)
    g_print (_("    Comment from the municipality: %s\n"), member_text (item, "comment"));
  return MDG_CLI_EXIT_OK;
}

/* ---- status -------------------------------------------------------------- */

static void
print_fetched (GDateTime *fetched)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = mdg_cli_format_time (g_date_time_to_unix (fetched));
  g_autofree char *age = mdg_sync_format_age (g_date_time_difference (now, fetched));

  /* TRANSLATORS: "as of 2026-11-23 10:00 (5 minutes ago)" */
  g_print (_("As of %s (%s):\n"), when, age);
}

static void
print_json (JsonNode *root)
{
  g_autofree char *text = json_to_string (root, TRUE);

  g_print ("%s\n", text);
}


static void
print_record (JsonObject *record)
{
  JsonNode *caps = json_object_get_member (record, "copay_caps");
  const char *text;

  if (json_object_get_boolean_member_with_default (record, "suppressed", FALSE))
    {
      /* 不開示: only the neutral state (domain.md §9 R10). */
      g_print (_("A record the municipality does not show here\n"));
      return;
    }
  g_print ("%s\n", (text = member_text (record, "certificate_name")) != NULL ? text : "?");
  if ((text = member_text (record, "payer_number")) != NULL)
    g_print (_("    Payer number: %s\n"), text);
  if ((text = member_text (record, "recipient_number")) != NULL)
    g_print (_("    Recipient number: %s\n"), text);
  if (member_text (record, "valid_from") != NULL || member_text (record, "valid_until") != NULL)
    g_print (_("    Valid: %s – %s\n"),
             member_text (record, "valid_from") != NULL ? member_text (record, "valid_from") : "",
             member_text (record, "valid_until") != NULL ? member_text (record, "valid_until") : "");
  for (guint i = 0; caps != NULL && JSON_NODE_HOLDS_ARRAY (caps) && i < json_array_get_length (json_node_get_array (caps)); i++)
    {
      JsonNode *cap = json_array_get_element (json_node_get_array (caps), i);
      JsonObject *c;

      if (!JSON_NODE_HOLDS_OBJECT (cap))
        continue;
      c = json_node_get_object (cap);
      if ((text = member_text (c, "definition")) != NULL)
        g_print (_("    Co-payment cap: %s\n"), text);
      else if (json_object_has_member (c, "amount"))
        g_print (_("    Co-payment cap: %lld yen\n"),
                 (long long) json_object_get_int_member_with_default (c, "amount", 0));
    }
}

typedef JsonArray *(*CacheReadFunc) (MdgStore *store,
                                     GDateTime **fetched,
                                     GError **error);

/* What `status` and `records` share: --json and the store options, the
 * store, and the cached array @read returns (NULL when there is none yet).
 * Returns an exit code. */
static int
open_cache (const char *usage,
            const char *json_help,
            gboolean *json,
            MdgCliStoreOptions *options,
            int *argc,
            char ***argv,
            CacheReadFunc read,
            MdgStore **store_out,
            JsonArray **items_out,
            GDateTime **fetched_out)
{
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, json, json_help, NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  int rc;

  rc = mdg_cli_store_parse (usage, NULL, entries, options, argc, argv, 0);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  *store_out = mdg_cli_store_open (options, FALSE, &error);
  if (*store_out == NULL)
    return mdg_cli_report_error (error, -1, -1);
  *items_out = read (*store_out, fetched_out, &error);
  if (*items_out == NULL && error != NULL)
    return mdg_cli_report_error (error, -1, -1);
  return MDG_CLI_EXIT_OK;
}

int
mdg_cli_records_main (const MdgCliGlobal *global,
                      int argc,
                      char **argv)
{
  g_auto(MdgCliStoreOptions) options = { 0 };
  gboolean json = FALSE;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(JsonArray) records = NULL;
  g_autoptr(GDateTime) fetched = NULL;
  int rc;

  rc = open_cache (_("— your subsidy records, as last fetched by “sync”"), N_("Print the records as JSON"),
                   &json, &options, &argc, &argv, mdg_sync_records_cached, &store, &records, &fetched);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);

      if (records != NULL)
        json_node_set_array (root, records);
      else
        json_node_take_array (root, json_array_new ());
      print_json (root);
      return MDG_CLI_EXIT_OK;
    }
  if (records == NULL)
    {
      g_print (_("No records fetched yet; run “madoguchi-cli sync”.\n"));
      return MDG_CLI_EXIT_OK;
    }
  print_fetched (fetched);
  if (json_array_get_length (records) == 0)
    g_print (_("The municipality has no subsidy records for you.\n"));
  for (guint i = 0; i < json_array_get_length (records); i++)
    if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (records, i)))
      print_record (json_array_get_object_element (records, i));

  return MDG_CLI_EXIT_OK;
}

int
mdg_cli_status_main (const MdgCliGlobal *global,
                     int argc,
                     char **argv)
{
  g_auto(MdgCliStoreOptions) options = { 0 };
  gboolean json = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgStore) store = NULL;
  g_autoptr(JsonArray) items = NULL;
  g_autoptr(GDateTime) fetched = NULL;
  g_autoptr(GPtrArray) outbox = NULL;
  int rc;

  rc = open_cache (_("— the status of your applications, as last fetched by “sync”"),
                   N_("Print the statuses as JSON"), &json, &options, &argc, &argv, mdg_sync_status_cached,
                   &store, &items, &fetched);
  if (rc != MDG_CLI_EXIT_OK)
    return rc;
  outbox = mdg_store_outbox_list (store, &error);
  if (outbox == NULL)
    return mdg_cli_report_error (error, -1, -1);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "fetched");
      if (fetched != NULL)
        {
          g_autofree char *iso = g_date_time_format_iso8601 (fetched);

          json_builder_add_string_value (builder, iso);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "submissions");
      json_builder_begin_array (builder);
      for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
        json_builder_add_value (builder, json_node_copy (json_array_get_element (items, i)));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "outbox");
      json_builder_begin_array (builder);
      for (guint i = 0; i < outbox->len; i++)
        {
          MdgOutboxInfo *info = outbox->pdata[i];

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "uuid");
          json_builder_add_string_value (builder, info->uuid);
          json_builder_set_member_name (builder, "refused");
          if (info->rejected != NULL)
            json_builder_add_string_value (builder, info->rejected);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      print_json (root);
      return MDG_CLI_EXIT_OK;
    }

  if (fetched != NULL)
    {
      print_fetched (fetched);
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = json_array_get_object_element (items, i);
          JsonNode *comment = json_object_get_member (item, "comment");

          g_print ("%s  %s  %s\n", json_object_get_string_member (item, "receipt_number"),
                   json_object_get_string_member (item, "received"),
                   mdg_sync_status_get_label (json_object_get_string_member (item, "status")));
          if (comment != NULL && JSON_NODE_HOLDS_VALUE (comment))
            g_print (_("    Comment from the municipality: %s\n"), json_node_get_string (comment));
        }
    }
  else
    g_print (_("No status fetched yet; run “madoguchi-cli sync”.\n"));

  for (guint i = 0; i < outbox->len; i++)
    {
      MdgOutboxInfo *info = outbox->pdata[i];

      if (info->rejected != NULL)
        g_print (_("%s  refused by the server (%s)\n"), info->uuid, info->rejected);
      else
        g_print (_("%s  not sent yet\n"), info->uuid);
    }

  return MDG_CLI_EXIT_OK;
}
