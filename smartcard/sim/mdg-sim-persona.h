/* mdg-sim-persona.h: a fictional card holder for the simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MDG_SIM_VALIDITY_VALID,
  MDG_SIM_VALIDITY_EXPIRED,
  MDG_SIM_VALIDITY_NOT_YET_VALID,
} MdgSimValidity;

typedef struct
{
  char *id;
  char *name;                /* family and given name separated by U+3000 */
  char *address;             /* as in the signature certificate */
  char *text_address;        /* as in the text AP (differs after a move) */
  char *birth_date;          /* resolved, "YYYYMMDD" */
  char *sex;                 /* "1", "2" or "9" */
  char *my_number;           /* 12 digits */
  char *pin_auth;
  char *pin_sign;
  char *pin_text;
  gint tries_auth;
  gint tries_sign;
  gint tries_text;
  MdgSimValidity validity;
  gboolean has_sign_cert;
  char *token_type;
  char *municipality_name;
  char *municipality_code;   /* 6 digits */
  char *prefecture;
  char *prefecture_roman;    /* for the certificate subject L= */
  char *city_roman;
  char *substitute_name;     /* NULL when none */
  char *substitute_address;  /* NULL when none */
  gint  age;                 /* at resolution time */

  /* The whole JSON object, birth resolved, for writing persona.json. */
  char *resolved_json;
} MdgSimPersona;

/* Loads and validates a persona file. Relative birth dates ("age" and
 * "birthday_in_days") are resolved against @today (NULL: now). */
MdgSimPersona *mdg_sim_persona_load        (const char *path,
                                            GDate *today,
                                            GError **error);
void           mdg_sim_persona_free        (MdgSimPersona *persona);

/* Era digit (1 Meiji … 5 Reiwa) followed by YYYYMMDD, as in the
 * certificate's birth-date SAN. */
char          *mdg_sim_birth_date_with_era (const char *yyyymmdd);
/* Check digit of the individual number (番号法施行令 §8). */
gboolean       mdg_sim_my_number_is_valid  (const char *digits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MdgSimPersona, mdg_sim_persona_free)

G_END_DECLS
