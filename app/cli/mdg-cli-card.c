/* mdg-cli-card.c: `madoguchi-cli card …`: readers, status, certificates,
 * the four attributes, PIN change and raw signatures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "madoguchi-card.h"
#include "mdg-cli-card.h"
#include "mdg-cli-error.h"
#include "mdg-cli-pin-prompt.h"

/* Tries not read yet (distinct from MDG_CARD_TRIES_UNKNOWN). */

typedef struct
{
  const MdgCliGlobal *global;
  char               *reader;
  gint                pin_fd;
  gboolean            confirm_last_try;
} CardOptions;

/* One exclusive connection for the whole command; the context stays alive
 * as long as the transport that was made from it. */
typedef struct
{
  MdgPcscContext   *context;
  MdgPcscTransport *transport;
  MdgCard          *card;
} CardSession;

static void
card_session_free (CardSession *session)
{
  if (session == NULL)
    return;

  g_clear_object (&session->card);
  g_clear_object (&session->transport);
  g_clear_object (&session->context);
  g_free (session);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CardSession, card_session_free)

static const char *
options_reader (const CardOptions *options)
{
  return options->reader != NULL ? options->reader : options->global->reader;
}

static CardSession *
card_session_open (const CardOptions *options,
                   GError **error)
{
  g_autoptr(CardSession) session = g_new0 (CardSession, 1);

  session->context = mdg_pcsc_context_new (error);
  if (session->context == NULL)
    return NULL;

  session->transport = mdg_pcsc_transport_connect (session->context,
                                                   options_reader (options),
                                                   error);
  if (session->transport == NULL)
    return NULL;

  session->card = mdg_card_new (MDG_TRANSPORT (session->transport));

  return g_steal_pointer (&session);
}

/* Opens the PIN source first, so that a usage error costs no card access,
 * then the card. Returns the exit code of the first failure. */
static int
open_prompt_and_session (const CardOptions *options,
                         MdgCliPinPrompt **prompt,
                         CardSession **session)
{
  g_autoptr(GError) error = NULL;

  *prompt = mdg_cli_pin_prompt_new (options->pin_fd, &error);
  if (*prompt == NULL)
    return mdg_cli_report_error (error, -1, -1);

  *session = card_session_open (options, &error);
  if (*session == NULL)
    return mdg_cli_report_error (error, -1, -1);

  return MDG_CLI_EXIT_OK;
}

/* Sets CERT_UNAVAILABLE for a card issued without the key's certificate
 * (the signature certificate is not issued under 15). */
static void
set_cert_unavailable (GError **error,
                      MdgJpkiKey key)
{
  g_set_error_literal (error, MDG_CARD_ERROR, MDG_CARD_ERROR_CERT_UNAVAILABLE,
                       key == MDG_JPKI_KEY_SIGN
                         ? _("this card has no signature certificate")
                         : _("this card has no authentication certificate"));
}

/* Parses the options of one subcommand. @argv[0] is the subcommand word;
 * @max_args positional arguments may follow. */
static int
parse_options (const char *usage,
               const char *summary,
               GOptionEntry *entries,
               CardOptions *options,
               gboolean with_pin_options,
               int *argc,
               char ***argv,
               int max_args)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry common_entries[] = {
    { "reader", 'r', 0, G_OPTION_ARG_STRING, &options->reader,
      N_("Use the card reader NAME"), N_("NAME") },
    { NULL }
  };
  const GOptionEntry pin_entries[] = {
    { "pin-fd", 0, 0, G_OPTION_ARG_INT, &options->pin_fd,
      N_("Read PINs from file descriptor FD, one per line, instead of the terminal"), N_("FD") },
    { "confirm-last-try", 0, 0, G_OPTION_ARG_NONE, &options->confirm_last_try,
      N_("Allow the attempt when only one try is left"), NULL },
    { NULL }
  };

  context = g_option_context_new (usage);
  g_option_context_set_summary (context, summary);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);
  if (with_pin_options)
    g_option_context_add_main_entries (context, pin_entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    return mdg_cli_usage_error ("%s", error->message);

  if (*argc - 1 > max_args)
    return mdg_cli_usage_error (_("unexpected argument “%s”"), (*argv)[max_args + 1]);

  if (with_pin_options && options->pin_fd < -1)
    return mdg_cli_usage_error (_("--pin-fd needs a file descriptor number"));

  return MDG_CLI_EXIT_OK;
}

