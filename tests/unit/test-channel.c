/* test-channel.c: channel names, peer ids, request ids and patterns
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "metered-channel.h"
#include "metered-error.h"

static void
assert_channel_invalid (const char *channel)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (metered_channel_validate (channel, &error));
  g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_INVALID_CHANNEL);
  /* The message says what is wrong without echoing the name. */
  if (channel != NULL && channel[0] != '\0')
    g_assert_null (strstr (error->message, channel));
}

static void
test_channel_validate (void)
{
  g_autofree char *max = g_strnfill (METERED_CHANNEL_MAX_BYTES, 'a');
  g_autofree char *too_long = g_strnfill (METERED_CHANNEL_MAX_BYTES + 1, 'b');
  g_autoptr(GString) multibyte = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (metered_channel_validate ("app_abc/room-1", NULL));
  g_assert_true (metered_channel_validate ("x", NULL));
  g_assert_true (metered_channel_validate ("Room 1 with spaces", NULL));
  g_assert_true (metered_channel_validate ("caf\xc3\xa9/\xf0\x9f\x98\x80", NULL));
  g_assert_true (metered_channel_validate (max, NULL));
  /* Reserved names are valid names; refusing them is the server's job. */
  g_assert_true (metered_channel_validate ("_system/x", NULL));

  /* The limit is in bytes: 128 two-byte characters fit, 129 do not. */
  for (guint i = 0; i < METERED_CHANNEL_MAX_BYTES / 2; i++)
    g_string_append (multibyte, "\xc3\xa9");
  g_assert_true (metered_channel_validate (multibyte->str, NULL));
  g_string_append (multibyte, "\xc3\xa9");
  assert_channel_invalid (multibyte->str);

  assert_channel_invalid (NULL);
  assert_channel_invalid ("");
  assert_channel_invalid (too_long);
  assert_channel_invalid ("tab\there");
  assert_channel_invalid ("line\nbreak");
  assert_channel_invalid ("nul-adjacent\x01");
  assert_channel_invalid ("del\x7f");
  assert_channel_invalid ("c1-\xc2\x80");
  assert_channel_invalid ("c1-\xc2\x9f");
  assert_channel_invalid ("bad-utf8-\xc3");
  assert_channel_invalid ("overlong-\xc0\xaf");
  assert_channel_invalid ("surrogate-\xed\xa0\x80");

  /* U+00A0 is the first character after the C1 block: allowed. */
  g_assert_true (metered_channel_validate ("nbsp-\xc2\xa0", NULL));

  g_assert_false (metered_channel_validate (too_long, &error));
  g_assert_nonnull (strstr (error->message, "256"));
}

static void
test_channel_reserved (void)
{
  g_assert_true (metered_channel_is_reserved ("_metered/x"));
  g_assert_true (metered_channel_is_reserved ("_internal/"));
  g_assert_true (metered_channel_is_reserved ("_system/a/b"));
  g_assert_false (metered_channel_is_reserved ("_system"));
  g_assert_false (metered_channel_is_reserved ("_metered"));
  g_assert_false (metered_channel_is_reserved ("x/_system/"));
  g_assert_false (metered_channel_is_reserved ("_System/x"));
  g_assert_false (metered_channel_is_reserved (""));
  g_assert_false (metered_channel_is_reserved (NULL));
}

static void
assert_peer_id_invalid (const char *peer_id)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (metered_peer_id_validate (peer_id, &error));
  g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_INVALID_PEER_ID);
  if (peer_id != NULL && peer_id[0] != '\0')
    g_assert_null (strstr (error->message, peer_id));
}

