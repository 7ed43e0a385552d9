/* mdg-cli-catalog.h: `madoguchi-cli catalog|eligibility|form`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-cli.h"

G_BEGIN_DECLS

int mdg_cli_catalog_main     (const MdgCliGlobal *global,
                              int argc,
                              char **argv);
int mdg_cli_eligibility_main (const MdgCliGlobal *global,
                              int argc,
                              char **argv);
int mdg_cli_form_main        (const MdgCliGlobal *global,
                              int argc,
                              char **argv);

G_END_DECLS
