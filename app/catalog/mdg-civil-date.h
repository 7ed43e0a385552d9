/* mdg-civil-date.h: dates, ages and school years as Japanese rules count them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A Gregorian date packed as YYYYMMDD, so that integer order is date
 * order. 0 is "no date". */
typedef guint32 MdgCivilDate;

#define MDG_CIVIL_DATE(y, m, d) ((MdgCivilDate) ((y) * 10000 + (m) * 100 + (d)))
#define MDG_CIVIL_DATE_YEAR(date)  ((gint) ((date) / 10000))
#define MDG_CIVIL_DATE_MONTH(date) ((gint) ((date) / 100 % 100))
#define MDG_CIVIL_DATE_DAY(date)   ((gint) ((date) % 100))
#define MDG_CIVIL_DATE_MAX ((MdgCivilDate) 99991231)

/* "YYYY-MM-DD" (also "YYYYMMDD", as on the card); FALSE for anything else
 * or a day that does not exist. */
gboolean     mdg_civil_date_parse         (const char *text,
                                           MdgCivilDate *out);
gboolean     mdg_civil_date_is_valid      (MdgCivilDate date);
/* "YYYY-MM-DD"; free with g_free(). */
char        *mdg_civil_date_to_string     (MdgCivilDate date);
MdgCivilDate mdg_civil_date_next_day      (MdgCivilDate date);
/* Today in the local time zone. Only callers that mean "now" use this;
 * the engine always gets its date from the caller. */
MdgCivilDate mdg_civil_date_today         (void);

/* Completed years, counted up ON the birthday (the convention of
 * 後期高齢者医療: insured from the 75th birthday itself). A 29 February
 * birthday falls on 1 March in common years. -1 before the birth. */
gint         mdg_age_on_birthday          (MdgCivilDate birth,
                                           MdgCivilDate date);
/* Age under 年齢計算ニ関スル法律 and Civil Code art. 143: one becomes a
 * year older at the end of the day before the birthday, so on that day
 * itself. A 29 February birth ages on 28 February in every year. */
gint         mdg_age_legal                (MdgCivilDate birth,
                                           MdgCivilDate date);
/* The fiscal (and school) year, named by the year it starts: 1 April. */
gint         mdg_fiscal_year              (MdgCivilDate date);
/* The school year in the fiscal year of @date: 小1 = 1 … 中3 = 9, 高3 = 12,
 * pre-school ≤ 0. Children born 2 April to 1 April of the next year share
 * a year, because a 1 April child legally turns six on 31 March. */
gint         mdg_school_year_grade        (MdgCivilDate birth,
                                           MdgCivilDate date);

G_END_DECLS
