/* metered-frame.c: the JSON frame codec shared by client and server
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-frame"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "metered-channel.h"
#include "metered-error.h"
#include "metered-frame-private.h"

/* Untrusted JSON.
 *
 * json-glib 1.6 recurses once per nesting level (a few KiB of `[` overflow
 * the stack), accepts non-JSON such as comments, single quotes, hex
 * numbers and trailing garbage, wraps integers beyond 64 bits, turns
 * `\u0000` into a truncated string and produces infinities that its own
 * generator then writes as invalid JSON. So untrusted text first goes
 * through a strict RFC 8259 scan whose recursion is bounded by
 * METERED_JSON_MAX_DEPTH. Text that passes is then turned into nodes by
 * build_value() below, not by JsonParser: its GScanner-based reader was
 * over a third of a client's CPU time when receiving messages.
 */

typedef struct _FrameMembers FrameMembers;

typedef struct {
  const char   *p;
  const char   *end;
  guint         depth;
  gboolean      spaced;      /* whitespace skipped */
  FrameMembers *members;     /* nullable: the top-level members to note */
  const char   *problem;
} JsonScan;

static void note_member (FrameMembers *members,
                         const char   *name,
                         const char   *name_end,
                         const char   *value,
                         const char   *value_end,
                         gboolean      spaced);

static gboolean scan_value (JsonScan *s);

static gboolean
scan_fail (JsonScan   *s,
           const char *problem)
{
  if (s->problem == NULL)
    s->problem = problem;
  return FALSE;
}

static void
scan_skip_ws (JsonScan *s)
{
  const char *start = s->p;

  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;

  if (s->p != start)
    s->spaced = TRUE;
}

static gboolean
scan_hex4 (JsonScan *s,
           gunichar *out)
{
  gunichar value = 0;

  if (s->end - s->p < 4)
    return scan_fail (s, "truncated \\u escape");

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (*s->p++);

      if (digit < 0)
        return scan_fail (s, "invalid \\u escape");
      value = (value << 4) | (gunichar) digit;
    }

  *out = value;
  return TRUE;
}

#define BYTES(b) ((guint64) (b) * G_GUINT64_CONSTANT (0x0101010101010101))

/* Returns the first byte from @p on (or @end) that reading a string has
 * to look at: a quote, a backslash or a control character. Most of a frame
 * is plain string content, so this goes 8 bytes at a time.
 *
 * Per byte of a word read in little-endian order, (v - n) & ~v & 0x80 is
 * set for the lowest byte below n (n <= 0x80); bytes above it may be
 * marked wrongly, but the lowest mark is always right. */
static const char *
skip_plain (const char *p,
            const char *end)
{
  while (end - p >= 8)
    {
      guint64 v;
      guint64 quote;
      guint64 backslash;
      guint64 found;

      memcpy (&v, p, sizeof v);
      v = GUINT64_FROM_LE (v);
      quote = v ^ BYTES ('"');
      backslash = v ^ BYTES ('\\');
      found = (((v - BYTES (0x20)) & ~v) |
               ((quote - BYTES (1)) & ~quote) |
               ((backslash - BYTES (1)) & ~backslash)) & BYTES (0x80);
      if (found != 0)
        return p + __builtin_ctzll (found) / 8;
      p += 8;
    }

  while (p < end && *p != '"' && *p != '\\' && (guchar) *p >= 0x20)
    p++;

  return p;
}

static gboolean
scan_string (JsonScan *s)
{
  s->p++; /* opening quote */

  while (s->p < s->end)
    {
      guchar c;

      s->p = skip_plain (s->p, s->end);
      if (s->p >= s->end)
        break;

      c = (guchar) *s->p;

      if (c == '"')
        {
          s->p++;
          return TRUE;
        }

      if (c < 0x20)
        return scan_fail (s, "unescaped control character in a string");

      /* A backslash. Multi-byte UTF-8 was skipped as plain: the whole input
       * was checked already. */
      s->p++;
      if (s->p >= s->end)
        break;

      switch (*s->p)
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          s->p++;
          break;

        case 'u':
          {
            gunichar unit;

            s->p++;
            if (!scan_hex4 (s, &unit))
              return FALSE;
            if (unit == 0)
              return scan_fail (s, "\\u0000 in a string");
            if (unit >= 0xDC00 && unit <= 0xDFFF)
              return scan_fail (s, "unpaired surrogate escape");
            if (unit >= 0xD800 && unit <= 0xDBFF)
              {
                gunichar low;

                if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                  return scan_fail (s, "unpaired surrogate escape");
                s->p += 2;
                if (!scan_hex4 (s, &low))
                  return FALSE;
                if (low < 0xDC00 || low > 0xDFFF)
                  return scan_fail (s, "unpaired surrogate escape");
              }
          }
          break;

        default:
          return scan_fail (s, "invalid escape in a string");
        }
    }

  return scan_fail (s, "unterminated string");
}

static gboolean
scan_digits (JsonScan *s)
{
  const char *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;

  return s->p > start;
}

/* Also rejects numbers json-glib would misread: integers outside 64 bits
 * (it wraps them) and doubles that overflow to infinity. */
