/* metered-error.c: error domains shared by the client and the local server
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-error"

#include <string.h>

#include "metered-close-code.h"
#include "metered-error.h"
#include "metered-error-private.h"

/* The server may send codes newer than this library. They map to
 * METERED_SERVER_ERROR_UNKNOWN, and the raw string rides along in the
 * GError's private data so callers can still branch on it. */
typedef struct {
  char *raw_code;
} MeteredServerErrorPrivate;

/* G_DEFINE_EXTENDED_ERROR's accessor may return NULL (after a critical), so
 * every use checks; this also keeps -Wnull-dereference quiet. */
static void
metered_server_error_private_init (MeteredServerErrorPrivate *priv)
{
  if (priv != NULL)
    priv->raw_code = NULL;
}

static void
metered_server_error_private_copy (const MeteredServerErrorPrivate *src,
                                   MeteredServerErrorPrivate       *dest)
{
  if (src != NULL && dest != NULL)
    dest->raw_code = g_strdup (src->raw_code);
}

static void
metered_server_error_private_clear (MeteredServerErrorPrivate *priv)
{
  if (priv != NULL)
    g_clear_pointer (&priv->raw_code, g_free);
}

/**
 * metered_server_error_quark:
 *
 * The quark behind %METERED_SERVER_ERROR. The domain carries private data
 * (the raw code of unknown errors), so its quark string is
 * `MeteredServerError` as G_DEFINE_EXTENDED_ERROR() makes it.
 *
 * Returns: the error domain
 */
G_DEFINE_EXTENDED_ERROR (MeteredServerError, metered_server_error)

/**
 * metered_client_error_quark:
 *
 * The quark behind %METERED_CLIENT_ERROR.
 *
 * Returns: the error domain
 */
G_DEFINE_QUARK (metered-client-error-quark, metered_client_error)

/* The close reason rides along in the error's private data. */
typedef struct {
  char *reason;
} MeteredCloseErrorPrivate;

static void
metered_close_error_private_init (MeteredCloseErrorPrivate *priv)
{
  if (priv != NULL)
    priv->reason = NULL;
}

static void
metered_close_error_private_copy (const MeteredCloseErrorPrivate *src,
                                  MeteredCloseErrorPrivate       *dest)
{
  if (src != NULL && dest != NULL)
    dest->reason = g_strdup (src->reason);
}

static void
metered_close_error_private_clear (MeteredCloseErrorPrivate *priv)
{
  if (priv != NULL)
    g_clear_pointer (&priv->reason, g_free);
}

/* Documented in the header, which declares it as returning guint32 (what
 * GQuark is) for the introspection scanner. */
G_DEFINE_EXTENDED_ERROR (MeteredCloseError, metered_close_error)

typedef struct {
  const char *code;
  const char *description;
} ServerErrorInfo;