/* ---- PINs ---------------------------------------------------------------- */

static gboolean
parse_pin_kind (const char *name,
                MdgPinKind *kind)
{
  if (g_strcmp0 (name, "auth") == 0)
    *kind = MDG_PIN_AUTH;
  else if (g_strcmp0 (name, "sign") == 0)
    *kind = MDG_PIN_SIGN;
  else if (g_strcmp0 (name, "text") == 0)
    *kind = MDG_PIN_TEXT;
  else
    return FALSE;

  return TRUE;
}

/* ---- Certificates --------------------------------------------------------- */

typedef struct
{
  char     *subject;
  char     *issuer;
  char     *serial;
  char     *not_before;
  char     *not_after;
  gboolean  valid_now;
} CertSummary;

static void
cert_summary_clear (CertSummary *summary)
{
  g_clear_pointer (&summary->subject, g_free);
  g_clear_pointer (&summary->issuer, g_free);
  g_clear_pointer (&summary->serial, g_free);
  g_clear_pointer (&summary->not_before, g_free);
  g_clear_pointer (&summary->not_after, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CertSummary, cert_summary_clear)

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = NULL;

  if (time == NULL)
    return g_strdup ("?");

  utc = g_date_time_to_utc (time);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
cert_summary_init (CertSummary *summary,
                   GBytes *der,
                   GError **error)
{
  g_autoptr(MdgCertificate) cert = NULL;
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  cert = mdg_certificate_new_from_der (der, error);
  if (cert == NULL)
    return FALSE;

  not_before = mdg_certificate_get_not_before (cert);
  not_after = mdg_certificate_get_not_after (cert);

  summary->subject = mdg_certificate_get_subject (cert);
  summary->issuer = mdg_certificate_get_issuer (cert);
  summary->serial = mdg_certificate_get_serial_hex (cert);
  summary->not_before = format_time (not_before);
  summary->not_after = format_time (not_after);
  summary->valid_now = mdg_certificate_is_valid_at (cert, now);

  return TRUE;
}

static char *
pem_encode (GBytes *der)
{
  g_autofree char *base64 = NULL;
  GString *pem = g_string_new ("-----BEGIN CERTIFICATE-----\n");
  gsize len;

  base64 = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  len = strlen (base64);
  for (gsize i = 0; i < len; i += 64)
    {
      g_string_append_len (pem, base64 + i, MIN (64, len - i));
      g_string_append_c (pem, '\n');
    }
  g_string_append (pem, "-----END CERTIFICATE-----\n");

  return g_string_free (pem, FALSE);
}

static gboolean
write_certificate (const char *dir,
                   const char *name,
                   GBytes *der,
                   GError **error)
{
  g_autofree char *der_name = g_strconcat (name, ".der", NULL);
  g_autofree char *pem_name = g_strconcat (name, ".pem", NULL);
  g_autofree char *der_path = g_build_filename (dir, der_name, NULL);
  g_autofree char *pem_path = g_build_filename (dir, pem_name, NULL);
  g_autofree char *pem = pem_encode (der);
  g_autoptr(GError) local_error = NULL;

  /* Certificates are public documents, readable like any other: 0644. */
  if (!g_file_set_contents_full (der_path, g_bytes_get_data (der, NULL), g_bytes_get_size (der),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local_error) ||
      !g_file_set_contents_full (pem_path, pem, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local_error))
    {
      g_set_error (error, MDG_CLI_ERROR, MDG_CLI_ERROR_FAILED,
                   _("cannot write the certificate: %s"), local_error->message);
      return FALSE;
    }

  g_print ("%s\n%s\n", der_path, pem_path);

  return TRUE;
}

/* ---- card readers --------------------------------------------------------- */

static int
card_readers (const MdgCliGlobal *global,
              int argc,
              char **argv)
{
  g_autoptr(MdgPcscContext) context = NULL;
  g_auto(GStrv) readers = NULL;
  g_autoptr(GError) error = NULL;
  CardOptions options = { global, NULL, -1, FALSE };
  int status;

  status = parse_options ("card readers", _("List the card readers and whether a card is on them."),
                          NULL, &options, FALSE, &argc, &argv, 0);
  g_clear_pointer (&options.reader, g_free);
  if (status != MDG_CLI_EXIT_OK)
    return status;

  context = mdg_pcsc_context_new (&error);
  if (context == NULL)
    return mdg_cli_report_error (error, -1, -1);

  readers = mdg_pcsc_context_list_readers (context, &error);
  if (readers == NULL)
    return mdg_cli_report_error (error, -1, -1);

  for (guint i = 0; readers[i] != NULL; i++)
    {
      g_autoptr(GError) presence_error = NULL;
      gboolean present;

      present = mdg_pcsc_context_card_present (context, readers[i], &presence_error);
      g_print ("%s\t%s\n", readers[i],
               presence_error != NULL ? _("unknown") :
               present ? _("card present") : _("no card"));
    }

  return MDG_CLI_EXIT_OK;
}

/* ---- card status ---------------------------------------------------------- */

static void
json_add_tries (JsonBuilder *builder,
                const char *name,
                gint tries)
{
  json_builder_set_member_name (builder, name);
  if (tries >= 0)
    json_builder_add_int_value (builder, tries);
  else
    json_builder_add_null_value (builder);
}

static gboolean
json_add_certificate (JsonBuilder *builder,
                      const char *name,
                      GBytes *der,
                      GError **error)
{
  g_auto(CertSummary) summary = { 0 };

  json_builder_set_member_name (builder, name);
  if (der == NULL)
    {
      json_builder_add_null_value (builder);
      return TRUE;
    }
  if (!cert_summary_init (&summary, der, error))
    return FALSE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, summary.subject);
  json_builder_set_member_name (builder, "issuer");
  json_builder_add_string_value (builder, summary.issuer);
  json_builder_set_member_name (builder, "serial");
  json_builder_add_string_value (builder, summary.serial);
  json_builder_set_member_name (builder, "not_before");
  json_builder_add_string_value (builder, summary.not_before);
  json_builder_set_member_name (builder, "not_after");
  json_builder_add_string_value (builder, summary.not_after);
  json_builder_set_member_name (builder, "valid_now");
  json_builder_add_boolean_value (builder, summary.valid_now);
  json_builder_end_object (builder);

  return TRUE;
}

