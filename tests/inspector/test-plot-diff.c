/* test-plot-diff.c: JSON paths, plot series, line diffs, and the plot and
 * diff widgets on the sandbox
 *
 * Without arguments it checks the models, with no display. With
 * `--widgets` it checks the widgets instead, on a display (Xvfb in CI): the
 * plot drawing the sandbox's sensors, with a screenshot into the build
 * directory, and the detail pane's Diff page and Plot button; it exits
 * with 77 when there is no display.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-plot-diff"

#include <math.h>
#include <string.h>

#include <adwaita.h>

#include "inspector-connection.h"
#include "inspector-detail-pane.h"
#include "inspector-diff.h"
#include "inspector-json.h"
#include "inspector-json-path.h"
#include "inspector-log-entry.h"
#include "inspector-log-store-private.h"
#include "inspector-plot-series.h"
#include "inspector-plot-view.h"

#include "inspector-test-util.h"

/* JSON paths */

static void
test_path_parse (void)
{
  static const struct {
    const char *text;
    const char *canonical;
    guint       n_segments;
  } valid[] = {
    { "", "", 0 },
    { "a", "a", 1 },
    { "a.b[2].c", "a.b[2].c", 4 },
    { "[0]", "[0]", 1 },
    { "[0][10]", "[0][10]", 2 },
    { "[\"plain\"]", "plain", 1 },
    { "a[\"plain\"]", "a.plain", 2 },
    { "[\"a b\"].c", "[\"a b\"].c", 2 },
    { "a[\"x.y\"][\"[z]\"]", "a[\"x.y\"][\"[z]\"]", 3 },
    { "température", "température", 1 },
    { "[\"\\u00e9t\\u00e9\"]", "été", 1 },
    { "[\"\\ud83d\\ude00\"]", "😀", 1 },
    { "[\"q\\\"t\"]", "[\"q\\\"t\"]", 1 },
    { "[\"tab\\there\"]", "[\"tab\\there\"]", 1 },
    { "[\"\"]", "[\"\"]", 1 },
    { "a.0", "a.0", 2 },
    { "a-b_c:d", "a-b_c:d", 1 },
    { "[2147483647]", "[2147483647]", 1 },
  };
  static const char * const invalid[] = {
    ".a", "a.", "a..b", "a[", "a[]", "a[01]", "a[-1]", "a[1", "a]", "a b", " a",
    "a[\"unterminated]", "a[\"x\"", "[x]", "a[2147483648]", "a[99999999999999999999]",
    "a[0]b", "[\"\\u0000\"]", "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\x\"]", "a\"b", "a\\b",
    "a\tb", "[\"a\nb\"]", "\xff", "a.\xc3", "a[0]..b",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(InspectorJsonPath) path = inspector_json_path_parse (valid[i].text, &error);
      g_autoptr(InspectorJsonPath) again = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (path);
      g_assert_cmpstr (inspector_json_path_to_string (path), ==, valid[i].canonical);
      g_assert_cmpuint (inspector_json_path_get_n_segments (path), ==, valid[i].n_segments);

      /* The canonical spelling reads back to itself. */
      again = inspector_json_path_parse (inspector_json_path_to_string (path), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (inspector_json_path_to_string (again), ==, valid[i].canonical);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(InspectorJsonPath) path = inspector_json_path_parse (invalid[i], &error);

      g_assert_null (path);
      g_assert_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH);
    }

  /* Bounds: 64 segments, 1024 bytes. */
  {
    g_autoptr(GString) deep = g_string_new (NULL);
    g_autoptr(InspectorJsonPath) path = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *long_name = g_strnfill (INSPECTOR_JSON_PATH_MAX_LENGTH + 1, 'x');

    for (guint i = 0; i < INSPECTOR_JSON_PATH_MAX_DEPTH; i++)
      g_string_append (deep, "[0]");
    path = inspector_json_path_parse (deep->str, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (inspector_json_path_get_n_segments (path), ==, INSPECTOR_JSON_PATH_MAX_DEPTH);
    g_clear_pointer (&path, inspector_json_path_free);

    g_string_append (deep, "[0]");
    path = inspector_json_path_parse (deep->str, &error);
    g_assert_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH);
    g_assert_null (path);
    g_clear_error (&error);

    path = inspector_json_path_parse (long_name, &error);
    g_assert_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH);
    g_assert_null (path);
  }

  /* Escaping must not lengthen a path past the bound: the canonical text
   * of every path parses too (found by fuzz-json-path). */
  {
    g_autoptr(GString) text = g_string_new ("[\"");
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < 300; i++)
      g_string_append_c (text, 0x7f);
    g_string_append (text, "\"]");
    g_assert_null (inspector_json_path_parse (text->str, &error));
    g_assert_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH);
  }

  /* The message says where. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (inspector_json_path_parse ("a..b", &error));
    g_assert_nonnull (strstr (error->message, "character 3"));
  }
}

typedef struct {
  const char *path;
  const char *json;
  int         code;    /* -1 for a number */
  double      value;
} ExtractCase;

#define OK(v) -1, (v)
#define FAILS(code) INSPECTOR_JSON_PATH_ERROR_##code, 0

