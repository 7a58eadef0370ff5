/* fuzz-common.c: what every fuzz target shares
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metered-frame-private.h"
#include "fuzz-common.h"

static gboolean
level_is_fatal (GLogLevelFlags level)
{
  return (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) != 0;
}

static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        user_data)
{
  if (!level_is_fatal (level))
    return;

  fprintf (stderr, "%s:ERROR: %s\n", domain != NULL ? domain : "(no domain)", message);
  abort ();
}

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  if (!level_is_fatal (level))
    return G_LOG_WRITER_HANDLED;

  g_log_writer_standard_streams (level, fields, n_fields, user_data);
  abort ();
}

void
fuzz_init (void)
{
  g_log_set_default_handler (log_handler, NULL);
  g_log_set_writer_func (log_writer, NULL, NULL);
}

char *
fuzz_dup_input (const guint8 *data,
                gsize         size)
{
  char *copy = g_malloc (size + 1);

  if (size > 0)
    memcpy (copy, data, size);
  copy[size] = '\0';

  return copy;
}

char *
fuzz_node_to_text (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  metered_json_append_node (out, node);
  return g_string_free (out, FALSE);
}

char *
fuzz_object_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return fuzz_node_to_text (node);
}

gboolean
fuzz_objects_equal (JsonObject *a,
                    JsonObject *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return json_object_equal (a, b);
}

static JsonNode *
parse_or_abort (const char *text,
                const char *what)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = metered_json_parse_untrusted (text, -1, &error);

  if (node == NULL)
    g_error ("%s does not parse again: %s\n%s", what, error->message, text);

  return node;
}

JsonNode *
fuzz_check_json_round_trip (const char *text,
                            gsize       len)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_text = NULL;
  g_autofree char *second_text = NULL;
  g_autofree char *third_text = NULL;

  node = metered_json_parse_untrusted (text, (gssize) len, &error);
  if (node == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      /* The strict scan runs first; json-glib refusing text it passed
       * means the two disagree on what JSON is. */
      g_assert_cmpstr (error->message, !=, "JSON the parser could not read");
      return NULL;
    }

  /* Our writer's output must be JSON our reader takes, meaning the same.
   * The first write may turn a double into an integer (5.0 is written
   * "5"), so the text is stable from the second write on. */
  first_text = fuzz_node_to_text (node);
  again = parse_or_abort (first_text, "written JSON");
  if (!json_node_equal (node, again))
    g_error ("JSON changed meaning when written out:\n%s", first_text);

  second_text = fuzz_node_to_text (again);
  third = parse_or_abort (second_text, "rewritten JSON");
  third_text = fuzz_node_to_text (third);
  g_assert_cmpstr (second_text, ==, third_text);

  return g_steal_pointer (&node);
}

gboolean
fuzz_has_control_char (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);

      if (ch < 0x20 || (ch >= 0x7F && ch <= 0x9F))
        return TRUE;
    }

  return FALSE;
}
