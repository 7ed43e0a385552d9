/* mdg-sim-persona.c: persona JSON files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "mdg-sim-card.h"
#include "mdg-text-ap.h"
#include "mdg-sim-persona.h"

void
mdg_sim_persona_free (MdgSimPersona *p)
{
  if (p == NULL)
    return;
  g_free (p->id);
  g_free (p->name);
  g_free (p->address);
  g_free (p->text_address);
  g_free (p->birth_date);
  g_free (p->sex);
  g_free (p->my_number);
  g_free (p->pin_auth);
  g_free (p->pin_sign);
  g_free (p->pin_text);
  g_free (p->token_type);
  g_free (p->municipality_name);
  g_free (p->municipality_code);
  g_free (p->prefecture);
  g_free (p->prefecture_roman);
  g_free (p->city_roman);
  g_free (p->substitute_name);
  g_free (p->substitute_address);
  g_free (p->resolved_json);
  g_free (p);
}

static gboolean
all_digits (const char *s,
            gsize len)
{
  if (s == NULL || strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* The card library owns the 番号法施行令 §8 check digit. */
gboolean
mdg_sim_my_number_is_valid (const char *digits)
{
  return all_digits (digits, 12) && mdg_my_number_is_valid (digits);
}

char *
mdg_sim_birth_date_with_era (const char *ymd)
{
  char era;

  g_return_val_if_fail (all_digits (ymd, 8), NULL);
  if (strcmp (ymd, "19120730") < 0)
    era = '1';
  else if (strcmp (ymd, "19261225") < 0)
    era = '2';
  else if (strcmp (ymd, "19890108") < 0)
    era = '3';
  else if (strcmp (ymd, "20190501") < 0)
    era = '4';
  else
    era = '5';
  return g_strdup_printf ("%c%s", era, ymd);
}

static gboolean
fail (GError **error,
      const char *path,
      const char *what)
{
  g_set_error (error, MDG_SIM_ERROR, MDG_SIM_ERROR_PERSONA,
               _("Persona %s: %s"), path, what);
  return FALSE;
}

static char *
get_string (JsonObject *o,
            const char *member,
            gboolean required,
            const char *path,
            GError **error)
{
  JsonNode *node = json_object_get_member (o, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          g_autofree char *msg = g_strdup_printf (_("missing “%s”"), member);
          fail (error, path, msg);
        }
      return NULL;
    }
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” must be a string"), member);
      fail (error, path, msg);
      return NULL;
    }
  return g_strdup (json_node_get_string (node));
}

static gint
get_int (JsonObject *o,
         const char *member,
         gint fallback)
{
  JsonNode *node;

  if (o == NULL)
    return fallback;
  node = json_object_get_member (o, member);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return (gint) json_node_get_int (node);
}

/* "birth": "YYYYMMDD" | {"date": "YYYYMMDD"} | {"age": A, "birthday_in_days": D}:
 * the next birthday, D days from today, is the (A+1)th; D = 0 means today
 * is the Ath. */
static char *
resolve_birth (JsonNode *node,
               GDate *today,
               const char *path,
               GError **error)
{
  JsonObject *o;
  gint age, days, months, day;
  GDate date;

  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      if (!all_digits (s, 8))
        {
          fail (error, path, _("birth date must be YYYYMMDD"));
          return NULL;
        }
      return g_strdup (s);
    }
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, path, _("missing “birth”"));
      return NULL;
    }
  o = json_node_get_object (node);
  if (json_object_has_member (o, "date"))
    return resolve_birth (json_object_get_member (o, "date"), today, path, error);

  age = get_int (o, "age", -1);
  days = get_int (o, "birthday_in_days", 0);
  months = get_int (o, "birthday_in_months", 0);
  day = get_int (o, "day", 15);
  if (age < 0 || age > 130 || days < 0 || days > 365 || months < 0 || months > 11
      || day < 1 || day > 28)
    {
      fail (error, path, _("“birth” needs an age, and birthday_in_days in 0…365 or "
                           "birthday_in_months in 1…11 with a day in 1…28"));
      return NULL;
    }
  date = *today;
  if (months > 0)
    {
      /* The birthday falls on @day of the month @months ahead. */
      g_date_set_day (&date, 1);
      g_date_add_months (&date, months);
      g_date_set_day (&date, day);
      g_date_subtract_years (&date, age + 1);
    }
  else if (days == 0)
    g_date_subtract_years (&date, age);
  else
    {
      g_date_add_days (&date, days);
      g_date_subtract_years (&date, age + 1);
    }
  return g_strdup_printf ("%04u%02u%02u", g_date_get_year (&date),
                          g_date_get_month (&date), g_date_get_day (&date));
}

