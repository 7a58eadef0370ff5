/* inspector-json-path.c: paths like `a.b[2].c` into JSON payloads, and the
 * numbers at their ends
 *
 * A plotted field is read from every message of its channel, tens of
 * thousands of times a second, so the number is found by scanning the
 * payload text along the path: no JsonNode, no allocation, and the scan
 * stops as soon as it has the value. Only the picker, for the one selected
 * message, walks a parsed tree.
 *
 * Syntax. A path is a sequence of segments:
 *
 * - `name` (first segment) or `.name`: an object member. A bare name is
 *   one or more characters other than `.`, `[`, `]`, `"`, `\`, space and
 *   control characters; `a.0` is the member named "0", never an index.
 * - `[N]`: an array element, N in decimal without leading zeros.
 * - `["any name"]`: an object member whose name is a JSON string, for names
 *   a bare name cannot spell.
 *
 * The empty path is the whole payload. A path has at most
 * %INSPECTOR_JSON_PATH_MAX_DEPTH segments and
 * %INSPECTOR_JSON_PATH_MAX_LENGTH bytes.
 *
 * Numbers. The value at the path is a number when it is a JSON number, or a
 * JSON string whose whole content is a JSON number without escapes
 * (`"21.5"`, not `" 21.5"`, `"21.5 °C"`, `"0x10"` or `"NaN"`): devices often
 * send numbers as text. Booleans, null, objects and arrays are not numbers.
 * Numbers that overflow a double are refused.
 *
 * Strictness. The scan checks the JSON it reads on the way to the value
 * (strings, escapes, numbers, literals, nesting up to
 * %INSPECTOR_JSON_PATH_MAX_DEPTH levels) and refuses what is not JSON, but
 * it does not read past the value. When a name repeats in an object the
 * first member counts.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-json-path"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "inspector-json-path.h"

typedef struct {
  char  *key;    /* nul-terminated UTF-8, or NULL for an array index */
  guint  index;
} Segment;

struct _InspectorJsonPath
{
  char    *text;        /* canonical */
  guint    n_segments;
  Segment  segments[];
};

G_DEFINE_QUARK (inspector-json-path-error-quark, inspector_json_path_error)

/* Path text */

static gboolean
is_bare_char (guchar c)
{
  return c > 0x20 && c != 0x7f && c != '.' && c != '[' && c != ']' && c != '"' && c != '\\';
}

static gboolean
is_bare_name (const char *name)
{
  if (*name == '\0')
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (!is_bare_char ((guchar) *p))
      return FALSE;

  return TRUE;
}

static void
append_quoted (GString    *out,
               const char *name)
{
  g_string_append (out, "[\"");

  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }

  g_string_append (out, "\"]");
}

static void
append_key (GString    *out,
            const char *key)
{
  if (!is_bare_name (key))
    {
      append_quoted (out, key);
      return;
    }

  if (out->len > 0)
    g_string_append_c (out, '.');
  g_string_append (out, key);
}

static void
append_index (GString *out,
              guint    index)
{
  g_string_append_printf (out, "[%u]", index);
}

static gboolean
path_fail (GError     **error,
           const char  *text,
           const char  *at,
           const char  *problem)
{
  /* Translators: the first %s says what is wrong with a JSON path,
   * the number is a byte offset in it */
  g_set_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH,
               _("Invalid field path: %s at character %ld"), problem,
               (long) g_utf8_pointer_to_offset (text, at) + 1);
  return FALSE;
}

static int
hex4 (const char *p)
{
  int value = 0;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = (value << 4) | digit;
    }

  return value;
}

/* Reads the JSON string at *p (on its opening quote) into @out; the path
 * text is nul-terminated, so looking ahead stops at the nul. */