static gboolean
scan_number (JsonScan *s)
{
  const char *start = s->p;
  const char *digits;
  gboolean is_integer = TRUE;
  gboolean has_exponent = FALSE;
  char stack_buf[64];
  g_autofree char *heap_buf = NULL;
  char *copy;
  gsize len;

  if (*s->p == '-')
    s->p++;
  digits = s->p;

  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (s->p >= s->end || *s->p < '1' || *s->p > '9' || !scan_digits (s))
    return scan_fail (s, "invalid number");

  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      is_integer = FALSE;
      if (!scan_digits (s))
        return scan_fail (s, "invalid number");
    }

  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      is_integer = FALSE;
      has_exponent = TRUE;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!scan_digits (s))
        return scan_fail (s, "invalid number");
    }

  /* Up to 18 digits always fit in 64 bits, and a double without an
   * exponent overflows only past 308 digits: the common numbers need no
   * conversion to be checked. */
  len = (gsize) (s->p - start);
  if (is_integer ? s->p - digits <= 18 : !has_exponent && len < 300)
    return TRUE;

  if (len < sizeof stack_buf)
    {
      memcpy (stack_buf, start, len);
      stack_buf[len] = '\0';
      copy = stack_buf;
    }
  else
    {
      copy = heap_buf = g_strndup (start, len);
    }

  if (is_integer)
    {
      errno = 0;
      g_ascii_strtoll (copy, NULL, 10);
      if (errno == ERANGE)
        return scan_fail (s, "integer does not fit in 64 bits");
    }
  else if (!isfinite (g_ascii_strtod (copy, NULL)))
    {
      return scan_fail (s, "number out of range");
    }

  return TRUE;
}

static gboolean
scan_literal (JsonScan   *s,
              const char *literal)
{
  gsize len = strlen (literal);

  if ((gsize) (s->end - s->p) < len || memcmp (s->p, literal, len) != 0)
    return scan_fail (s, "unexpected character");

  s->p += len;
  return TRUE;
}

static gboolean
scan_enter (JsonScan *s)
{
  if (++s->depth > METERED_JSON_MAX_DEPTH)
    return scan_fail (s, "nested deeper than " G_STRINGIFY (METERED_JSON_MAX_DEPTH) " levels");

  s->p++; /* opening bracket */
  scan_skip_ws (s);
  return TRUE;
}

static gboolean
scan_object (JsonScan *s)
{
  gboolean top;

  if (!scan_enter (s))
    return FALSE;

  top = s->members != NULL && s->depth == 1;
  if (s->p < s->end && *s->p == '}')
    goto done;

  for (;;)
    {
      const char *name;
      const char *name_end;

      scan_skip_ws (s);
      if (s->p >= s->end || *s->p != '"')
        return scan_fail (s, "expected a member name");
      name = s->p;
      if (!scan_string (s))
        return FALSE;
      name_end = s->p;

      scan_skip_ws (s);
      if (s->p >= s->end || *s->p != ':')
        return scan_fail (s, "expected ':'");
      s->p++;

      if (top)
        {
          const char *value;

          scan_skip_ws (s);
          value = s->p;
          s->spaced = FALSE;
          if (!scan_value (s))
            return FALSE;
          note_member (s->members, name, name_end, value, s->p, s->spaced);
        }
      else if (!scan_value (s))
        return FALSE;

      scan_skip_ws (s);
      if (s->p < s->end && *s->p == ',')
        {
          s->p++;
          continue;
        }
      if (s->p < s->end && *s->p == '}')
        break;
      return scan_fail (s, "expected ',' or '}'");
    }

done:
  s->p++;
  s->depth--;
  return TRUE;
}

static gboolean
scan_array (JsonScan *s)
{
  if (!scan_enter (s))
    return FALSE;

  if (s->p < s->end && *s->p == ']')
    goto done;

  for (;;)
    {
      if (!scan_value (s))
        return FALSE;

      scan_skip_ws (s);
      if (s->p < s->end && *s->p == ',')
        {
          s->p++;
          continue;
        }
      if (s->p < s->end && *s->p == ']')
        break;
      return scan_fail (s, "expected ',' or ']'");
    }

done:
  s->p++;
  s->depth--;
  return TRUE;
}

static gboolean
scan_value (JsonScan *s)
{
  scan_skip_ws (s);
  if (s->p >= s->end)
    return scan_fail (s, "unexpected end of input");

  switch (*s->p)
    {
    case '{':
      return scan_object (s);
    case '[':
      return scan_array (s);
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return scan_number (s);
    default:
      return scan_fail (s, "unexpected character");
    }
}

/* Building nodes from text the scan accepted: no error paths, and the
 * recursion is bounded by the scan's depth limit. The nodes are what
 * JsonParser makes of the same text: integers as gint64, other numbers as
 * double, a repeated member name keeps its first position and last value. */

typedef struct {
  const char *p;
  const char *end;                                 /* of the scanned text */
  guint       depth;
  GString    *text;                                /* a string value */
  GString    *names[METERED_JSON_MAX_DEPTH + 1];   /* member names, per level */
} JsonBuild;

static JsonNode *build_value (JsonBuild *b);

static void
build_skip_ws (JsonBuild *b)
{
  while (*b->p == ' ' || *b->p == '\t' || *b->p == '\n' || *b->p == '\r')
    b->p++;
}

static gunichar
build_hex4 (const char *p)
{
  gunichar value = 0;

  for (guint i = 0; i < 4; i++)
    value = (value << 4) | (gunichar) g_ascii_xdigit_value (p[i]);

  return value;
}

/* Sets @out to the string at b->p (on its opening quote), unescaped. */
static void
build_string (JsonBuild *b,
              GString   *out)
{
  const char *c = b->p + 1;

  g_string_truncate (out, 0);
  for (;;)
    {
      const char *run = c;

      /* The scan refused control characters: this stops at a quote or a
       * backslash. */
      c = skip_plain (c, b->end);
      g_string_append_len (out, run, c - run);

      if (*c == '"')
        break;

      c++; /* backslash */
      switch (*c++)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        default: /* u, checked by the scan */
          {
            gunichar unit = build_hex4 (c);

            c += 4;
            if (unit >= 0xD800 && unit <= 0xDBFF)
              {
                gunichar low = build_hex4 (c + 2);

                c += 6;
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
              }
            g_string_append_unichar (out, unit);
          }
          break;
        }
    }

  b->p = c + 1;
}

