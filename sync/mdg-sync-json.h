/* mdg-sync-json.h: reading JSON from the other side of the wire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Member @name of @obj when it is a string, else NULL: a hostile peer may
 * send any type where a string belongs, and json-glib's getters warn. */
const char *mdg_sync_json_get_string (JsonObject *obj,
                                      const char *name);

G_END_DECLS