static const char *
parse_quoted (const char *p,
              GString    *out)
{
  p++;

  for (;;)
    {
      guchar c = (guchar) *p;
      int unit;

      if (c == '\0')
        return NULL;
      if (c == '"')
        return p + 1;
      if (c < 0x20)
        return NULL;
      if (c != '\\')
        {
          g_string_append_c (out, (char) c);
          p++;
          continue;
        }

      p++;
      switch (*p)
        {
        case '"':  g_string_append_c (out, '"'); p++; break;
        case '\\': g_string_append_c (out, '\\'); p++; break;
        case '/':  g_string_append_c (out, '/'); p++; break;
        case 'b':  g_string_append_c (out, '\b'); p++; break;
        case 'f':  g_string_append_c (out, '\f'); p++; break;
        case 'n':  g_string_append_c (out, '\n'); p++; break;
        case 'r':  g_string_append_c (out, '\r'); p++; break;
        case 't':  g_string_append_c (out, '\t'); p++; break;
        case 'u':
          if ((unit = hex4 (p + 1)) < 0 || unit == 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
            return NULL;
          p += 5;
          if (unit >= 0xD800 && unit <= 0xDBFF)
            {
              int low;

              if (p[0] != '\\' || p[1] != 'u' || (low = hex4 (p + 2)) < 0xDC00 || low > 0xDFFF)
                return NULL;
              p += 6;
              unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            }
          g_string_append_unichar (out, (gunichar) unit);
          break;
        default:
          return NULL;
        }
    }
}

/**
 * inspector_json_path_parse:
 * @text: a path, such as `sensors[0].temperature`
 *
 * Returns: (transfer full) (nullable): the path, or %NULL with
 *   %INSPECTOR_JSON_PATH_ERROR_INVALID_PATH
 */
InspectorJsonPath *
inspector_json_path_parse (const char  *text,
                           GError     **error)
{
  g_autoptr(GArray) segments = NULL;
  g_autoptr(GString) canonical = NULL;
  InspectorJsonPath *self;
  const char *p = text;

  g_return_val_if_fail (text != NULL, NULL);

  if (strlen (text) > INSPECTOR_JSON_PATH_MAX_LENGTH)
    {
      g_set_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH,
                   _("Invalid field path: longer than %d bytes"), INSPECTOR_JSON_PATH_MAX_LENGTH);
      return NULL;
    }

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH,
                           _("Invalid field path: not valid UTF-8"));
      return NULL;
    }

  segments = g_array_new (FALSE, TRUE, sizeof (Segment));
  canonical = g_string_new (NULL);

  while (*p != '\0')
    {
      const char *at = p;
      Segment segment = { NULL, 0 };

      if (segments->len == INSPECTOR_JSON_PATH_MAX_DEPTH)
        {
          path_fail (error, text, at, _("too many segments"));
          goto fail;
        }

      if (*p == '[')
        {
          p++;
          if (*p == '"')
            {
              g_autoptr(GString) key = g_string_new (NULL);

              if ((p = parse_quoted (p, key)) == NULL)
                {
                  path_fail (error, text, at, _("invalid quoted name"));
                  goto fail;
                }
              segment.key = g_string_free (g_steal_pointer (&key), FALSE);
            }
          else if (g_ascii_isdigit (*p))
            {
              guint64 index = 0;

              if (*p == '0' && g_ascii_isdigit (p[1]))
                {
                  path_fail (error, text, at, _("index with a leading zero"));
                  goto fail;
                }
              for (; g_ascii_isdigit (*p); p++)
                {
                  index = index * 10 + (guint64) (*p - '0');
                  if (index > G_MAXINT32)
                    {
                      path_fail (error, text, at, _("index too large"));
                      goto fail;
                    }
                }
              segment.index = (guint) index;
            }
          else
            {
              path_fail (error, text, at, _("expected an index or a quoted name after “[”"));
              goto fail;
            }

          if (*p != ']')
            {
              g_free (segment.key);
              path_fail (error, text, p, _("expected “]”"));
              goto fail;
            }
          p++;
        }
      else
        {
          const char *start;

          if (*p == '.')
            {
              if (segments->len == 0)
                {
                  path_fail (error, text, at, _("a path cannot start with “.”"));
                  goto fail;
                }
              p++;
            }
          else if (segments->len > 0)
            {
              path_fail (error, text, at, _("expected “.” or “[”"));
              goto fail;
            }

          for (start = p; is_bare_char ((guchar) *p); p++)
            ;

          if (p == start)
            {
              path_fail (error, text, p, *p == '\0' || *p == '.' || *p == '['
                                         ? _("empty name")
                                         : _("character not allowed in a name (quote the name as [\"…\"])"));
              goto fail;
            }
          segment.key = g_strndup (start, (gsize) (p - start));
        }

      if (segment.key != NULL)
        append_key (canonical, segment.key);
      else
        append_index (canonical, segment.index);
      g_array_append_val (segments, segment);
    }

  /* Escaping can lengthen a path; its canonical text must parse too. */
  if (canonical->len > INSPECTOR_JSON_PATH_MAX_LENGTH)
    {
      g_set_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_PATH,
                   _("Invalid field path: longer than %d bytes"), INSPECTOR_JSON_PATH_MAX_LENGTH);
      goto fail;
    }

  self = g_malloc0 (sizeof (InspectorJsonPath) + segments->len * sizeof (Segment));
  self->n_segments = segments->len;
  if (segments->len > 0)
    memcpy (self->segments, segments->data, segments->len * sizeof (Segment));
  self->text = g_string_free (g_steal_pointer (&canonical), FALSE);

  return self;