static gint
age_on (const char *ymd,
        GDate *today)
{
  guint y = (ymd[0] - '0') * 1000 + (ymd[1] - '0') * 100 + (ymd[2] - '0') * 10 + (ymd[3] - '0');
  guint md = (ymd[4] - '0') * 1000 + (ymd[5] - '0') * 100 + (ymd[6] - '0') * 10 + (ymd[7] - '0');
  guint tmd = g_date_get_month (today) * 100 + g_date_get_day (today);
  gint age = (gint) g_date_get_year (today) - (gint) y;

  return tmd < md ? age - 1 : age;
}

static gboolean
valid_sign_pin (const char *pin)
{
  gsize len = pin != NULL ? strlen (pin) : 0;

  if (len < 6 || len > 16)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (pin[i]) && !g_ascii_isupper (pin[i]))
      return FALSE;
  return TRUE;
}

MdgSimPersona *
mdg_sim_persona_load (const char *path,
                      GDate *today_in,
                      GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(MdgSimPersona) p = g_new0 (MdgSimPersona, 1);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) birth_node = NULL;
  JsonObject *root, *pins, *tries, *muni, *subst;
  JsonNode *node;
  GDate today;
  g_autofree char *validity = NULL;

  if (today_in != NULL)
    today = *today_in;
  else
    {
      g_date_clear (&today, 1);
      g_date_set_time_t (&today, time (NULL));
    }

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      fail (error, path, local_error->message);
      return NULL;
    }
  node = json_parser_get_root (parser);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (error, path, _("not a JSON object"));
      return NULL;
    }
  root = json_node_get_object (node);

#define STR(field, member, req) \
  if ((p->field = get_string (root, member, req, path, error)) == NULL && req) \
    return NULL; \
  if (error != NULL && *error != NULL) \
    return NULL;

  STR (id, "id", TRUE);
  STR (name, "name", TRUE);
  STR (address, "address", TRUE);
  STR (text_address, "text_address", FALSE);
  STR (sex, "sex", TRUE);
  STR (my_number, "my_number", TRUE);
  STR (token_type, "token_type", FALSE);
  STR (substitute_name, "substitute_name", FALSE);
  STR (substitute_address, "substitute_address", FALSE);
