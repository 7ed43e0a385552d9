/* app-test-util.c: shared helpers for the domain core tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "app-test-util.h"
#include "mdg-software-signer.h"

static char *pki_dir;
static char *personas_dir;
static char *catalog_dir;

void
app_test_parse_args (int *argc,
                     char ***argv)
{
  int out = 1;

  for (int i = 1; i < *argc; i++)
    {
      const char *arg = (*argv)[i];

      if (g_str_has_prefix (arg, "--sim-pki-dir="))
        pki_dir = g_strdup (arg + strlen ("--sim-pki-dir="));
      else if (g_str_has_prefix (arg, "--sim-personas-dir="))
        personas_dir = g_strdup (arg + strlen ("--sim-personas-dir="));
      else
        (*argv)[out++] = (*argv)[i];
    }
  *argc = out;
  (*argv)[out] = NULL;
  catalog_dir = g_build_filename (g_getenv ("MDG_SOURCE_ROOT") ? g_getenv ("MDG_SOURCE_ROOT") : ".",
                                  "data", "catalog", NULL);
  g_assert_nonnull (pki_dir);
  g_assert_nonnull (personas_dir);
}

const char *
app_test_pki_dir (void)
{
  return pki_dir;
}

const char *
app_test_personas_dir (void)
{
  return personas_dir;
}

const char *
app_test_catalog_dir (void)
{
  return catalog_dir;
}

char *
app_test_pki_path (const char *persona,
                   const char *file)
{
  if (persona == NULL)
    return g_build_filename (pki_dir, file, NULL);
  return g_build_filename (pki_dir, persona, file, NULL);
}

MdgCard *
app_test_sim_card (const char *persona,
                   MdgSimCard **sim_out)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.json", personas_dir, persona);
  g_autoptr(GError) error = NULL;
  g_autoptr(MdgSimCard) sim = mdg_sim_card_new (path, pki_dir, NULL, &error);
  g_autoptr(MdgMemoryTransport) transport = NULL;

  g_assert_no_error (error);
  transport = mdg_memory_transport_new (mdg_sim_card_get_memory_funcs (),
                                        g_object_ref (sim), g_object_unref);
  if (sim_out != NULL)
    *sim_out = g_object_ref (sim);
  return mdg_card_new (MDG_TRANSPORT (transport));
}

char *
app_test_document_json (const char *persona,
                        const char *fields_json)
{
  g_autofree char *path = app_test_pki_path (persona, "persona.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *applicant = NULL;
  g_autofree char *birth = NULL;
  JsonObject *p;
  const char *bd;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  p = json_node_get_object (json_parser_get_root (parser));
  bd = json_object_get_string_member (p, "birth");
  birth = g_strdup_printf ("%.4s-%.2s-%.2s", bd, bd + 4, bd + 6);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, json_object_get_string_member (p, "name"));
  json_builder_set_member_name (b, "sex");
  json_builder_add_string_value (b, json_object_get_string_member (p, "sex"));
  json_builder_set_member_name (b, "birth_date");
  json_builder_add_string_value (b, birth);
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, json_object_get_string_member (p, "address"));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  applicant = json_generator_to_data (gen, NULL);

  if (fields_json == NULL)
    fields_json =
      "\"contact_phone\": \"044-200-0000\",\n"
      "\"applicant_name\": \"田中　美咲\", \"applicant_name_kana\": \"タナカ　ミサキ\",\n"
      "\"applicant_birth_date\": \"1989-05-01\", \"applicant_sex\": \"2\",\n"
      "\"applicant_postal_code\": \"210-0000\", \"applicant_address\": \"神奈川県川崎市川崎区\",\n"
      "\"applicant_phone\": \"090-0000-0000\", \"applicant_my_number\": \"456789012346\",\n"
      "\"has_spouse\": false, \"relationship_to_child\": \"母\",\n"
      "\"address_jan1_this_year\": \"同上\", \"address_jan1_last_year\": \"同上\",\n"
      "\"child_name\": \"田中　陽斗\", \"child_name_kana\": \"タナカ　ハルト\",\n"
      "\"child_birth_date\": \"2022-04-01\", \"child_sex\": \"1\",\n"
      "\"child_postal_code\": \"210-0000\", \"child_address\": \"神奈川県川崎市川崎区\",\n"
      "\"insurance_kind\": \"employees\", \"insured_name\": \"田中　美咲\",\n"
      "\"insured_relationship\": \"本人\", \"insurance_symbol_number\": \"123・456\",\n"
      "\"insurance_join_date\": \"2022-04-01\", \"insurer_number\": \"06140000\",\n"
      "\"insurer_name\": \"テスト健康保険組合\", \"applicant_child_relation\": \"母\",\n"
      "\"other_scheme\": false, \"application_reason\": \"birth\"";

  return g_strdup_printf (
    "{\n"
    "  \"format\": \"madoguchi-application\",\n"
    "  \"format_version\": 1,\n"
    "  \"id\": \"6f1c2b1e-8d5a-4c1e-9b7a-2f3d4e5f6a7b\",\n"
    "  \"created\": \"2025-06-01T09:30:00Z\",\n"
    "  \"procedure\": {\"id\": \"141305-shoni-iryo-iryosho-kofu\", \"version\": 1},\n"
    "  \"municipality\": \"141305\",\n"
    "  \"applicant\": %s,\n"
    "  \"persons\": [{\"role\": \"child\", \"name\": \"田中　陽斗\", \"birth_date\": \"2022-04-01\"}],\n"
    "  \"fields\": {%s},\n"
    "  \"attachments\": [{\"field\": \"insurance_card_copy\", \"name\": \"card.png\",\n"
    "                    \"media_type\": \"image/png\", \"size\": 5,\n"
    "                    \"sha256\": \"%s\"}],\n"
    "  \"consents\": [{\"id\": \"privacy-v1\", \"text\": \"個人情報の取扱いに同意します。\"}]\n"
    "}\n", applicant, fields_json,
    /* SHA-256 of "hello" */
    "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
}

int
app_test_run (const char * const *argv,
              char **stderr_out)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, stderr_out, &status, &error))
    {
      g_test_message ("spawn failed: %s", error->message);
      return -1;
    }
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

char *
app_test_write_tmp (const char *name,
                    GBytes *data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("mdg-app-test-XXXXXX", &error);
  char *path;

  g_assert_no_error (error);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (data, NULL),
                                      g_bytes_get_size (data), &error));
  g_assert_no_error (error);
  return path;
}

void
app_test_remove_tmp (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_remove (path);
  g_rmdir (dir);
}

MdgSigner *
app_test_software_signer (const char *persona,
                          const char *key)
{
  g_autofree char *key_file = g_strdup_printf ("%s.key.pem", key);
  g_autofree char *cert_file = g_strdup_printf ("%s.pem", key);
  g_autofree char *ca_file = g_strdup_printf ("%s-ca.pem", key);
  g_autofree char *key_path = app_test_pki_path (persona, key_file);
  g_autofree char *cert_path = app_test_pki_path (persona, cert_file);
  g_autofree char *ca_path = app_test_pki_path (NULL, ca_file);
  g_autoptr(GError) error = NULL;
  MdgSigner *signer = mdg_software_signer_new_from_files (key_path, cert_path, ca_path, &error);

  g_assert_no_error (error);
  return signer;
}

MdgTrustStore *
app_test_trust (void)
{
  g_autoptr(GError) error = NULL;
  MdgTrustStore *trust = mdg_trust_store_new_test (app_test_pki_dir (), &error);

  g_assert_no_error (error);
  return trust;
}