fail:
  for (guint i = 0; i < segments->len; i++)
    g_free (g_array_index (segments, Segment, i).key);

  return NULL;
}

void
inspector_json_path_free (InspectorJsonPath *self)
{
  if (self == NULL)
    return;

  for (guint i = 0; i < self->n_segments; i++)
    g_free (self->segments[i].key);
  g_free (self->text);
  g_free (self);
}

/**
 * inspector_json_path_to_string:
 *
 * The canonical spelling: `a["b c"][0]` for `a . ["b c"] [0]` typed any
 * way that parses. inspector_json_path_parse() reads it back to the same
 * path, and two paths are the same when their strings are equal.
 *
 * Returns: (transfer none): the path as text; empty for the whole payload
 */
const char *
inspector_json_path_to_string (const InspectorJsonPath *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

guint
inspector_json_path_get_n_segments (const InspectorJsonPath *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_segments;
}

/**
 * inspector_json_path_get_segment:
 * @index: (out) (optional): the array index, when the segment is one
 *
 * Returns: (transfer none) (nullable): the member name, or %NULL when the
 *   segment is an array index
 */
const char *
inspector_json_path_get_segment (const InspectorJsonPath *self,
                                 guint                    i,
                                 guint                   *index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (i < self->n_segments, NULL);

  if (index != NULL)
    *index = self->segments[i].index;

  return self->segments[i].key;
}

/* Numbers */

/* The length of the JSON number at the start of @text, or 0. */
static gsize
number_length (const char *text,
               gsize       len)
{
  const char *p = text;
  const char *end = text + len;
  const char *digits;

  if (p < end && *p == '-')
    p++;

  if (p < end && *p == '0')
    p++;
  else if (p < end && *p >= '1' && *p <= '9')
    while (p < end && g_ascii_isdigit (*p))
      p++;
  else
    return 0;

  if (p < end && *p == '.')
    {
      digits = ++p;
      while (p < end && g_ascii_isdigit (*p))
        p++;
      if (p == digits)
        return 0;
    }

  if (p < end && (*p == 'e' || *p == 'E'))
    {
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      digits = p;
      while (p < end && g_ascii_isdigit (*p))
        p++;
      if (p == digits)
        return 0;
    }

  return (gsize) (p - text);
}

static gboolean
convert_number (const char *text,
                gsize       len,
                double     *value)
{
  char stack_buf[64];
  g_autofree char *heap_buf = NULL;
  char *copy;
  double result;

  /* Payload text is not nul-terminated. */
  if (len < sizeof stack_buf)
    {
      memcpy (stack_buf, text, len);
      stack_buf[len] = '\0';
      copy = stack_buf;
    }
  else
    {
      copy = heap_buf = g_strndup (text, len);
    }

  result = g_ascii_strtod (copy, NULL);
  if (!isfinite (result))
    return FALSE;

  *value = result;
  return TRUE;
}

/**
 * inspector_json_number_from_text:
 * @text: (array length=len): text, not necessarily nul-terminated
 * @value: (out): the number
 *
 * Returns: %TRUE if all of @text is one JSON number that fits in a double
 */
gboolean
inspector_json_number_from_text (const char *text,
                                 gsize       len,
                                 double     *value)
{
  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  return len > 0 && number_length (text, len) == len && convert_number (text, len, value);
}

/* Scanning payload text */

typedef enum {
  SCAN_OK,
  SCAN_INVALID,
  SCAN_NOT_FOUND,
  SCAN_NOT_A_NUMBER,
} ScanResult;

typedef struct {
  const char *start;
  const char *p;
  const char *end;
  guint       depth;
  const char *problem;   /* static, for INVALID */
} Scan;

static ScanResult
scan_invalid (Scan       *s,
              const char *problem)
{
  s->problem = problem;
  return SCAN_INVALID;
}

static inline void
skip_ws (Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

/* Reads the JSON string at s->p (on its opening quote). When @key is not
 * NULL, *matches says whether the decoded string equals it. */
static ScanResult
scan_string (Scan       *s,
             const char *key,
             gboolean   *matches)
{
  const char *k = key;
  gboolean same = key != NULL;

  s->p++;

  while (s->p < s->end)
    {
      guchar c;
      char decoded[6];
      gsize n_decoded;
      int unit;

      /* Most of a payload is string text that matches nothing: run over
       * it in a tight loop. */
      if (!same)
        while (s->p < s->end && *s->p != '"' && *s->p != '\\' && (guchar) *s->p >= 0x20)
          s->p++;
      if (s->p >= s->end)
        break;

      c = (guchar) *s->p;
      if (c == '"')
        {
          s->p++;
          if (matches != NULL)
            *matches = same && *k == '\0';
          return SCAN_OK;
        }

      if (c < 0x20)
        return scan_invalid (s, "control character in a string");

      if (c != '\\')
        {
          if (same)
            {
              if (*k == (char) c)
                k++;
              else
                same = FALSE;
            }
          s->p++;
          continue;
        }

      if (s->end - s->p < 2)
        break;

      switch (s->p[1])
        {
        case '"':  decoded[0] = '"'; n_decoded = 1; s->p += 2; break;
        case '\\': decoded[0] = '\\'; n_decoded = 1; s->p += 2; break;
        case '/':  decoded[0] = '/'; n_decoded = 1; s->p += 2; break;
        case 'b':  decoded[0] = '\b'; n_decoded = 1; s->p += 2; break;
        case 'f':  decoded[0] = '\f'; n_decoded = 1; s->p += 2; break;
        case 'n':  decoded[0] = '\n'; n_decoded = 1; s->p += 2; break;
        case 'r':  decoded[0] = '\r'; n_decoded = 1; s->p += 2; break;
        case 't':  decoded[0] = '\t'; n_decoded = 1; s->p += 2; break;
        case 'u':
          if (s->end - s->p < 6 || (unit = hex4 (s->p + 2)) < 0)
            return scan_invalid (s, "invalid \\u escape");
          if (unit == 0)
            return scan_invalid (s, "\\u0000 in a string");
          if (unit >= 0xDC00 && unit <= 0xDFFF)
            return scan_invalid (s, "unpaired surrogate escape");
          s->p += 6;
          if (unit >= 0xD800 && unit <= 0xDBFF)
            {
              int low;

              if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u' ||
                  (low = hex4 (s->p + 2)) < 0xDC00 || low > 0xDFFF)
                return scan_invalid (s, "unpaired surrogate escape");
              s->p += 6;
              unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            }
          n_decoded = (gsize) g_unichar_to_utf8 ((gunichar) unit, decoded);
          break;
        default:
          return scan_invalid (s, "invalid escape in a string");
        }

      if (same)
        {
          /* k ends at a nul, which no decoded byte equals. */
          if (strncmp (k, decoded, n_decoded) == 0)
            k += n_decoded;
          else
            same = FALSE;
        }
    }

  return scan_invalid (s, "unterminated string");
}

static ScanResult
scan_literal (Scan       *s,
              const char *literal)
{
  gsize len = strlen (literal);

  if ((gsize) (s->end - s->p) < len || memcmp (s->p, literal, len) != 0)
    return scan_invalid (s, "unexpected character");

  s->p += len;
  return SCAN_OK;
}

static ScanResult skip_value (Scan *s);

static ScanResult
enter (Scan *s)
{
  if (++s->depth > INSPECTOR_JSON_PATH_MAX_DEPTH)
    return scan_invalid (s, "nested too deeply");

  s->p++;
  skip_ws (s);
  if (s->p >= s->end)
    return scan_invalid (s, "unexpected end of input");

  return SCAN_OK;
}

/* After a member or an element: past the comma (TRUE) or on the closing
 * bracket (FALSE, *result SCAN_OK), or not JSON. */
static gboolean
next_item (Scan       *s,
           char        close,
           ScanResult *result)
{
  skip_ws (s);
  *result = SCAN_OK;

  if (s->p < s->end && *s->p == ',')
    {
      s->p++;
      skip_ws (s);
      return TRUE;
    }

  if (s->p >= s->end || *s->p != close)
    *result = scan_invalid (s, close == '}' ? "expected “,” or “}”" : "expected “,” or “]”");

  return FALSE;
}

/* On a member name: reads it and the colon, leaving s->p on the value. */
static ScanResult
scan_member_name (Scan       *s,
                  const char *key,
                  gboolean   *matches)
{
  ScanResult result;

  if (s->p >= s->end || *s->p != '"')
    return scan_invalid (s, "expected a member name");
  if ((result = scan_string (s, key, matches)) != SCAN_OK)
    return result;

  skip_ws (s);
  if (s->p >= s->end || *s->p != ':')
    return scan_invalid (s, "expected “:”");
  s->p++;
  skip_ws (s);

  return SCAN_OK;
}

static ScanResult
skip_object (Scan *s)
{
  ScanResult result;

  if ((result = enter (s)) != SCAN_OK)
    return result;

  if (*s->p != '}')
    do
      {
        if ((result = scan_member_name (s, NULL, NULL)) != SCAN_OK ||
            (result = skip_value (s)) != SCAN_OK)
          return result;
      }
    while (next_item (s, '}', &result));

  if (result != SCAN_OK)
    return result;

  s->p++;
  s->depth--;
  return SCAN_OK;
}

static ScanResult
skip_array (Scan *s)
{
  ScanResult result;

  if ((result = enter (s)) != SCAN_OK)
    return result;

  if (*s->p != ']')
    do
      {
        if ((result = skip_value (s)) != SCAN_OK)
          return result;
      }
    while (next_item (s, ']', &result));

  if (result != SCAN_OK)
    return result;

  s->p++;
  s->depth--;
  return SCAN_OK;
}

/* Recursion is bounded by INSPECTOR_JSON_PATH_MAX_DEPTH (see enter). */
static ScanResult
skip_value (Scan *s)
{
  gsize len;

  skip_ws (s);
  if (s->p >= s->end)
    return scan_invalid (s, "unexpected end of input");

  switch (*s->p)
    {
    case '{':
      return skip_object (s);
    case '[':
      return skip_array (s);
    case '"':
      return scan_string (s, NULL, NULL);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      if ((len = number_length (s->p, (gsize) (s->end - s->p))) == 0)
        return scan_invalid (s, "unexpected character");
      s->p += len;
      return SCAN_OK;
    }
}

/* The value at s->p is what a path segment of the wrong kind looked into,
 * or not a number: @result, unless it is not JSON at all. A failure path,
 * so the value is read through to check it. */
static ScanResult
unless_invalid (Scan       *s,
                ScanResult  result)
{
  ScanResult skipped = skip_value (s);

  return skipped == SCAN_OK ? result : skipped;
}

static ScanResult
find_member (Scan       *s,
             const char *key)
{
  ScanResult result;

  if (*s->p != '{')
    return unless_invalid (s, SCAN_NOT_FOUND);
  if ((result = enter (s)) != SCAN_OK)
    return result;
  if (*s->p == '}')
    return SCAN_NOT_FOUND;

  do
    {
      gboolean matches = FALSE;

      if ((result = scan_member_name (s, key, &matches)) != SCAN_OK)
        return result;
      if (matches)
        return SCAN_OK;
      if ((result = skip_value (s)) != SCAN_OK)
        return result;
    }
  while (next_item (s, '}', &result));

  return result == SCAN_OK ? SCAN_NOT_FOUND : result;
}

static ScanResult
find_element (Scan  *s,
              guint  index)
{
  ScanResult result;
  guint i = 0;

  if (*s->p != '[')
    return unless_invalid (s, SCAN_NOT_FOUND);
  if ((result = enter (s)) != SCAN_OK)
    return result;
  if (*s->p == ']')
    return SCAN_NOT_FOUND;

  do
    {
      if (i++ == index)
        return SCAN_OK;
      if ((result = skip_value (s)) != SCAN_OK)
        return result;
    }
  while (next_item (s, ']', &result));

  return result == SCAN_OK ? SCAN_NOT_FOUND : result;
}

static ScanResult
read_number (Scan   *s,
             double *value)
{
  const char *start;
  gsize len;

  if (*s->p == '"')
    {
      start = ++s->p;
      while (s->p < s->end && *s->p != '"' && *s->p != '\\' && (guchar) *s->p >= 0x20)
        s->p++;
      if (s->p >= s->end)
        return scan_invalid (s, "unterminated string");
      if (*s->p != '"')
        return SCAN_NOT_A_NUMBER;
      len = (gsize) (s->p - start);
      return len > 0 && number_length (start, len) == len && convert_number (start, len, value)
             ? SCAN_OK : SCAN_NOT_A_NUMBER;
    }

  start = s->p;
  if (*start != '-' && !g_ascii_isdigit (*start))
    return unless_invalid (s, SCAN_NOT_A_NUMBER);
  if ((len = number_length (start, (gsize) (s->end - start))) == 0)
    return scan_invalid (s, "invalid number");

  /* "12abc" is neither a number nor JSON. */
  s->p += len;
  if (s->p < s->end && (g_ascii_isalnum (*s->p) || *s->p == '.' || *s->p == '+' || *s->p == '-'))
    return scan_invalid (s, "invalid number");

  return convert_number (start, len, value) ? SCAN_OK : SCAN_NOT_A_NUMBER;
}

/**
 * inspector_json_path_extract_number:
 * @json: (array length=len): payload text, not necessarily nul-terminated
 * @value: (out): the number at the path
 * @error: (nullable): where to say why not; pass %NULL on hot paths, the
 *   message costs an allocation
 *
 * Reads the number at the path (see the top of this file for what counts
 * as a number) by scanning @json, without building a tree.
 *
 * Returns: %TRUE if there is a number at the path
 */
gboolean
inspector_json_path_extract_number (const InspectorJsonPath  *self,
                                    const char               *json,
                                    gsize                     len,
                                    double                   *value,
                                    GError                  **error)
{
  Scan s = { json, json, json + len, 0, NULL };
  ScanResult result = SCAN_OK;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (json != NULL || len == 0, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  skip_ws (&s);
  if (s.p >= s.end)
    result = scan_invalid (&s, "empty document");

  for (guint i = 0; result == SCAN_OK && i < self->n_segments; i++)
    {
      const Segment *segment = &self->segments[i];

      result = segment->key != NULL ? find_member (&s, segment->key) : find_element (&s, segment->index);
      if (result == SCAN_OK)
        {
          skip_ws (&s);
          if (s.p >= s.end)
            result = scan_invalid (&s, "unexpected end of input");
        }
    }

  if (result == SCAN_OK)
    result = read_number (&s, value);

  switch (result)
    {
    case SCAN_OK:
      return TRUE;

    case SCAN_INVALID:
      g_set_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_INVALID_JSON,
                   /* Translators: the %s is a technical reason in English */
                   _("The payload is not valid JSON: %s at byte %lu"),
                   s.problem, (unsigned long) (s.p - s.start));
      return FALSE;

    case SCAN_NOT_FOUND:
      g_set_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_NOT_FOUND,
                   _("The payload has no field “%s”"), self->text);
      return FALSE;

    case SCAN_NOT_A_NUMBER:
    default:
      g_set_error (error, INSPECTOR_JSON_PATH_ERROR, INSPECTOR_JSON_PATH_ERROR_NOT_A_NUMBER,
                   _("The field “%s” is not a number"), self->text);
      return FALSE;
    }
}

