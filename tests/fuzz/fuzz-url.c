/* fuzz-url.c: base URL validation, the connect URL and redaction
 *
 * The input is a base URL and a credential separated by the first NUL
 * byte. A base URL that validates obeys every rule of §17; the connect URL
 * built from it carries the credential exactly once, recoverable by a URL
 * parser, and redacting it leaves nothing of the credential. Redaction of
 * arbitrary text keeps everything but the key/token values.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "fuzz-url"

#include <string.h>

#include "metered-error.h"
#include "metered-url.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static gboolean
is_loopback (const char *host)
{
  return g_ascii_strcasecmp (host, "localhost") == 0 ||
         g_str_equal (host, "127.0.0.1") ||
         g_str_equal (host, "::1");
}

static void
check_valid_base (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  for (const char *p = url; *p != '\0'; p++)
    g_assert_true ((guchar) *p > 0x20 && (guchar) *p != 0x7F);

  g_assert_nonnull (uri);
  scheme = g_uri_get_scheme (uri);
  g_assert_true (g_ascii_strcasecmp (scheme, "wss") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0);
  g_assert_nonnull (g_uri_get_host (uri));
  g_assert_cmpstr (g_uri_get_host (uri), !=, "");
  if (g_ascii_strcasecmp (scheme, "ws") == 0)
    g_assert_true (is_loopback (g_uri_get_host (uri)));
  g_assert_null (g_uri_get_userinfo (uri));
  g_assert_null (g_uri_get_query (uri));
  g_assert_null (g_uri_get_fragment (uri));
  g_assert_true (g_str_equal (g_uri_get_path (uri), "") || g_str_equal (g_uri_get_path (uri), "/"));
}

static void
check_validate (const char *url)
{
  g_autoptr(GError) error = NULL;

  if (metered_url_validate_base (url, &error))
    {
      check_valid_base (url);
      return;
    }

  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_URL);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  /* No message has a '?' or '=', so one holding such a URL would quote it. */
  if (strpbrk (url, "?=") != NULL)
    g_assert_null (strstr (error->message, url));
}

static void
check_connect (const char *base,
               const char *param,
               const char *credential)
{
  g_autofree char *url = metered_url_build_connect (base, param, credential);
  g_autofree char *redacted = metered_url_redact (url);
  g_autofree char *expected = NULL;
  g_autoptr(GUri) uri = NULL;
  gsize base_len = strlen (base);

  if (base_len > 0 && base[base_len - 1] == '/')
    base_len--;

  /* The credential is gone, and only the credential. */
  expected = g_strdup_printf ("%.*s/v1?%s=REDACTED", (int) base_len, base, param);
  g_assert_cmpstr (redacted, ==, expected);

  /* A URL parser finds the credential as it was given. */
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/v1");
  g_assert_null (g_uri_get_fragment (uri));

  if (g_utf8_validate (credential, -1, NULL))
    {
      g_autoptr(GHashTable) params = NULL;
      g_autoptr(GError) error = NULL;

      params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_hash_table_size (params), ==, 1);
      g_assert_cmpstr (g_hash_table_lookup (params, param), ==, credential);
    }
}

static gboolean
is_secret_name (const char *name,
                gsize       len)
{
  return (len == 3 && g_ascii_strncasecmp (name, "key", 3) == 0) ||
         (len == 5 && g_ascii_strncasecmp (name, "token", 5) == 0);
}

/* Restates the redaction rule: up to the first '?' and from the first '#'
 * after it nothing changes; in between, the value of every `key`/`token`
 * parameter (split on '&' and ';') is REDACTED and the rest is unchanged. */
static void
check_redact (const char *text)
{
  g_autofree char *redacted = metered_url_redact (text);
  g_autofree char *twice = metered_url_redact (redacted);
  const char *query = strchr (text, '?');
  g_autoptr(GString) expected = NULL;
  const char *end;

  g_assert_nonnull (redacted);
  g_assert_cmpstr (twice, ==, redacted);

  if (query == NULL)
    {
      g_assert_cmpstr (redacted, ==, text);
      return;
    }

  expected = g_string_new_len (text, query - text + 1);
  end = query + 1 + strcspn (query + 1, "#");

  for (const char *p = query + 1; p < end;)
    {
      const char *stop = p;
      const char *equals;

      while (stop < end && *stop != '&' && *stop != ';')
        stop++;
      equals = memchr (p, '=', (gsize) (stop - p));

      if (equals != NULL && is_secret_name (p, (gsize) (equals - p)))
        {
          g_string_append_len (expected, p, equals - p + 1);
          g_string_append (expected, "REDACTED");
        }
      else
        {
          g_string_append_len (expected, p, stop - p);
        }

      if (stop < end)
        g_string_append_c (expected, *stop++);
      p = stop;
    }

  g_string_append (expected, end);
  g_assert_cmpstr (redacted, ==, expected->str);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *input = fuzz_dup_input (data, size);
  gsize first_len = strlen (input);
  const char *base = input;
  const char *credential = first_len < size ? input + first_len + 1 : "";

  check_validate (base);
  check_redact (base);
  check_redact (credential);

  if (!metered_url_validate_base (base, NULL))
    base = METERED_DEFAULT_URL;
  check_connect (base, "key", credential);
  check_connect (base, "token", credential);

  return 0;
}
