/* test-document.c: the application document and its form schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "app-test-util.h"
#include "mdg-jcs.h"
#include "mdg-app-error.h"
#include "mdg-application.h"
#include "mdg-text-ap.h"
#include "mdg-form-schema.h"

#define PROCEDURE "141305-shoni-iryo-iryosho-kofu"

static MdgFormSchema *
load_schema (const char *procedure)
{
  g_autoptr(GError) error = NULL;
  MdgFormSchema *schema = mdg_form_schema_new_from_catalog (app_test_catalog_dir (), procedure, &error);

  g_assert_no_error (error);
  return schema;
}

static MdgApplication *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  MdgApplication *doc = mdg_application_new_from_data (json, -1, &error);

  g_assert_no_error (error);
  return doc;
}

/* Replaces the first @from in @json by @to. */
static char *
edit (const char *json,
      const char *from,
      const char *to)
{
  const char *at = strstr (json, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - json), json, to, at + strlen (from));
}

static void
assert_doc_refused (const char *json,
                    MdgAppError code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgApplication) doc = mdg_application_new_from_data (json, -1, &error);

  g_assert_null (doc);
  g_assert_error (error, MDG_APP_ERROR, (int) code);
}

static void
assert_schema_refused (const char *json,
                       MdgAppError code)
{
  g_autoptr(MdgFormSchema) schema = load_schema (PROCEDURE);
  g_autoptr(MdgApplication) doc = parse (json);
  g_autoptr(GError) error = NULL;

  g_assert_false (mdg_form_schema_validate (schema, doc, &error));
  g_assert_error (error, MDG_APP_ERROR, (int) code);
  /* Messages name fields, never values (personal data). */
  g_assert_null (strstr (error->message, "456789012346"));
}

static void
test_check_digits (void)
{
  g_assert_true (mdg_municipality_code_is_valid ("141305"));
  g_assert_true (mdg_municipality_code_is_valid ("112038"));
  g_assert_true (mdg_municipality_code_is_valid ("431001"));
  g_assert_false (mdg_municipality_code_is_valid ("141306"));
  g_assert_false (mdg_municipality_code_is_valid ("14130"));
  g_assert_false (mdg_municipality_code_is_valid ("14130a"));
  g_assert_true (mdg_my_number_is_valid ("123456789018"));
  g_assert_true (mdg_my_number_is_valid ("456789012346"));
  g_assert_false (mdg_my_number_is_valid ("123456789019"));
  g_assert_false (mdg_my_number_is_valid ("12345678901"));
}