/* Indexed by MeteredServerError. */
static const ServerErrorInfo server_errors[] = {
  [METERED_SERVER_ERROR_UNKNOWN] = {
    NULL,
    "The server reported an error this version does not know. Retrying may or may not help.",
  },
  [METERED_SERVER_ERROR_MALFORMED_MESSAGE] = {
    "malformed_message",
    "The server could not read the request: it was not JSON or had no type. Retrying the same request will not help.",
  },
  [METERED_SERVER_ERROR_UNKNOWN_TYPE] = {
    "unknown_type",
    "The server does not know this kind of request. Retrying will not help.",
  },
  [METERED_SERVER_ERROR_INVALID_CHANNEL] = {
    "invalid_channel",
    "The channel name is not valid (empty, too long or with control characters). Retrying will not help.",
  },
  [METERED_SERVER_ERROR_INVALID_PEER_ID] = {
    "invalid_peer_id",
    "The target peer id is not valid (it must be printable ASCII of at most 128 bytes). Retrying will not help.",
  },
  [METERED_SERVER_ERROR_CHANNEL_NOT_AUTHORIZED] = {
    "channel_not_authorized",
    "The credentials do not allow this channel. Retrying on this connection will not help.",
  },
  [METERED_SERVER_ERROR_CHANNEL_RESERVED] = {
    "channel_reserved",
    "Channels starting with _metered/, _internal/ or _system/ are reserved. Retrying will not help.",
  },
  [METERED_SERVER_ERROR_CHANNEL_LIMIT_EXCEEDED] = {
    "channel_limit_exceeded",
    "The connection already holds the maximum number of subscriptions. Unsubscribe from another channel first.",
  },
  [METERED_SERVER_ERROR_PEER_NOT_FOUND] = {
    "peer_not_found",
    "The target peer is not online. It may come online later, but do not retry in a loop.",
  },
  [METERED_SERVER_ERROR_MISSING_DATA] = {
    "missing_data",
    "The request carried no data. Retrying the same request will not help.",
  },
  [METERED_SERVER_ERROR_ACTION_NOT_PERMITTED] = {
    "action_not_permitted",
    "The credentials do not permit this action. Retrying on this connection will not help.",
  },
  [METERED_SERVER_ERROR_OVER_MESSAGE_QUOTA] = {
    "over_message_quota",
    "The plan's message quota is used up. Sending works again after the billing period rolls over.",
  },
  [METERED_SERVER_ERROR_BACKEND_ERROR] = {
    "backend_error",
    "The server had a transient routing fault. Retrying after a short wait usually helps.",
  },
  [METERED_SERVER_ERROR_INTERNAL_ERROR] = {
    "internal_error",
    "The server had an unexpected fault. Retrying after a short wait may help.",
  },
};

static gboolean
server_error_is_known (MeteredServerError code)
{
  return code > METERED_SERVER_ERROR_UNKNOWN &&
         (gsize) code < G_N_ELEMENTS (server_errors);
}

/**
 * metered_server_error_to_string:
 * @code: a #MeteredServerError
 *
 * Gives the code as it appears on the wire, e.g. `"invalid_channel"`.
 *
 * Returns: (nullable): the wire string, or %NULL for
 *   %METERED_SERVER_ERROR_UNKNOWN and values outside the enum, which have
 *   no wire string of their own
 */
const char *
metered_server_error_to_string (MeteredServerError code)
{
  if (!server_error_is_known (code))
    return NULL;

  return server_errors[code].code;
}

/**
 * metered_server_error_from_string:
 * @code: (nullable): a code string from an `error` frame
 *
 * Maps a wire code to the enum. Codes this version does not know map to
 * %METERED_SERVER_ERROR_UNKNOWN rather than failing, so a newer server still
 * fails the pending request at once.
 *
 * Returns: the matching #MeteredServerError
 */
MeteredServerError
metered_server_error_from_string (const char *code)
{
  if (code == NULL)
    return METERED_SERVER_ERROR_UNKNOWN;

  for (gsize i = METERED_SERVER_ERROR_UNKNOWN + 1; i < G_N_ELEMENTS (server_errors); i++)
    {
      if (g_str_equal (code, server_errors[i].code))
        return (MeteredServerError) i;
    }

  return METERED_SERVER_ERROR_UNKNOWN;
}

/**
 * metered_server_error_describe:
 * @code: a #MeteredServerError
 *
 * Gives an English sentence for user interfaces: what the code means and
 * whether retrying helps. The server's own message text is for logs only.
 *
 * Returns: (transfer none): a description, never %NULL
 */
const char *
metered_server_error_describe (MeteredServerError code)
{
  if (!server_error_is_known (code))
    return server_errors[METERED_SERVER_ERROR_UNKNOWN].description;

  return server_errors[code].description;
}

/**
 * metered_server_error_new:
 * @code: the `code` string of an `error` frame
 * @message: (nullable): the frame's `message` text
 *
 * Creates an error in the %METERED_SERVER_ERROR domain. The message starts
 * with the wire code (`"<code>: <message>"`) so that code paths which only
 * see the message text still see the code.
 *
 * Returns: (transfer full): a new #GError
 */