static void
test_path_extract (void)
{
  static const ExtractCase cases[] = {
    /* What the sandbox's sensors send. */
    { "temperature", "{\"temperature\":21.5,\"humidity\":40.1,\"seq\":7}", OK (21.5) },
    { "humidity", "{\"temperature\":21.5,\"humidity\":40.1,\"seq\":7}", OK (40.1) },
    { "seq", "{\"temperature\":21.5,\"humidity\":40.1,\"seq\":7}", OK (7) },
    { "a.b[2].c", "{\"a\":{\"b\":[0,\"1\",{\"c\":-3.5e2}]}}", OK (-350) },
    { "[1][0]", "[[1,2],[3,4]]", OK (3) },
    { "[1][1][0]", "[[1],[2,[5]]]", OK (5) },
    { "m[0][1].v", " { \"m\" : [ [ {} , { \"v\" : 0.25 } ] ] } ", OK (0.25) },
    { "", "42", OK (42) },
    { "", " \n-0.5e-1\t", OK (-0.05) },
    { "x", "{\"a\":[1,{\"x\":9},[2,[3]]],\"s\":\"}\\\"{\",\"x\":8}", OK (8) },
    { "temp", "{\"t\\u0065mp\":5}", OK (5) },
    { "[\"a\\\"b\"]", "{\"a\\\"b\":7}", OK (7) },
    { "[\"a b\"]", "{\"a b\":1.5}", OK (1.5) },
    { "été", "{\"\\u00e9t\\u00e9\":3}", OK (3) },
    { "😀", "{\"\\ud83d\\ude00\":4}", OK (4) },
    { "a", "{\"a\":1,\"a\":2}", OK (1) },
    { "big", "{\"big\":12345678901234567890}", OK (12345678901234567890.0) },
    { "e", "{\"e\":1E+2}", OK (100) },
    /* Numbers as strings: the whole string, a JSON number, no escapes. */
    { "v", "{\"v\":\"21.5\"}", OK (21.5) },
    { "v", "{\"v\":\"-1e3\"}", OK (-1000) },
    { "v", "{\"v\":\" 21.5\"}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":\"21.5 C\"}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":\"0x10\"}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":\"NaN\"}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":\"Infinity\"}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":\"+1\"}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":\"\"}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":\"2\\u0030\"}", FAILS (NOT_A_NUMBER) },
    /* Other values. */
    { "v", "{\"v\":true}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":null}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":{}}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":[1]}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":1e999}", FAILS (NOT_A_NUMBER) },
    { "v", "{\"v\":-1e999}", FAILS (NOT_A_NUMBER) },
    /* Nothing there. */
    { "w", "{\"v\":1}", FAILS (NOT_FOUND) },
    { "v", "{}", FAILS (NOT_FOUND) },
    { "[2]", "[0,1]", FAILS (NOT_FOUND) },
    { "[0]", "[]", FAILS (NOT_FOUND) },
    { "v.w", "{\"v\":1}", FAILS (NOT_FOUND) },
    { "v[0]", "{\"v\":{\"0\":1}}", FAILS (NOT_FOUND) },
    { "v.0", "{\"v\":[1]}", FAILS (NOT_FOUND) },
    { "v", "[1]", FAILS (NOT_FOUND) },
    { "v", "\"v\"", FAILS (NOT_FOUND) },
    /* Not JSON. */
    { "v", "", FAILS (INVALID_JSON) },
    { "v", "   ", FAILS (INVALID_JSON) },
    { "", "", FAILS (INVALID_JSON) },
    { "v", "{", FAILS (INVALID_JSON) },
    { "v", "{\"v\":}", FAILS (INVALID_JSON) },
    { "v", "{\"a\":[1,2,],\"v\":1}", FAILS (INVALID_JSON) },
    { "v", "{'v':1}", FAILS (INVALID_JSON) },
    { "v", "{v:1}", FAILS (INVALID_JSON) },
    { "v", "{\"v\":01}", FAILS (INVALID_JSON) },
    { "v", "{\"v\":1.}", FAILS (INVALID_JSON) },
    { "v", "{\"v\":.5}", FAILS (INVALID_JSON) },
    { "v", "{\"v\":-}", FAILS (INVALID_JSON) },
    { "v", "{\"v\":12abc}", FAILS (INVALID_JSON) },
    { "v", "{\"a\":tru,\"v\":1}", FAILS (INVALID_JSON) },
    { "v", "{\"a\":\"x\ty\",\"v\":1}", FAILS (INVALID_JSON) },
    { "v", "{\"a\":\"\\q\",\"v\":1}", FAILS (INVALID_JSON) },
    { "v", "{\"a\":\"\\u12\",\"v\":1}", FAILS (INVALID_JSON) },
    { "v", "{\"a\":\"\\ud800\",\"v\":1}", FAILS (INVALID_JSON) },
    { "v", "{\"a\":\"\\u0000\",\"v\":1}", FAILS (INVALID_JSON) },
    { "v", "{\"a\" 1,\"v\":1}", FAILS (INVALID_JSON) },
    { "v", "{\"a\":1 \"v\":1}", FAILS (INVALID_JSON) },
    { "v", "{\"a\":\"unterminated", FAILS (INVALID_JSON) },
    { "v", "{\"v\":\"unterminated", FAILS (INVALID_JSON) },
    { "v", "x", FAILS (INVALID_JSON) },
    { "[0]", "[x]", FAILS (INVALID_JSON) },
    { "", "nan", FAILS (INVALID_JSON) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(InspectorJsonPath) path = inspector_json_path_parse (cases[i].path, &error);
      double value = -12345;
      gboolean ok;

      g_assert_no_error (error);
      g_test_message ("%s in %s", cases[i].path, cases[i].json);

      ok = inspector_json_path_extract_number (path, cases[i].json, strlen (cases[i].json), &value, &error);
      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpfloat (value, ==, cases[i].value);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, INSPECTOR_JSON_PATH_ERROR, cases[i].code);
          g_assert_cmpfloat (value, ==, -12345);

          /* The quiet form, for the hot path, says the same. */
          g_assert_false (inspector_json_path_extract_number (path, cases[i].json, strlen (cases[i].json), &value, NULL));
        }
    }

  /* The payload need not end in a nul, and nothing past @len is read. */
  {
    g_autoptr(InspectorJsonPath) path = inspector_json_path_parse ("a", NULL);
    g_autofree char *buffer = g_memdup2 ("{\"a\":123}", 9);
    double value = 0;

    g_assert_true (inspector_json_path_extract_number (path, buffer, 9, &value, NULL));
    g_assert_cmpfloat (value, ==, 123);
    /* `{"a":12`: the scan stops at the end of the value. */
    g_assert_true (inspector_json_path_extract_number (path, buffer, 7, &value, NULL));
    g_assert_cmpfloat (value, ==, 12);
    g_assert_false (inspector_json_path_extract_number (path, buffer, 5, &value, NULL));
    g_assert_false (inspector_json_path_extract_number (path, buffer, 0, &value, NULL));
  }

  /* Depth bombs are refused, not followed. */
  {
    g_autoptr(InspectorJsonPath) path = inspector_json_path_parse ("v", NULL);
    g_autoptr(InspectorJsonPath) deep_path = NULL;
    g_autoptr(GString) bomb = g_string_new ("{\"a\":");
    g_autoptr(GString) deep = g_string_new (NULL);
    g_autoptr(GString) deep_text = g_string_new (NULL);
    g_autoptr(GError) error = NULL;
    double value;

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (bomb, '[');
    g_string_append (bomb, "1");
    g_assert_false (inspector_json_path_extract_number (path, bomb->str, bomb->len, &value, &error));
    g_assert_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_JSON);
    g_clear_error (&error);

    /* As deep as a path goes still works. */
    for (guint i = 0; i < INSPECTOR_JSON_PATH_MAX_DEPTH; i++)
      {
        g_string_append (deep, "[0]");
        g_string_append_c (deep_text, '[');
      }
    g_string_append (deep_text, "7");
    for (guint i = 0; i < INSPECTOR_JSON_PATH_MAX_DEPTH; i++)
      g_string_append_c (deep_text, ']');
    deep_path = inspector_json_path_parse (deep->str, NULL);
    g_assert_true (inspector_json_path_extract_number (deep_path, deep_text->str, deep_text->len, &value, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (value, ==, 7);
  }
}

