/* main.c: the metered-devserver binary
 *
 * The program itself is metered_dev_main(), shared with `metered devserver`.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-devserver"

#include <locale.h>

#include "metered-dev-main.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  return metered_dev_main ("metered-devserver", argc, argv);
}
