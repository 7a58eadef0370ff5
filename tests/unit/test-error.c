/* test-error.c: error domains, server error code mapping, close reasons
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include <gio/gio.h>

#include "metered-close-code.h"
#include "metered-error.h"
#include "metered-error-private.h"

static const struct {
  MeteredServerError  code;
  const char         *wire;
} known_codes[] = {
  { METERED_SERVER_ERROR_MALFORMED_MESSAGE, "malformed_message" },
  { METERED_SERVER_ERROR_UNKNOWN_TYPE, "unknown_type" },
  { METERED_SERVER_ERROR_INVALID_CHANNEL, "invalid_channel" },
  { METERED_SERVER_ERROR_INVALID_PEER_ID, "invalid_peer_id" },
  { METERED_SERVER_ERROR_CHANNEL_NOT_AUTHORIZED, "channel_not_authorized" },
  { METERED_SERVER_ERROR_CHANNEL_RESERVED, "channel_reserved" },
  { METERED_SERVER_ERROR_CHANNEL_LIMIT_EXCEEDED, "channel_limit_exceeded" },
  { METERED_SERVER_ERROR_PEER_NOT_FOUND, "peer_not_found" },
  { METERED_SERVER_ERROR_MISSING_DATA, "missing_data" },
  { METERED_SERVER_ERROR_ACTION_NOT_PERMITTED, "action_not_permitted" },
  { METERED_SERVER_ERROR_OVER_MESSAGE_QUOTA, "over_message_quota" },
  { METERED_SERVER_ERROR_BACKEND_ERROR, "backend_error" },
  { METERED_SERVER_ERROR_INTERNAL_ERROR, "internal_error" },
};

static void
test_string_mapping (void)
{
  g_autoptr(GHashTable) descriptions = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; i < G_N_ELEMENTS (known_codes); i++)
    {
      const char *description = metered_server_error_describe (known_codes[i].code);

      g_assert_cmpstr (metered_server_error_to_string (known_codes[i].code), ==, known_codes[i].wire);
      g_assert_cmpint (metered_server_error_from_string (known_codes[i].wire), ==, known_codes[i].code);
      g_assert_nonnull (description);
      g_assert_true (g_hash_table_add (descriptions, (gpointer) description));
    }

  g_assert_null (metered_server_error_to_string (METERED_SERVER_ERROR_UNKNOWN));
  g_assert_null (metered_server_error_to_string ((MeteredServerError) 999));
  g_assert_cmpint (metered_server_error_from_string ("brand_new_code"), ==, METERED_SERVER_ERROR_UNKNOWN);
  g_assert_cmpint (metered_server_error_from_string ("Invalid_Channel"), ==, METERED_SERVER_ERROR_UNKNOWN);
  g_assert_cmpint (metered_server_error_from_string (""), ==, METERED_SERVER_ERROR_UNKNOWN);
  g_assert_cmpint (metered_server_error_from_string (NULL), ==, METERED_SERVER_ERROR_UNKNOWN);
  g_assert_nonnull (metered_server_error_describe (METERED_SERVER_ERROR_UNKNOWN));
  g_assert_nonnull (metered_server_error_describe ((MeteredServerError) 999));
}

static void
test_new_known (void)
{
  g_autoptr(GError) error = metered_server_error_new ("channel_not_authorized", "not authorized: x/y");
  g_autoptr(GError) bare = metered_server_error_new ("peer_not_found", NULL);
  g_autoptr(GError) empty = metered_server_error_new ("peer_not_found", "");

  g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_CHANNEL_NOT_AUTHORIZED);
  g_assert_cmpstr (error->message, ==, "channel_not_authorized: not authorized: x/y");
  g_assert_cmpstr (metered_server_error_get_code (error), ==, "channel_not_authorized");

  g_assert_error (bare, METERED_SERVER_ERROR, METERED_SERVER_ERROR_PEER_NOT_FOUND);
  g_assert_cmpstr (bare->message, ==, "peer_not_found");
  g_assert_cmpstr (empty->message, ==, "peer_not_found");
}

static void
test_new_unknown_keeps_raw_code (void)
{
  g_autoptr(GError) error = metered_server_error_new ("slow_down_please", "try later");
  g_autoptr(GError) copy = NULL;

  g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_UNKNOWN);
  g_assert_cmpstr (error->message, ==, "slow_down_please: try later");
  g_assert_cmpstr (metered_server_error_get_code (error), ==, "slow_down_please");

  /* The raw code survives g_error_copy (bindings and GTask copy errors). */
  copy = g_error_copy (error);
  g_clear_error (&error);
  g_assert_error (copy, METERED_SERVER_ERROR, METERED_SERVER_ERROR_UNKNOWN);
  g_assert_cmpstr (metered_server_error_get_code (copy), ==, "slow_down_please");
}

static void
test_new_sanitizes_utf8 (void)
{
  g_autoptr(GError) error = metered_server_error_new ("odd\xff", "bad \xc3 text");

  g_assert_error (error, METERED_SERVER_ERROR, METERED_SERVER_ERROR_UNKNOWN);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_true (g_utf8_validate (metered_server_error_get_code (error), -1, NULL));
}