static JsonNode *
build_number (JsonBuild *b)
{
  const char *start = b->p;
  gboolean is_integer = TRUE;
  char stack_buf[64];
  g_autofree char *heap_buf = NULL;
  char *copy;
  gsize len;

  while (g_ascii_isdigit (*b->p) || *b->p == '-' || *b->p == '+' ||
         *b->p == '.' || *b->p == 'e' || *b->p == 'E')
    {
      if (*b->p == '.' || *b->p == 'e' || *b->p == 'E')
        is_integer = FALSE;
      b->p++;
    }

  len = (gsize) (b->p - start);
  if (len < sizeof stack_buf)
    {
      memcpy (stack_buf, start, len);
      stack_buf[len] = '\0';
      copy = stack_buf;
    }
  else
    {
      copy = heap_buf = g_strndup (start, len);
    }

  if (is_integer)
    return json_node_init_int (json_node_alloc (), g_ascii_strtoll (copy, NULL, 10));

  return json_node_init_double (json_node_alloc (), g_ascii_strtod (copy, NULL));
}

static JsonNode *
build_object (JsonBuild *b)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  GString *name;

  b->depth++;
  if (b->names[b->depth] == NULL)
    b->names[b->depth] = g_string_sized_new (32);
  name = b->names[b->depth];

  b->p++;
  build_skip_ws (b);
  while (*b->p != '}')
    {
      build_string (b, name);
      build_skip_ws (b);
      b->p++; /* : */
      json_object_set_member (object, name->str, build_value (b));

      build_skip_ws (b);
      if (*b->p == ',')
        {
          b->p++;
          build_skip_ws (b);
        }
    }
  b->p++;
  b->depth--;

  json_node_take_object (node, object);
  return node;
}

static JsonNode *
build_array (JsonBuild *b)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  b->depth++;
  b->p++;
  build_skip_ws (b);
  while (*b->p != ']')
    {
      json_array_add_element (array, build_value (b));

      build_skip_ws (b);
      if (*b->p == ',')
        b->p++;
    }
  b->p++;
  b->depth--;

  json_node_take_array (node, array);
  return node;
}

static JsonNode *
build_value (JsonBuild *b)
{
  build_skip_ws (b);
  switch (*b->p)
    {
    case '{':
      return build_object (b);

    case '[':
      return build_array (b);

    case '"':
      build_string (b, b->text);
      return json_node_init_string (json_node_alloc (), b->text->str);

    case 't':
      b->p += 4;
      return json_node_init_boolean (json_node_alloc (), TRUE);

    case 'f':
      b->p += 5;
      return json_node_init_boolean (json_node_alloc (), FALSE);

    case 'n':
      b->p += 4;
      return json_node_init_null (json_node_alloc ());

    default:
      return build_number (b);
    }
}

/* The value at @p, which passed the scan and is followed by a character
 * that is not part of it (a number is read up to one), before @end. */
static JsonNode *
build_at (const char *p,
          const char *end)
{
  JsonBuild b = { 0 };
  JsonNode *root;

  b.p = p;
  b.end = end;
  b.text = g_string_sized_new (64);
  root = build_value (&b);

  g_string_free (b.text, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (b.names); i++)
    {
      if (b.names[i] != NULL)
        g_string_free (b.names[i], TRUE);
    }

  /* Immutable like JsonParser's nodes, so that one handler cannot change
   * what the next one sees. */
  json_node_seal (root);
  return root;
}

/* @text passed the scan. */
static JsonNode *
build_root (const char *text,
            gsize       len)
{
  g_autofree char *terminated = NULL;
  const char *p = text;
  const char *end = text + len;

  /* Only a number at the top level is not closed by a character of its
   * own: the builder would read past it. */
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  if (*p == '-' || g_ascii_isdigit (*p))
    {
      p = terminated = g_strndup (p, (gsize) (end - p));
      end = p + strlen (p);
    }

  return build_at (p, end);
}

/* Scans @text strictly; @members (nullable) receives where the members of a
 * top-level object are. @utf8_valid skips the UTF-8 check for text the
 * caller already checked. */
static gboolean
scan_untrusted (const char    *text,
                gsize          len,
                gboolean       utf8_valid,
                FrameMembers  *members,
                GError       **error)
{
  JsonScan scan = { 0 };

  /* Also rejects NUL bytes (a caller's UTF-8 check may not have: the scan
   * then refuses them as characters JSON does not allow there). */
  if (!utf8_valid && !g_utf8_validate_len (text, len, NULL))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "not valid UTF-8");
      return FALSE;
    }

  scan.p = text;
  scan.end = text + len;
  scan.members = members;
  if (scan_value (&scan))
    {
      scan_skip_ws (&scan);
      if (scan.p != scan.end)
        scan_fail (&scan, "unexpected data after the JSON value");
    }

  if (scan.problem != NULL)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "%s at byte %" G_GSIZE_FORMAT, scan.problem, (gsize) (scan.p - text));
      return FALSE;
    }

  return TRUE;
}

JsonNode *
metered_json_parse_untrusted (const char  *text,
                              gssize       len,
                              GError     **error)
{
  g_return_val_if_fail (text != NULL, NULL);

  if (len < 0)
    len = (gssize) strlen (text);

  if (!scan_untrusted (text, (gsize) len, FALSE, NULL, error))
    return NULL;

  return build_root (text, (gsize) len);
}

JsonNode *
metered_json_parse_validated (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);

  /* NUL-terminated, so a number at the top level ends there. */
  return build_at (text, text + strlen (text));
}

/* Serialization */

