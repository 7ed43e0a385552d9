/* mdg-sim-state.h: PIN counters (and changed PINs) that survive restarts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;   /* "auth", "sign", "text", … */
  gint tries;
  char *value;        /* current PIN */
  gboolean changed;   /* value differs from the persona's: persist it */
} MdgSimStatePin;

/* Overrides counters and changed PINs from @path; a missing file is not
 * an error (first run). */
gboolean mdg_sim_state_load (const char *path,
                             MdgSimStatePin *pins,
                             guint n_pins,
                             GError **error);
gboolean mdg_sim_state_save (const char *path,
                             const MdgSimStatePin *pins,
                             guint n_pins,
                             GError **error);

G_END_DECLS
