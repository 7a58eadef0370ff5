/* metered-url.c: base URL validation and the connect URL (protocol §1, §17)
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-url"

#include <string.h>

#include "metered-error.h"
#include "metered-url.h"

static gboolean
is_loopback_host (const char *host)
{
  return g_ascii_strcasecmp (host, "localhost") == 0 ||
         g_str_equal (host, "127.0.0.1") ||
         g_str_equal (host, "::1");
}

static gboolean
fail (GError     **error,
      const char  *problem)
{
  g_set_error_literal (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_URL, problem);
  return FALSE;
}

/**
 * metered_url_validate_base:
 * @url: a base URL such as `wss://rms.metered.ca`
 * @error: return location for a #GError
 *
 * Checks a base URL the way the official SDKs do: the scheme is `wss`, or
 * `ws` for a loopback host only (`localhost`, `127.0.0.1` or `::1`); there
 * is a host, and no user information, query, fragment or path other than
 * `/`, and no spaces or control characters. The
 * %METERED_CLIENT_ERROR_INVALID_URL error names the rule that
 * failed but never quotes the URL, which may carry secrets.
 *
 * Returns: %TRUE if @url may be used as a base URL
 */
gboolean
metered_url_validate_base (const char  *url,
                           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;
  const char *path;

  g_return_val_if_fail (url != NULL, FALSE);

  /* GUri lets spaces through (even in the host); no valid base URL has any. */
  for (const char *p = url; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || (guchar) *p == 0x7F)
        return fail (error, "The URL contains spaces or control characters");
    }

  /* GUri's own error messages quote the input. */
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return fail (error, "The URL could not be parsed as an absolute URL");

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  path = g_uri_get_path (uri);

  if (g_ascii_strcasecmp (scheme, "wss") != 0 && g_ascii_strcasecmp (scheme, "ws") != 0)
    return fail (error, "The URL scheme must be wss:// (or ws:// for localhost)");
  if (host == NULL || host[0] == '\0')
    return fail (error, "The URL has no host");
  if (g_ascii_strcasecmp (scheme, "ws") == 0 && !is_loopback_host (host))
    return fail (error, "Unencrypted ws:// is only allowed for localhost, 127.0.0.1 or ::1");
  if (g_uri_get_userinfo (uri) != NULL)
    return fail (error, "The URL must not contain user information");
  if (g_uri_get_query (uri) != NULL)
    return fail (error, "The URL must not contain a query");
  if (g_uri_get_fragment (uri) != NULL)
    return fail (error, "The URL must not contain a fragment");
  if (path[0] != '\0' && !g_str_equal (path, "/"))
    return fail (error, "The URL must not contain a path");

  return TRUE;
}

/**
 * metered_url_build_connect:
 * @base_url: a base URL accepted by metered_url_validate_base()
 * @credential_param: `"key"` or `"token"`
 * @credential: the publishable key or the token
 *
 * Builds the WebSocket URL to connect to: the base URL followed by
 * `/v1?<param>=<credential>`, the credential percent-encoded. The result
 * holds a secret: log it only through metered_url_redact().
 *
 * Returns: (transfer full): the connect URL
 */
char *
metered_url_build_connect (const char *base_url,
                           const char *credential_param,
                           const char *credential)
{
  g_autofree char *escaped = NULL;
  gsize base_len;

  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (g_strcmp0 (credential_param, "key") == 0 ||
                        g_strcmp0 (credential_param, "token") == 0, NULL);
  g_return_val_if_fail (credential != NULL, NULL);

  base_len = strlen (base_url);
  if (base_len > 0 && base_url[base_len - 1] == '/')
    base_len--;

  /* Only unreserved characters stay as they are. */
  escaped = g_uri_escape_string (credential, NULL, FALSE);

  return g_strdup_printf ("%.*s/v1?%s=%s", (int) base_len, base_url, credential_param, escaped);
}

static gboolean
is_secret_param (const char *name,
                 gsize       len)
{
  return (len == 3 && g_ascii_strncasecmp (name, "key", 3) == 0) ||
         (len == 5 && g_ascii_strncasecmp (name, "token", 5) == 0);
}

/**
 * metered_url_redact:
 * @url: (nullable): a URL, possibly malformed
 *
 * Replaces the values of `key=` and `token=` query parameters with
 * `REDACTED`, so that a URL can be logged or shown. Works on the text
 * alone: input that is not a valid URL is handled the same way.
 *
 * Returns: (transfer full) (nullable): the redacted URL, %NULL if @url is
 *   %NULL
 */
char *
metered_url_redact (const char *url)
{
  GString *out;
  const char *query;
  const char *p;

  if (url == NULL)
    return NULL;

  query = strchr (url, '?');
  if (query == NULL)
    return g_strdup (url);

  out = g_string_new_len (url, query - url + 1);
  p = query + 1;

  /* Each parameter runs up to the next '&' (or ';'); a '#' ends the query. */
  while (*p != '\0' && *p != '#')
    {
      gsize param_len = strcspn (p, "&;#");
      const char *equals = memchr (p, '=', param_len);

      if (equals != NULL && is_secret_param (p, (gsize) (equals - p)))
        {
          g_string_append_len (out, p, equals - p + 1);
          g_string_append (out, "REDACTED");
        }
      else
        {
          g_string_append_len (out, p, param_len);
        }

      p += param_len;
      if (*p == '&' || *p == ';')
        g_string_append_c (out, *p++);
    }

  g_string_append (out, p);

  return g_string_free (out, FALSE);
}