void
metered_json_append_string (GString    *out,
                            const char *text)
{
  g_autofree char *valid = NULL;
  const char *run;
  const char *p;

  g_return_if_fail (out != NULL);
  g_return_if_fail (text != NULL);

  /* A WebSocket text frame must be UTF-8; never let a bad byte through. */
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');

  for (run = p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      const char *escape = NULL;

      if (c >= 0x20 && c != '"' && c != '\\' && c != 0xE2)
        continue;

      switch (c)
        {
        case '"':
          escape = "\\\"";
          break;
        case '\\':
          escape = "\\\\";
          break;
        case '\n':
          escape = "\\n";
          break;
        case '\r':
          escape = "\\r";
          break;
        case '\t':
          escape = "\\t";
          break;
        case 0xE2:
          /* U+2028 and U+2029 are valid JSON but break JavaScript eval. */
          if ((guchar) p[1] != 0x80 || ((guchar) p[2] != 0xA8 && (guchar) p[2] != 0xA9))
            continue;
          escape = (guchar) p[2] == 0xA8 ? "\\u2028" : "\\u2029";
          g_string_append_len (out, run, p - run);
          g_string_append (out, escape);
          p += 2;
          run = p + 1;
          continue;
        default:
          break;
        }

      g_string_append_len (out, run, p - run);
      if (escape != NULL)
        g_string_append (out, escape);
      else
        g_string_append_printf (out, "\\u%04x", c);
      run = p + 1;
    }

  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

static void
append_double (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  /* Shortest of the two forms that reads back as the same double. */
  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    g_ascii_formatd (buf, sizeof buf, "%.17g", value);

  g_string_append (out, buf);
}

static void
append_object (GString    *out,
               JsonObject *object)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean first = TRUE;

  g_string_append_c (out, '{');

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;

      metered_json_append_string (out, name);
      g_string_append_c (out, ':');
      metered_json_append_node (out, member);
    }

  g_string_append_c (out, '}');
}

