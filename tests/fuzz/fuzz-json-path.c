/* fuzz-json-path.c: the inspector's field paths and its number scanner
 *
 * The input is a path, a NUL, and a payload (without a NUL, the whole
 * input is both). The path either fails with INVALID_PATH or reads back
 * from its canonical text to the same path. The scan of the payload never
 * crashes or reads past it, and answers a finite number or an error of the
 * domain. When libmetered's strict parser accepts the payload, the scan
 * agrees with a walk of the parsed tree: run over the tree written out
 * again (which has no repeated member names, where the scan takes the
 * first and json-glib the last), it finds the same number or the same
 * kind of nothing; every path the field picker lists scans to the number
 * in the tree; and the scan never calls the original text invalid.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-json-path"

#include <math.h>
#include <string.h>

#include "inspector-json-path.h"
#include "metered-frame-private.h"
#include "fuzz-common.h"

#define MAX_LISTED 64

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

/* What the scan must say about @node: -1 and *value for a number, or an
 * InspectorJsonPathError. */
static int
expected_number (JsonNode *node,
                 double   *value)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return INSPECTOR_JSON_PATH_ERROR_NOT_A_NUMBER;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else if (type != G_TYPE_STRING ||
           !inspector_json_number_from_text (json_node_get_string (node), strlen (json_node_get_string (node)), value))
    return INSPECTOR_JSON_PATH_ERROR_NOT_A_NUMBER;

  return -1;
}

static int
walk (JsonNode                *root,
      const InspectorJsonPath *path,
      double                  *value)
{
  JsonNode *node = root;

  for (guint i = 0; i < inspector_json_path_get_n_segments (path); i++)
    {
      guint index;
      const char *key = inspector_json_path_get_segment (path, i, &index);

      if (key != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
          json_object_has_member (json_node_get_object (node), key))
        node = json_object_get_member (json_node_get_object (node), key);
      else if (key == NULL && JSON_NODE_HOLDS_ARRAY (node) &&
               index < json_array_get_length (json_node_get_array (node)))
        node = json_array_get_element (json_node_get_array (node), index);
      else
        return INSPECTOR_JSON_PATH_ERROR_NOT_FOUND;
    }

  return expected_number (node, value);
}

static int
scan (const InspectorJsonPath *path,
      const char              *json,
      gsize                    len,
      double                  *value)
{
  g_autoptr(GError) error = NULL;
  double quiet_value = 0;
  gboolean quiet;

  quiet = inspector_json_path_extract_number (path, json, len, &quiet_value, NULL);

  if (inspector_json_path_extract_number (path, json, len, value, &error))
    {
      g_assert_no_error (error);
      g_assert_true (quiet);
      g_assert_true (isfinite (*value));
      g_assert_true (*value == quiet_value);
      return -1;
    }

  g_assert_false (quiet);
  g_assert_nonnull (error);
  g_assert_true (error->domain == INSPECTOR_JSON_PATH_ERROR);
  g_assert_true (error->code != INSPECTOR_JSON_PATH_ERROR_INVALID_PATH);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));

  return error->code;
}

static void
check_path_round_trip (const InspectorJsonPath *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(InspectorJsonPath) again = inspector_json_path_parse (inspector_json_path_to_string (path), &error);

  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpstr (inspector_json_path_to_string (again), ==, inspector_json_path_to_string (path));
  g_assert_cmpuint (inspector_json_path_get_n_segments (again), ==, inspector_json_path_get_n_segments (path));

  for (guint i = 0; i < inspector_json_path_get_n_segments (path); i++)
    {
      guint a = 0, b = 0;

      g_assert_cmpstr (inspector_json_path_get_segment (path, i, &a), ==, inspector_json_path_get_segment (again, i, &b));
      if (inspector_json_path_get_segment (path, i, NULL) == NULL)
        g_assert_cmpuint (a, ==, b);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *input = fuzz_dup_input (data, size);
  g_autoptr(InspectorJsonPath) path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *written = NULL;
  g_autofree char *json_copy = NULL;
  const char *separator = memchr (data, '\0', size);
  const char *json;
  gsize len;
  double value = 0, expected = 0;
  int code;

  len = separator != NULL ? size - (gsize) (separator - (const char *) data) - 1 : size;

  /* An exact-size heap copy, without a nul, so that AddressSanitizer sees
   * any read past the end. */
  json = json_copy = g_malloc (MAX (len, 1));
  if (len > 0)
    memcpy (json_copy, separator != NULL ? separator + 1 : (const char *) data, len);

  path = inspector_json_path_parse (input, &error);
  if (path == NULL)
    {
      g_assert_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);

      /* Still scan the payload, along the whole-payload path. */
      path = inspector_json_path_parse ("", NULL);
    }
  else
    {
      check_path_round_trip (path);
    }

  code = scan (path, json, len, &value);

  root = metered_json_parse_untrusted (json, (gssize) len, NULL);
  if (root == NULL)
    return 0;

  /* Valid JSON is never called invalid. */
  g_assert_cmpint (code, !=, INSPECTOR_JSON_PATH_ERROR_INVALID_JSON);

  written = fuzz_node_to_text (root);
  code = scan (path, written, strlen (written), &value);
  g_assert_cmpint (code, ==, walk (root, path, &expected));
  if (code < 0)
    g_assert_true (value == expected);

  {
    g_autoptr(GPtrArray) listed = inspector_json_path_list_numeric (root, MAX_LISTED);

    g_assert_cmpuint (listed->len, <=, MAX_LISTED);
    for (guint i = 0; i < listed->len; i++)
      {
        g_autoptr(InspectorJsonPath) field = inspector_json_path_parse (listed->pdata[i], &error);

        g_assert_no_error (error);
        g_assert_cmpstr (inspector_json_path_to_string (field), ==, listed->pdata[i]);
        g_assert_cmpint (walk (root, field, &expected), ==, -1);
        g_assert_cmpint (scan (field, written, strlen (written), &value), ==, -1);
        g_assert_true (value == expected);
      }
  }

  return 0;
}
