/* mdg-server-admin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mdg-server-admin.h"
#include "mdg-server-audit.h"
#include "mdg-server-db.h"
#include "mdg-server-export.h"
#include "mdg-server-records.h"
#include "mdg-server-retention.h"
#include "mdg-server-staff.h"
#include "mdg-server.h"
#include "mdg-sync-json.h"
#include "mdg-sync-receipt.h"
#include "mdg-sync-status.h"

typedef struct
{
  MdgServerConfig *config;
  MdgServerDb     *db;
  const char      *staff;
  const char      *name;
  const char      *comment;
  const char      *resident;
  const char      *card_serial;
  const char      *right;
  const char      *out;
  const char      *statuses;
  char           **args;    /* after the command */
  guint            n_args;
} Admin;

static gboolean
need_args (Admin *a,
           guint n,
           const char *usage,
           GError **error)
{
  if (a->n_args == n)
    return TRUE;
  g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID, _("Usage: %s"), usage);
  return FALSE;
}

/* The acting staff account must exist; every command is done by a person. */
static gboolean
check_staff (Admin *a,
             GError **error)
{
  if (a->staff == NULL)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_PERMISSION,
                   _("Say which staff account acts, with --as STAFF-ID."));
      return FALSE;
    }
  if (mdg_server_db_count_staff (a->db, a->staff) != 1)
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_PERMISSION,
                   _("There is no staff account “%s”."), a->staff);
      return FALSE;
    }
  return TRUE;
}

#define ADD_STAFF_USAGE "add-staff STAFF-ID --name NAME [--card-serial SERIAL] [--right my-number]"

static gboolean
cmd_add_staff (Admin *a,
               GError **error)
{
  gint64 count = mdg_server_db_count_staff (a->db, NULL);
  const char *id;
  const char *actor;

  g_autofree char *serial = NULL;
  gboolean ok;

  if (!need_args (a, 1, ADD_STAFF_USAGE, error))
    return FALSE;
  id = a->args[0];
  if (a->name == NULL || *id == '\0'
      || (a->right != NULL && !g_str_equal (a->right, MDG_SERVER_RIGHT_MY_NUMBER)))
    return need_args (a, G_MAXUINT, ADD_STAFF_USAGE, error);
  /* The very first account creates itself; later ones need an existing one. */
  actor = count == 0 ? id : a->staff;
  if (count != 0 && !check_staff (a, error))
    return FALSE;
  if (a->card_serial != NULL)
    serial = g_ascii_strup (a->card_serial, -1);
  if (!mdg_server_db_begin (a->db, error))
    return FALSE;
  ok = mdg_server_db_add_staff (a->db, id, a->name, serial, a->right, error)
       && mdg_server_audit_append (a->db, actor, "add-staff", id, a->right != NULL ? a->right : "", error);
  if (!mdg_server_db_end (a->db, ok, error))
    return FALSE;
  g_print (_("Staff account “%s” added.\n"), id);
  return TRUE;
}

static gboolean
cmd_map_person (Admin *a,
                GError **error)
{
  g_autofree char *serial = NULL;

  if (!need_args (a, 2, "map-person SERIAL RESIDENT-ID", error) || !check_staff (a, error))
    return FALSE;
  serial = g_ascii_strup (a->args[0], -1);
  if (!mdg_server_staff_map_person (a->db, a->staff, serial, a->args[1], error))
    return FALSE;
  g_print (_("Certificate serial %s mapped.\n"), serial);
  return TRUE;
}

static gboolean
cmd_set_status (Admin *a,
                GError **error)
{
  if (!need_args (a, 2, "set-status UUID STATUS [--comment TEXT]", error) || !check_staff (a, error)
      || !mdg_server_staff_set_status (a->db, a->staff, a->args[0], a->args[1], a->comment, error))
    return FALSE;
  g_print (_("Status set.\n"));
  return TRUE;
}

static void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