void
metered_json_append_node (GString  *out,
                          JsonNode *node)
{
  g_return_if_fail (out != NULL);

  if (node == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      append_object (out, json_node_get_object (node));
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            metered_json_append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          append_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
          metered_json_append_string (out, json_node_get_string (node));
          break;
        default:
          g_string_append (out, "null");
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

/* Frames */

MeteredFramePeer *
metered_frame_peer_new (const char *peer_id,
                        JsonObject *metadata)
{
  MeteredFramePeer *peer;

  g_return_val_if_fail (peer_id != NULL, NULL);

  peer = g_new0 (MeteredFramePeer, 1);
  peer->peer_id = g_strdup (peer_id);
  peer->metadata = metadata != NULL ? json_object_ref (metadata) : NULL;

  return peer;
}

void
metered_frame_peer_free (MeteredFramePeer *peer)
{
  if (peer == NULL)
    return;

  g_free (peer->peer_id);
  g_clear_pointer (&peer->metadata, json_object_unref);
  g_free (peer);
}

void
metered_frame_clear (MeteredFrame *frame)
{
  g_return_if_fail (frame != NULL);

  g_free (frame->request_id);
  g_free (frame->channel);
  g_free (frame->peer_id);
  g_clear_pointer (&frame->data, json_node_unref);
  g_free (frame->data_text);
  g_clear_pointer (&frame->metadata, json_object_unref);
  g_free (frame->code);
  g_free (frame->message);
  g_clear_pointer (&frame->joined, g_ptr_array_unref);
  g_clear_pointer (&frame->left, g_ptr_array_unref);

  memset (frame, 0, sizeof *frame);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A copy of a member node owned by the frame (the copy has no parent, so it
 * outlives the parsed document safely). */
static JsonNode *
dup_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL ? json_node_copy (node) : NULL;
}

/* Server frames are read straight from the scan: it notes where the value
 * of each top-level member the frame types use is, and only those values
 * are read. Building the whole frame as a tree cost more than everything
 * else a client does per message. */

typedef enum {
  MEMBER_TYPE,
  MEMBER_REQUEST_ID,
  MEMBER_CHANNEL,
  MEMBER_FROM,
  MEMBER_DATA,
  MEMBER_FROM_METADATA,
  MEMBER_PEER_ID,
  MEMBER_SERVER_TIME,
  MEMBER_MAX_MESSAGE_SIZE,
  MEMBER_EXPIRES_AT,
  MEMBER_METADATA,
  MEMBER_CODE,
  MEMBER_MESSAGE,
  MEMBER_JOINED,
  MEMBER_LEFT,
  MEMBER_RETRY_AFTER_MS,
  N_MEMBERS
} FrameMember;

static const char * const member_names[N_MEMBERS] = {
  [MEMBER_TYPE] = "type",
  [MEMBER_REQUEST_ID] = "requestId",
  [MEMBER_CHANNEL] = "channel",
  [MEMBER_FROM] = "from",
  [MEMBER_DATA] = "data",
  [MEMBER_FROM_METADATA] = "fromMetadata",
  [MEMBER_PEER_ID] = "peerId",
  [MEMBER_SERVER_TIME] = "serverTime",
  [MEMBER_MAX_MESSAGE_SIZE] = "maxMessageSize",
  [MEMBER_EXPIRES_AT] = "expiresAt",
  [MEMBER_METADATA] = "metadata",
  [MEMBER_CODE] = "code",
  [MEMBER_MESSAGE] = "message",
  [MEMBER_JOINED] = "joined",
  [MEMBER_LEFT] = "left",
  [MEMBER_RETRY_AFTER_MS] = "retryAfterMs",
};

/* A value's text; @start is NULL when the member is absent. */
typedef struct {
  const char *start;
  const char *end;
  gboolean    spaced;      /* whitespace between its tokens */
} Span;

struct _FrameMembers {
  Span members[N_MEMBERS];
};

/* @name and @name_end include the quotes. A repeated member counts with
 * its last value, as in the node JsonParser would build. */
static void
note_member (FrameMembers *members,
             const char   *name,
             const char   *name_end,
             const char   *value,
             const char   *value_end,
             gboolean      spaced)
{
  g_autoptr(GString) unescaped = NULL;
  const char *bare = name + 1;
  gsize len = (gsize) (name_end - name) - 2;

  /* Escapes in a member name are legal; they just never come from a real
   * server, so they may be slow. */
  if (memchr (bare, '\\', len) != NULL)
    {
      JsonBuild b = { 0 };

      unescaped = g_string_new (NULL);
      b.p = name;
      b.end = name_end;
      build_string (&b, unescaped);
      bare = unescaped->str;
      len = unescaped->len;
    }

  for (guint i = 0; i < N_MEMBERS; i++)
    {
      if (strlen (member_names[i]) == len && memcmp (member_names[i], bare, len) == 0)
        {
          members->members[i].start = value;
          members->members[i].end = value_end;
          members->members[i].spaced = spaced;
          return;
        }
    }
}

static gboolean
span_is_string (const Span *span)
{
  return span->start != NULL && *span->start == '"';
}

static char *
span_dup_string (const Span *span)
{
  JsonBuild b = { 0 };
  GString *out;
  gsize len = (gsize) (span->end - span->start) - 2;

  if (memchr (span->start + 1, '\\', len) == NULL)
    return g_strndup (span->start + 1, len);

  out = g_string_sized_new (len);
  b.p = span->start;
  b.end = span->end;
  build_string (&b, out);
  return g_string_free (out, FALSE);
}

static gboolean
span_is_number (const Span *span)
{
  return span->start != NULL && (*span->start == '-' || g_ascii_isdigit (*span->start));
}

/* Integers arrive as JSON ints or as doubles (a JavaScript server may write
 * 65536.0 or 1e3). Returns whether the number is an integer literal, which
 * is then in @as_int; any other number is in @as_double. */
static gboolean
span_read_number (const Span *span,
                  gint64     *as_int,
                  double     *as_double)
{
  char stack_buf[64];
  g_autofree char *heap_buf = NULL;
  gsize len = (gsize) (span->end - span->start);
  char *copy;

  if (len < sizeof stack_buf)
    {
      memcpy (stack_buf, span->start, len);
      stack_buf[len] = '\0';
      copy = stack_buf;
    }
  else
    {
      copy = heap_buf = g_strndup (span->start, len);
    }

  if (strpbrk (copy, ".eE") == NULL)
    {
      *as_int = g_ascii_strtoll (copy, NULL, 10);
      return TRUE;
    }

  *as_double = g_ascii_strtod (copy, NULL);
  return FALSE;
}

/* Doubles are truncated and clamped. */
static gint64
span_get_int64 (const Span *span)
{
  gint64 as_int;
  double value;

  if (span_read_number (span, &as_int, &value))
    return as_int;

  if (isnan (value))
    return 0;
  if (value >= 9223372036854775807.0)
    return G_MAXINT64;
  if (value <= -9223372036854775808.0)
    return G_MININT64;

  return (gint64) value;
}

static gboolean
span_number (const Span *span,
             gint64     *out)
{
  if (!span_is_number (span))
    return FALSE;

  *out = span_get_int64 (span);
  return TRUE;
}

/* The object value (sealed), or NULL for any other value. */
static JsonObject *
span_dup_object (const Span *span)
{
  g_autoptr(JsonNode) node = NULL;

  if (span->start == NULL || *span->start != '{')
    return NULL;

  node = build_at (span->start, span->end);
  return json_object_ref (json_node_get_object (node));
}

static JsonObject *
peer_member_object (JsonObject *object,
                    const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static GPtrArray *
span_presence_peers (const Span *span)
{
  g_autoptr(GPtrArray) peers = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  guint n;

  if (span->start == NULL || *span->start != '[')
    return NULL;

  node = build_at (span->start, span->end);
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  peers = g_ptr_array_new_full (n, (GDestroyNotify) metered_frame_peer_free);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *entry;
      const char *peer_id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return NULL;

      entry = json_node_get_object (element);
      peer_id = member_string (entry, "peerId");
      if (peer_id == NULL)
        return NULL;

      g_ptr_array_add (peers, metered_frame_peer_new (peer_id, peer_member_object (entry, "metadata")));
    }

  return g_steal_pointer (&peers);
}

/* The span's text without whitespace between tokens (a copy either way). */
static char *
dup_data_span (const Span *span)
{
  char *copy;
  char *out;
  gboolean in_string = FALSE;

  if (!span->spaced)
    return g_strndup (span->start, (gsize) (span->end - span->start));

  copy = out = g_malloc ((gsize) (span->end - span->start) + 1);
  for (const char *p = span->start; p < span->end; p++)
    {
      if (in_string)
        {
          if (*p == '\\')
            *out++ = *p++; /* and the escaped character below */
          else if (*p == '"')
            in_string = FALSE;
        }
      else if (*p == '"')
        {
          in_string = TRUE;
        }
      else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        {
          continue;
        }

      *out++ = *p;
    }
  *out = '\0';

  return copy;
}

static gboolean
type_is (const char *type,
         gsize       type_len,
         const char *name)
{
  return strlen (name) == type_len && memcmp (type, name, type_len) == 0;
}

/* Fills @frame from the members of a server frame's object. Returns NULL on
 * success, or why the frame does not have the shape §17 requires. */
static const char *
read_server_frame (const FrameMembers *m,
                   MeteredFrame       *frame)
{
  const Span *span = &m->members[MEMBER_TYPE];
  g_autofree char *unescaped = NULL;
  const char *type;
  gsize type_len;

  if (!span_is_string (span))
    return "frame has no string type";

  /* Compared as written unless escaped (no server escapes a type). */
  type = span->start + 1;
  type_len = (gsize) (span->end - span->start) - 2;
  if (memchr (type, '\\', type_len) != NULL)
    {
      type = unescaped = span_dup_string (span);
      type_len = strlen (unescaped);
    }

  if (type_is (type, type_len, "message") || type_is (type, type_len, "direct"))
    {
      gboolean is_message = type[0] == 'm';

      frame->type = is_message ? METERED_FRAME_MESSAGE : METERED_FRAME_DIRECT;
      if (is_message)
        {
          if (!span_is_string (&m->members[MEMBER_CHANNEL]))
            return "message has no channel string";
          frame->channel = span_dup_string (&m->members[MEMBER_CHANNEL]);
        }
      if (!span_is_string (&m->members[MEMBER_FROM]))
        return "message has no from string";
      frame->peer_id = span_dup_string (&m->members[MEMBER_FROM]);
      if (m->members[MEMBER_DATA].start == NULL)
        return "message has no data";
      frame->metadata = span_dup_object (&m->members[MEMBER_FROM_METADATA]);
    }
  else if (type_is (type, type_len, "welcome"))
    {
      const Span *expires = &m->members[MEMBER_EXPIRES_AT];

      frame->type = METERED_FRAME_WELCOME;
      if (!span_is_string (&m->members[MEMBER_PEER_ID]))
        return "welcome has no peerId string";
      frame->peer_id = span_dup_string (&m->members[MEMBER_PEER_ID]);
      if (!span_number (&m->members[MEMBER_SERVER_TIME], &frame->server_time))
        return "welcome has no numeric serverTime";
      if (!span_number (&m->members[MEMBER_MAX_MESSAGE_SIZE], &frame->max_message_size))
        return "welcome has no numeric maxMessageSize";

      if (expires->start != NULL && *expires->start == 'n')
        frame->has_expires_at = FALSE;
      else if (span_number (expires, &frame->expires_at))
        frame->has_expires_at = TRUE;
      else
        return "welcome expiresAt is neither a number nor null";

      frame->metadata = span_dup_object (&m->members[MEMBER_METADATA]);
    }
  else if (type_is (type, type_len, "ack"))
    {
      frame->type = METERED_FRAME_ACK;
      if (!span_is_string (&m->members[MEMBER_REQUEST_ID]))
        return "ack has no requestId string";
      frame->request_id = span_dup_string (&m->members[MEMBER_REQUEST_ID]);
    }
  else if (type_is (type, type_len, "error"))
    {
      frame->type = METERED_FRAME_ERROR;
      if (!span_is_string (&m->members[MEMBER_CODE]))
        return "error has no code";
      frame->code = span_dup_string (&m->members[MEMBER_CODE]);
      if (frame->code[0] == '\0')
        return "error has no code";
      if (span_is_string (&m->members[MEMBER_REQUEST_ID]))
        frame->request_id = span_dup_string (&m->members[MEMBER_REQUEST_ID]);
      if (span_is_string (&m->members[MEMBER_MESSAGE]))
        frame->message = span_dup_string (&m->members[MEMBER_MESSAGE]);
    }
  else if (type_is (type, type_len, "presence"))
    {
      frame->type = METERED_FRAME_PRESENCE;
      if (!span_is_string (&m->members[MEMBER_CHANNEL]))
        return "presence has no channel string";
      frame->channel = span_dup_string (&m->members[MEMBER_CHANNEL]);
      frame->joined = span_presence_peers (&m->members[MEMBER_JOINED]);
      if (frame->joined == NULL)
        return "presence joined is not an array of peers";
      frame->left = span_presence_peers (&m->members[MEMBER_LEFT]);
      if (frame->left == NULL)
        return "presence left is not an array of peers";
    }
  else if (type_is (type, type_len, "going_away"))
    {
      const Span *retry = &m->members[MEMBER_RETRY_AFTER_MS];

      frame->type = METERED_FRAME_GOING_AWAY;
      frame->retry_after_ms = 1000;
      if (span_is_number (retry))
        {
          gint64 as_int;
          double value;

          if (span_read_number (retry, &as_int, &value))
            value = (double) as_int;

          /* Round fractions up so a positive hint never becomes 0. */
          if (value > 0)
            frame->retry_after_ms = value >= (double) G_MAXINT64 ? G_MAXINT64 : (gint64) ceil (value);
        }
    }
  else if (type_is (type, type_len, "pong"))
    {
      frame->type = METERED_FRAME_PONG;
    }
  else
    {
      return "frame has an unknown type";
    }

  return NULL;
}

gboolean
metered_frame_parse_server_frame_full (const char              *text,
                                       gssize                   len,
                                       MeteredFrameParseFlags   flags,
                                       MeteredFrame            *frame,
                                       GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  FrameMembers members = { 0 };
  const char *problem;
  const char *p;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  memset (frame, 0, sizeof *frame);

  if (len < 0)
    len = (gssize) strlen (text);

  if (!scan_untrusted (text, (gsize) len, (flags & METERED_FRAME_PARSE_UTF8_VALID) != 0,
                       &members, &local_error))
    {
      g_set_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_PROTOCOL,
                   "Server frame is not valid JSON: %s", local_error->message);
      return FALSE;
    }

  for (p = text; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
    ;
  if (*p != '{')
    problem = "frame is not a JSON object";
  else
    problem = read_server_frame (&members, frame);

  if (problem != NULL)
    {
      metered_frame_clear (frame);
      g_set_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_PROTOCOL,
                   "Invalid server frame: %s", problem);
      return FALSE;
    }

  /* read_server_frame() made sure the top-level `data` member exists. */
  if (frame->type == METERED_FRAME_MESSAGE || frame->type == METERED_FRAME_DIRECT)
    {
      frame->data_text = dup_data_span (&members.members[MEMBER_DATA]);
      if ((flags & METERED_FRAME_PARSE_LAZY_DATA) == 0)
        frame->data = build_at (members.members[MEMBER_DATA].start, members.members[MEMBER_DATA].end);
    }

  return TRUE;
}

gboolean
metered_frame_parse_server_frame (const char    *text,
                                  gssize         len,
                                  MeteredFrame  *frame,
                                  GError       **error)
{
  return metered_frame_parse_server_frame_full (text, len, METERED_FRAME_PARSE_DEFAULT, frame, error);
}

static const struct {
  const char       *name;
  MeteredFrameType  type;
} client_frame_types[] = {
  { "subscribe", METERED_FRAME_SUBSCRIBE },
  { "unsubscribe", METERED_FRAME_UNSUBSCRIBE },
  { "publish", METERED_FRAME_PUBLISH },
  { "send", METERED_FRAME_SEND },
  { "ping", METERED_FRAME_PING },
};

static gboolean
read_client_frame (JsonObject    *root,
                   MeteredFrame  *frame,
                   GError       **error)
{
  JsonNode *request_id = json_object_get_member (root, "requestId");
  const char *type;

  if (request_id != NULL)
    {
      const char *value = member_string (root, "requestId");

      if (!metered_request_id_is_valid (value))
        {
          g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_MALFORMED_MESSAGE,
                               "requestId must be a non-empty string of at most "
                               G_STRINGIFY (METERED_REQUEST_ID_MAX_BYTES)
                               " bytes without control characters");
          return FALSE;
        }
      frame->request_id = g_strdup (value);
    }

  type = member_string (root, "type");
  if (type == NULL)
    {
      g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_MALFORMED_MESSAGE,
                           "Frame has no string type");
      return FALSE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (client_frame_types); i++)
    {
      if (g_str_equal (type, client_frame_types[i].name))
        {
          frame->type = client_frame_types[i].type;
          break;
        }
    }

  switch (frame->type)
    {
    case METERED_FRAME_SUBSCRIBE:
    case METERED_FRAME_UNSUBSCRIBE:
    case METERED_FRAME_PUBLISH:
      {
        const char *channel = member_string (root, "channel");

        if (channel == NULL)
          {
            g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_INVALID_CHANNEL,
                                 "Frame has no channel string");
            return FALSE;
          }
        if (!metered_channel_validate (channel, error))
          return FALSE;
        frame->channel = g_strdup (channel);
      }
      break;

    case METERED_FRAME_SEND:
      {
        const char *to = member_string (root, "to");

        if (to == NULL)
          {
            g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_INVALID_PEER_ID,
                                 "Frame has no to string");
            return FALSE;
          }
        if (!metered_peer_id_validate (to, error))
          return FALSE;
        frame->peer_id = g_strdup (to);
      }
      break;

    case METERED_FRAME_PING:
      break;

    case METERED_FRAME_INVALID:
    case METERED_FRAME_WELCOME:
    case METERED_FRAME_ACK:
    case METERED_FRAME_ERROR:
    case METERED_FRAME_MESSAGE:
    case METERED_FRAME_DIRECT:
    case METERED_FRAME_PRESENCE:
    case METERED_FRAME_GOING_AWAY:
    case METERED_FRAME_PONG:
    default:
      g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_UNKNOWN_TYPE,
                           "Unknown frame type");
      return FALSE;
    }

  if (frame->type == METERED_FRAME_SUBSCRIBE)
    {
      JsonNode *flag = json_object_get_member (root, "includeSenderMetadata");

      if (flag != NULL)
        {
          if (!JSON_NODE_HOLDS_VALUE (flag) || json_node_get_value_type (flag) != G_TYPE_BOOLEAN)
            {
              g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_MALFORMED_MESSAGE,
                                   "includeSenderMetadata must be a boolean");
              return FALSE;
            }
          frame->include_sender_metadata = json_node_get_boolean (flag);
        }
    }

  if (frame->type == METERED_FRAME_PUBLISH || frame->type == METERED_FRAME_SEND)
    {
      /* A JSON null is data; only a missing key is not. */
      frame->data = dup_member (root, "data");
      if (frame->data == NULL)
        {
          g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_MISSING_DATA,
                               "Frame has no data");
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
metered_frame_parse_client_frame (const char    *text,
                                  gssize         len,
                                  MeteredFrame  *frame,
                                  GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  memset (frame, 0, sizeof *frame);

  root = metered_json_parse_untrusted (text, len, &local_error);
  if (root == NULL)
    {
      g_set_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_MALFORMED_MESSAGE,
                   "Frame is not valid JSON: %s", local_error->message);
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_MALFORMED_MESSAGE,
                           "Frame is not a JSON object");
      return FALSE;
    }

  if (!read_client_frame (json_node_get_object (root), frame, error))
    {
      /* Keep only what the error reply needs to echo. */
      char *request_id = g_steal_pointer (&frame->request_id);

      metered_frame_clear (frame);
      frame->request_id = request_id;
      return FALSE;
    }

  return TRUE;
}