/* Stable names for scripts; the text output uses the translated ones. */
static const char *
token_type_id (MdgTokenType type)
{
  switch (type)
    {
    case MDG_TOKEN_CARD:
      return "card";
    case MDG_TOKEN_ANDROID:
      return "android";
    case MDG_TOKEN_IPHONE:
      return "iphone";
    case MDG_TOKEN_JUKI:
      return "juki";
    case MDG_TOKEN_UNKNOWN:
    default:
      return "unknown";
    }
}

static char *
status_to_json (const char *reader,
                const MdgCardStatus *status,
                GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reader");
  json_builder_add_string_value (builder, reader);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, token_type_id (status->token_type));
  json_builder_set_member_name (builder, "token_label");
  if (status->token_label != NULL)
    json_builder_add_string_value (builder, status->token_label);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "sign_cert_available");
  json_builder_add_boolean_value (builder, status->has_sign_cert);
  json_builder_set_member_name (builder, "auth_cert_available");
  json_builder_add_boolean_value (builder, status->has_auth_cert);

  json_builder_set_member_name (builder, "pin_tries_left");
  json_builder_begin_object (builder);
  json_add_tries (builder, "auth", status->tries_left[MDG_PIN_AUTH]);
  json_add_tries (builder, "sign", status->tries_left[MDG_PIN_SIGN]);
  json_add_tries (builder, "text", status->tries_left[MDG_PIN_TEXT]);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "certificates");
  json_builder_begin_object (builder);
  if (!json_add_certificate (builder, "auth", status->auth_cert, error) ||
      !json_add_certificate (builder, "auth_ca", status->auth_ca_cert, error) ||
      !json_add_certificate (builder, "sign_ca", status->sign_ca_cert, error))
    return NULL;
  json_builder_end_object (builder);

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);

  return json_generator_to_data (generator, NULL);
}

static char *
format_tries (gint tries,
              MdgPinKind kind)
{
  if (tries == 0)
    return g_strdup (_("blocked"));
  if (tries < 0)
    return g_strdup (_("unknown"));

  return g_strdup_printf (_("%d of %u tries left"), tries, mdg_pin_kind_max_tries (kind));
}

