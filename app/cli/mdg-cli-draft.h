/* mdg-cli-draft.h: `madoguchi-cli draft …` and `madoguchi-cli data …`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-cli.h"

G_BEGIN_DECLS

int mdg_cli_draft_main (const MdgCliGlobal *global,
                        int argc,
                        char **argv);
int mdg_cli_data_main  (const MdgCliGlobal *global,
                        int argc,
                        char **argv);

G_END_DECLS
