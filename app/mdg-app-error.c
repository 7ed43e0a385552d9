/* mdg-app-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "mdg-app-error.h"

G_DEFINE_QUARK (mdg-app-error-quark, mdg_app_error)
