/* localedir-shim.c: LD_PRELOAD module for the install test
 *
 * metered-inspector binds its text domain to the localedir it was
 * configured with, an absolute path under the prefix. The install test
 * installs into a DESTDIR instead, so it preloads this module: it puts
 * $METERED_TEST_DESTDIR in front of the directory the program binds,
 * exactly as if the DESTDIR were the root. A program that bound the wrong
 * directory, or none, stays untranslated and the test fails.
 *
 * SPDX-License-Identifier: MIT
 */

#define _GNU_SOURCE

#include <dlfcn.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef char *(*BindTextDomainFunc) (const char *domainname,
                                     const char *dirname);

char *
bindtextdomain (const char *domainname,
                const char *dirname)
{
  static char redirected[4096];
  BindTextDomainFunc real_bindtextdomain;
  const char *destdir = getenv ("METERED_TEST_DESTDIR");
  const char *domain = getenv ("METERED_TEST_TEXTDOMAIN");

  real_bindtextdomain = (BindTextDomainFunc) dlsym (RTLD_NEXT, "bindtextdomain");

  /* Only the app's own domain: GLib and GTK keep their system catalogs. */
  if (destdir != NULL && domain != NULL && domainname != NULL && strcmp (domainname, domain) == 0 &&
      dirname != NULL && dirname[0] == '/' &&
      snprintf (redirected, sizeof redirected, "%s%s", destdir, dirname) < (int) sizeof redirected)
    dirname = redirected;

  return real_bindtextdomain (domainname, dirname);
}
