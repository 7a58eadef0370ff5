/* metered-dev-main.h: the metered-devserver program, callable in-process
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses the devserver's options from @argv (argv[0] is the program
 * name), runs the server until SIGINT or SIGTERM, and returns the exit
 * status. @prgname prefixes error messages. */
int metered_dev_main (const char  *prgname,
                      int          argc,
                      char       **argv);

G_END_DECLS