static gboolean
print_certificate (const char *title,
                   GBytes *der,
                   GError **error)
{
  g_auto(CertSummary) summary = { 0 };

  g_print ("%s:\n", title);
  if (der == NULL)
    {
      g_print ("  %s\n", _("not available"));
      return TRUE;
    }
  if (!cert_summary_init (&summary, der, error))
    return FALSE;

  g_print ("  %-12s %s\n", _("Subject:"), summary.subject);
  g_print ("  %-12s %s\n", _("Issuer:"), summary.issuer);
  g_print ("  %-12s %s\n", _("Serial:"), summary.serial);
  g_print ("  %-12s %s\n", _("Not before:"), summary.not_before);
  g_print ("  %-12s %s (%s)\n", _("Not after:"), summary.not_after,
           summary.valid_now ? _("valid now") : _("NOT valid now"));

  return TRUE;
}

static gboolean
print_status (const char *reader,
              const MdgCardStatus *status,
              GError **error)
{
  static const MdgPinKind kinds[] = { MDG_PIN_AUTH, MDG_PIN_SIGN, MDG_PIN_TEXT };

  g_print ("%-32s %s\n", _("Reader:"), reader);
  g_print ("%-32s %s (%s)\n", _("Card type:"), mdg_token_type_to_string (status->token_type),
           status->token_label != NULL ? status->token_label : "?");
  g_print ("%-32s %s\n", _("Authentication certificate:"),
           status->has_auth_cert ? _("available") : _("not available"));
  g_print ("%-32s %s\n", _("Signature certificate:"),
           status->has_sign_cert ? _("available") : _("not available"));
  g_print ("%s\n", _("PIN tries left:"));
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *tries = format_tries (status->tries_left[kinds[i]], kinds[i]);

      g_print ("  %s: %s\n", mdg_cli_pin_kind_label (kinds[i]), tries);
    }

  return print_certificate (_("Authentication certificate"), status->auth_cert, error) &&
         print_certificate (_("Authentication CA certificate"), status->auth_ca_cert, error) &&
         print_certificate (_("Signature CA certificate"), status->sign_ca_cert, error);
}