static void
test_path_list_numeric (void)
{
  static const char *payload =
    "{\"temperature\":21.5,\"humidity\":40,\"seq\":7,\"name\":\"x\",\"ok\":true,\"n\":null,"
    "\"s\":\"3.5\",\"t\":\"3.5 C\",\"arr\":[1,{\"v\":2},[3]],\"o\":{\"a b\":1,\"c.d\":[]},\"e\":{}}";
  static const char * const expected[] = {
    "temperature", "humidity", "seq", "s", "arr[0]", "arr[1].v", "arr[2][0]", "o[\"a b\"]",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = inspector_json_parse (payload, -1, &error);
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(JsonNode) number = NULL;

  g_assert_no_error (error);
  paths = inspector_json_path_list_numeric (root, 100);
  g_assert_cmpuint (paths->len, ==, G_N_ELEMENTS (expected));

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(InspectorJsonPath) path = inspector_json_path_parse (paths->pdata[i], &error);
      double value;

      g_assert_cmpstr (paths->pdata[i], ==, expected[i]);

      /* Every listed path scans to a number. */
      g_assert_no_error (error);
      g_assert_true (inspector_json_path_extract_number (path, payload, strlen (payload), &value, &error));
      g_assert_no_error (error);
    }

  /* A field whose path would be too long to parse is not offered (found
   * by fuzz-json-path). */
  {
    g_autofree char *name = g_strnfill (600, 'k');
    g_autofree char *long_payload = g_strdup_printf ("{\"%s\":{\"%s\":1},\"short\":2}", name, name);
    g_autoptr(JsonNode) long_root = inspector_json_parse (long_payload, -1, &error);
    g_autoptr(GPtrArray) long_paths = NULL;

    g_assert_no_error (error);
    long_paths = inspector_json_path_list_numeric (long_root, 10);
    g_assert_cmpuint (long_paths->len, ==, 1);
    g_assert_cmpstr (long_paths->pdata[0], ==, "short");
  }

  g_clear_pointer (&paths, g_ptr_array_unref);
  paths = inspector_json_path_list_numeric (root, 3);
  g_assert_cmpuint (paths->len, ==, 3);
  g_assert_cmpstr (paths->pdata[2], ==, "seq");

  g_clear_pointer (&paths, g_ptr_array_unref);
  number = inspector_json_parse ("12", -1, NULL);
  paths = inspector_json_path_list_numeric (number, 10);
  g_assert_cmpuint (paths->len, ==, 1);
  g_assert_cmpstr (paths->pdata[0], ==, "");

  g_clear_pointer (&paths, g_ptr_array_unref);
  g_clear_pointer (&number, json_node_unref);
  number = inspector_json_parse ("[\"a\",true,null]", -1, NULL);
  paths = inspector_json_path_list_numeric (number, 10);
  g_assert_cmpuint (paths->len, ==, 0);
}

/* Plot series */

static void
test_series_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(InspectorPlotSeries) series = inspector_plot_series_new ("demo/sensors/a", "temperature", &error);
  gint64 base = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  gint64 time;
  double value, low, high;

  g_assert_no_error (error);
  g_assert_cmpstr (inspector_plot_series_get_channel (series), ==, "demo/sensors/a");
  g_assert_cmpstr (inspector_plot_series_get_path (series), ==, "temperature");
  g_assert_cmpstr (inspector_plot_series_get_label (series), ==, "demo/sensors/a · temperature");
  g_assert_false (inspector_plot_series_get_last (series, NULL, NULL));

  inspector_plot_series_set_window (series, 10 * G_USEC_PER_SEC);

  /* One sample a second for 30 s: the 11 of the last 10 s stay, and the
   * one before them that the line comes in from. */
  for (guint i = 0; i < 30; i++)
    inspector_plot_series_add_sample (series, base + i * G_USEC_PER_SEC, i);

  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 12);
  inspector_plot_series_get_sample (series, 0, &time, &value);
  g_assert_cmpint (time, ==, base + 18 * G_USEC_PER_SEC);
  g_assert_cmpfloat (value, ==, 18);
  inspector_plot_series_get_sample (series, 11, &time, &value);
  g_assert_cmpint (time, ==, base + 29 * G_USEC_PER_SEC);
  g_assert_cmpfloat (value, ==, 29);
  g_assert_true (inspector_plot_series_get_last (series, &time, &value));
  g_assert_cmpfloat (value, ==, 29);
  g_assert_cmpuint (inspector_plot_series_get_n_received (series), ==, 30);

  g_assert_cmpuint (inspector_plot_series_find_time (series, base), ==, 0);
  g_assert_cmpuint (inspector_plot_series_find_time (series, base + 25 * G_USEC_PER_SEC), ==, 7);
  g_assert_cmpuint (inspector_plot_series_find_time (series, base + 25 * G_USEC_PER_SEC + 1), ==, 8);
  g_assert_cmpuint (inspector_plot_series_find_time (series, base + 99 * G_USEC_PER_SEC), ==, 12);

  /* The range of [24.5 s, 26.5 s] includes the neighbours lines lead to. */
  g_assert_true (inspector_plot_series_get_range (series, base + 24500000, base + 26500000, &low, &high));
  g_assert_cmpfloat (low, ==, 24);
  g_assert_cmpfloat (high, ==, 27);

  /* A shorter window drops at once: 24 s to 29 s, and 23 s. */
  inspector_plot_series_set_window (series, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 7);

  /* Time never goes back. */
  inspector_plot_series_add_sample (series, base, 100);
  inspector_plot_series_get_sample (series, inspector_plot_series_get_n_samples (series) - 1, &time, &value);
  g_assert_cmpint (time, ==, base + 29 * G_USEC_PER_SEC);
  g_assert_cmpfloat (value, ==, 100);

  inspector_plot_series_clear (series);
  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 0);
  g_assert_false (inspector_plot_series_get_range (series, 0, G_MAXINT64 / 2, &low, &high));

  g_assert_null (inspector_plot_series_new ("c", "a..b", &error));
  g_assert_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH);
}

