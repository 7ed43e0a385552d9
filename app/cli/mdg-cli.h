/* mdg-cli.h: what every madoguchi-cli command gets from main()
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Options given before the command word. */
typedef struct
{
  const char *reader;  /* --reader, NULL for the first reader with a card */
} MdgCliGlobal;

/* A top-level command: @argv[0] is the command word. Returns the exit code. */
typedef int (*MdgCliCommandFunc) (const MdgCliGlobal *global,
                                  int argc,
                                  char **argv);

typedef struct
{
  const char        *name;
  const char        *summary;  /* N_() */
  MdgCliCommandFunc  run;
} MdgCliCommand;

G_END_DECLS