static gboolean
cmd_list (Admin *a,
          GError **error)
{
  g_autoptr(JsonNode) list = NULL;

  if (!need_args (a, 0, "list [--resident RESIDENT-ID] [--status STATUS]", error) || !check_staff (a, error))
    return FALSE;
  list = mdg_server_staff_list (a->db, a->staff, a->statuses, error);
  if (list == NULL)
    return FALSE;
  if (a->resident != NULL)
    {
      JsonArray *all = json_node_get_array (list);
      g_autoptr(JsonArray) mine = json_array_new ();

      for (guint i = 0; i < json_array_get_length (all); i++)
        {
          JsonObject *item = json_array_get_object_element (all, i);

          if (g_strcmp0 (mdg_sync_json_get_string (item, "resident"), a->resident) == 0)
            json_array_add_object_element (mine, json_object_ref (item));
        }
      json_node_set_array (list, mine);
    }
  print_json (list);
  return TRUE;
}

static gboolean
cmd_show (Admin *a,
          GError **error)
{
  g_autoptr(JsonNode) item = NULL;

  if (!need_args (a, 1, "show UUID", error) || !check_staff (a, error))
    return FALSE;
  item = mdg_server_staff_show (a->db, a->config, a->staff, a->args[0], error);
  if (item == NULL)
    return FALSE;
  print_json (item);
  return TRUE;
}

static gboolean
cmd_export (Admin *a,
            GError **error)
{
  g_auto(GStrv) statuses = g_strsplit (a->statuses != NULL ? a->statuses : "decided", ",", -1);
  guint n = 0;

  if (!need_args (a, 0, "export --out FILE.zip [--status STATUS,…]", error) || !check_staff (a, error))
    return FALSE;
  if (a->out == NULL)
    return need_args (a, G_MAXUINT, "export --out FILE.zip [--status STATUS,…]", error);
  for (guint i = 0; statuses[i] != NULL; i++)
    if (!mdg_sync_status_is_valid (statuses[i]))
      {
        g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID, _("“%s” is not a status."), statuses[i]);
        return FALSE;
      }
  if (!mdg_server_export (a->db, a->config, a->staff, (const char * const *) statuses, a->out, &n, error))
    return FALSE;
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u submission exported.\n", "%u submissions exported.\n", n), n);
  return TRUE;
}

static gboolean
cmd_purge (Admin *a,
           GError **error)
{
  guint n = 0;

  if (!need_args (a, 0, "purge", error) || !check_staff (a, error)
      || !mdg_server_retention_purge (a->db, a->config, a->staff, &n, error))
    return FALSE;
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u envelope purged.\n", "%u envelopes purged.\n", n), n);
  return TRUE;
}

static gboolean
cmd_import_records (Admin *a,
                    GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) records = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *data = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *detail = NULL;
  gsize len = 0;
  guint n_records = 0;

  if (!need_args (a, 1, "import-records FILE.json", error) || !check_staff (a, error))
    return FALSE;
  if (!g_file_get_contents (a->args[0], &data, &len, error))
    return FALSE;
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local))
    {
      g_set_error (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID,
                   _("The records file is not JSON: %s"), local->message);
      return FALSE;
    }
  records = mdg_server_records_normalize (json_parser_get_root (parser), &n_records, error);
  if (records == NULL)
    return FALSE;
  /* The file is full of personal data: the audit keeps only its hash. */
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
  detail = g_strdup_printf ("residents=%u records=%u", json_array_get_length (json_node_get_array (records)),
                            n_records);
  if (!mdg_server_db_import_records (a->db, records, a->staff, error)
      || !mdg_server_audit_append (a->db, a->staff, "import-records", sha256, detail, error))
    return FALSE;
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u record imported.\n", "%u records imported.\n", n_records),
           n_records);
  return TRUE;
}

static gboolean
cmd_audit_verify (Admin *a,
                  GError **error)
{
  g_autofree char *head = NULL;
  gint64 rows = 0;

  if (!need_args (a, 0, "audit-verify", error) || !check_staff (a, error))
    return FALSE;
  if (!mdg_server_audit_verify (a->db, &rows, &head, error))
    return FALSE;
  g_print (_("The audit log is intact: %lld entries, last hash %s.\n"), (long long) rows, head);
  return mdg_server_audit_append (a->db, a->staff, "audit-verify", "", head, error);
}

static gboolean
cmd_receipt_key (Admin *a,
                 GError **error)
{
  EVP_PKEY *key;
  g_autofree char *pem = NULL;

  if (!need_args (a, 0, "receipt-key", error))
    return FALSE;
  key = mdg_server_load_receipt_key (a->config->receipt_key, error);
  if (key == NULL)
    return FALSE;
  pem = mdg_sync_key_public_pem (key);
  EVP_PKEY_free (key);
  g_print ("%s", pem);
  return TRUE;
}

