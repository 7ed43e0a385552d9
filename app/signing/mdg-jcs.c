/* mdg-jcs.c: strict JSON parsing and the RFC 8785 canonical form
 *
 * json-glib parses; the canonical serializer is ours because no maintained C
 * library does JCS. json-glib keeps the last of repeated member names
 * silently, so the parser's object-member signal is watched to refuse them:
 * a signed document must mean one thing to every reader.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "mdg-app-error.h"
#include "mdg-jcs.h"

/* 2^53: beyond it an integer may not survive the trip through a double. */
#define MAX_SAFE_INTEGER G_GINT64_CONSTANT (9007199254740991)

typedef struct
{
  GHashTable *members;  /* JsonObject* -> GHashTable of names */
  gboolean    duplicate;
} DuplicateCheck;

static void
on_object_member (JsonParser *parser,
                  JsonObject *object,
                  const char *member_name,
                  gpointer user_data)
{
  DuplicateCheck *check = user_data;
  GHashTable *names = g_hash_table_lookup (check->members, object);

  if (names == NULL)
    {
      names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (check->members, object, names);
    }
  if (!g_hash_table_add (names, g_strdup (member_name)))
    check->duplicate = TRUE;
}

/* Depth and NUL checks on the raw text, outside strings for brackets. */
static gboolean
check_raw (const char *data,
           gsize len,
           GError **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (c == '\0')
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_JSON,
                       _("The document contains a NUL byte."));
          return FALSE;
        }
      if (in_string)
        {
          if (c == '\\')
            {
              if (i + 5 < len && data[i + 1] == 'u' && strncmp (data + i + 2, "0000", 4) == 0)
                {
                  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_JSON,
                               _("The document contains the character U+0000."));
                  return FALSE;
                }
              i++;
            }
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MDG_JCS_MAX_DEPTH)
            {
              g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_JSON,
                           _("The document is nested more than %d levels deep."),
                           MDG_JCS_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

JsonNode *
mdg_jcs_parse (const char *data,
               gssize len,
               GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  DuplicateCheck check = { 0 };
  const char *end = NULL;
  JsonNode *root;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  /* An empty GBytes (e.g. an empty part of an envelope) has no data. */
  if (data == NULL)
    data = "";
  if (len < 0)
    len = strlen (data);
  if (!check_raw (data, len, error))
    return NULL;
  if (!g_utf8_validate (data, len, &end))
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_UTF8,
                   _("The document is not valid UTF-8 (at byte %zu)."),
                   (gsize) (end - data));
      return NULL;
    }

  parser = json_parser_new ();
  check.members = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) g_hash_table_unref);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &check);
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_hash_table_unref (check.members);
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_JSON,
                   _("The document is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  g_hash_table_unref (check.members);
  if (check.duplicate)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_DUPLICATE_KEY,
                   _("The document repeats a member name in one object."));
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_JSON,
                   _("The document is empty."));
      return NULL;
    }
  return json_node_copy (root);
}