static int
card_status (const MdgCliGlobal *global,
             int argc,
             char **argv)
{
  g_autoptr(CardSession) session = NULL;
  g_autoptr(MdgCardStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  CardOptions options = { global, NULL, -1, FALSE };
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  const char *reader;
  int exit_code;

  exit_code = parse_options ("card status [--json]", _("Show what the card tells without a PIN."),
                             entries, &options, FALSE, &argc, &argv, 0);
  if (exit_code != MDG_CLI_EXIT_OK)
    goto out;

  session = card_session_open (&options, &error);
  if (session == NULL)
    {
      exit_code = mdg_cli_report_error (error, -1, -1);
      goto out;
    }

  status = mdg_card_status_read (session->card, &error);
  if (status == NULL)
    {
      exit_code = mdg_cli_report_error (error, -1, -1);
      goto out;
    }

  reader = mdg_transport_get_reader_name (MDG_TRANSPORT (session->transport));
  if (json)
    {
      g_autofree char *text = status_to_json (reader, status, &error);

      if (text != NULL)
        g_print ("%s\n", text);
    }
  else
    {
      print_status (reader, status, &error);
    }

  if (error != NULL)
    exit_code = mdg_cli_report_error (error, -1, -1);

out:
  g_free (options.reader);
  return exit_code;
}

/* ---- card certs ----------------------------------------------------------- */

static int
card_certs (const MdgCliGlobal *global,
            int argc,
            char **argv)
{
  g_autoptr(CardSession) session = NULL;
  g_autoptr(MdgCardStatus) status = NULL;
  g_autoptr(MdgCliPinPrompt) prompt = NULL;
  g_autoptr(MdgPin) pin = NULL;
  g_autoptr(GBytes) sign_cert = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out_dir = NULL;
  CardOptions options = { global, NULL, -1, FALSE };
  gboolean with_sign = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir,
      N_("Write the certificates into DIR (created if needed)"), N_("DIR") },
    { "sign", 0, 0, G_OPTION_ARG_NONE, &with_sign,
      N_("Also write the signature certificate, which holds your name, address, date of "
         "birth and sex (needs the signature password)"), NULL },
    { NULL }
  };
  MdgPinFlags flags;
  gint tries_left = -1;
  gint tries_shown = -1;
  int exit_code;

  exit_code = parse_options ("card certs --out DIR [--sign]",
                             _("Write the card's certificates as DER and PEM files."),
                             entries, &options, TRUE, &argc, &argv, 0);
  if (exit_code != MDG_CLI_EXIT_OK)
    goto out;

  if (out_dir == NULL)
    {
      exit_code = mdg_cli_usage_error (_("card certs needs --out DIR"));
      goto out;
    }

  /* Open the PIN source before touching the card, so that a usage error
   * costs nothing. */
  if (with_sign)
    {
      prompt = mdg_cli_pin_prompt_new (options.pin_fd, &error);
      if (prompt == NULL)
        {
          exit_code = mdg_cli_report_error (error, -1, -1);
          goto out;
        }
    }

  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_printerr ("madoguchi-cli: %s\n", g_strerror (saved_errno));
      exit_code = MDG_CLI_EXIT_FAILED;
      goto out;
    }

  session = card_session_open (&options, &error);
  if (session == NULL)
    {
      exit_code = mdg_cli_report_error (error, -1, -1);
      goto out;
    }

  status = mdg_card_status_read (session->card, &error);
  if (status == NULL)
    {
      exit_code = mdg_cli_report_error (error, -1, -1);
      goto out;
    }

  if ((status->auth_cert != NULL &&
       !write_certificate (out_dir, "auth", status->auth_cert, &error)) ||
      (status->auth_ca_cert != NULL &&
       !write_certificate (out_dir, "auth-ca", status->auth_ca_cert, &error)) ||
      (status->sign_ca_cert != NULL &&
       !write_certificate (out_dir, "sign-ca", status->sign_ca_cert, &error)))
    {
      exit_code = mdg_cli_report_error (error, -1, -1);
      goto out;
    }

  if (!with_sign)
    goto out;

  if (!status->has_sign_cert)
    {
      set_cert_unavailable (&error, MDG_JPKI_KEY_SIGN);
      exit_code = mdg_cli_report_error (error, -1, -1);
      goto out;
    }

  pin = mdg_cli_pin_prompt_obtain (prompt, session->card, MDG_PIN_SIGN, options.confirm_last_try, status->tries_left[MDG_PIN_SIGN],
                                  &flags, &tries_shown, &error);
  if (pin == NULL)
    {
      exit_code = mdg_cli_report_error (error, MDG_PIN_SIGN, tries_shown);
      goto out;
    }

  sign_cert = mdg_jpki_read_sign_certificate (session->card, pin, flags, &tries_left, &error);
  g_clear_pointer (&pin, mdg_pin_free);
  if (sign_cert == NULL)
    {
      exit_code = mdg_cli_report_error (error, MDG_PIN_SIGN, tries_left);
      goto out;
    }

  if (!write_certificate (out_dir, "sign", sign_cert, &error))
    exit_code = mdg_cli_report_error (error, -1, -1);

out:
  g_free (options.reader);
  return exit_code;
}

/* ---- card info ------------------------------------------------------------ */

static char *
format_birth_date (const char *date)
{
  if (date != NULL && strlen (date) == 8)
    return g_strdup_printf ("%.4s-%.2s-%.2s", date, date + 4, date + 6);

  return g_strdup (date != NULL ? date : "?");
}

static const char *
format_sex (const char *code)
{
  if (g_strcmp0 (code, "1") == 0)
    return _("male");
  if (g_strcmp0 (code, "2") == 0)
    return _("female");
  if (g_strcmp0 (code, "9") == 0)
    return _("not applicable");

  return code != NULL ? code : "?";
}

