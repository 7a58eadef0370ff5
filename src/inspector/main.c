/* main.c: metered-inspector
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-inspector"

#include <locale.h>

#include <glib/gi18n.h>

#include "inspector-config.h"

#include "inspector-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(InspectorApplication) application = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  application = inspector_application_new (G_APPLICATION_DEFAULT_FLAGS);

  return g_application_run (G_APPLICATION (application), argc, argv);
}