char *
metered_frame_dup_data_text (const MeteredFrame *frame)
{
  GString *out;

  g_return_val_if_fail (frame != NULL, NULL);

  if (frame->data == NULL)
    return NULL;

  out = g_string_new (NULL);
  metered_json_append_node (out, frame->data);
  return g_string_free (out, FALSE);
}

/* Builders. Each frame is one GString sized up front. */

static GString *
frame_begin (const char *type,
             gsize       payload_len)
{
  GString *out = g_string_sized_new (64 + payload_len);

  g_string_append (out, "{\"type\":\"");
  g_string_append (out, type);
  g_string_append_c (out, '"');

  return out;
}

static void
append_string_field (GString    *out,
                     const char *name,
                     const char *value)
{
  g_string_append_c (out, ',');
  metered_json_append_string (out, name);
  g_string_append_c (out, ':');
  metered_json_append_string (out, value);
}

static void
append_raw_field (GString    *out,
                  const char *name,
                  const char *json)
{
  g_string_append_c (out, ',');
  metered_json_append_string (out, name);
  g_string_append_c (out, ':');
  g_string_append (out, json);
}

static void
append_int_field (GString    *out,
                  const char *name,
                  gint64      value)
{
  g_string_append_c (out, ',');
  metered_json_append_string (out, name);
  g_string_append_printf (out, ":%" G_GINT64_FORMAT, value);
}

