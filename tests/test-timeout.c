/* test-timeout.c: the factor that stretches test deadlines
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-test"

#include "test-timeout.h"

/* Digits with an optional fraction, nothing else: no sign, no spaces, no
 * exponent, no hex. */
static gboolean
is_plain_number (const char *text)
{
  const char *p = text;

  while (g_ascii_isdigit (*p))
    p++;
  if (p == text)
    return FALSE;
  if (*p == '.')
    {
      const char *fraction = ++p;

      while (g_ascii_isdigit (*p))
        p++;
      if (p == fraction)
        return FALSE;
    }

  return *p == '\0';
}

double
test_timeout_scale (void)
{
  static double scale = 0;

  if (scale == 0)
    {
      const char *text = g_getenv ("METERED_TEST_TIMEOUT_SCALE");
      double value = text != NULL && is_plain_number (text) ? g_ascii_strtod (text, NULL) : 0;

      scale = 1;
      if (value >= 1 && value <= 1000)
        scale = value;
      else if (text != NULL)
        /* Not g_warning(): g_test_init() makes warnings fatal. */
        g_printerr ("warning: METERED_TEST_TIMEOUT_SCALE=\"%s\" is not a number from 1 to 1000; using 1\n",
                    text);
    }

  return scale;
}
