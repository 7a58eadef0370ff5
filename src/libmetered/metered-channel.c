/* metered-channel.c: channel names, peer ids and channel patterns (protocol §8)
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-channel"

#include <string.h>

#include "metered-channel.h"
#include "metered-error.h"

static const char * const reserved_prefixes[] = {
  "_metered/",
  "_internal/",
  "_system/",
};

static gboolean
is_control_char (gunichar ch)
{
  return ch < 0x20 || (ch >= 0x7F && ch <= 0x9F);
}

typedef enum {
  TEXT_OK,
  TEXT_MISSING,
  TEXT_EMPTY,
  TEXT_TOO_LONG,
  TEXT_BAD_UTF8,
  TEXT_CONTROL_CHAR,
} TextProblem;

/* Checks the rules channel names and request ids share. */
static TextProblem
check_text (const char *text,
            gsize       max_bytes)
{
  gsize len;

  if (text == NULL)
    return TEXT_MISSING;

  len = strlen (text);
  if (len == 0)
    return TEXT_EMPTY;
  if (len > max_bytes)
    return TEXT_TOO_LONG;
  if (!g_utf8_validate_len (text, len, NULL))
    return TEXT_BAD_UTF8;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (is_control_char (g_utf8_get_char (p)))
        return TEXT_CONTROL_CHAR;
    }

  return TEXT_OK;
}

/**
 * metered_channel_validate:
 * @channel: (nullable): a channel name
 * @error: return location for a #GError
 *
 * Checks a channel name against the service's rules: non-empty, valid
 * UTF-8 of at most %METERED_CHANNEL_MAX_BYTES bytes, no control characters.
 * Reserved prefixes are not checked here (see
 * metered_channel_is_reserved()).
 *
 * The error, in the %METERED_SERVER_ERROR domain with
 * %METERED_SERVER_ERROR_INVALID_CHANNEL, says what is wrong without
 * quoting the name.
 *
 * Returns: %TRUE if @channel is a valid name
 */
gboolean
metered_channel_validate (const char  *channel,
                          GError     **error)
{
  const char *problem = NULL;

  switch (check_text (channel, METERED_CHANNEL_MAX_BYTES))
    {
    case TEXT_OK:
      return TRUE;
    case TEXT_MISSING:
      problem = "Channel name is missing";
      break;
    case TEXT_EMPTY:
      problem = "Channel name is empty";
      break;
    case TEXT_TOO_LONG:
      problem = "Channel name is longer than " G_STRINGIFY (METERED_CHANNEL_MAX_BYTES) " bytes";
      break;
    case TEXT_BAD_UTF8:
      problem = "Channel name is not valid UTF-8";
      break;
    case TEXT_CONTROL_CHAR:
      problem = "Channel name contains a control character";
      break;
    default:
      g_assert_not_reached ();
    }

  g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_INVALID_CHANNEL, problem);
  return FALSE;
}

/**
 * metered_channel_is_reserved:
 * @channel: (nullable): a channel name
 *
 * Tells whether @channel starts with one of the prefixes the service keeps
 * for itself: `_metered/`, `_internal/` or `_system/`.
 *
 * Returns: %TRUE if @channel is reserved
 */
gboolean
metered_channel_is_reserved (const char *channel)
{
  if (channel == NULL)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (reserved_prefixes); i++)
    {
      if (g_str_has_prefix (channel, reserved_prefixes[i]))
        return TRUE;
    }

  return FALSE;
}

/**
 * metered_peer_id_validate:
 * @peer_id: (nullable): a peer id
 * @error: return location for a #GError
 *
 * Checks a peer id: non-empty printable ASCII (0x20–0x7E) of at most
 * %METERED_PEER_ID_MAX_BYTES bytes. The error, in the %METERED_SERVER_ERROR
 * domain with %METERED_SERVER_ERROR_INVALID_PEER_ID, does not quote the id.
 *
 * Returns: %TRUE if @peer_id is valid
 */
gboolean
metered_peer_id_validate (const char  *peer_id,
                          GError     **error)
{
  const char *problem = NULL;
  gsize len = 0;

  if (peer_id == NULL)
    problem = "Peer id is missing";
  else if (peer_id[0] == '\0')
    problem = "Peer id is empty";

  for (const char *p = peer_id; problem == NULL && *p != '\0'; p++, len++)
    {
      if ((guchar) *p < 0x20 || (guchar) *p > 0x7E)
        problem = "Peer id contains a character that is not printable ASCII";
      else if (len == METERED_PEER_ID_MAX_BYTES)
        problem = "Peer id is longer than " G_STRINGIFY (METERED_PEER_ID_MAX_BYTES) " bytes";
    }

  if (problem != NULL)
    {
      g_set_error_literal (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_INVALID_PEER_ID,
                           problem);
      return FALSE;
    }

  return TRUE;
}

/**
 * metered_request_id_is_valid:
 * @request_id: (nullable): a request id
 *
 * Checks a request id: non-empty valid UTF-8 of at most
 * %METERED_REQUEST_ID_MAX_BYTES bytes with no control characters.
 *
 * Returns: %TRUE if @request_id is valid
 */
gboolean
metered_request_id_is_valid (const char *request_id)
{
  return check_text (request_id, METERED_REQUEST_ID_MAX_BYTES) == TEXT_OK;
}

