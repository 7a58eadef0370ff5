/* test-url.c: base URL rules, connect URL and redaction
 *
 * SPDX-License-Identifier: MIT
 */

#include <string.h>

#include "metered-error.h"
#include "metered-url.h"

static void
test_accepted (void)
{
  const char * const accepted[] = {
    METERED_DEFAULT_URL,
    "wss://rms.metered.ca/",
    "wss://rms.metered.ca:443",
    "wss://example.org:8443/",
    "WSS://rms.metered.ca",
    "wss://127.0.0.1:8787",
    "wss://[2001:db8::1]:443",
    "ws://localhost",
    "ws://localhost:8787",
    "ws://LOCALHOST:8787/",
    "ws://127.0.0.1:8787",
    "ws://127.0.0.1",
    "ws://[::1]:8787",
    "ws://[::1]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!metered_url_validate_base (accepted[i], &error))
        g_error ("%s refused: %s", accepted[i], error->message);
    }
}

static void
test_refused (void)
{
  const struct {
    const char *url;
    const char *reason;   /* a word the message must contain */
  } refused[] = {
    { "", "parsed" },
    { "rms.metered.ca", "parsed" },
    { "/relative", "parsed" },
    { "wss://", "host" },
    { "https://rms.metered.ca", "scheme" },
    { "http://localhost", "scheme" },
    { "ftp://localhost", "scheme" },
    { "ws://rms.metered.ca", "localhost" },
    { "ws://127.0.0.2:8787", "localhost" },
    { "ws://[::2]:8787", "localhost" },
    { "ws://localhost.evil.example", "localhost" },
    { "ws://0.0.0.0:8787", "localhost" },
    { "wss://user@rms.metered.ca", "user" },
    { "wss://user:secretpw@rms.metered.ca", "user" },
    { "wss://rms.metered.ca?key=pk_live_x", "query" },
    { "wss://rms.metered.ca/?", "query" },
    { "wss://rms.metered.ca#frag", "fragment" },
    { "wss://rms.metered.ca/#", "fragment" },
    { "wss://rms.metered.ca/v1", "path" },
    { "wss://rms.metered.ca//", "path" },
    { "ws://localhost:8787/v1", "path" },
    { "wss://rms.metered.ca/ spaces", "spaces" },
    { "wss://exa mple.com", "spaces" },
    { " wss://rms.metered.ca", "spaces" },
    { "wss://rms.metered.ca\n", "control" },
    { "ws://localhost:99999", "parsed" },
    { "wss://host:abc", "parsed" },
    { "ws://127.0.0.1.:8787", "localhost" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      if (metered_url_validate_base (refused[i].url, &error))
        g_error ("%s accepted", refused[i].url);
      g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_URL);
      if (strstr (error->message, refused[i].reason) == NULL)
        g_error ("%s: message '%s' lacks '%s'", refused[i].url, error->message, refused[i].reason);
      /* URLs may carry secrets: the message never quotes them. */
      if (refused[i].url[0] != '\0')
        g_assert_null (strstr (error->message, refused[i].url));
      g_assert_null (strstr (error->message, "secretpw"));
      g_assert_null (strstr (error->message, "pk_live_x"));
    }
}

static void
test_build_connect (void)
{
  g_autofree char *key = metered_url_build_connect ("wss://rms.metered.ca", "key", "pk_live_abc123");
  g_autofree char *slash = metered_url_build_connect ("wss://rms.metered.ca/", "key", "pk_live_abc123");
  g_autofree char *token = metered_url_build_connect ("ws://[::1]:8787", "token", "aaa.bbb-_.c~c");
  g_autofree char *encoded = metered_url_build_connect ("ws://localhost:1", "token",
                                                        "a+b/c=d&e?f#g h%\xc3\xa9");

  g_assert_cmpstr (key, ==, "wss://rms.metered.ca/v1?key=pk_live_abc123");
  g_assert_cmpstr (slash, ==, "wss://rms.metered.ca/v1?key=pk_live_abc123");
  g_assert_cmpstr (token, ==, "ws://[::1]:8787/v1?token=aaa.bbb-_.c~c");
  g_assert_cmpstr (encoded, ==, "ws://localhost:1/v1?token=a%2Bb%2Fc%3Dd%26e%3Ff%23g%20h%25%C3%A9");
}

static void
test_redact (void)
{
  const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "wss://rms.metered.ca/v1?key=pk_live_abc", "wss://rms.metered.ca/v1?key=REDACTED" },
    { "ws://[::1]:8787/v1?token=aaa.bbb.ccc", "ws://[::1]:8787/v1?token=REDACTED" },
    { "wss://h/v1?a=1&token=xyz&b=2", "wss://h/v1?a=1&token=REDACTED&b=2" },
    { "wss://h/v1?key=k1&key=k2", "wss://h/v1?key=REDACTED&key=REDACTED" },
    { "wss://h/v1?token=abc#frag", "wss://h/v1?token=REDACTED#frag" },
    { "wss://h/v1?Token=abc", "wss://h/v1?Token=REDACTED" },
    { "wss://h/v1?token=", "wss://h/v1?token=REDACTED" },
    { "wss://h/v1?monkey=banana&tokens=x", "wss://h/v1?monkey=banana&tokens=x" },
    { "wss://h/v1?token", "wss://h/v1?token" },
    { "wss://h/v1", "wss://h/v1" },
    { "wss://h/v1?", "wss://h/v1?" },
    { "?key=a", "?key=REDACTED" },
    { "&&?&=&key=s&&", "&&?&=&key=REDACTED&&" },
    { "", "" },
    { "not a url key=abc", "not a url key=abc" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *redacted = metered_url_redact (cases[i].in);

      g_assert_cmpstr (redacted, ==, cases[i].out);
    }

  g_assert_null (metered_url_redact (NULL));
}

static void
test_redact_round_trip (void)
{
  g_autofree char *url = metered_url_build_connect ("wss://rms.metered.ca", "token", "s3cr3t.t0k3n.sig");
  g_autofree char *redacted = metered_url_redact (url);

  g_assert_null (strstr (redacted, "s3cr3t"));
  g_assert_cmpstr (redacted, ==, "wss://rms.metered.ca/v1?token=REDACTED");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/url/base/accepted", test_accepted);
  g_test_add_func ("/url/base/refused", test_refused);
  g_test_add_func ("/url/connect", test_build_connect);
  g_test_add_func ("/url/redact", test_redact);
  g_test_add_func ("/url/redact-connect", test_redact_round_trip);

  return g_test_run ();
}