static void
test_series_capacity (void)
{
  g_autoptr(InspectorPlotSeries) series = inspector_plot_series_new ("c", "[\"x y\"]", NULL);
  gint64 base = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  double value;

  g_assert_cmpstr (inspector_plot_series_get_label (series), ==, "c · [\"x y\"]");

  inspector_plot_series_set_window (series, 1000 * G_USEC_PER_SEC);
  inspector_plot_series_set_capacity (series, 4);
  for (guint i = 0; i < 10; i++)
    inspector_plot_series_add_sample (series, base + i * G_USEC_PER_SEC, i);

  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      inspector_plot_series_get_sample (series, i, NULL, &value);
      g_assert_cmpfloat (value, ==, 6 + i);
    }
}

/* Ten thousand samples in a second: a bucket (60 s / 2048) keeps its
 * lowest and highest, so the envelope survives in a few dozen samples. */
static void
test_series_merge (void)
{
  g_autoptr(InspectorPlotSeries) series = inspector_plot_series_new ("c", "v", NULL);
  gint64 base = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  double true_low = G_MAXDOUBLE, true_high = -G_MAXDOUBLE, low, high, value;
  guint n;

  for (guint i = 0; i < 10000; i++)
    {
      double v = sin (i / 50.0) * 10 + (i == 5000 ? 100 : 0);

      inspector_plot_series_add_sample (series, base + i * 100, v);
      true_low = MIN (true_low, v);
      true_high = MAX (true_high, v);
    }

  n = inspector_plot_series_get_n_samples (series);
  g_assert_cmpuint (n, <=, 2 * (G_USEC_PER_SEC / (INSPECTOR_PLOT_SERIES_DEFAULT_WINDOW / 2048) + 2));
  g_assert_cmpuint (n, >=, 30);
  g_assert_true (inspector_plot_series_get_range (series, base, base + G_USEC_PER_SEC, &low, &high));
  g_assert_cmpfloat (low, ==, true_low);
  g_assert_cmpfloat (high, ==, true_high);
  g_assert_cmpuint (inspector_plot_series_get_n_received (series), ==, 10000);
  g_assert_true (inspector_plot_series_get_last (series, NULL, &value));
  g_assert_cmpfloat (value, ==, sin (9999 / 50.0) * 10);

  /* Times stay in order. */
  for (guint i = 1; i < n; i++)
    {
      gint64 a, b;

      inspector_plot_series_get_sample (series, i - 1, &a, NULL);
      inspector_plot_series_get_sample (series, i, &b, NULL);
      g_assert_cmpint (a, <=, b);
    }
}

static void
test_series_payload (void)
{
  g_autoptr(InspectorPlotSeries) series = inspector_plot_series_new ("c", "data[1]", NULL);
  gint64 time = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  const char *good = "{\"data\":[1,2.5]}";
  const char *missing = "{\"data\":[1]}";
  const char *text = "{\"data\":[1,\"n/a\"]}";
  double value;

  g_assert_true (inspector_plot_series_add_payload (series, time, good, strlen (good)));
  g_assert_false (inspector_plot_series_add_payload (series, time + 1, missing, strlen (missing)));
  g_assert_false (inspector_plot_series_add_payload (series, time + 2, text, strlen (text)));
  g_assert_false (inspector_plot_series_add_payload (series, time + 3, "{", 1));

  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 1);
  g_assert_cmpuint (inspector_plot_series_get_n_received (series), ==, 1);
  g_assert_cmpuint (inspector_plot_series_get_n_rejected (series), ==, 3);
  inspector_plot_series_get_sample (series, 0, NULL, &value);
  g_assert_cmpfloat (value, ==, 2.5);
}

/* Line diff */

static char *
diff_string (const char *old_text,
             const char *new_text)
{
  g_autoptr(InspectorDiff) diff = inspector_diff_new (old_text, new_text);

  g_assert_true (inspector_diff_is_minimal (diff));

  return inspector_diff_to_string (diff);
}

