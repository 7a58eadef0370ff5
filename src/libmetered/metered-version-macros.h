/* metered-version-macros.h: symbol visibility for libmetered
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(METERED_INSIDE) && !defined(METERED_COMPILATION)
# error "Only <metered.h> can be included directly."
#endif

/* The library is built with hidden visibility; only marked symbols are exported. */
#define METERED_AVAILABLE_IN_ALL __attribute__((visibility ("default"))) extern

/* Exported for the project's own binaries (devserver, CLI, inspector, tests)
 * but not part of the public, introspected API: the declaring headers are
 * not installed. */
#define METERED_INTERNAL __attribute__((visibility ("default"))) extern
