/* metered-cli-error.c: the CLI's error domain, whose codes are exit statuses
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include "metered-cli-error.h"

G_DEFINE_QUARK (metered-cli-error-quark, metered_cli_error)

/* Errors from other domains reach the user only after a command gave them
 * a METERED_CLI_ERROR code; anything left over is a plain failure. */
int
metered_cli_exit_for_error (const GError *error)
{
  if (error != NULL && error->domain == METERED_CLI_ERROR && error->code != METERED_CLI_EXIT_OK)
    return error->code;

  return METERED_CLI_EXIT_FAILURE;
}
