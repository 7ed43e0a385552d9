/* mdg-civil-date.c: dates, ages and school years as Japanese rules count them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "mdg-civil-date.h"

static gboolean
is_leap (gint year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static gint
days_in_month (gint year,
               gint month)
{
  static const gint days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  return month == 2 && is_leap (year) ? 29 : days[month - 1];
}

gboolean
mdg_civil_date_is_valid (MdgCivilDate date)
{
  gint y = MDG_CIVIL_DATE_YEAR (date);
  gint m = MDG_CIVIL_DATE_MONTH (date);
  gint d = MDG_CIVIL_DATE_DAY (date);

  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month (y, m);
}

static gboolean
parse_digits (const char *text,
              gsize len,
              gint *out)
{
  gint value = 0;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (text[i] - '0');
    }
  *out = value;
  return TRUE;
}

gboolean
mdg_civil_date_parse (const char *text,
                      MdgCivilDate *out)
{
  gint y, m, d;
  gsize len;

  if (text == NULL)
    return FALSE;
  len = strlen (text);
  if (len == 10 && text[4] == '-' && text[7] == '-')
    {
      if (!parse_digits (text, 4, &y) || !parse_digits (text + 5, 2, &m)
          || !parse_digits (text + 8, 2, &d))
        return FALSE;
    }
  else if (len == 8)
    {
      if (!parse_digits (text, 4, &y) || !parse_digits (text + 4, 2, &m)
          || !parse_digits (text + 6, 2, &d))
        return FALSE;
    }
  else
    return FALSE;

  if (m < 1 || m > 12 || d < 1 || !mdg_civil_date_is_valid (MDG_CIVIL_DATE (y, m, d)))
    return FALSE;
  *out = MDG_CIVIL_DATE (y, m, d);
  return TRUE;
}

char *
mdg_civil_date_to_string (MdgCivilDate date)
{
  return g_strdup_printf ("%04d-%02d-%02d", MDG_CIVIL_DATE_YEAR (date),
                          MDG_CIVIL_DATE_MONTH (date), MDG_CIVIL_DATE_DAY (date));
}

MdgCivilDate
mdg_civil_date_next_day (MdgCivilDate date)
{
  gint y = MDG_CIVIL_DATE_YEAR (date);
  gint m = MDG_CIVIL_DATE_MONTH (date);
  gint d = MDG_CIVIL_DATE_DAY (date) + 1;

  if (d > days_in_month (y, m))
    {
      d = 1;
      if (++m > 12)
        {
          m = 1;
          y++;
        }
    }
  return MDG_CIVIL_DATE (y, m, d);
}

MdgCivilDate
mdg_civil_date_today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return MDG_CIVIL_DATE (g_date_time_get_year (now), g_date_time_get_month (now),
                         g_date_time_get_day_of_month (now));
}

/* Month and day compare as MMDD; 0229 sorts after 0228 and before 0301,
 * which puts a 29 February birthday on 1 March in common years. */
gint
mdg_age_on_birthday (MdgCivilDate birth,
                     MdgCivilDate date)
{
  gint age;

  if (date < birth)
    return -1;
  age = MDG_CIVIL_DATE_YEAR (date) - MDG_CIVIL_DATE_YEAR (birth);
  if (date % 10000 < birth % 10000)
    age--;
  return age;
}

/* The legal age on D is the birthday age of D + 1: a year is completed at
 * the end of the day before the birthday (for 29 February, 28 February). */
gint
mdg_age_legal (MdgCivilDate birth,
               MdgCivilDate date)
{
  if (date < birth)
    return -1;
  return mdg_age_on_birthday (birth, mdg_civil_date_next_day (date));
}

gint
mdg_fiscal_year (MdgCivilDate date)
{
  return MDG_CIVIL_DATE_MONTH (date) >= 4 ? MDG_CIVIL_DATE_YEAR (date)
                                          : MDG_CIVIL_DATE_YEAR (date) - 1;
}

/* The cohort is the fiscal year of the day before the birth, the day on
 * which the child legally turns a year older each year: born 2 April or
 * later → the birth year; born 1 January to 1 April → the year before.
 * Grade 1 is the fiscal year that starts after the sixth birthday by that
 * count, so grade = FY − cohort − 6. */
gint
mdg_school_year_grade (MdgCivilDate birth,
                       MdgCivilDate date)
{
  gint cohort = MDG_CIVIL_DATE_YEAR (birth);

  if (birth % 10000 < 402)
    cohort--;
  return mdg_fiscal_year (date) - cohort - 6;
}