static void
test_diff_cases (void)
{
  static const struct {
    const char *old_text;
    const char *new_text;
    const char *expected;
  } cases[] = {
    { "", "", "" },
    { "a\nb\nc\n", "a\nb\nc\n", "  a\n  b\n  c\n" },
    { "a\nb\nc", "a\nb\nc\n", "  a\n  b\n  c\n" },
    { "a\nb\nc\n", "a\nx\nc\n", "  a\n- b\n+ x\n  c\n" },
    { "a\nc", "a\nb\nc", "  a\n+ b\n  c\n" },
    { "a\nb\nc", "a\nc", "  a\n- b\n  c\n" },
    { "x\na\nb", "a\nb\ny", "- x\n  a\n  b\n+ y\n" },
    { "", "a\nb", "+ a\n+ b\n" },
    { "a\nb", "", "- a\n- b\n" },
    { "a\n\nb", "a\nb", "  a\n- \n  b\n" },
    { "a\nb\nc\nd", "d\nc\nb\na", "- a\n- b\n- c\n  d\n+ c\n+ b\n+ a\n" },
    { "a\na\na\nb", "a\nb\nb", "  a\n- a\n- a\n+ b\n  b\n" },
    /* Two sensor readings, as the Diff page shows them. */
    { "{\n  \"temperature\" : 21.5,\n  \"humidity\" : 40.1,\n  \"seq\" : 7\n}",
      "{\n  \"temperature\" : 21.6,\n  \"humidity\" : 40.1,\n  \"seq\" : 8\n}",
      "  {\n"
      "-   \"temperature\" : 21.5,\n"
      "+   \"temperature\" : 21.6,\n"
      "    \"humidity\" : 40.1,\n"
      "-   \"seq\" : 7\n"
      "+   \"seq\" : 8\n"
      "  }\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *result = diff_string (cases[i].old_text, cases[i].new_text);

      g_assert_cmpstr (result, ==, cases[i].expected);
    }

  /* The classic example of Myers' paper: five edits. */
  {
    g_autoptr(InspectorDiff) diff = inspector_diff_new ("A\nB\nC\nA\nB\nB\nA", "C\nB\nA\nB\nA\nC");

    g_assert_cmpuint (inspector_diff_get_n_added (diff) + inspector_diff_get_n_removed (diff), ==, 5);
  }
}

/* The old text is the same and removed lines, the new one the same and
 * added lines, in order. */
static void
assert_diff_rebuilds (InspectorDiff *diff,
                      GPtrArray     *old_lines,
                      GPtrArray     *new_lines)
{
  guint o = 0, n = 0;

  for (guint i = 0; i < inspector_diff_get_n_lines (diff); i++)
    {
      const char *text;
      InspectorDiffOp op = inspector_diff_get_line (diff, i, &text);

      if (op != INSPECTOR_DIFF_ADDED)
        g_assert_cmpstr (text, ==, old_lines->pdata[o++]);
      if (op != INSPECTOR_DIFF_REMOVED)
        g_assert_cmpstr (text, ==, new_lines->pdata[n++]);
    }

  g_assert_cmpuint (o, ==, old_lines->len);
  g_assert_cmpuint (n, ==, new_lines->len);
}

static char *
join_lines (GPtrArray *lines)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (text, lines->pdata[i]);
      g_string_append_c (text, '\n');
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static guint
lcs_length (GPtrArray *a,
            GPtrArray *b)
{
  g_autofree guint *table = g_new0 (guint, (a->len + 1) * (b->len + 1));
  guint width = b->len + 1;

  for (guint i = 1; i <= a->len; i++)
    for (guint j = 1; j <= b->len; j++)
      table[i * width + j] = g_str_equal (a->pdata[i - 1], b->pdata[j - 1])
                             ? table[(i - 1) * width + j - 1] + 1
                             : MAX (table[(i - 1) * width + j], table[i * width + j - 1]);

  return table[a->len * width + b->len];
}

static void
test_diff_random (void)
{
  static const char * const alphabet[] = { "a", "b", "c", "{", "}" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261129);

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GPtrArray) a = g_ptr_array_new ();
      g_autoptr(GPtrArray) b = g_ptr_array_new ();
      g_autofree char *old_text = NULL;
      g_autofree char *new_text = NULL;
      g_autoptr(InspectorDiff) diff = NULL;
      guint n = g_rand_int_range (rand, 0, 14);
      guint m = g_rand_int_range (rand, 0, 14);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (a, (gpointer) alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))]);
      for (guint i = 0; i < m; i++)
        g_ptr_array_add (b, (gpointer) alphabet[g_rand_int_range (rand, 0, G_N_ELEMENTS (alphabet))]);

      old_text = join_lines (a);
      new_text = join_lines (b);
      diff = inspector_diff_new (old_text, new_text);

      g_assert_true (inspector_diff_is_minimal (diff));
      assert_diff_rebuilds (diff, a, b);
      g_assert_cmpuint (inspector_diff_get_n_removed (diff), ==, n - lcs_length (a, b));
      g_assert_cmpuint (inspector_diff_get_n_added (diff), ==, m - lcs_length (a, b));
    }
}