static void
test_get_code_other_domains (void)
{
  g_autoptr(GError) client = g_error_new_literal (METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_PROTOCOL, "x");
  g_autoptr(GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  g_autoptr(GError) plain = g_error_new_literal (METERED_SERVER_ERROR,
                                                 METERED_SERVER_ERROR_MISSING_DATA, "x");
  g_autoptr(GError) plain_unknown = g_error_new_literal (METERED_SERVER_ERROR,
                                                         METERED_SERVER_ERROR_UNKNOWN, "x");

  g_assert_null (metered_server_error_get_code (client));
  g_assert_null (metered_server_error_get_code (io));
  /* Errors raised locally in the domain (e.g. by the codec) map canonically. */
  g_assert_cmpstr (metered_server_error_get_code (plain), ==, "missing_data");
  g_assert_null (metered_server_error_get_code (plain_unknown));
}

static void
test_close_reason (void)
{
  g_autoptr(GError) error = metered_close_error_new (METERED_CLOSE_CODE_INVALID_TOKEN,
                                                     "token (kid 7) expired");
  g_autoptr(GError) copy = NULL;

  g_assert_error (error, METERED_CLOSE_ERROR, METERED_CLOSE_CODE_INVALID_TOKEN);
  g_assert_cmpstr (metered_close_error_get_reason (error), ==, "token (kid 7) expired");
  /* The message still says it all, for code that only shows messages. */
  g_assert_nonnull (strstr (error->message, "close code 4001: token (kid 7) expired"));
  g_assert_true (g_str_has_prefix (error->message,
                                   metered_close_code_describe (METERED_CLOSE_CODE_INVALID_TOKEN)));

  copy = g_error_copy (error);
  g_assert_cmpstr (metered_close_error_get_reason (copy), ==, "token (kid 7) expired");
}

static void
test_close_reason_empty (void)
{
  g_autoptr(GError) none = metered_close_error_new (METERED_CLOSE_CODE_ABNORMAL, NULL);
  g_autoptr(GError) empty = metered_close_error_new (4999, "");

  g_assert_cmpstr (metered_close_error_get_reason (none), ==, "");
  g_assert_cmpstr (metered_close_error_get_reason (empty), ==, "");
  g_assert_null (strstr (none->message, ": "));
  g_assert_nonnull (strstr (empty->message, "(close code 4999)"));
}

/* PyGObject hands a GError back to C rebuilt from its domain, code and
 * message, without the private data. */
static void
test_close_reason_rebuilt (void)
{
  g_autoptr(GError) original = metered_close_error_new (METERED_CLOSE_CODE_OVER_MESSAGE_RATE,
                                                        "slow down: 10/s)");
  g_autoptr(GError) rebuilt = g_error_new_literal (original->domain, original->code, original->message);
  g_autoptr(GError) original_empty = metered_close_error_new (METERED_CLOSE_CODE_GOING_AWAY, NULL);
  g_autoptr(GError) rebuilt_empty = g_error_new_literal (original_empty->domain, original_empty->code,
                                                         original_empty->message);
  g_autoptr(GError) foreign = g_error_new_literal (METERED_CLOSE_ERROR, METERED_CLOSE_CODE_ABNORMAL,
                                                   "made elsewhere");
  /* The right shape, but the words of another code. */
  g_autoptr(GError) other_code = g_error_new_literal (METERED_CLOSE_ERROR, METERED_CLOSE_CODE_ABNORMAL,
                                                      original->message);
  g_autoptr(GError) truncated = g_error_new (METERED_CLOSE_ERROR, METERED_CLOSE_CODE_OVER_MESSAGE_RATE,
                                             "%s (close code %d: ",
                                             metered_close_code_describe (METERED_CLOSE_CODE_OVER_MESSAGE_RATE),
                                             METERED_CLOSE_CODE_OVER_MESSAGE_RATE);

  g_assert_cmpstr (metered_close_error_get_reason (rebuilt), ==, "slow down: 10/s)");
  g_assert_cmpstr (metered_close_error_get_reason (rebuilt_empty), ==, "");
  g_assert_null (metered_close_error_get_reason (foreign));
  g_assert_null (metered_close_error_get_reason (other_code));
  g_assert_null (metered_close_error_get_reason (truncated));
}

static void
test_close_reason_other_domains (void)
{
  g_autoptr(GError) server = metered_server_error_new ("backend_error", "connection refused");
  g_autoptr(GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");

  g_assert_null (metered_close_error_get_reason (server));
  g_assert_null (metered_close_error_get_reason (io));
}

static void
test_quarks (void)
{
  /* G_DEFINE_EXTENDED_ERROR names the quark after the enum type, or after
   * the name the enum would have. */
  g_assert_cmpstr (g_quark_to_string (METERED_SERVER_ERROR), ==, "MeteredServerError");
  g_assert_cmpstr (g_quark_to_string (METERED_CLIENT_ERROR), ==, "metered-client-error-quark");
  g_assert_cmpstr (g_quark_to_string (METERED_CLOSE_ERROR), ==, "MeteredCloseError");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/error/server/strings", test_string_mapping);
  g_test_add_func ("/error/server/new-known", test_new_known);
  g_test_add_func ("/error/server/new-unknown", test_new_unknown_keeps_raw_code);
  g_test_add_func ("/error/server/utf8", test_new_sanitizes_utf8);
  g_test_add_func ("/error/server/other-domains", test_get_code_other_domains);
  g_test_add_func ("/error/close/reason", test_close_reason);
  g_test_add_func ("/error/close/reason-empty", test_close_reason_empty);
  g_test_add_func ("/error/close/reason-rebuilt", test_close_reason_rebuilt);
  g_test_add_func ("/error/close/other-domains", test_close_reason_other_domains);
  g_test_add_func ("/error/quarks", test_quarks);

  return g_test_run ();
}
