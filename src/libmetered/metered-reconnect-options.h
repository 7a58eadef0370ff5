/* metered-reconnect-options.h: reconnect backoff knobs (protocol §13, §17)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

#include <glib-object.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

#define METERED_TYPE_RECONNECT_OPTIONS (metered_reconnect_options_get_type ())

/**
 * MeteredReconnectOptions:
 * @initial_delay: seconds before the first retry (default 0.5)
 * @multiplier: growth factor per attempt (default 2)
 * @max_delay: cap on the base delay, in seconds (default 30)
 * @jitter_ratio: uniform jitter, as a fraction of the base delay (default 0.2)
 * @max_attempts: consecutive failed attempts before giving up (default 100;
 *   `INFINITY` retries forever)
 *
 * Backoff settings. Validated by metered_reconnect_options_validate(): the
 * initial delay must be finite and greater than 0, the multiplier finite and
 * at least 1, the maximum delay finite and at least the initial delay, the
 * jitter ratio within [0, 1], and the attempt count a positive whole number
 * or infinity.
 */
typedef struct {
  double initial_delay;
  double multiplier;
  double max_delay;
  double jitter_ratio;
  double max_attempts;
} MeteredReconnectOptions;

METERED_AVAILABLE_IN_ALL
GType                    metered_reconnect_options_get_type (void) G_GNUC_CONST;
METERED_AVAILABLE_IN_ALL
MeteredReconnectOptions *metered_reconnect_options_new      (void);
METERED_AVAILABLE_IN_ALL
MeteredReconnectOptions *metered_reconnect_options_copy     (const MeteredReconnectOptions *self);
METERED_AVAILABLE_IN_ALL
void                     metered_reconnect_options_free     (MeteredReconnectOptions       *self);
METERED_AVAILABLE_IN_ALL
gboolean                 metered_reconnect_options_validate (const MeteredReconnectOptions *self,
                                                             GError                       **error);
METERED_AVAILABLE_IN_ALL
double                   metered_reconnect_options_get_delay (const MeteredReconnectOptions *self,
                                                              guint                          attempt,
                                                              double                         floor,
                                                              double                         random_unit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MeteredReconnectOptions, metered_reconnect_options_free)

G_END_DECLS