static int
card_info (const MdgCliGlobal *global,
           int argc,
           char **argv)
{
  g_autoptr(CardSession) session = NULL;
  g_autoptr(MdgCliPinPrompt) prompt = NULL;
  g_autoptr(MdgPin) pin = NULL;
  g_autoptr(MdgTextAttributes) attrs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *birth_date = NULL;
  char *my_number = NULL;
  CardOptions options = { global, NULL, -1, FALSE };
  gboolean show_my_number = FALSE;
  GOptionEntry entries[] = {
    { "show-my-number", 0, 0, G_OPTION_ARG_NONE, &show_my_number,
      N_("Print the whole My Number instead of its last four digits"), NULL },
    { NULL }
  };
  MdgPinFlags flags;
  gint tries_left = -1;
  gint tries_shown = -1;
  int exit_code;

  exit_code = parse_options ("card info [--show-my-number]",
                             _("Show the four attributes and the My Number (needs the text PIN)."),
                             entries, &options, TRUE, &argc, &argv, 0);
  if (exit_code != MDG_CLI_EXIT_OK)
    goto out;

  exit_code = open_prompt_and_session (&options, &prompt, &session);
  if (exit_code != MDG_CLI_EXIT_OK)
    goto out;

  pin = mdg_cli_pin_prompt_obtain (prompt, session->card, MDG_PIN_TEXT, options.confirm_last_try, MDG_CLI_TRIES_NOT_READ,
                                  &flags, &tries_shown, &error);
  if (pin == NULL)
    {
      exit_code = mdg_cli_report_error (error, MDG_PIN_TEXT, tries_shown);
      goto out;
    }

  if (!mdg_text_ap_read (session->card, pin, flags, &my_number, &attrs, &tries_left, &error))
    {
      exit_code = mdg_cli_report_error (error, MDG_PIN_TEXT, tries_left);
      goto out;
    }
  g_clear_pointer (&pin, mdg_pin_free);

  birth_date = format_birth_date (attrs->birth_date);
  g_print ("%-16s %s\n", _("Name:"), attrs->name);
  g_print ("%-16s %s\n", _("Address:"), attrs->address);
  g_print ("%-16s %s\n", _("Date of birth:"), birth_date);
  g_print ("%-16s %s\n", _("Sex:"), format_sex (attrs->sex));
  if (show_my_number)
    {
      g_print ("%-16s %s\n", _("My Number:"), my_number);
    }
  else
    {
      g_autofree char *masked = mdg_my_number_mask (my_number);

      g_print ("%-16s %s\n", _("My Number:"), masked);
    }

out:
  if (my_number != NULL)
    {
      mdg_secure_wipe (my_number, strlen (my_number));
      g_free (my_number);
    }
  g_free (options.reader);
  return exit_code;
}

/* ---- card pin change ------------------------------------------------------ */

static int
card_pin (const MdgCliGlobal *global,
          int argc,
          char **argv)
{
  g_autoptr(CardSession) session = NULL;
  g_autoptr(MdgCliPinPrompt) prompt = NULL;
  g_autoptr(MdgPin) old_pin = NULL;
  g_autoptr(MdgPin) new_pin = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pin_name = NULL;
  CardOptions options = { global, NULL, -1, FALSE };
  GOptionEntry entries[] = {
    { "pin", 0, 0, G_OPTION_ARG_STRING, &pin_name,
      N_("Which PIN: auth, sign or text"), N_("auth|sign|text") },
    { NULL }
  };
  MdgPinKind kind;
  MdgPinFlags flags;
  gint tries_left = -1;
  gint tries_shown = -1;
  int exit_code;

  exit_code = parse_options ("card pin change --pin auth|sign|text",
                             _("Change a PIN: asks for the old PIN, then the new one."),
                             entries, &options, TRUE, &argc, &argv, 1);
  if (exit_code != MDG_CLI_EXIT_OK)
    goto out;

  if (argc < 2 || !g_str_equal (argv[1], "change"))
    {
      exit_code = mdg_cli_usage_error (_("usage: madoguchi-cli card pin change --pin auth|sign|text"));
      goto out;
    }
  if (!parse_pin_kind (pin_name, &kind))
    {
      exit_code = mdg_cli_usage_error (_("--pin must be auth, sign or text"));
      goto out;
    }

  exit_code = open_prompt_and_session (&options, &prompt, &session);
  if (exit_code != MDG_CLI_EXIT_OK)
    goto out;

  old_pin = mdg_cli_pin_prompt_obtain (prompt, session->card, kind, options.confirm_last_try, MDG_CLI_TRIES_NOT_READ,
                                  &flags, &tries_shown, &error);
  if (old_pin == NULL)
    {
      exit_code = mdg_cli_report_error (error, kind, tries_shown);
      goto out;
    }

  new_pin = mdg_cli_pin_prompt_ask_new (prompt, kind, &error);
  if (new_pin == NULL)
    {
      exit_code = mdg_cli_report_error (error, kind, -1);
      goto out;
    }

  if (!mdg_card_change_pin (session->card, old_pin, new_pin, flags, &tries_left, &error))
    {
      exit_code = mdg_cli_report_error (error, kind, tries_left);
      goto out;
    }

  g_print (_("The %s was changed.\n"), mdg_cli_pin_kind_label (kind));

out:
  g_free (options.reader);
  return exit_code;
}