static void
test_diff_large (void)
{
  g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) c = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *old_text = NULL;
  g_autofree char *new_text = NULL;
  g_autofree char *other_text = NULL;
  g_autoptr(InspectorDiff) few = NULL;
  g_autoptr(InspectorDiff) many = NULL;
  gint64 start;

  /* 200,000 lines. b changes 10 of them, c every third. */
  for (guint i = 0; i < 200000; i++)
    {
      g_ptr_array_add (a, g_strdup_printf ("  \"field%u\" : %u,", i, i));
      g_ptr_array_add (b, i % 20000 == 7 ? g_strdup_printf ("  \"field%u\" : \"changed\",", i)
                                         : g_strdup (a->pdata[i]));
      g_ptr_array_add (c, i % 3 == 0 ? g_strdup_printf ("  \"other%u\" : %u,", i, i)
                                     : g_strdup (a->pdata[i]));
    }
  old_text = join_lines (a);
  new_text = join_lines (b);
  other_text = join_lines (c);

  start = g_get_monotonic_time ();
  few = inspector_diff_new (old_text, new_text);
  g_test_message ("200,000 lines, 10 changed: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_true (inspector_diff_is_minimal (few));
  g_assert_cmpuint (inspector_diff_get_n_added (few), ==, 10);
  g_assert_cmpuint (inspector_diff_get_n_removed (few), ==, 10);
  assert_diff_rebuilds (few, a, b);

  /* 66,667 changes is past the bound: the middle is replaced as a whole,
   * quickly and exactly. */
  start = g_get_monotonic_time ();
  many = inspector_diff_new (old_text, other_text);
  g_test_message ("200,000 lines, every third changed: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_false (inspector_diff_is_minimal (many));
  assert_diff_rebuilds (many, a, c);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

/* Widgets */

typedef struct {
  InspectorPlot *plot;
  guint          min_samples;
} SamplesQuery;

static gboolean
has_samples (gpointer data)
{
  SamplesQuery *query = data;
  GListModel *series = inspector_plot_get_series (query->plot);

  for (guint i = 0; i < g_list_model_get_n_items (series); i++)
    {
      g_autoptr(InspectorPlotSeries) item = g_list_model_get_item (series, i);

      if (inspector_plot_series_get_n_samples (item) < query->min_samples)
        return FALSE;
    }

  return TRUE;
}

static gboolean
has_drawn_points (gpointer data)
{
  return inspector_plot_get_n_drawn_points (data) >= 6;
}

static guint64
total_received (InspectorPlot *plot)
{
  GListModel *series = inspector_plot_get_series (plot);
  guint64 total = 0;

  for (guint i = 0; i < g_list_model_get_n_items (series); i++)
    {
      g_autoptr(InspectorPlotSeries) item = g_list_model_get_item (series, i);

      total += inspector_plot_series_get_n_received (item);
    }

  return total;
}

typedef struct {
  InspectorPlot *plot;
  guint64        received;
} GrowQuery;

static gboolean
received_more (gpointer data)
{
  GrowQuery *query = data;

  return total_received (query->plot) > query->received;
}

static void
test_plot_sensors (void)
{
  g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_SANDBOX);
  g_autoptr(InspectorConnection) connection = inspector_connection_new (options);
  g_auto(GStrv) channels = NULL;
  g_autoptr(InspectorPlotSeries) first = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected_value = NULL;
  InspectorPlotView *view;
  InspectorPlot *plot;
  GtkWidget *window;
  SamplesQuery samples;
  GrowQuery grow;
  gint64 from, to, paused_from, paused_to, time;
  double x, y, value, picked_value;
  guint n, n_drawn;

  inspector_connection_start (connection);
  g_assert_true (inspector_test_wait_until (inspector_test_is_connected, connection));

  channels = inspector_sandbox_dup_demo_channels (inspector_connection_get_sandbox (connection));
  g_assert_cmpuint (g_strv_length (channels), >=, 3);
  g_assert_true (g_str_has_prefix (channels[1], "demo/sensors/"));

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 640);
  view = inspector_plot_view_new ();
  inspector_plot_view_set_connection (view, connection);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  plot = inspector_plot_view_get_plot (view);

  inspector_plot_view_add_series (view, channels[1], "temperature");
  inspector_plot_view_add_series (view, channels[2], "humidity");
  inspector_plot_view_add_series (view, channels[2], "humidity");  /* once is enough */
  inspector_plot_set_window (plot, 30 * G_USEC_PER_SEC);
  g_assert_cmpuint (g_list_model_get_n_items (inspector_plot_get_series (plot)), ==, 2);

  /* The sensors publish once a second. */
  samples.plot = plot;
  samples.min_samples = 4;
  g_assert_true (inspector_test_wait_until (has_samples, &samples));
  g_assert_true (inspector_test_wait_until (has_drawn_points, plot));
  inspector_test_save_screenshot (window, "plot-sensors.png");

  n_drawn = inspector_plot_get_n_drawn_points (plot);
  g_test_message ("%u points drawn", n_drawn);
  g_assert_cmpuint (n_drawn, >=, 8);

  /* Hovering near the newest temperature reports it. */
  first = g_list_model_get_item (inspector_plot_get_series (plot), 0);
  n = inspector_plot_series_get_n_samples (first);
  inspector_plot_series_get_sample (first, n - 1, &time, &value);
  g_assert_true (value >= 15 && value <= 30);
  g_assert_true (inspector_plot_locate_sample (plot, first, n - 1, &x, &y));
  g_assert_true (inspector_plot_pick (plot, x - 3, y + 2, NULL, NULL, &picked_value));
  g_assert_cmpfloat (picked_value, ==, value);
  text = inspector_plot_dup_value_text_at (plot, x - 3, y + 2);
  expected_value = g_strdup_printf ("%.10g at ", value);
  g_test_message ("hover: %s", text);
  g_assert_nonnull (strstr (text, inspector_plot_series_get_label (first)));
  g_assert_nonnull (strstr (text, expected_value));
  g_assert_null (inspector_plot_dup_value_text_at (plot, -100, -100));

  /* Paused: nothing new is recorded, the chart holds still. */
  inspector_plot_set_paused (plot, TRUE);
  inspector_test_wait_frames (window);
  inspector_plot_get_time_range (plot, &paused_from, &paused_to);
  grow.plot = plot;
  grow.received = total_received (plot);
  inspector_test_spin (2500);
  inspector_test_wait_frames (window);
  g_assert_cmpuint (total_received (plot), ==, grow.received);
  inspector_plot_get_time_range (plot, &from, &to);
  g_assert_cmpint (from, ==, paused_from);
  g_assert_cmpint (to, ==, paused_to);
  inspector_test_save_screenshot (window, "plot-sensors-paused.png");

  /* Resumed: samples flow and the window slides again. */
  inspector_plot_set_paused (plot, FALSE);
  g_assert_true (inspector_test_wait_until (received_more, &grow));
  inspector_test_wait_frames (window);
  inspector_plot_get_time_range (plot, &from, &to);
  g_assert_cmpint (to, >, paused_to);

  /* Removing a series. */
  inspector_plot_remove_series (plot, first);
  g_assert_cmpuint (g_list_model_get_n_items (inspector_plot_get_series (plot)), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  inspector_connection_disconnect (connection);
  inspector_test_spin (100);
}

/* Values at the ends of the double range, and a flat line, draw. */
static void
test_plot_extremes (void)
{
  static const double values[][4] = {
    { -1e308, 1e308, 0, 1e-300 },
    { 5, 5, 5, 5 },
    { 0, 0, 0, 0 },
    { 1e6, 1e6 + 0.002, 1e6, 1e6 + 0.001 },
  };
  GtkWidget *window = gtk_window_new ();
  InspectorPlot *plot = INSPECTOR_PLOT (inspector_plot_new ());

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (plot));
  gtk_window_present (GTK_WINDOW (window));

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(InspectorPlotSeries) series = inspector_plot_series_new ("c", "v", NULL);
      gint64 now = g_get_real_time ();

      inspector_plot_add_series (plot, series);
      for (guint j = 0; j < 4; j++)
        inspector_plot_series_add_sample (series, now - (4 - j) * G_USEC_PER_SEC, values[i][j]);

      inspector_test_wait_frames (window);
      g_assert_cmpuint (inspector_plot_get_n_drawn_points (plot), ==, 4);
      inspector_plot_remove_series (plot, series);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  inspector_test_spin (50);
}

typedef struct {
  char *channel;
  char *path;
} PlotRequest;

static void
on_plot_requested (InspectorDetailPane *pane,
                   const char          *channel,
                   const char          *path,
                   PlotRequest         *request)
{
  g_free (request->channel);
  g_free (request->path);
  request->channel = g_strdup (channel);
  request->path = g_strdup (path);
}