static const struct
{
  const char *name;
  gboolean  (*run) (Admin *a, GError **error);
  gboolean    needs_db;
} commands[] = {
  { "add-staff", cmd_add_staff, TRUE },
  { "map-person", cmd_map_person, TRUE },
  { "set-status", cmd_set_status, TRUE },
  { "list", cmd_list, TRUE },
  { "show", cmd_show, TRUE },
  { "export", cmd_export, TRUE },
  { "purge", cmd_purge, TRUE },
  { "import-records", cmd_import_records, TRUE },
  { "audit-verify", cmd_audit_verify, TRUE },
  { "receipt-key", cmd_receipt_key, FALSE },
};

int
mdg_server_admin_main (int argc,
                       char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("COMMAND [ARGUMENTS] — staff administration"));
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *staff = NULL;
  g_autofree char *name = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *resident = NULL;
  g_autofree char *card_serial = NULL;
  g_autofree char *right = NULL;
  g_autofree char *out = NULL;
  g_autofree char *statuses = NULL;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, N_("The server's configuration FILE"), N_("FILE") },
    { "as", 0, 0, G_OPTION_ARG_STRING, &staff, N_("The staff account that acts"), N_("STAFF-ID") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The new staff member's name (add-staff)"), N_("NAME") },
    { "comment", 0, 0, G_OPTION_ARG_STRING, &comment, N_("The municipality's comment (set-status)"), N_("TEXT") },
    { "resident", 0, 0, G_OPTION_ARG_STRING, &resident, N_("Only this resident's submissions (list)"), N_("RESIDENT-ID") },
    { "card-serial", 0, 0, G_OPTION_ARG_STRING, &card_serial,
      N_("The staff member's own card: its authentication certificate's serial (add-staff)"), N_("SERIAL") },
    { "right", 0, 0, G_OPTION_ARG_STRING, &right, N_("A right of the new staff account: my-number (add-staff)"),
      N_("RIGHT") },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, N_("The export bundle to write (export)"), N_("FILE.zip") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &statuses,
      N_("Only submissions in these statuses, comma-separated (list, export; export's default: decided)"),
      N_("STATUS,…") },
    { NULL }
  };
  Admin a = { 0 };
  int status = MDG_SERVER_EXIT_FAILED;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Commands: add-staff, map-person, set-status, list, show, export, purge, "
                                  "import-records, audit-verify, receipt-key"));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("madoguchi-server admin: %s\n", error->message);
      return MDG_SERVER_EXIT_USAGE;
    }
  if (config_path == NULL || argc < 2)
    {
      g_printerr ("madoguchi-server admin: %s\n", _("Give --config FILE and a command."));
      return MDG_SERVER_EXIT_USAGE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (!g_str_equal (commands[i].name, argv[1]))
        continue;
      a.config = mdg_server_config_load (config_path, &error);
      if (a.config != NULL && commands[i].needs_db)
        a.db = mdg_server_db_open (a.config->database, &error);
      if (a.config != NULL && (a.db != NULL || !commands[i].needs_db))
        {
          a.staff = staff;
          a.name = name;
          a.comment = comment;
          a.resident = resident;
          a.card_serial = card_serial;
          a.right = right;
          a.out = out;
          a.statuses = statuses;
          a.args = argv + 2;
          a.n_args = argc - 2;
          if (commands[i].run (&a, &error))
            status = MDG_SERVER_EXIT_OK;
        }
      if (status != MDG_SERVER_EXIT_OK)
        {
          g_printerr ("madoguchi-server admin: %s\n", error->message);
          if (g_error_matches (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_TAMPERED))
            status = MDG_SERVER_EXIT_TAMPERED;
          else if (g_error_matches (error, MDG_SERVER_ERROR, MDG_SERVER_ERROR_INVALID))
            status = MDG_SERVER_EXIT_USAGE;
        }
      g_clear_object (&a.db);
      mdg_server_config_free (a.config);
      return status;
    }
  g_printerr ("madoguchi-server admin: %s\n", _("Unknown command."));
  return MDG_SERVER_EXIT_USAGE;
}