/* ---- card sign ------------------------------------------------------------ */

static gboolean
parse_sha256_hex (const char *hex,
                  guint8 out[32])
{
  if (hex == NULL || strlen (hex) != 64)
    return FALSE;

  for (guint i = 0; i < 32; i++)
    {
      gint high = g_ascii_xdigit_value (hex[2 * i]);
      gint low = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (high < 0 || low < 0)
        return FALSE;
      out[i] = (guint8) (high << 4 | low);
    }

  return TRUE;
}

/* With a known certificate the card skips the certificate read: 7 APDUs
 * instead of 13 for the signature key. The card library still checks the
 * signature against that certificate. */
static GBytes *
sign_one_digest (MdgCard *card,
                 MdgJpkiKey key,
                 const MdgPin *pin,
                 MdgPinFlags flags,
                 const guint8 digest[32],
                 GBytes *known_certificate,
                 gint *tries_left,
                 GError **error)
{
  g_autoptr(GPtrArray) digests = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) signatures = NULL;

  g_ptr_array_add (digests, g_bytes_new (digest, 32));
  signatures = mdg_jpki_sign_digests_with_certificate (card, key, pin, flags, digests,
                                                      known_certificate, NULL, tries_left,
                                                      error);
  if (signatures == NULL)
    return NULL;
  return g_bytes_ref (signatures->pdata[0]);
}