static InspectorLogEntry *
entry_at (InspectorLogStore *log,
          guint64            seq)
{
  return g_list_model_get_item (G_LIST_MODEL (log), inspector_log_store_get_position (log, seq));
}

static void
test_detail_diff (void)
{
  g_autoptr(InspectorLogStore) log = inspector_log_store_new ();
  g_autoptr(InspectorLogEntry) first = NULL;
  g_autoptr(InspectorLogEntry) second = NULL;
  g_autoptr(InspectorLogEntry) other = NULL;
  g_autofree char *diff = NULL;
  g_autofree char *same = NULL;
  g_autofree char *lonely = NULL;
  g_auto(GStrv) fields = NULL;
  PlotRequest request = { NULL, NULL };
  InspectorDetailPane *pane;
  GtkWidget *window;
  GtkWidget *switcher;
  guint64 seq1, seq2, seq3;

  seq1 = inspector_log_store_append (log, INSPECTOR_LOG_KIND_MESSAGE, "demo/sensors/a", "sensor-a",
                                     "{\"temperature\":21.5,\"humidity\":40.5,\"seq\":7}", -1,
                                     NULL, NULL, NULL);
  seq3 = inspector_log_store_append (log, INSPECTOR_LOG_KIND_MESSAGE, "demo/sensors/b", "sensor-b",
                                     "{\"temperature\":19,\"humidity\":55,\"seq\":1}", -1,
                                     NULL, NULL, NULL);
  seq2 = inspector_log_store_append (log, INSPECTOR_LOG_KIND_MESSAGE, "demo/sensors/a", "sensor-a",
                                     "{\"temperature\":21.75,\"humidity\":40.5,\"seq\":8,\"door\":\"open\"}", -1,
                                     NULL, NULL, NULL);
  inspector_log_store_flush (log);

  first = entry_at (log, seq1);
  second = entry_at (log, seq2);
  other = entry_at (log, seq3);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 600);
  pane = g_object_new (INSPECTOR_TYPE_DETAIL_PANE, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (pane));
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (pane, "plot-requested", G_CALLBACK (on_plot_requested), &request);

  inspector_detail_pane_set_log (pane, log);
  inspector_detail_pane_set_entry (pane, second);

  diff = inspector_detail_pane_dup_diff_text (pane);
  g_assert_cmpstr (diff, ==,
                   "  {\n"
                   "-   \"temperature\" : 21.5,\n"
                   "+   \"temperature\" : 21.75,\n"
                   "    \"humidity\" : 40.5,\n"
                   "-   \"seq\" : 7\n"
                   "+   \"seq\" : 8,\n"
                   "+   \"door\" : \"open\"\n"
                   "  }\n");

  /* The Plot button offers the numeric fields. */
  fields = inspector_detail_pane_dup_plot_fields (pane);
  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  g_assert_cmpstr (fields[0], ==, "temperature");
  g_assert_cmpstr (fields[1], ==, "humidity");
  g_assert_cmpstr (fields[2], ==, "seq");
  inspector_detail_pane_request_plot (pane, "humidity");
  g_assert_cmpstr (request.channel, ==, "demo/sensors/a");
  g_assert_cmpstr (request.path, ==, "humidity");

  /* The page as a user sees it. */
  switcher = inspector_test_find_descendant (GTK_WIDGET (pane), GTK_TYPE_STACK_SWITCHER);
  g_assert_nonnull (switcher);
  gtk_stack_set_visible_child_name (gtk_stack_switcher_get_stack (GTK_STACK_SWITCHER (switcher)), "diff");
  inspector_test_save_screenshot (window, "detail-diff.png");

  /* The first message of a channel has nothing to compare with. */
  inspector_detail_pane_set_entry (pane, other);
  lonely = inspector_detail_pane_dup_diff_text (pane);
  g_assert_cmpstr (lonely, ==, "");
  inspector_detail_pane_set_entry (pane, first);
  g_clear_pointer (&lonely, g_free);
  lonely = inspector_detail_pane_dup_diff_text (pane);
  g_assert_cmpstr (lonely, ==, "");

  g_free (request.channel);
  g_free (request.path);
  gtk_window_destroy (GTK_WINDOW (window));
  inspector_test_spin (50);
}

static double
sample_value (InspectorPlotSeries *series,
              guint                i)
{
  gint64 time;
  double value;

  inspector_plot_series_get_sample (series, i, &time, &value);

  return value;
}

/* The chart watches its channels in the log: each message reaches it as
 * it is appended, while the log is paused too; other channels never. */