static void
test_peer_id_validate (void)
{
  g_autofree char *max = g_strnfill (METERED_PEER_ID_MAX_BYTES, 'p');
  g_autofree char *too_long = g_strnfill (METERED_PEER_ID_MAX_BYTES + 1, 'q');

  g_assert_true (metered_peer_id_validate ("u_alice_123", NULL));
  g_assert_true (metered_peer_id_validate (" ~!", NULL));
  g_assert_true (metered_peer_id_validate ("2c5ea4c0-4067-11e9-8bad-9b1deb4d3b7d", NULL));
  g_assert_true (metered_peer_id_validate (max, NULL));

  assert_peer_id_invalid (NULL);
  assert_peer_id_invalid ("");
  assert_peer_id_invalid (too_long);
  assert_peer_id_invalid ("tab\tpeer");
  assert_peer_id_invalid ("del\x7f");
  assert_peer_id_invalid ("caf\xc3\xa9");
}

static void
test_request_id_valid (void)
{
  g_autofree char *max = g_strnfill (METERED_REQUEST_ID_MAX_BYTES, 'r');
  g_autofree char *too_long = g_strnfill (METERED_REQUEST_ID_MAX_BYTES + 1, 'r');

  g_assert_true (metered_request_id_is_valid ("sub-1"));
  g_assert_true (metered_request_id_is_valid ("caf\xc3\xa9 1"));
  g_assert_true (metered_request_id_is_valid (max));
  g_assert_false (metered_request_id_is_valid (too_long));
  g_assert_false (metered_request_id_is_valid (NULL));
  g_assert_false (metered_request_id_is_valid (""));
  g_assert_false (metered_request_id_is_valid ("a\nb"));
  g_assert_false (metered_request_id_is_valid ("a\xc2\x85"));
  g_assert_false (metered_request_id_is_valid ("a\xff"));
}

typedef struct {
  const char *pattern;
  const char *channel;
  gboolean    matches;
} PatternCase;

