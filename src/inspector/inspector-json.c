/* inspector-json.c: JSON text helpers for the detail and compose panes
 *
 * The log keeps JSON as text; these parse it only for the one row or
 * draft someone is looking at.
 *
 * That text came from the network or from a paste, so it is parsed the way
 * libmetered parses frames: strictly, with a nesting limit. json-glib alone
 * recurses once per level (a deep enough `[[[[…` overflows the stack) and
 * accepts some text that is not JSON.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-json"

#include <string.h>

#include <glib/gi18n.h>

#include "metered-frame-private.h"

#include "inspector-error.h"
#include "inspector-json.h"

/**
 * inspector_json_parse:
 * @len: the length of @text, or -1
 *
 * Parses one JSON value from outside. The message of the error, in
 * %INSPECTOR_ERROR_INVALID_JSON, says what is wrong and where, without
 * quoting the text.
 *
 * Returns: (transfer full) (nullable): the value, immutable
 */
JsonNode *
inspector_json_parse (const char  *text,
                      gssize       len,
                      GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  gsize n;
  gsize i;

  g_return_val_if_fail (text != NULL, NULL);

  n = len < 0 ? strlen (text) : (gsize) len;
  for (i = 0; i < n && text[i] != '\0' && strchr (" \t\n\r", text[i]) != NULL; i++)
    ;
  if (i == n)
    {
      /* Say it in words: an empty draft is common. */
      g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_JSON, _("Empty document"));
      return NULL;
    }

  root = metered_json_parse_untrusted (text, len, &local_error);
  if (root == NULL)
    g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_JSON, local_error->message);

  return root;
}

static void
append_indent (GString *out,
               guint    level)
{
  for (guint i = 0; i < level; i++)
    g_string_append (out, "  ");
}

/* The layout json-glib's pretty generator uses, with numbers and strings
 * written by libmetered: json-glib prints doubles with 17 digits (21.6
 * becomes 21.600000000000001), libmetered with the fewest of 15 or 17 that
 * read back as the same value, as the payload was sent. */
static void
append_pretty (GString  *out,
               JsonNode *node,
               guint     level)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;
      gboolean first = TRUE;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          g_string_append (out, first ? "{\n" : ",\n");
          first = FALSE;
          append_indent (out, level + 1);
          metered_json_append_string (out, name);
          g_string_append (out, " : ");
          append_pretty (out, member, level + 1);
        }

      if (first)
        g_string_append (out, "{}");
      else
        {
          g_string_append_c (out, '\n');
          append_indent (out, level);
          g_string_append_c (out, '}');
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      if (n == 0)
        {
          g_string_append (out, "[]");
          return;
        }

      for (guint i = 0; i < n; i++)
        {
          g_string_append (out, i == 0 ? "[\n" : ",\n");
          append_indent (out, level + 1);
          append_pretty (out, json_array_get_element (array, i), level + 1);
        }
      g_string_append_c (out, '\n');
      append_indent (out, level);
      g_string_append_c (out, ']');
    }
  else
    metered_json_append_node (out, node);
}

static char *
dup_pretty (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  append_pretty (out, node, 0);

  return g_string_free (out, FALSE);
}

/**
 * inspector_json_pretty:
 * @len: the length of @text, or -1
 *
 * Returns: (transfer full): @text indented, or a copy of it as it is when
 *   it is not JSON
 */
char *
inspector_json_pretty (const char *text,
                       gssize      len)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if ((root = inspector_json_parse (text, len, NULL)) == NULL)
    return len < 0 ? g_strdup (text) : g_strndup (text, len);

  return dup_pretty (root);
}

/**
 * inspector_json_measure:
 * @compact_size: (out): the bytes the payload takes on the wire
 *
 * Checks a draft payload and measures it the way the client does:
 * serialized compactly.
 *
 * Returns: %TRUE if @text is one JSON value
 */
gboolean
inspector_json_measure (const char  *text,
                        gsize       *compact_size,
                        GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (compact_size != NULL, FALSE);

  *compact_size = 0;

  if ((root = inspector_json_parse (text, -1, error)) == NULL)
    return FALSE;

  out = g_string_new (NULL);
  metered_json_append_node (out, root);
  *compact_size = out->len;

  return TRUE;
}

/**
 * inspector_json_dup_member:
 *
 * Returns: (transfer full) (nullable): the member of a JSON object, as
 *   indented JSON, or %NULL if there is no such member
 */
char *
inspector_json_dup_member (const char *object_text,
                           const char *member)
{
  g_autoptr(JsonNode) root = NULL;
  JsonNode *node;

  g_return_val_if_fail (member != NULL, NULL);

  if (object_text == NULL || (root = inspector_json_parse (object_text, -1, NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      (node = json_object_get_member (json_node_get_object (root), member)) == NULL)
    return NULL;

  return dup_pretty (node);
}