/* Listing the numeric fields of a tree */

static void
list_node (JsonNode  *node,
           GString   *prefix,
           guint      depth,
           GPtrArray *out,
           guint      max_paths)
{
  /* Longer paths would not parse back; nothing below makes them shorter. */
  if (out->len >= max_paths || prefix->len > INSPECTOR_JSON_PATH_MAX_LENGTH)
    return;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        if (depth >= INSPECTOR_JSON_PATH_MAX_DEPTH)
          return;

        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            gsize len = prefix->len;

            append_key (prefix, name);
            list_node (member, prefix, depth + 1, out, max_paths);
            g_string_truncate (prefix, len);
          }
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        if (depth >= INSPECTOR_JSON_PATH_MAX_DEPTH)
          return;

        for (guint i = 0; i < n && out->len < max_paths; i++)
          {
            gsize len = prefix->len;

            append_index (prefix, i);
            list_node (json_array_get_element (array, i), prefix, depth + 1, out, max_paths);
            g_string_truncate (prefix, len);
          }
      }
      break;

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);
        double unused;

        if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE ||
            (type == G_TYPE_STRING &&
             inspector_json_number_from_text (json_node_get_string (node), strlen (json_node_get_string (node)), &unused)))
          g_ptr_array_add (out, g_strndup (prefix->str, prefix->len));
      }
      break;

    case JSON_NODE_NULL:
    default:
      break;
    }
}

/**
 * inspector_json_path_list_numeric:
 * @root: a parsed payload
 * @max_paths: stop after this many
 *
 * The fields of @root that inspector_json_path_extract_number() reads a
 * number from, in document order, as canonical paths: what the field
 * picker offers. Fields deeper than %INSPECTOR_JSON_PATH_MAX_DEPTH or
 * whose path is longer than %INSPECTOR_JSON_PATH_MAX_LENGTH are left out.
 *
 * Returns: (transfer full) (element-type utf8): the paths; the empty path
 *   when @root itself is a number
 */
GPtrArray *
inspector_json_path_list_numeric (JsonNode *root,
                                  guint     max_paths)
{
  g_autoptr(GString) prefix = g_string_new (NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (root != NULL, out);

  list_node (root, prefix, 0, out, max_paths);

  return out;
}
