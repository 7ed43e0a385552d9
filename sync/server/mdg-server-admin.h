/* mdg-server-admin.h: `madoguchi-server admin`, the staff command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of the admin command. */
typedef enum
{
  MDG_SERVER_EXIT_OK = 0,
  MDG_SERVER_EXIT_FAILED = 1,
  MDG_SERVER_EXIT_USAGE = 2,
  MDG_SERVER_EXIT_TAMPERED = 3,
} MdgServerExit;

/* argv[0] is "admin". */
int mdg_server_admin_main (int argc,
                           char **argv);

G_END_DECLS