static void
test_valid (void)
{
  g_autofree char *json = app_test_document_json ("kawasaki-parent", NULL);
  g_autoptr(MdgApplication) doc = parse (json);
  g_autoptr(MdgFormSchema) schema = load_schema (PROCEDURE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) contents = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                          (GDestroyNotify) g_bytes_unref);
  GBytes *canonical = mdg_application_get_canonical (doc);
  const char *text = g_bytes_get_data (canonical, NULL);

  g_assert_true (mdg_form_schema_validate (schema, doc, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (mdg_application_get_procedure_id (doc), ==, PROCEDURE);
  g_assert_cmpstr (mdg_application_get_municipality (doc), ==, "141305");
  g_assert_cmpint (g_date_time_get_year (mdg_application_get_created (doc)), ==, 2025);

  /* Canonical: sorted members, no whitespace between tokens. */
  g_assert_true (g_str_has_prefix (text, "{\"applicant\":{\"address\":"));
  g_assert_null (strstr (text, "\n"));
  g_assert_null (strstr (text, "\": "));

  /* Attachments by hash and size. */
  g_assert_false (mdg_application_check_attachments (doc, contents, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY);
  g_clear_error (&error);
  g_hash_table_insert (contents, (gpointer) "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                       g_bytes_new_static ("hellO", 5));
  g_assert_false (mdg_application_check_attachments (doc, contents, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_VERIFY);
  g_clear_error (&error);
  g_hash_table_insert (contents, (gpointer) "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                       g_bytes_new_static ("hello", 5));
  g_assert_true (mdg_application_check_attachments (doc, contents, &error));
  g_assert_no_error (error);
}

static void
test_same_bytes (void)
{
  /* Member order and whitespace do not change what is signed. */
  g_autofree char *json = app_test_document_json ("kawasaki-parent", NULL);
  g_autofree char *moved = edit (json, "\"format_version\": 1,\n", "");
  g_autofree char *reordered = edit (moved, "\"consents\"", "\"format_version\" :  1 , \"consents\"");
  g_autoptr(MdgApplication) a = parse (json);
  g_autoptr(MdgApplication) b = parse (reordered);

  g_assert_true (g_bytes_equal (mdg_application_get_canonical (a), mdg_application_get_canonical (b)));
}

static void
test_structure (void)
{
  g_autofree char *json = app_test_document_json ("kawasaki-parent", NULL);
  g_autofree char *bad_code = edit (json, "\"141305\"", "\"141306\"");
  g_autofree char *bad_uuid = edit (json, "6f1c2b1e-", "6f1c2b1e");
  g_autofree char *bad_time = edit (json, "09:30:00Z", "09:30:00+09:00");
  g_autofree char *unknown = edit (json, "\"format\"", "\"extra\": 1, \"format\"");
  g_autofree char *no_consent = edit (json, "{\"id\": \"privacy-v1\", \"text\": \"個人情報の取扱いに同意します。\"}", "");
  g_autofree char *bad_sha = edit (json, "2cf24dba", "2CF24DBA");
  g_autofree char *duplicate = edit (json, "\"format\"", "\"municipality\": \"141305\", \"format\"");
  g_autofree char *latin1 = edit (json, "母", "\xe9");
  g_autofree char *float_size = edit (json, "\"size\": 5", "\"size\": 5.5");

  assert_doc_refused (bad_code, MDG_APP_ERROR_INVALID_DOCUMENT);
  assert_doc_refused (bad_uuid, MDG_APP_ERROR_INVALID_DOCUMENT);
  assert_doc_refused (bad_time, MDG_APP_ERROR_INVALID_DOCUMENT);
  assert_doc_refused (unknown, MDG_APP_ERROR_INVALID_DOCUMENT);
  assert_doc_refused (no_consent, MDG_APP_ERROR_INVALID_DOCUMENT);
  assert_doc_refused (bad_sha, MDG_APP_ERROR_INVALID_DOCUMENT);
  assert_doc_refused (duplicate, MDG_APP_ERROR_DUPLICATE_KEY);
  assert_doc_refused (latin1, MDG_APP_ERROR_INVALID_UTF8);
  assert_doc_refused (float_size, MDG_APP_ERROR_INVALID_DOCUMENT);
  assert_doc_refused ("[]", MDG_APP_ERROR_INVALID_DOCUMENT);
  assert_doc_refused ("{\"format\":", MDG_APP_ERROR_INVALID_JSON);
}

static void
test_my_numbers (void)
{
  g_autofree char *json = app_test_document_json ("kawasaki-parent", NULL);
  /* A My Number outside the form, in the applicant block. */
  g_autofree char *in_applicant = edit (json, "\"name\":", "\"my_number\":\"456789012346\",\"name\":");
  g_autofree char *in_person = edit (json, "\"role\": \"child\",", "\"role\": \"child\", \"my_number\": \"678901234562\",");
  /* The spouse's number is declared by this procedure... */
  g_autofree char *spouse = edit (json, "\"has_spouse\": false,", "\"has_spouse\": false, \"spouse_my_number\": \"234567890121\",");
  g_autofree char *bad_digit = edit (json, "\"456789012346\"", "\"456789012345\"");
  g_autoptr(MdgApplication) doc = parse (spouse);
  g_autoptr(MdgFormSchema) schema = load_schema (PROCEDURE);
  g_autoptr(MdgFormSchema) kogaku = load_schema ("112038-kouki-kogaku");
  g_autoptr(GError) error = NULL;
  const char * const *roles = mdg_form_schema_get_my_number_roles (schema);

  g_assert_cmpuint (g_strv_length ((GStrv) roles), ==, 2);
  g_assert_true (g_strv_contains (roles, "applicant"));
  g_assert_true (g_strv_contains (roles, "spouse"));
  g_assert_cmpuint (g_strv_length ((GStrv) mdg_form_schema_get_my_number_roles (kogaku)), ==, 0);

  assert_doc_refused (in_applicant, MDG_APP_ERROR_MY_NUMBER_REFUSED);
  assert_doc_refused (in_person, MDG_APP_ERROR_MY_NUMBER_REFUSED);
  g_assert_true (mdg_form_schema_validate (schema, doc, &error));
  g_assert_no_error (error);
  assert_schema_refused (bad_digit, MDG_APP_ERROR_SCHEMA);
}

/* A form field with a my_number type whose role the procedure does not
 * declare is refused even if the form (wrongly) has it. */
static void
test_undeclared_role (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgFormSchema) schema = NULL;
  g_autoptr(MdgApplication) doc = NULL;
  g_autofree char *json = app_test_document_json ("kawasaki-parent", "\"child_my_number\": \"678901234562\"");
  JsonObject *procedure, *form;

  g_assert_true (json_parser_load_from_data (parser,
    "[{\"id\": \"" PROCEDURE "\", \"my_numbers\": [{\"role\": \"applicant\"}]},"
    " {\"sections\": [{\"id\": \"s\", \"fields\": ["
    "   {\"id\": \"child_my_number\", \"type\": \"my_number\", \"my_number_role\": \"member\", \"required\": true}]}]}]",
    -1, &error));
  procedure = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
  form = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 1);
  schema = mdg_form_schema_new ("141305", procedure, form, &error);
  g_assert_no_error (error);
  doc = parse (json);
  g_assert_false (mdg_form_schema_validate (schema, doc, &error));
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_MY_NUMBER_REFUSED);
}

static void
test_fields (void)
{
  g_autofree char *json = app_test_document_json ("kawasaki-parent", NULL);
  g_autofree char *unknown = edit (json, "\"has_spouse\"", "\"favourite_colour\": \"blue\", \"has_spouse\"");
  g_autofree char *missing = edit (json, "\"child_sex\": \"1\",", "");
  g_autofree char *spouse_needed = edit (json, "\"has_spouse\": false", "\"has_spouse\": true");
  g_autofree char *bad_choice = edit (json, "\"application_reason\": \"birth\"", "\"application_reason\": \"whim\"");
  g_autofree char *bad_kana = edit (json, "タナカ　ミサキ", "たなか　みさき");
  g_autofree char *bad_postal = edit (json, "\"210-0000\"", "\"2100000\"");
  g_autofree char *bad_date = edit (json, "\"2022-04-01\", \"child_sex\"", "\"2022-02-30\", \"child_sex\"");
  g_autofree char *bad_bool = edit (json, "\"other_scheme\": false", "\"other_scheme\": \"no\"");
  g_autofree char *bad_pattern = edit (json, "\"06140000\"", "\"0614\"");
  g_autofree char *control = edit (json, "\"address_jan1_this_year\": \"同上\"", "\"address_jan1_this_year\": \"同\\u0007上\"");
  g_autofree char *bad_type = edit (json, "\"image/png\"", "\"text/html\"");
  g_autofree char *other_proc = edit (json, PROCEDURE, "141305-shoni-iryo-henko");
  g_autofree char *other_city = edit (json, "\"municipality\": \"141305\"", "\"municipality\": \"112038\"");

  assert_schema_refused (unknown, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (missing, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (spouse_needed, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (bad_choice, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (bad_kana, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (bad_postal, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (bad_date, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (bad_bool, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (bad_pattern, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (control, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (bad_type, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (other_proc, MDG_APP_ERROR_SCHEMA);
  assert_schema_refused (other_city, MDG_APP_ERROR_SCHEMA);
}

static void
test_catalog_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgFormSchema) none = mdg_form_schema_new_from_catalog (app_test_catalog_dir (), "nope", &error);
  g_autoptr(MdgFormSchema) automatic = NULL;

  g_assert_null (none);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG);
  g_clear_error (&error);
  automatic = mdg_form_schema_new_from_catalog (app_test_catalog_dir (), "112038-kouki-shikaku-75", &error);
  g_assert_null (automatic);
  g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_CATALOG);
}

/* "corrects" links a correction (補正) to its original: another UUID. */
static void
test_corrects (void)
{
  g_autofree char *json = app_test_document_json ("kawasaki-parent", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = mdg_jcs_parse (json, -1, &error);
  JsonObject *obj = json_node_get_object (root);
  const char *id = json_object_get_string_member (obj, "id");
  const char *cases[] = { "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "not-a-uuid", NULL };

  g_assert_no_error (error);
  cases[2] = id;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = NULL;
      g_autoptr(MdgApplication) doc = NULL;

      json_object_set_string_member (obj, "corrects", cases[i]);
      text = json_to_string (root, FALSE);
      doc = mdg_application_new_from_data (text, -1, &error);
      if (i == 0)
        {
          g_assert_no_error (error);
          g_assert_nonnull (doc);
        }
      else
        {
          /* Not a UUID, or the application itself. */
          g_assert_null (doc);
          g_assert_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_DOCUMENT);
          g_assert_nonnull (strstr (error->message, "corrects"));
          g_clear_error (&error);
        }
    }

  /* A correction of a submission: same content, new id and time, linked. */
  {
    g_autoptr(MdgApplication) original = parse (json);
    g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 23, 9, 30, 0);
    g_autoptr(MdgApplication) fix = mdg_application_new_correction (original, cases[0], now, &error);
    JsonObject *fixed;

    g_assert_no_error (error);
    fixed = mdg_application_get_root (fix);
    g_assert_cmpstr (json_object_get_string_member (fixed, "corrects"), ==, cases[0]);
    g_assert_cmpstr (mdg_application_get_id (fix), !=, mdg_application_get_id (original));
    g_assert_cmpstr (json_object_get_string_member (fixed, "created"), ==, "2026-11-23T09:30:00Z");
    g_assert_cmpstr (mdg_application_get_procedure_id (fix), ==, mdg_application_get_procedure_id (original));
  }
}

int
main (int argc,
      char *argv[])
{
  app_test_parse_args (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/document/check-digits", test_check_digits);
  g_test_add_func ("/document/valid", test_valid);
  g_test_add_func ("/document/same-bytes", test_same_bytes);
  g_test_add_func ("/document/structure", test_structure);
  g_test_add_func ("/document/corrects", test_corrects);
  g_test_add_func ("/document/my-numbers", test_my_numbers);
  g_test_add_func ("/document/undeclared-role", test_undeclared_role);
  g_test_add_func ("/document/fields", test_fields);
  g_test_add_func ("/document/catalog-errors", test_catalog_errors);

  return g_test_run ();
}