static int
card_sign (const MdgCliGlobal *global,
           int argc,
           char **argv)
{
  g_autoptr(CardSession) session = NULL;
  g_autoptr(MdgCliPinPrompt) prompt = NULL;
  g_autoptr(MdgPin) pin = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_name = NULL;
  g_autofree char *sha256_hex = NULL;
  g_autofree char *certificate_path = NULL;
  g_autoptr(GString) hex = NULL;
  CardOptions options = { global, NULL, -1, FALSE };
  GOptionEntry entries[] = {
    { "key", 0, 0, G_OPTION_ARG_STRING, &key_name,
      N_("Which key: sign (signature key) or auth (authentication key)"), N_("sign|auth") },
    { "sha256", 0, 0, G_OPTION_ARG_STRING, &sha256_hex,
      N_("The SHA-256 digest to sign, 64 hex digits"), N_("HEX") },
    { "certificate", 0, 0, G_OPTION_ARG_FILENAME, &certificate_path,
      N_("The key's certificate (DER, as written by card certs): the signature is checked "
         "against it instead of reading it from the card"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GBytes) known_certificate = NULL;
  const guint8 *data;
  guint8 digest[32];
  gsize len;
  MdgJpkiKey key;
  MdgPinKind kind;
  MdgPinFlags flags;
  gint tries_left = -1;
  gint tries_shown = -1;
  int exit_code;

  exit_code = parse_options ("card sign --key sign|auth --sha256 HEX",
                             _("Sign a SHA-256 digest (RSA PKCS#1 v1.5); prints the signature "
                               "in hex."),
                             entries, &options, TRUE, &argc, &argv, 0);
  if (exit_code != MDG_CLI_EXIT_OK)
    goto out;

  if (g_strcmp0 (key_name, "sign") == 0)
    key = MDG_JPKI_KEY_SIGN;
  else if (g_strcmp0 (key_name, "auth") == 0)
    key = MDG_JPKI_KEY_AUTH;
  else
    {
      exit_code = mdg_cli_usage_error (_("--key must be sign or auth"));
      goto out;
    }
  kind = mdg_jpki_key_pin_kind (key);

  if (!parse_sha256_hex (sha256_hex, digest))
    {
      exit_code = mdg_cli_usage_error (_("--sha256 needs exactly 64 hex digits"));
      goto out;
    }

  if (certificate_path != NULL)
    {
      g_autofree char *contents = NULL;
      g_autoptr(MdgCertificate) parsed = NULL;
      gsize contents_len = 0;

      if (!g_file_get_contents (certificate_path, &contents, &contents_len, &error))
        {
          exit_code = mdg_cli_usage_error ("%s", error->message);
          goto out;
        }
      known_certificate = g_bytes_new_take (g_steal_pointer (&contents), contents_len);
      parsed = mdg_certificate_new_from_der (known_certificate, &error);
      if (parsed == NULL)
        {
          exit_code = mdg_cli_usage_error (_("--certificate needs a DER certificate"));
          goto out;
        }
    }

  exit_code = open_prompt_and_session (&options, &prompt, &session);
  if (exit_code != MDG_CLI_EXIT_OK)
    goto out;

  /* Do not ask a person for a password that has no certificate (under 15);
   * from --pin-fd the library reports it without this extra read. */
  if (mdg_cli_pin_prompt_is_interactive (prompt))
    {
      gboolean has_sign = FALSE;
      gboolean has_auth = FALSE;

      if (!mdg_jpki_select (session->card, &error) ||
          !mdg_jpki_read_availability (session->card, &has_sign, &has_auth, &error))
        {
          exit_code = mdg_cli_report_error (error, -1, -1);
          goto out;
        }
      if (!(key == MDG_JPKI_KEY_SIGN ? has_sign : has_auth))
        {
          set_cert_unavailable (&error, key);
          exit_code = mdg_cli_report_error (error, -1, -1);
          goto out;
        }
    }

  pin = mdg_cli_pin_prompt_obtain (prompt, session->card, kind, options.confirm_last_try, MDG_CLI_TRIES_NOT_READ,
                                  &flags, &tries_shown, &error);
  if (pin == NULL)
    {
      exit_code = mdg_cli_report_error (error, kind, tries_shown);
      goto out;
    }

  signature = sign_one_digest (session->card, key, pin, flags, digest, known_certificate,
                               &tries_left, &error);
  g_clear_pointer (&pin, mdg_pin_free);
  if (signature == NULL)
    {
      /* A card issued without the key's certificate may lack its PIN or
       * key EF; say why (exit 8), not just "file not found". Only this
       * error path pays for the extra read. */
      if (g_error_matches (error, MDG_CARD_ERROR, MDG_CARD_ERROR_FILE_NOT_FOUND))
        {
          gboolean has_sign = TRUE;
          gboolean has_auth = TRUE;

          if (mdg_jpki_select (session->card, NULL) &&
              mdg_jpki_read_availability (session->card, &has_sign, &has_auth, NULL) &&
              !(key == MDG_JPKI_KEY_SIGN ? has_sign : has_auth))
            {
              g_clear_error (&error);
              set_cert_unavailable (&error, key);
            }
        }
      exit_code = mdg_cli_report_error (error, kind, tries_left);
      goto out;
    }

  /* One write: g_print() flushes on every call. */
  data = g_bytes_get_data (signature, &len);
  hex = g_string_sized_new (len * 2 + 1);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", data[i]);
  g_string_append_c (hex, '\n');
  g_print ("%s", hex->str);

out:
  g_free (options.reader);
  return exit_code;
}

/* ---- dispatch ------------------------------------------------------------- */

static const MdgCliCommand card_commands[] = {
  { "readers", N_("List the card readers"), card_readers },
  { "status", N_("Show card type, certificates and PIN tries (no PIN needed)"), card_status },
  { "certs", N_("Write the certificates as DER and PEM files"), card_certs },
  { "info", N_("Show name, address, date of birth, sex and the masked My Number"), card_info },
  { "pin", N_("Change a PIN: pin change --pin auth|sign|text"), card_pin },
  { "sign", N_("Sign a SHA-256 digest with the signature or authentication key"), card_sign },
};

static void
print_card_help (void)
{
  g_print ("%s\n\n%s\n", _("Usage: madoguchi-cli card SUBCOMMAND [OPTION…]"),
           _("Subcommands:"));
  for (guint i = 0; i < G_N_ELEMENTS (card_commands); i++)
    g_print ("  %-8s %s\n", card_commands[i].name, _(card_commands[i].summary));
  g_print ("\n%s\n",
           _("Run “madoguchi-cli card SUBCOMMAND --help” for its options; see madoguchi-cli(1)."));
}

int
mdg_cli_card_main (const MdgCliGlobal *global,
                   int argc,
                   char **argv)
{
  if (argc < 2)
    return mdg_cli_usage_error (_("card needs a subcommand; run “madoguchi-cli card --help”"));

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_card_help ();
      return MDG_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (card_commands); i++)
    {
      if (g_str_equal (argv[1], card_commands[i].name))
        return card_commands[i].run (global, argc - 1, argv + 1);
    }

  return mdg_cli_usage_error (_("unknown card subcommand “%s”; run “madoguchi-cli card --help”"),
                              argv[1]);
}
