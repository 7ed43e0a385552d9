/* mdg-cli-sign.h: madoguchi-cli sign, verify and evidence
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "mdg-cli.h"

G_BEGIN_DECLS

int mdg_cli_sign_main     (const MdgCliGlobal *global,
                           int argc,
                           char **argv);
int mdg_cli_verify_main   (const MdgCliGlobal *global,
                           int argc,
                           char **argv);
int mdg_cli_evidence_main (const MdgCliGlobal *global,
                           int argc,
                           char **argv);

G_END_DECLS