GError *
metered_server_error_new (const char *code,
                          const char *message)
{
  g_autofree char *safe_code = NULL;
  g_autofree char *safe_message = NULL;
  MeteredServerError value;
  GError *error;

  g_return_val_if_fail (code != NULL, NULL);

  /* Both strings come from the network; a GError message must be UTF-8. */
  safe_code = g_utf8_make_valid (code, -1);
  value = metered_server_error_from_string (code);

  if (message != NULL && message[0] != '\0')
    {
      safe_message = g_utf8_make_valid (message, -1);
      error = g_error_new (METERED_SERVER_ERROR, value, "%s: %s", safe_code, safe_message);
    }
  else
    {
      error = g_error_new_literal (METERED_SERVER_ERROR, value, safe_code);
    }

  if (value == METERED_SERVER_ERROR_UNKNOWN)
    {
      MeteredServerErrorPrivate *priv = metered_server_error_get_private (error);

      if (priv != NULL)
        priv->raw_code = g_steal_pointer (&safe_code);
    }

  return error;
}

/**
 * metered_server_error_get_code:
 * @error: a #GError
 *
 * Gives the wire code of a %METERED_SERVER_ERROR: the canonical string for
 * known codes, the raw string the server sent for unknown ones.
 *
 * Returns: (nullable): the code, or %NULL when @error is in another domain
 *   (or is an unknown-code error not made by metered_server_error_new())
 */
const char *
metered_server_error_get_code (const GError *error)
{
  MeteredServerErrorPrivate *priv;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != METERED_SERVER_ERROR)
    return NULL;

  if (server_error_is_known ((MeteredServerError) error->code))
    return server_errors[error->code].code;

  priv = metered_server_error_get_private (error);
  return priv != NULL ? priv->raw_code : NULL;
}

/* Everything of a close error's message up to the reason. */
static char *
close_error_dup_prefix (int code)
{
  return g_strdup_printf ("%s (close code %d", metered_close_code_describe (code), code);
}

GError *
metered_close_error_new (int         code,
                         const char *reason)
{
  g_autofree char *prefix = close_error_dup_prefix (code);
  MeteredCloseErrorPrivate *priv;
  GError *error;

  if (reason == NULL)
    reason = "";

  if (reason[0] != '\0')
    error = g_error_new (METERED_CLOSE_ERROR, code, "%s: %s)", prefix, reason);
  else
    error = g_error_new (METERED_CLOSE_ERROR, code, "%s)", prefix);

  priv = metered_close_error_get_private (error);
  if (priv != NULL)
    priv->reason = g_strdup (reason);

  return error;
}

/* The reason as metered_close_error_new() wrote it into the message, or
 * NULL when the message has another form. */
static char *
close_error_reason_from_message (const GError *error)
{
  g_autofree char *prefix = close_error_dup_prefix (error->code);
  const char *rest;
  gsize len;

  if (error->message == NULL || !g_str_has_prefix (error->message, prefix))
    return NULL;

  rest = error->message + strlen (prefix);
  if (g_str_equal (rest, ")"))
    return g_strdup ("");

  len = strlen (rest);
  if (!g_str_has_prefix (rest, ": ") || len < 4 || rest[len - 1] != ')')
    return NULL;

  return g_strndup (rest + 2, len - 3);
}

/**
 * metered_close_error_get_reason:
 * @error: a #GError
 *
 * Gives the close reason of a %METERED_CLOSE_ERROR: the text the server
 * sent with the close code (or, for code 1006, what went wrong locally),
 * made valid UTF-8 without control characters, cut to a bounded length
 * and with credentials removed. It is for logs and diagnostics; branch on
 * the error code instead.
 *
 * Bindings that rebuild a #GError from its domain, code and message (as
 * PyGObject does) drop the private data that carries the reason; it is
 * then read back from the message, which this library writes in a fixed
 * form.
 *
 * Returns: (transfer none) (nullable): the reason, empty when the server
 *   gave none, or %NULL when @error is in another domain or was not made
 *   by this library
 */
const char *
metered_close_error_get_reason (const GError *error)
{
  MeteredCloseErrorPrivate *priv;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != METERED_CLOSE_ERROR)
    return NULL;

  priv = metered_close_error_get_private (error);
  if (priv == NULL)
    return NULL;

  /* The private data belongs to the error, also when the error is const:
   * the reason read back from the message is kept there, so that the
   * result lives as long as @error does. */
  if (priv->reason == NULL)
    priv->reason = close_error_reason_from_message (error);

  return priv->reason;
}