static void
test_pattern_table (void)
{
  static const PatternCase cases[] = {
    /* The table of protocol §8. */
    { "app_abc/*", "app_abc/room-1", TRUE },
    { "app_abc/*", "app_abc/sub/deep", FALSE },
    { "app_abc/*", "other/x", FALSE },
    { "app_abc/**", "app_abc/room-1", TRUE },
    { "app_abc/**", "app_abc/sub/deep", TRUE },
    { "app_abc/**", "other/x", FALSE },
    { "**", "app_abc/room-1", TRUE },
    { "**", "app_abc/sub/deep", TRUE },
    { "**", "other/x", TRUE },
    { "app_abc/room-*", "app_abc/room-1", TRUE },
    { "app_abc/room-*", "app_abc/sub/deep", FALSE },
    { "app_abc/room-*", "other/x", FALSE },
    { "room-*", "room-42", TRUE },
    { "room-*", "admin-1", FALSE },

    /* `*` may match the empty run. */
    { "room-*", "room-", TRUE },
    { "app_abc/*", "app_abc/", TRUE },
    { "*", "x", TRUE },
    { "*", "a/b", FALSE },
    { "**", "/", TRUE },
    { "a/**/b", "a//b", TRUE },
    { "a/**/b", "a/x/y/b", TRUE },
    { "a/*/b", "a/x/y/b", FALSE },
    { "a*b*c", "abc", TRUE },
    { "a*b*c", "aXbYc", TRUE },
    { "a*b*c", "aXbY/c", FALSE },
    { "devices/*/events", "devices/d1/events", TRUE },
    { "devices/*/events", "devices/d1/x/events", FALSE },

    /* Anchored at both ends. */
    { "room", "room", TRUE },
    { "room", "room-1", FALSE },
    { "room", "my-room", FALSE },
    { "room-*", "x/room-1", FALSE },
    { "*-1", "room-1", TRUE },
    { "*-1", "room-12", FALSE },
    { "", "", TRUE },
    { "", "x", FALSE },

    /* Case-sensitive. */
    { "Room-*", "room-1", FALSE },

    /* Escapes. */
    { "a\\*b", "a*b", TRUE },
    { "a\\*b", "axb", FALSE },
    { "a\\\\b", "a\\b", TRUE },
    { "a\\\\*", "a\\xyz", TRUE },
    { "a\\\\*", "a\\x/z", FALSE },
    { "\\*\\*", "**", TRUE },
    { "\\*\\*", "ab", FALSE },

    /* Malformed patterns match nothing. */
    { "room\\", "room\\", FALSE },
    { "room\\", "room", FALSE },
    { "\\", "\\", FALSE },
    { "a\\b", "ab", FALSE },
    { "a\\b", "a\\b", FALSE },

    /* Byte-wise over UTF-8. */
    { "caf\xc3\xa9/*", "caf\xc3\xa9/\xf0\x9f\x98\x80", TRUE },
    { "*\xc3\xa9", "caf\xc3\xa9", TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean matches = metered_channel_pattern_match (cases[i].pattern, cases[i].channel);

      if (matches != cases[i].matches)
        g_error ("pattern %s vs channel %s: expected %d", cases[i].pattern, cases[i].channel,
                 cases[i].matches);
    }

  g_assert_false (metered_channel_pattern_match (NULL, "x"));
  g_assert_false (metered_channel_pattern_match ("x", NULL));
}

static void
test_pattern_long (void)
{
  /* Long patterns take the heap path. */
  g_autofree char *literal = g_strnfill (300, 'x');
  g_autofree char *pattern = g_strconcat (literal, "/*", NULL);
  g_autofree char *channel = g_strconcat (literal, "/y", NULL);

  g_assert_true (metered_channel_pattern_match (pattern, channel));
  g_assert_true (metered_channel_pattern_match (literal, literal));
  g_assert_false (metered_channel_pattern_match (pattern, literal));
}

static void
test_pattern_pathological (void)
{
  g_autofree char *channel = g_strnfill (METERED_CHANNEL_MAX_BYTES, 'a');
  g_autoptr(GString) stars = g_string_new (NULL);
  g_autoptr(GString) double_stars = g_string_new (NULL);
  gint64 start;
  gint64 elapsed;

  for (guint i = 0; i < 100; i++)
    {
      g_string_append (stars, "*a");
      g_string_append (double_stars, "**a");
    }
  g_string_append_c (stars, 'b');
  g_string_append_c (double_stars, 'b');

  start = g_get_monotonic_time ();
  for (guint i = 0; i < 100; i++)
    {
      g_assert_false (metered_channel_pattern_match ("*a*a*a*a*a*a*a*a*a*a*b", channel));
      g_assert_false (metered_channel_pattern_match ("**a**a**a**a**a**a**a**a**a**a**b", channel));
      g_assert_false (metered_channel_pattern_match (stars->str, channel));
      g_assert_false (metered_channel_pattern_match (double_stars->str, channel));
    }
  g_assert_true (metered_channel_pattern_match ("*a*a*a*a*a*a*a*a*a*a*", channel));
  elapsed = g_get_monotonic_time () - start;

  /* A backtracking matcher takes hours here; the NFA takes milliseconds.
   * The bound is generous for slow CI machines and valgrind. */
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
}

static void
test_patterns_match (void)
{
  const char * const patterns[] = { "app_abc/*", "tasks/**", NULL };
  const char * const none[] = { NULL };

  g_assert_true (metered_channel_patterns_match (patterns, "app_abc/room-1"));
  g_assert_true (metered_channel_patterns_match (patterns, "tasks/a/b"));
  g_assert_false (metered_channel_patterns_match (patterns, "other/x"));
  g_assert_false (metered_channel_patterns_match (none, "x"));
  g_assert_false (metered_channel_patterns_match (NULL, "x"));
  g_assert_false (metered_channel_patterns_match (patterns, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/channel/validate", test_channel_validate);
  g_test_add_func ("/channel/reserved", test_channel_reserved);
  g_test_add_func ("/channel/peer-id", test_peer_id_validate);
  g_test_add_func ("/channel/request-id", test_request_id_valid);
  g_test_add_func ("/channel/pattern/table", test_pattern_table);
  g_test_add_func ("/channel/pattern/long", test_pattern_long);
  g_test_add_func ("/channel/pattern/pathological", test_pattern_pathological);
  g_test_add_func ("/channel/pattern/any", test_patterns_match);

  return g_test_run ();
}