static char *
frame_end (GString *out)
{
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static gsize
len_or_0 (const char *text)
{
  return text != NULL ? strlen (text) : 0;
}

char *
metered_frame_build_subscribe (const char *channel,
                               gboolean    include_sender_metadata,
                               const char *request_id)
{
  GString *out;

  g_return_val_if_fail (channel != NULL, NULL);

  out = frame_begin ("subscribe", strlen (channel) + len_or_0 (request_id));
  append_string_field (out, "channel", channel);
  if (include_sender_metadata)
    g_string_append (out, ",\"includeSenderMetadata\":true");
  if (request_id != NULL)
    append_string_field (out, "requestId", request_id);

  return frame_end (out);
}

char *
metered_frame_build_unsubscribe (const char *channel,
                                 const char *request_id)
{
  GString *out;

  g_return_val_if_fail (channel != NULL, NULL);

  out = frame_begin ("unsubscribe", strlen (channel) + len_or_0 (request_id));
  append_string_field (out, "channel", channel);
  if (request_id != NULL)
    append_string_field (out, "requestId", request_id);

  return frame_end (out);
}

char *
metered_frame_build_publish (const char *channel,
                             const char *data_json,
                             const char *request_id)
{
  GString *out;

  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (data_json != NULL, NULL);

  out = frame_begin ("publish", strlen (channel) + strlen (data_json) + len_or_0 (request_id));
  append_string_field (out, "channel", channel);
  append_raw_field (out, "data", data_json);
  if (request_id != NULL)
    append_string_field (out, "requestId", request_id);

  return frame_end (out);
}

char *
metered_frame_build_send (const char *to,
                          const char *data_json,
                          const char *request_id)
{
  GString *out;

  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (data_json != NULL, NULL);

  out = frame_begin ("send", strlen (to) + strlen (data_json) + len_or_0 (request_id));
  append_string_field (out, "to", to);
  append_raw_field (out, "data", data_json);
  if (request_id != NULL)
    append_string_field (out, "requestId", request_id);

  return frame_end (out);
}

char *
metered_frame_build_ping (void)
{
  return g_strdup ("{\"type\":\"ping\"}");
}

char *
metered_frame_build_welcome (const char *peer_id,
                             gint64      expires_at,
                             gint64      server_time,
                             gint64      max_message_size,
                             const char *metadata_json)
{
  GString *out;

  g_return_val_if_fail (peer_id != NULL, NULL);

  out = frame_begin ("welcome", strlen (peer_id) + len_or_0 (metadata_json));
  append_string_field (out, "peerId", peer_id);
  if (expires_at < 0)
    append_raw_field (out, "expiresAt", "null");
  else
    append_int_field (out, "expiresAt", expires_at);
  append_int_field (out, "serverTime", server_time);
  append_int_field (out, "maxMessageSize", max_message_size);
  if (metadata_json != NULL)
    append_raw_field (out, "metadata", metadata_json);

  return frame_end (out);
}

char *
metered_frame_build_ack (const char *request_id)
{
  GString *out;

  g_return_val_if_fail (request_id != NULL, NULL);

  out = frame_begin ("ack", strlen (request_id));
  append_string_field (out, "requestId", request_id);

  return frame_end (out);
}

char *
metered_frame_build_error (const char *code,
                           const char *message,
                           const char *request_id)
{
  GString *out;

  g_return_val_if_fail (code != NULL, NULL);

  out = frame_begin ("error", strlen (code) + len_or_0 (message) + len_or_0 (request_id));
  if (request_id != NULL)
    append_string_field (out, "requestId", request_id);
  append_string_field (out, "code", code);
  if (message != NULL)
    append_string_field (out, "message", message);

  return frame_end (out);
}

char *
metered_frame_build_message (const char *channel,
                             const char *from,
                             const char *data_json,
                             const char *from_metadata_json)
{
  GString *out;

  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (data_json != NULL, NULL);

  out = frame_begin ("message", strlen (channel) + strlen (from) + strlen (data_json) +
                                len_or_0 (from_metadata_json));
  append_string_field (out, "channel", channel);
  append_string_field (out, "from", from);
  append_raw_field (out, "data", data_json);
  if (from_metadata_json != NULL)
    append_raw_field (out, "fromMetadata", from_metadata_json);

  return frame_end (out);
}

char *
metered_frame_build_direct (const char *from,
                            const char *data_json,
                            const char *from_metadata_json)
{
  GString *out;

  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (data_json != NULL, NULL);

  out = frame_begin ("direct", strlen (from) + strlen (data_json) + len_or_0 (from_metadata_json));
  append_string_field (out, "from", from);
  append_raw_field (out, "data", data_json);
  if (from_metadata_json != NULL)
    append_raw_field (out, "fromMetadata", from_metadata_json);

  return frame_end (out);
}

static void
append_peers_field (GString    *out,
                    const char *name,
                    GPtrArray  *peers)
{
  g_string_append_c (out, ',');
  metered_json_append_string (out, name);
  g_string_append (out, ":[");

  for (guint i = 0; peers != NULL && i < peers->len; i++)
    {
      const MeteredFramePeer *peer = g_ptr_array_index (peers, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"peerId\":");
      metered_json_append_string (out, peer->peer_id);
      if (peer->metadata != NULL)
        {
          g_string_append (out, ",\"metadata\":");
          append_object (out, peer->metadata);
        }
      g_string_append_c (out, '}');
    }

  g_string_append_c (out, ']');
}

char *
metered_frame_build_presence (const char *channel,
                              GPtrArray  *joined,
                              GPtrArray  *left)
{
  GString *out;
  gsize peers = (joined != NULL ? joined->len : 0) + (left != NULL ? left->len : 0);

  g_return_val_if_fail (channel != NULL, NULL);

  out = frame_begin ("presence", strlen (channel) + 32 * peers);
  append_string_field (out, "channel", channel);
  append_peers_field (out, "joined", joined);
  append_peers_field (out, "left", left);

  return frame_end (out);
}

char *
metered_frame_build_going_away (gint64 retry_after_ms)
{
  GString *out = frame_begin ("going_away", 0);

  append_int_field (out, "retryAfterMs", retry_after_ms);

  return frame_end (out);
}

char *
metered_frame_build_pong (void)
{
  return g_strdup ("{\"type\":\"pong\"}");
}
