/* metered-cli-devserver.c: `metered devserver …`, the local server in-process
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include "metered-cli-command.h"
#include "metered-dev-main.h"

/* The devserver's own option parser reads the rest of the command line,
 * so `metered devserver --port 0` means what `metered-devserver --port 0`
 * means; its usage line reads "metered devserver [OPTION…]". */
int
metered_cli_devserver (MeteredCliOptions *options,
                       int                argc,
                       char             **argv)
{
  g_set_prgname ("metered devserver");

  return metered_dev_main ("metered devserver", argc, argv);
}