/* Pattern matching.
 *
 * Patterns come from config files and tokens, so matching must stay cheap
 * for any input. The pattern is compiled to a list of tokens and run as an
 * NFA whose state is the set of token positions still alive: each channel
 * byte costs at most one pass over the tokens, so a match is
 * O(pattern × channel) with no backtracking. Matching is per byte; `/` is
 * ASCII and never part of a multi-byte UTF-8 sequence, so `*` cannot stop
 * in the middle of a character it should not.
 */

enum {
  TOKEN_STAR = 256,     /* any run without '/' */
  TOKEN_DOUBLE_STAR,    /* any run */
};

/* Fills @tokens (room for strlen (@pattern) entries) and returns how many
 * were written, or -1 if @pattern is malformed. A backslash escapes only
 * `*` and `\`; anything else after it is malformed so that a typo in an
 * authorization pattern fails closed. */
static gssize
compile_pattern (const char *pattern,
                 guint16    *tokens)
{
  gsize n = 0;

  for (const char *p = pattern; *p != '\0'; p++)
    {
      if (*p == '\\')
        {
          p++;
          if (*p != '*' && *p != '\\')
            return -1;
          tokens[n++] = (guchar) *p;
        }
      else if (*p == '*')
        {
          if (p[1] == '*')
            {
              p++;
              tokens[n++] = TOKEN_DOUBLE_STAR;
            }
          else
            {
              tokens[n++] = TOKEN_STAR;
            }
        }
      else
        {
          tokens[n++] = (guchar) *p;
        }
    }

  return (gssize) n;
}

/* Marks every state reachable from the live ones without consuming input:
 * a star may match the empty run. */
static void
close_over_stars (const guint16 *tokens,
                  gsize          n_tokens,
                  guint8        *live)
{
  for (gsize i = 0; i < n_tokens; i++)
    {
      if (live[i] && tokens[i] >= TOKEN_STAR)
        live[i + 1] = TRUE;
    }
}

#define STACK_TOKENS 128

/**
 * metered_channel_pattern_match:
 * @pattern: (nullable): a channel pattern
 * @channel: (nullable): a channel name
 *
 * Matches a whole channel name against a pattern (protocol §8): `*` matches
 * any run of characters without `/` (possibly empty), `**` any run
 * including `/`, and `\*` and `\\` stand for a literal `*` and `\`.
 * A malformed pattern, such as one ending in a lone backslash, matches
 * nothing. The cost is bounded by the product of the two lengths whatever
 * the pattern.
 *
 * Returns: %TRUE if @pattern matches all of @channel
 */
gboolean
metered_channel_pattern_match (const char *pattern,
                               const char *channel)
{
  guint16 stack_tokens[STACK_TOKENS];
  guint8 stack_live[2][STACK_TOKENS + 1];
  g_autofree guint16 *heap_tokens = NULL;
  g_autofree guint8 *heap_live = NULL;
  guint16 *tokens = stack_tokens;
  guint8 *live = stack_live[0];
  guint8 *next = stack_live[1];
  gsize pattern_len;
  gssize n_tokens;

  if (pattern == NULL || channel == NULL)
    return FALSE;

  pattern_len = strlen (pattern);
  if (pattern_len > STACK_TOKENS)
    {
      tokens = heap_tokens = g_new (guint16, pattern_len);
      heap_live = g_new (guint8, 2 * (pattern_len + 1));
      live = heap_live;
      next = heap_live + pattern_len + 1;
    }

  n_tokens = compile_pattern (pattern, tokens);
  if (n_tokens < 0)
    return FALSE;

  memset (live, 0, (gsize) n_tokens + 1);
  live[0] = TRUE;
  close_over_stars (tokens, (gsize) n_tokens, live);

  for (const char *c = channel; *c != '\0'; c++)
    {
      guchar byte = (guchar) *c;
      gboolean any = FALSE;
      guint8 *swap;

      memset (next, 0, (gsize) n_tokens + 1);

      for (gsize i = 0; i < (gsize) n_tokens; i++)
        {
          if (!live[i])
            continue;

          if (tokens[i] == TOKEN_DOUBLE_STAR || (tokens[i] == TOKEN_STAR && byte != '/'))
            next[i] = any = TRUE;
          else if (tokens[i] == byte)
            next[i + 1] = any = TRUE;
        }

      if (!any)
        return FALSE;

      close_over_stars (tokens, (gsize) n_tokens, next);

      swap = live;
      live = next;
      next = swap;
    }

  return live[n_tokens];
}

/**
 * metered_channel_patterns_match:
 * @patterns: (nullable) (array zero-terminated=1): channel patterns
 * @channel: (nullable): a channel name
 *
 * Tells whether any of @patterns matches @channel, as
 * metered_channel_pattern_match() does.
 *
 * Returns: %TRUE if at least one pattern matches
 */
gboolean
metered_channel_patterns_match (const char * const *patterns,
                                const char         *channel)
{
  if (patterns == NULL || channel == NULL)
    return FALSE;

  for (gsize i = 0; patterns[i] != NULL; i++)
    {
      if (metered_channel_pattern_match (patterns[i], channel))
        return TRUE;
    }

  return FALSE;
}
