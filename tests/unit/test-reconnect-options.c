/* test-reconnect-options.c: backoff knob validation and delays
 *
 * SPDX-License-Identifier: MIT
 */

#include <math.h>
#include <string.h>

#include "metered-error.h"
#include "metered-reconnect-options.h"

static void
test_defaults (void)
{
  g_autoptr(MeteredReconnectOptions) options = metered_reconnect_options_new ();
  g_autoptr(MeteredReconnectOptions) copy = NULL;

  g_assert_cmpfloat (options->initial_delay, ==, 0.5);
  g_assert_cmpfloat (options->multiplier, ==, 2.0);
  g_assert_cmpfloat (options->max_delay, ==, 30.0);
  g_assert_cmpfloat (options->jitter_ratio, ==, 0.2);
  g_assert_cmpfloat (options->max_attempts, ==, 100.0);
  g_assert_true (metered_reconnect_options_validate (options, NULL));

  options->max_delay = 60.0;
  copy = metered_reconnect_options_copy (options);
  g_assert_true (copy != options);
  g_assert_cmpmem (copy, sizeof *copy, options, sizeof *options);

  g_assert_true (G_TYPE_IS_BOXED (METERED_TYPE_RECONNECT_OPTIONS));
}

typedef enum {
  KNOB_INITIAL_DELAY,
  KNOB_MULTIPLIER,
  KNOB_MAX_DELAY,
  KNOB_JITTER_RATIO,
  KNOB_MAX_ATTEMPTS,
} Knob;

static const char * const knob_names[] = {
  "initial_delay", "multiplier", "max_delay", "jitter_ratio", "max_attempts",
};

static void
check_knob (Knob     knob,
            double   value,
            gboolean valid)
{
  g_autoptr(MeteredReconnectOptions) options = metered_reconnect_options_new ();
  g_autoptr(GError) error = NULL;
  double *field = NULL;

  switch (knob)
    {
    case KNOB_INITIAL_DELAY: field = &options->initial_delay; break;
    case KNOB_MULTIPLIER: field = &options->multiplier; break;
    case KNOB_MAX_DELAY: field = &options->max_delay; break;
    case KNOB_JITTER_RATIO: field = &options->jitter_ratio; break;
    case KNOB_MAX_ATTEMPTS: field = &options->max_attempts; break;
    default: g_assert_not_reached ();
    }
  *field = value;

  if (metered_reconnect_options_validate (options, &error) != valid)
    g_error ("%s = %g: expected %s", knob_names[knob], value, valid ? "valid" : "invalid");

  if (!valid)
    {
      g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, knob_names[knob]));
    }
}

static void
test_validate_boundaries (void)
{
  /* initial_delay: finite, > 0 (and ≤ max_delay = 30). */
  check_knob (KNOB_INITIAL_DELAY, 0.0, FALSE);
  check_knob (KNOB_INITIAL_DELAY, -0.0, FALSE);
  check_knob (KNOB_INITIAL_DELAY, -1.0, FALSE);
  check_knob (KNOB_INITIAL_DELAY, 1e-9, TRUE);
  check_knob (KNOB_INITIAL_DELAY, 30.0, TRUE);
  check_knob (KNOB_INITIAL_DELAY, NAN, FALSE);
  check_knob (KNOB_INITIAL_DELAY, INFINITY, FALSE);

  /* multiplier: finite, ≥ 1. */
  check_knob (KNOB_MULTIPLIER, 1.0, TRUE);
  check_knob (KNOB_MULTIPLIER, nextafter (1.0, 0.0), FALSE);
  check_knob (KNOB_MULTIPLIER, 0.0, FALSE);
  check_knob (KNOB_MULTIPLIER, 1e6, TRUE);
  check_knob (KNOB_MULTIPLIER, NAN, FALSE);
  check_knob (KNOB_MULTIPLIER, INFINITY, FALSE);

  /* max_delay: finite, ≥ initial_delay (0.5). */
  check_knob (KNOB_MAX_DELAY, 0.5, TRUE);
  check_knob (KNOB_MAX_DELAY, nextafter (0.5, 0.0), FALSE);
  check_knob (KNOB_MAX_DELAY, 0.0, FALSE);
  check_knob (KNOB_MAX_DELAY, 1e9, TRUE);
  check_knob (KNOB_MAX_DELAY, NAN, FALSE);
  check_knob (KNOB_MAX_DELAY, INFINITY, FALSE);

  /* jitter_ratio: [0, 1]. */
  check_knob (KNOB_JITTER_RATIO, 0.0, TRUE);
  check_knob (KNOB_JITTER_RATIO, 1.0, TRUE);
  check_knob (KNOB_JITTER_RATIO, nextafter (0.0, -1.0), FALSE);
  check_knob (KNOB_JITTER_RATIO, nextafter (1.0, 2.0), FALSE);
  check_knob (KNOB_JITTER_RATIO, NAN, FALSE);
  check_knob (KNOB_JITTER_RATIO, INFINITY, FALSE);

  /* max_attempts: positive whole number or +infinity. */
  check_knob (KNOB_MAX_ATTEMPTS, 1.0, TRUE);
  check_knob (KNOB_MAX_ATTEMPTS, 1e15, TRUE);
  check_knob (KNOB_MAX_ATTEMPTS, INFINITY, TRUE);
  check_knob (KNOB_MAX_ATTEMPTS, 0.0, FALSE);
  check_knob (KNOB_MAX_ATTEMPTS, -1.0, FALSE);
  check_knob (KNOB_MAX_ATTEMPTS, 1.5, FALSE);
  check_knob (KNOB_MAX_ATTEMPTS, 0.5, FALSE);
  check_knob (KNOB_MAX_ATTEMPTS, -INFINITY, FALSE);
  check_knob (KNOB_MAX_ATTEMPTS, NAN, FALSE);
}

