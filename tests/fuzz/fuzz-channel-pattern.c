/* fuzz-channel-pattern.c: channel patterns and the name rules (protocol §8)
 *
 * The input is a pattern and a channel separated by the first NUL byte.
 * The matcher is compared with a plain dynamic-programming matcher written
 * here from §8; the validators with the rules restated here.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-channel-pattern"

#include <string.h>

#include "metered-channel.h"
#include "metered-error.h"
#include "fuzz-common.h"

/* Keeps the reference matcher's table small. */
#define MAX_REFERENCE_CELLS (1 << 22)

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

enum {
  REF_STAR = -1,
  REF_DOUBLE_STAR = -2,
};

/* Tokens of @pattern (bytes 0–255, or REF_STAR / REF_DOUBLE_STAR), or
 * NULL when the pattern is malformed (a backslash not before `*` or `\`). */
static GArray *
reference_tokens (const char *pattern)
{
  g_autoptr(GArray) tokens = g_array_new (FALSE, FALSE, sizeof (int));
  gsize len = strlen (pattern);

  for (gsize i = 0; i < len; i++)
    {
      int token;

      if (pattern[i] == '\\')
        {
          if (i + 1 == len || (pattern[i + 1] != '*' && pattern[i + 1] != '\\'))
            return NULL;
          token = (guchar) pattern[++i];
        }
      else if (pattern[i] == '*' && i + 1 < len && pattern[i + 1] == '*')
        {
          token = REF_DOUBLE_STAR;
          i++;
        }
      else if (pattern[i] == '*')
        {
          token = REF_STAR;
        }
      else
        {
          token = (guchar) pattern[i];
        }

      g_array_append_val (tokens, token);
    }

  return g_steal_pointer (&tokens);
}

/* match[i][j]: tokens from i on match the channel from byte j on. Returns
 * -1 when the table would be too big to bother. */
static int
reference_match (const char *pattern,
                 const char *channel)
{
  g_autoptr(GArray) tokens = reference_tokens (pattern);
  g_autofree guint8 *match = NULL;
  gsize n;
  gsize m = strlen (channel);

  if (tokens == NULL)
    return FALSE;

  n = tokens->len;
  if ((n + 1) * (m + 1) > MAX_REFERENCE_CELLS)
    return -1;

#define AT(i, j) match[(i) * (m + 1) + (j)]
  match = g_malloc0 ((n + 1) * (m + 1));
  AT (n, m) = TRUE;

  for (gsize i = n; i-- > 0;)
    {
      int token = g_array_index (tokens, int, i);

      for (gsize j = m + 1; j-- > 0;)
        {
          gboolean more = j < m;

          if (token == REF_DOUBLE_STAR)
            AT (i, j) = AT (i + 1, j) || (more && AT (i, j + 1));
          else if (token == REF_STAR)
            AT (i, j) = AT (i + 1, j) || (more && channel[j] != '/' && AT (i, j + 1));
          else
            AT (i, j) = more && (guchar) channel[j] == token && AT (i + 1, j + 1);
        }
    }

  return AT (0, 0);
#undef AT
}

/* A pattern that matches exactly @channel. */
static char *
escape_channel (const char *channel)
{
  GString *out = g_string_new (NULL);

  for (const char *p = channel; *p != '\0'; p++)
    {
      if (*p == '*' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static void
check_match (const char *pattern,
             const char *channel)
{
  const char *one[] = { pattern, NULL };
  const char *two[] = { "\\", pattern, NULL };
  g_autofree char *escaped = escape_channel (channel);
  gboolean matches = metered_channel_pattern_match (pattern, channel);
  int expected = reference_match (pattern, channel);

  if (expected >= 0 && matches != expected)
    g_error ("pattern match disagrees with the reference (got %d)", matches);

  g_assert_cmpint (metered_channel_patterns_match (one, channel), ==, matches);
  g_assert_cmpint (metered_channel_patterns_match (two, channel), ==, matches);
  g_assert_true (metered_channel_pattern_match (escaped, channel));
  g_assert_true (metered_channel_pattern_match ("**", channel));
  g_assert_cmpint (metered_channel_pattern_match ("*", channel), ==, strchr (channel, '/') == NULL);
  g_assert_false (metered_channel_pattern_match (NULL, channel));
  g_assert_false (metered_channel_pattern_match (pattern, NULL));
}

static void
check_error (const GError *error,
             int           code,
             const char   *text)
{
  g_assert_error (error, METERED_SERVER_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));

  /* No message has a '/', so one holding such a name would quote it. */
  if (strchr (text, '/') != NULL)
    g_assert_null (strstr (error->message, text));
}

static void
check_rules (const char *text)
{
  g_autoptr(GError) error = NULL;
  gsize len = strlen (text);
  gboolean utf8 = g_utf8_validate (text, -1, NULL);
  gboolean channel_ok = len > 0 && len <= METERED_CHANNEL_MAX_BYTES && utf8 &&
                        !fuzz_has_control_char (text);
  gboolean request_id_ok = len > 0 && len <= METERED_REQUEST_ID_MAX_BYTES && utf8 &&
                           !fuzz_has_control_char (text);
  gboolean peer_id_ok = len > 0 && len <= METERED_PEER_ID_MAX_BYTES;
  gboolean reserved = g_str_has_prefix (text, "_metered/") ||
                      g_str_has_prefix (text, "_internal/") ||
                      g_str_has_prefix (text, "_system/");

  for (const char *p = text; *p != '\0'; p++)
    peer_id_ok = peer_id_ok && *p >= 0x20 && *p <= 0x7E;

  g_assert_cmpint (metered_channel_validate (text, &error), ==, channel_ok);
  if (!channel_ok)
    check_error (error, METERED_SERVER_ERROR_INVALID_CHANNEL, text);
  g_clear_error (&error);

  g_assert_cmpint (metered_peer_id_validate (text, &error), ==, peer_id_ok);
  if (!peer_id_ok)
    check_error (error, METERED_SERVER_ERROR_INVALID_PEER_ID, text);
  g_clear_error (&error);

  g_assert_cmpint (metered_request_id_is_valid (text), ==, request_id_ok);
  g_assert_cmpint (metered_channel_is_reserved (text), ==, reserved);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *input = fuzz_dup_input (data, size);
  gsize pattern_len = strlen (input);
  const char *pattern = input;
  const char *channel = pattern_len < size ? input + pattern_len + 1 : "";

  check_match (pattern, channel);
  check_rules (pattern);
  check_rules (channel);

  return 0;
}
