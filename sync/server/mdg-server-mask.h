/* mdg-server-mask.h: My Numbers hidden from staff without the right to see them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define MDG_SERVER_MASK "************"

/* Replaces in place, anywhere in @node, every value of a member whose name
 * contains "my_number" (the documents' 個人番号 fields, e.g.
 * applicant_my_number, and card.my_number) and every string that is a
 * valid 12-digit 個人番号 with MDG_SERVER_MASK. Returns how many. */
guint mdg_server_mask_my_numbers (JsonNode *node);
/* Whether @text is 12 digits with a valid check digit. */
gboolean mdg_server_is_my_number (const char *text);

G_END_DECLS