static void
test_plot_view_watch (void)
{
  g_autoptr(InspectorConnection) connection = inspector_connection_new_offline ("watch.jsonl");
  InspectorLogStore *log = inspector_connection_get_log (connection);
  InspectorPlotView *view = g_object_ref_sink (inspector_plot_view_new ());
  InspectorPlot *plot = inspector_plot_view_get_plot (view);
  g_autoptr(InspectorPlotSeries) series = NULL;
  gint64 now = g_get_real_time () - 20 * G_USEC_PER_SEC;
  guint n = 0;

  inspector_plot_view_set_connection (view, connection);
  inspector_plot_set_window (plot, 30 * G_USEC_PER_SEC);
  g_assert_true (inspector_plot_view_add_series_full (view, "sensors/a", "v", NULL));
  series = g_list_model_get_item (inspector_plot_get_series (plot), 0);
  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 0);

  inspector_log_store_set_paused (log, TRUE);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *payload = g_strdup_printf ("{\"v\":%u.5}", i);

      inspector_log_store_append_at (log, now + G_USEC_PER_SEC * n++, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0, "sensors/a", "p", payload, -1, NULL, NULL, NULL);
      inspector_log_store_append_at (log, now + G_USEC_PER_SEC * n++, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0, "sensors/b", "p", "{\"v\":100}", -1, NULL, NULL, NULL);
    }
  inspector_log_store_append_at (log, now + G_USEC_PER_SEC * n++, INSPECTOR_LOG_KIND_PUBLISH, INSPECTOR_LOG_STATUS_NONE, 0, "sensors/a", NULL, "{\"v\":200}", -1, NULL, NULL, NULL);

  /* No flush, no main loop: the log shows nothing yet, the chart has all. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 3);
  g_assert_cmpfloat (sample_value (series, 0), ==, 0.5);
  g_assert_cmpfloat (sample_value (series, 2), ==, 2.5);

  /* A paused chart records nothing. */
  inspector_plot_set_paused (plot, TRUE);
  inspector_log_store_append_at (log, now + G_USEC_PER_SEC * n++, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0, "sensors/a", "p", "{\"v\":7}", -1, NULL, NULL, NULL);
  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 3);
  inspector_plot_set_paused (plot, FALSE);
  inspector_log_store_append_at (log, now + G_USEC_PER_SEC * n++, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0, "sensors/a", "p", "{\"v\":8}", -1, NULL, NULL, NULL);
  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 4);

  /* A second field of the same channel, and the first removed. */
  g_assert_true (inspector_plot_view_add_series_full (view, "sensors/a", "w", NULL));
  inspector_plot_remove_series (plot, series);
  inspector_log_store_append_at (log, now + G_USEC_PER_SEC * n++, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0, "sensors/a", "p", "{\"v\":9,\"w\":3}", -1, NULL, NULL, NULL);
  g_assert_cmpuint (inspector_plot_series_get_n_samples (series), ==, 4);
  {
    g_autoptr(InspectorPlotSeries) w = g_list_model_get_item (inspector_plot_get_series (plot), 0);

    g_assert_cmpstr (inspector_plot_series_get_path (w), ==, "w");
    g_assert_cmpuint (inspector_plot_series_get_n_samples (w), ==, 1);
    g_assert_cmpfloat (sample_value (w, 0), ==, 3);

    /* Without a connection, nothing is watched. */
    inspector_plot_view_set_connection (view, NULL);
    inspector_log_store_append_at (log, now + G_USEC_PER_SEC * n++, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0, "sensors/a", "p", "{\"w\":4}", -1, NULL, NULL, NULL);
    g_assert_cmpuint (inspector_plot_series_get_n_samples (w), ==, 1);
    inspector_plot_view_set_connection (view, connection);
    inspector_log_store_append_at (log, now + G_USEC_PER_SEC * n++, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0, "sensors/a", "p", "{\"w\":5}", -1, NULL, NULL, NULL);
    g_assert_cmpuint (inspector_plot_series_get_n_samples (w), ==, 2);
  }

  g_object_unref (view);
  /* The view's watches went with it. */
  inspector_log_store_append_at (log, now + G_USEC_PER_SEC * n++, INSPECTOR_LOG_KIND_MESSAGE, INSPECTOR_LOG_STATUS_NONE, 0, "sensors/a", "p", "{\"w\":6}", -1, NULL, NULL, NULL);
}

/* The previous message is found however far back it is (the old walk
 * stopped after 100,000 rows), and numbers print as they were sent. */
static void
test_detail_diff_far (void)
{
  g_autoptr(InspectorLogStore) log = inspector_log_store_new ();
  g_autoptr(InspectorLogEntry) last = NULL;
  g_autofree char *diff = NULL;
  InspectorDetailPane *pane = g_object_ref_sink (g_object_new (INSPECTOR_TYPE_DETAIL_PANE, NULL));
  guint64 seq;

  inspector_log_store_append (log, INSPECTOR_LOG_KIND_MESSAGE, "far", "p", "{\"t\":21.5}", -1, NULL, NULL, NULL);
  for (guint i = 0; i < 150000; i++)
    inspector_log_store_append (log, INSPECTOR_LOG_KIND_MESSAGE, "busy", "p", "1", -1, NULL, NULL, NULL);
  seq = inspector_log_store_append (log, INSPECTOR_LOG_KIND_MESSAGE, "far", "p", "{\"t\":21.6}", -1, NULL, NULL, NULL);
  inspector_log_store_flush (log);
  last = entry_at (log, seq);

  inspector_detail_pane_set_log (pane, log);
  inspector_detail_pane_set_entry (pane, last);
  diff = inspector_detail_pane_dup_diff_text (pane);
  g_assert_cmpstr (diff, ==,
                   "  {\n"
                   "-   \"t\" : 21.5\n"
                   "+   \"t\" : 21.6\n"
                   "  }\n");

  g_object_unref (pane);
}

int
main (int   argc,
      char *argv[])
{
  gboolean widgets = FALSE;

  /* `--widgets` is ours; g_test_init would refuse it. */
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--widgets"))
      {
        widgets = TRUE;
        memmove (&argv[i], &argv[i + 1], (argc - i) * sizeof (char *));
        argc--;
        break;
      }

  inspector_test_init (&argc, &argv);

  if (!widgets)
    {
      g_test_add_func ("/plot-diff/json-path/parse", test_path_parse);
      g_test_add_func ("/plot-diff/json-path/extract", test_path_extract);
      g_test_add_func ("/plot-diff/json-path/list-numeric", test_path_list_numeric);
      g_test_add_func ("/plot-diff/series/window", test_series_window);
      g_test_add_func ("/plot-diff/series/capacity", test_series_capacity);
      g_test_add_func ("/plot-diff/series/merge", test_series_merge);
      g_test_add_func ("/plot-diff/series/payload", test_series_payload);
      g_test_add_func ("/plot-diff/diff/cases", test_diff_cases);
      g_test_add_func ("/plot-diff/diff/random", test_diff_random);
      g_test_add_func ("/plot-diff/diff/large", test_diff_large);

      return g_test_run ();
    }

  g_setenv ("GTK_A11Y", "none", TRUE);

  if (!gtk_init_check ())
    {
      g_printerr ("SKIP: no display; run under xvfb-run\n");
      return 77;
    }
  adw_init ();

  g_test_add_func ("/plot-diff/widget/plot-sensors", test_plot_sensors);
  g_test_add_func ("/plot-diff/widget/extremes", test_plot_extremes);
  g_test_add_func ("/plot-diff/widget/detail-diff", test_detail_diff);
  g_test_add_func ("/plot-diff/widget/detail-diff-far", test_detail_diff_far);
  g_test_add_func ("/plot-diff/widget/plot-view-watch", test_plot_view_watch);

  return g_test_run ();
}