static void
test_delay_sequence (void)
{
  g_autoptr(MeteredReconnectOptions) options = metered_reconnect_options_new ();
  const double expected[] = { 0.5, 1, 2, 4, 8, 16, 30, 30, 30 };

  /* random_unit 0.5 is the centre of the jitter band: no jitter. */
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpfloat_with_epsilon (metered_reconnect_options_get_delay (options, i + 1, 0, 0.5),
                                    expected[i], 1e-12);

  /* Huge attempts neither overflow nor turn NaN. */
  g_assert_cmpfloat (metered_reconnect_options_get_delay (options, 1025, 0, 0.5), ==, 30.0);
  g_assert_cmpfloat (metered_reconnect_options_get_delay (options, G_MAXUINT, 0, 0.5), ==, 30.0);

  /* Jitter band edges: ±20 %. */
  g_assert_cmpfloat_with_epsilon (metered_reconnect_options_get_delay (options, 1, 0, 0.0), 0.4, 1e-12);
  g_assert_cmpfloat_with_epsilon (metered_reconnect_options_get_delay (options, 7, 0, 0.0), 24.0, 1e-12);

  /* A multiplier of 1 is a constant delay. */
  options->multiplier = 1;
  g_assert_cmpfloat (metered_reconnect_options_get_delay (options, 50, 0, 0.5), ==, 0.5);
}

static void
test_delay_floor (void)
{
  g_autoptr(MeteredReconnectOptions) options = metered_reconnect_options_new ();

  /* The floor raises the base before jitter (4010 forces ≥ 30 s). */
  g_assert_cmpfloat (metered_reconnect_options_get_delay (options, 1, 30.0, 0.5), ==, 30.0);
  g_assert_cmpfloat_with_epsilon (metered_reconnect_options_get_delay (options, 1, 30.0, 0.0), 24.0, 1e-12);
  /* A floor under the base changes nothing. */
  g_assert_cmpfloat (metered_reconnect_options_get_delay (options, 3, 1.0, 0.5), ==, 2.0);
  /* The floor may exceed max_delay. */
  options->max_delay = 10;
  g_assert_cmpfloat (metered_reconnect_options_get_delay (options, 20, 30.0, 0.5), ==, 30.0);
}

static void
test_delay_jitter_bounds (void)
{
  g_autoptr(MeteredReconnectOptions) options = metered_reconnect_options_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  double low = G_MAXDOUBLE;
  double high = 0;

  for (guint attempt = 1; attempt <= 12; attempt++)
    {
      double base = MIN (0.5 * pow (2, attempt - 1), 30.0);

      for (guint i = 0; i < 2000; i++)
        {
          double delay = metered_reconnect_options_get_delay (options, attempt, 0, g_rand_double (rand));

          g_assert_cmpfloat (delay, >=, base * 0.8 - 1e-12);
          g_assert_cmpfloat (delay, <, base * 1.2 + 1e-12);
          if (attempt == 1)
            {
              low = MIN (low, delay);
              high = MAX (high, delay);
            }
        }
    }

  /* The draws cover the band, not one point of it. */
  g_assert_cmpfloat (low, <, 0.41);
  g_assert_cmpfloat (high, >, 0.59);

  /* Full jitter may reach 0 but never goes below. */
  options->jitter_ratio = 1.0;
  g_assert_cmpfloat (metered_reconnect_options_get_delay (options, 3, 0, 0.0), ==, 0.0);
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpfloat (metered_reconnect_options_get_delay (options, 3, 0, g_rand_double (rand)), >=, 0.0);

  /* Out-of-range random input is clamped, not trusted. */
  options->jitter_ratio = 0.2;
  g_assert_cmpfloat_with_epsilon (metered_reconnect_options_get_delay (options, 1, 0, -5), 0.4, 1e-12);
  g_assert_cmpfloat_with_epsilon (metered_reconnect_options_get_delay (options, 1, 0, 7), 0.6, 1e-12);
  g_assert_cmpfloat_with_epsilon (metered_reconnect_options_get_delay (options, 1, 0, NAN), 0.4, 1e-12);
  /* Attempt 0 is read as the first attempt. */
  g_assert_cmpfloat (metered_reconnect_options_get_delay (options, 0, 0, 0.5), ==, 0.5);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reconnect-options/defaults", test_defaults);
  g_test_add_func ("/reconnect-options/validate", test_validate_boundaries);
  g_test_add_func ("/reconnect-options/delay/sequence", test_delay_sequence);
  g_test_add_func ("/reconnect-options/delay/floor", test_delay_floor);
  g_test_add_func ("/reconnect-options/delay/jitter", test_delay_jitter_bounds);

  return g_test_run ();
}
