/* inspector-error.c: errors the inspector raises itself
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-error"

#include "inspector-error.h"

G_DEFINE_QUARK (inspector-error-quark, inspector_error)
