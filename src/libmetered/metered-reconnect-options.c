/* metered-reconnect-options.c: reconnect backoff knobs (protocol §13, §17)
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-reconnect-options"

#include <math.h>

#include "metered-error.h"
#include "metered-reconnect-options.h"

G_DEFINE_BOXED_TYPE (MeteredReconnectOptions, metered_reconnect_options,
                     metered_reconnect_options_copy, metered_reconnect_options_free)

/**
 * metered_reconnect_options_new:
 *
 * Creates options with the SDKs' defaults: 0.5 s initial delay, ×2 per
 * attempt, at most 30 s, ±20 % jitter, 100 attempts.
 *
 * Returns: (transfer full): new options
 */
MeteredReconnectOptions *
metered_reconnect_options_new (void)
{
  MeteredReconnectOptions *self = g_new0 (MeteredReconnectOptions, 1);

  self->initial_delay = 0.5;
  self->multiplier = 2.0;
  self->max_delay = 30.0;
  self->jitter_ratio = 0.2;
  self->max_attempts = 100.0;

  return self;
}

/**
 * metered_reconnect_options_copy:
 * @self: options
 *
 * Copies the options, so a caller can adjust a copy of shared settings.
 *
 * Returns: (transfer full): a copy of @self
 */
MeteredReconnectOptions *
metered_reconnect_options_copy (const MeteredReconnectOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

/**
 * metered_reconnect_options_free:
 * @self: (nullable): options
 *
 * Frees @self.
 */
void
metered_reconnect_options_free (MeteredReconnectOptions *self)
{
  g_free (self);
}

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

/**
 * metered_reconnect_options_validate:
 * @self: options
 * @error: return location for a #GError
 *
 * Checks the knobs as documented on #MeteredReconnectOptions, refusing
 * values that would make a zero-delay reconnect loop. The
 * %METERED_CLIENT_ERROR_INVALID_ARGUMENT error names the offending knob.
 *
 * Returns: %TRUE if @self is usable
 */
gboolean
metered_reconnect_options_validate (const MeteredReconnectOptions  *self,
                                    GError                        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  /* Each test is written so that NaN fails it. */
  if (!(isfinite (self->initial_delay) && self->initial_delay > 0))
    return invalid (error, "initial_delay must be a finite number greater than 0");
  if (!(isfinite (self->multiplier) && self->multiplier >= 1))
    return invalid (error, "multiplier must be a finite number of at least 1");
  if (!(isfinite (self->max_delay) && self->max_delay >= self->initial_delay))
    return invalid (error, "max_delay must be a finite number of at least initial_delay");
  if (!(self->jitter_ratio >= 0 && self->jitter_ratio <= 1))
    return invalid (error, "jitter_ratio must be between 0 and 1");
  if (!((isinf (self->max_attempts) && self->max_attempts > 0) ||
        (isfinite (self->max_attempts) && self->max_attempts >= 1 &&
         floor (self->max_attempts) == self->max_attempts)))
    return invalid (error, "max_attempts must be a positive whole number or infinity");

  return TRUE;
}

/**
 * metered_reconnect_options_get_delay:
 * @self: validated options
 * @attempt: the attempt number, counting from 1
 * @floor: the least base delay in seconds (see
 *   metered_close_code_get_backoff_floor())
 * @random_unit: a uniform random number in [0, 1)
 *
 * Computes the delay before reconnect attempt @attempt:
 * `min (initial_delay × multiplier^(attempt − 1), max_delay)`, raised to
 * @floor, plus uniform jitter of ±`jitter_ratio` of that base. The random
 * number is a parameter so callers (and tests) control the source.
 *
 * Returns: the delay in seconds, never negative
 */
double
metered_reconnect_options_get_delay (const MeteredReconnectOptions *self,
                                     guint                          attempt,
                                     double                         floor,
                                     double                         random_unit)
{
  double base;
  double delay;

  g_return_val_if_fail (self != NULL, 0.0);

  if (attempt < 1)
    attempt = 1;
  if (!(random_unit >= 0))
    random_unit = 0;
  if (random_unit > 1)
    random_unit = 1;

  /* pow() overflows to +inf for large attempts, which the cap absorbs. */
  base = self->initial_delay * pow (self->multiplier, (double) (attempt - 1));
  if (!(base <= self->max_delay))
    base = self->max_delay;
  if (floor > base)
    base = floor;

  delay = base + (2.0 * random_unit - 1.0) * self->jitter_ratio * base;

  return delay > 0 ? delay : 0.0;
}
