/* test-close-code.c: close code names, descriptions and reconnect policy
 *
 * SPDX-License-Identifier: MIT
 */

#include "metered-close-code.h"

typedef struct {
  int                     code;
  const char             *name;
  MeteredReconnectPolicy  policy;
  double                  floor;
} CloseCase;

static const CloseCase cases[] = {
  { 1000, "normal", METERED_RECONNECT_POLICY_BACKOFF, 0 },
  { 1001, "going-away", METERED_RECONNECT_POLICY_BACKOFF, 0 },
  { 1006, "abnormal", METERED_RECONNECT_POLICY_BACKOFF, 0 },
  { 1008, "policy-violation", METERED_RECONNECT_POLICY_BACKOFF, 0 },
  { 1009, "message-too-big", METERED_RECONNECT_POLICY_BACKOFF, 0 },
  { 4000, "client-inactivity", METERED_RECONNECT_POLICY_BACKOFF, 0 },
  { 4001, "invalid-token", METERED_RECONNECT_POLICY_TERMINAL, 0 },
  { 4002, "token-expired", METERED_RECONNECT_POLICY_BACKOFF, 0 },
  { 4003, "channel-not-authorized", METERED_RECONNECT_POLICY_TERMINAL, 0 },
  { 4010, "over-concurrent-limit", METERED_RECONNECT_POLICY_SLOW, 30.0 },
  { 4011, "over-message-rate", METERED_RECONNECT_POLICY_BACKOFF, 0 },
  { 4012, "account-suspended", METERED_RECONNECT_POLICY_TERMINAL, 0 },
  { 4020, "admin-disconnect", METERED_RECONNECT_POLICY_TERMINAL, 0 },
};

static void
test_known_codes (void)
{
  g_autoptr(GHashTable) descriptions = g_hash_table_new (g_str_hash, g_str_equal);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *description = metered_close_code_describe (cases[i].code);

      g_assert_cmpstr (metered_close_code_get_name (cases[i].code), ==, cases[i].name);
      g_assert_cmpint (metered_close_code_get_reconnect_policy (cases[i].code), ==, cases[i].policy);
      g_assert_cmpfloat (metered_close_code_get_backoff_floor (cases[i].code), ==, cases[i].floor);

      g_assert_nonnull (description);
      g_assert_cmpstr (description, !=, "Unknown close code");
      /* Each code has its own text. */
      g_assert_true (g_hash_table_add (descriptions, (gpointer) description));
    }
}

static void
test_unknown_codes (void)
{
  const int unknown[] = { 0, -1, 999, 1002, 1011, 3000, 4004, 4999, 65535 };

  for (gsize i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_assert_null (metered_close_code_get_name (unknown[i]));
      g_assert_cmpstr (metered_close_code_describe (unknown[i]), ==, "Unknown close code");
      g_assert_cmpint (metered_close_code_get_reconnect_policy (unknown[i]), ==,
                       METERED_RECONNECT_POLICY_BACKOFF);
      g_assert_cmpfloat (metered_close_code_get_backoff_floor (unknown[i]), ==, 0.0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/close-code/known", test_known_codes);
  g_test_add_func ("/close-code/unknown", test_unknown_codes);

  return g_test_run ();
}