#undef STR
  validity = get_string (root, "certificate_validity", FALSE, path, error);
  if (error != NULL && *error != NULL)
    return NULL;

  if (p->text_address == NULL)
    p->text_address = g_strdup (p->address);
  if (p->token_type == NULL)
    p->token_type = g_strdup ("JPKIAPICCTOKEN2");
  if (strlen (p->token_type) > 32)
    return fail (error, path, _("token type longer than 32 bytes")), NULL;
  for (const char *c = p->id; *c; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
      return fail (error, path, _("id may hold only letters, digits, - and _")), NULL;
  if (!mdg_sim_my_number_is_valid (p->my_number))
    return fail (error, path, _("my_number is not 12 digits with a valid check digit")), NULL;
  if (strcmp (p->sex, "1") != 0 && strcmp (p->sex, "2") != 0 && strcmp (p->sex, "9") != 0)
    return fail (error, path, _("sex must be \"1\", \"2\" or \"9\"")), NULL;

  p->birth_date = resolve_birth (json_object_get_member (root, "birth"), &today, path, error);
  if (p->birth_date == NULL)
    return NULL;
  p->age = age_on (p->birth_date, &today);

  node = json_object_get_member (root, "pins");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, path, _("missing “pins”")), NULL;
  pins = json_node_get_object (node);
  if ((p->pin_auth = get_string (pins, "auth", TRUE, path, error)) == NULL
      || (p->pin_sign = get_string (pins, "sign", TRUE, path, error)) == NULL
      || (p->pin_text = get_string (pins, "text", TRUE, path, error)) == NULL)
    return NULL;
  if (!all_digits (p->pin_auth, 4) || !all_digits (p->pin_text, 4))
    return fail (error, path, _("auth and text PINs must be 4 digits")), NULL;
  if (!valid_sign_pin (p->pin_sign))
    return fail (error, path, _("the signature password must be 6–16 of A–Z and 0–9")), NULL;

  node = json_object_get_member (root, "tries");
  tries = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  p->tries_auth = get_int (tries, "auth", 3);
  p->tries_sign = get_int (tries, "sign", 5);
  p->tries_text = get_int (tries, "text", 3);
  if (p->tries_auth < 0 || p->tries_auth > 3 || p->tries_sign < 0 || p->tries_sign > 5
      || p->tries_text < 0 || p->tries_text > 3)
    return fail (error, path, _("tries out of range (auth 0–3, sign 0–5, text 0–3)")), NULL;

  if (validity == NULL || strcmp (validity, "valid") == 0)
    p->validity = MDG_SIM_VALIDITY_VALID;
  else if (strcmp (validity, "expired") == 0)
    p->validity = MDG_SIM_VALIDITY_EXPIRED;
  else if (strcmp (validity, "not-yet-valid") == 0)
    p->validity = MDG_SIM_VALIDITY_NOT_YET_VALID;
  else
    return fail (error, path, _("certificate_validity must be valid, expired or not-yet-valid")), NULL;

  node = json_object_get_member (root, "has_sign_cert");
  p->has_sign_cert = node != NULL && json_node_get_value_type (node) == G_TYPE_BOOLEAN
                     ? json_node_get_boolean (node) : p->age >= 15;

  node = json_object_get_member (root, "municipality");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, path, _("missing “municipality”")), NULL;
  muni = json_node_get_object (node);
  if ((p->municipality_name = get_string (muni, "name", TRUE, path, error)) == NULL
      || (p->municipality_code = get_string (muni, "code", TRUE, path, error)) == NULL
      || (p->prefecture = get_string (muni, "prefecture", TRUE, path, error)) == NULL
      || (p->prefecture_roman = get_string (muni, "prefecture_roman", TRUE, path, error)) == NULL
      || (p->city_roman = get_string (muni, "city_roman", TRUE, path, error)) == NULL)
    return NULL;
  if (!all_digits (p->municipality_code, 6))
    return fail (error, path, _("municipality code must be 6 digits")), NULL;

  node = json_object_get_member (root, "substitute");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      subst = json_node_get_object (node);
      g_clear_pointer (&p->substitute_name, g_free);
      g_clear_pointer (&p->substitute_address, g_free);
      p->substitute_name = get_string (subst, "name", FALSE, path, NULL);
      p->substitute_address = get_string (subst, "address", FALSE, path, NULL);
    }

  /* Write back the resolved birth date so that every consumer agrees. */
  birth_node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (birth_node, p->birth_date);
  json_object_set_member (root, "birth", g_steal_pointer (&birth_node));
  json_object_set_int_member (root, "age_at_generation", p->age);
  json_object_set_boolean_member (root, "has_sign_cert", p->has_sign_cert);
  /* Household members listed with relative birth dates too. */
  node = json_object_get_member (root, "children");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *children = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (children); i++)
        {
          JsonNode *child = json_array_get_element (children, i);
          JsonNode *cbirth;
          g_autofree char *resolved = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (child))
            continue;
          cbirth = json_object_get_member (json_node_get_object (child), "birth");
          if (cbirth == NULL)
            continue;
          resolved = resolve_birth (cbirth, &today, path, error);
          if (resolved == NULL)
            return NULL;
          json_object_set_string_member (json_node_get_object (child), "birth", resolved);
        }
    }
  gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, json_parser_get_root (parser));
  p->resolved_json = json_generator_to_data (gen, NULL);

  return g_steal_pointer (&p);
}
