/* metered-cli-error.h: the CLI's error domain, whose codes are exit statuses
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The codes are the process exit statuses documented in `metered --help`
 * and metered(1), so any failure turns into its exit status directly. */
typedef enum {
  METERED_CLI_EXIT_OK = 0,
  METERED_CLI_EXIT_FAILURE = 1,   /* lost connection, timeout, interrupted, I/O */
  METERED_CLI_EXIT_USAGE = 2,     /* bad arguments or input; nothing was sent */
  METERED_CLI_EXIT_CONNECT = 3,   /* could not connect, or closed for good by the server */
  METERED_CLI_EXIT_REQUEST = 4,   /* the server refused a request (error frame) */
} MeteredCliExit;

#define METERED_CLI_ERROR (metered_cli_error_quark ())

GQuark metered_cli_error_quark     (void);
int    metered_cli_exit_for_error  (const GError *error);

G_END_DECLS
