/* mdg-jcs.h: strict JSON parsing and the RFC 8785 canonical form (JCS)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deepest nesting a document may have; deeper input is refused before
 * json-glib's recursive parser sees it. */
#define MDG_JCS_MAX_DEPTH 64

/* Parses @len bytes (-1: NUL-terminated) of JSON, refusing what JCS cannot
 * sign unambiguously: invalid UTF-8 (INVALID_UTF8), a repeated member name
 * in one object (DUPLICATE_KEY), U+0000 in a string, nesting deeper than
 * MDG_JCS_MAX_DEPTH, and text that is not JSON (INVALID_JSON). */
JsonNode *mdg_jcs_parse          (const char *data,
                                  gssize len,
                                  GError **error);
/* The canonical UTF-8 bytes of @node (RFC 8785): members sorted by UTF-16
 * code units, ECMAScript number formatting, minimal string escaping, no
 * whitespace. UNSUPPORTED_VALUE for non-finite numbers and integers beyond
 * 2^53, which a double cannot hold exactly. */
GBytes   *mdg_jcs_serialize      (JsonNode *node,
                                  GError **error);
/* Parse then serialize. */
GBytes   *mdg_jcs_canonicalize   (const char *data,
                                  gssize len,
                                  GError **error);
/* ECMAScript Number::toString of a finite double (shortest round trip). */
gboolean  mdg_jcs_format_number  (double value,
                                  GString *out,
                                  GError **error);

G_END_DECLS
