/* mdg-cli-card.h: `madoguchi-cli card …`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-cli.h"

G_BEGIN_DECLS

int mdg_cli_card_main (const MdgCliGlobal *global,
                       int argc,
                       char **argv);

G_END_DECLS
