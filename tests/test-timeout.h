/* test-timeout.h: the factor that stretches test deadlines
 *
 * Shared by the test helper libraries of every suite, which cannot link
 * each other.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* $METERED_TEST_TIMEOUT_SCALE, a number from 1 to 1000 (default 1), for
 * slow runs such as valgrind; read once. Anything else is reported on
 * stderr and taken as 1. */
double test_timeout_scale (void);

G_END_DECLS