gboolean
mdg_jcs_format_number (double value,
                       GString *out,
                       GError **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[20];
  gsize k = 0;
  int n;
  char *mant_end;
  const char *p;

  if (!isfinite (value))
    {
      g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_UNSUPPORTED_VALUE,
                   _("The document contains a number that is not finite."));
      return FALSE;
    }
  if (value == 0)
    {
      /* Both 0 and -0 are "0". */
      g_string_append_c (out, '0');
      return TRUE;
    }
  if (value < 0)
    {
      g_string_append_c (out, '-');
      value = -value;
    }

  /* The shortest %e form that reads back as the same double. */
  for (int precision = 0; precision < 17; precision++)
    {
      char fmt[8];

      g_snprintf (fmt, sizeof fmt, "%%.%de", precision);
      g_ascii_formatd (buf, sizeof buf, fmt, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  /* buf is "d[.ddd]e[+-]XX": collect the digits and the exponent. */
  for (p = buf; *p != 'e'; p++)
    if (g_ascii_isdigit (*p))
      digits[k++] = *p;
  while (k > 1 && digits[k - 1] == '0')
    k--;
  n = (int) g_ascii_strtoll (p + 1, &mant_end, 10) + 1;

  /* ECMA-262 Number::toString, with k digits and the point after n. */
  if ((int) k <= n && n <= 21)
    {
      g_string_append_len (out, digits, k);
      for (int i = 0; i < n - (int) k; i++)
        g_string_append_c (out, '0');
    }
  else if (0 < n && n <= 21)
    {
      g_string_append_len (out, digits, n);
      g_string_append_c (out, '.');
      g_string_append_len (out, digits + n, k - n);
    }
  else if (-6 < n && n <= 0)
    {
      g_string_append (out, "0.");
      for (int i = 0; i < -n; i++)
        g_string_append_c (out, '0');
      g_string_append_len (out, digits, k);
    }
  else
    {
      g_string_append_c (out, digits[0]);
      if (k > 1)
        {
          g_string_append_c (out, '.');
          g_string_append_len (out, digits + 1, k - 1);
        }
      g_string_append_printf (out, "e%c%d", n - 1 < 0 ? '-' : '+', ABS (n - 1));
    }
  return TRUE;
}

static void
append_string (GString *out,
               const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

typedef struct
{
  const char *name;
  gunichar2  *utf16;
  glong       len;
} SortKey;

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  const SortKey *ka = a;
  const SortKey *kb = b;
  glong n = MIN (ka->len, kb->len);

  for (glong i = 0; i < n; i++)
    if (ka->utf16[i] != kb->utf16[i])
      return ka->utf16[i] < kb->utf16[i] ? -1 : 1;
  return ka->len < kb->len ? -1 : ka->len > kb->len ? 1 : 0;
}

static gboolean serialize_node (JsonNode *node, GString *out, GError **error);

static gboolean
serialize_object (JsonObject *object,
                  GString *out,
                  GError **error)
{
  g_autoptr(GList) names = json_object_get_members (object);
  guint n = g_list_length (names);
  g_autofree SortKey *keys = g_new0 (SortKey, MAX (n, 1));
  gboolean ok = TRUE;
  guint i = 0;

  for (GList *l = names; l != NULL; l = l->next, i++)
    {
      keys[i].name = l->data;
      keys[i].utf16 = g_utf8_to_utf16 (l->data, -1, NULL, &keys[i].len, NULL);
      if (keys[i].utf16 == NULL)
        {
          g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_UTF8,
                       _("A member name is not valid UTF-8."));
          ok = FALSE;
          break;
        }
    }
  if (ok)
    qsort (keys, n, sizeof *keys, compare_keys);

  g_string_append_c (out, '{');
  for (i = 0; ok && i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_string (out, keys[i].name);
      g_string_append_c (out, ':');
      ok = serialize_node (json_object_get_member (object, keys[i].name), out, error);
    }
  g_string_append_c (out, '}');

  for (i = 0; i < n; i++)
    g_free (keys[i].utf16);
  return ok;
}

static gboolean
serialize_node (JsonNode *node,
                GString *out,
                GError **error)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      return TRUE;

    case JSON_NODE_OBJECT:
      return serialize_object (json_node_get_object (node), out, error);

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            if (!serialize_node (json_array_get_element (array, i), out, error))
              return FALSE;
          }
        g_string_append_c (out, ']');
        return TRUE;
      }

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          {
            const char *s = json_node_get_string (node);

            if (!g_utf8_validate (s, -1, NULL))
              {
                g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_INVALID_UTF8,
                             _("A string is not valid UTF-8."));
                return FALSE;
              }
            append_string (out, s);
          }
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_INT64)
          {
            gint64 v = json_node_get_int (node);

            if (v > MAX_SAFE_INTEGER || v < -MAX_SAFE_INTEGER)
              {
                g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_UNSUPPORTED_VALUE,
                             _("The document contains an integer too large to be exact."));
                return FALSE;
              }
            g_string_append_printf (out, "%" G_GINT64_FORMAT, v);
          }
        else if (type == G_TYPE_DOUBLE)
          {
            double v = json_node_get_double (node);

            /* Below 1e21 an integral double is written without exponent
             * and would read back as an integer beyond 2^53, which the
             * parser refuses: the canonical form must parse again. */
            if (v == floor (v) && fabs (v) > MAX_SAFE_INTEGER && fabs (v) < 1e21)
              {
                g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_UNSUPPORTED_VALUE,
                             _("The document contains an integer too large to be exact."));
                return FALSE;
              }
            return mdg_jcs_format_number (v, out, error);
          }
        else
          {
            g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_UNSUPPORTED_VALUE,
                         _("The document contains a value of an unsupported type."));
            return FALSE;
          }
        return TRUE;
      }
    }
  g_set_error (error, MDG_APP_ERROR, MDG_APP_ERROR_UNSUPPORTED_VALUE,
               _("The document contains a value of an unsupported type."));
  return FALSE;
}

GBytes *
mdg_jcs_serialize (JsonNode *node,
                   GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, NULL);

  if (!serialize_node (node, out, error))
    return NULL;
  return g_string_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
mdg_jcs_canonicalize (const char *data,
                      gssize len,
                      GError **error)
{
  g_autoptr(JsonNode) node = mdg_jcs_parse (data, len, error);

  if (node == NULL)
    return NULL;
  return mdg_jcs_serialize (node, error);
}
