/* mdg-cli-sync.h: `madoguchi-cli outbox|sync|status|records`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-cli.h"

G_BEGIN_DECLS

int mdg_cli_outbox_main (const MdgCliGlobal *global,
                         int argc,
                         char **argv);
int mdg_cli_sync_main   (const MdgCliGlobal *global,
                         int argc,
                         char **argv);
int mdg_cli_status_main (const MdgCliGlobal *global,
                         int argc,
                         char **argv);
int mdg_cli_draft_correct_main (const MdgCliGlobal *global,
                                int argc,
                                char **argv);
int mdg_cli_records_main (const MdgCliGlobal *global,
                          int argc,
                          char **argv);

G_END_DECLS
