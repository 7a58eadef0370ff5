/* inspector-connect-options.c: where and how a connection connects
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-connect-options"

#include <string.h>

#include <glib/gi18n.h>

#include "metered-channel.h"
#include "metered-jwt.h"
#include "metered-url.h"

#include "inspector-connect-options.h"
#include "inspector-error.h"
#include "inspector-json.h"

/* Limits the service puts on tokens it mints (protocol §9, §11). */
#define MAX_PEER_METADATA_BYTES 4096
#define MAX_TOKEN_CHANNELS      100
#define MAX_LIFETIME            (30 * 24 * 3600)

static const char * const known_permissions[] = { "subscribe", "publish", "presence", "send" };

G_DEFINE_BOXED_TYPE (InspectorConnectOptions, inspector_connect_options,
                     inspector_connect_options_copy, inspector_connect_options_free)

/**
 * inspector_connect_options_new:
 *
 * Returns: (transfer full): options with the library's defaults and the
 *   hosted service's URL
 */
InspectorConnectOptions *
inspector_connect_options_new (InspectorAuthMode mode)
{
  InspectorConnectOptions *self = g_new0 (InspectorConnectOptions, 1);
  g_autoptr(MeteredReconnectOptions) reconnect = metered_reconnect_options_new ();

  self->mode = mode;
  self->url = g_strdup (METERED_DEFAULT_URL);
  self->lifetime = INSPECTOR_DEFAULT_TOKEN_LIFETIME;
  self->reconnect = *reconnect;
  self->inactivity_timeout = INSPECTOR_DEFAULT_INACTIVITY_TIMEOUT;
  self->auto_resubscribe = TRUE;

  return self;
}

InspectorConnectOptions *
inspector_connect_options_copy (const InspectorConnectOptions *self)
{
  InspectorConnectOptions *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->url = g_strdup (self->url);
  copy->api_key = g_strdup (self->api_key);
  copy->token = g_strdup (self->token);
  copy->key_id = g_strdup (self->key_id);
  copy->secret = g_strdup (self->secret);
  copy->subject = g_strdup (self->subject);
  copy->channels = g_strdupv (self->channels);
  copy->permissions = g_strdupv (self->permissions);
  copy->peer_metadata = g_strdup (self->peer_metadata);
  copy->subscribe = g_strdupv (self->subscribe);

  return copy;
}

static void
wipe (char **secret)
{
  if (*secret != NULL)
    {
      explicit_bzero (*secret, strlen (*secret));
      g_clear_pointer (secret, g_free);
    }
}

void
inspector_connect_options_free (InspectorConnectOptions *self)
{
  if (self == NULL)
    return;

  wipe (&self->api_key);
  wipe (&self->token);
  wipe (&self->secret);
  g_free (self->url);
  g_free (self->key_id);
  g_free (self->subject);
  g_strfreev (self->channels);
  g_strfreev (self->permissions);
  g_free (self->peer_metadata);
  g_strfreev (self->subscribe);
  g_free (self);
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;

  return TRUE;
}

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION, message);
  return FALSE;
}

/* Never quotes a value: most fields checked here are secrets. */
static gboolean
validate_signing (const InspectorConnectOptions  *self,
                  GError                        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (is_blank (self->key_id))
    return invalid (error, _("Enter the secret key’s id (sk_id_…)."));

  if (is_blank (self->secret))
    return invalid (error, _("Enter the signing secret."));

  if (is_blank (self->subject))
    return invalid (error, _("Enter the peer id the token is for."));

  if (!metered_peer_id_validate (self->subject, &local_error))
    {
      g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                   _("The peer id is not valid: %s"), local_error->message);
      return FALSE;
    }

  if (self->channels != NULL && g_strv_length (self->channels) > MAX_TOKEN_CHANNELS)
    return invalid (error, _("A token may name at most 100 channel patterns."));

  for (guint i = 0; self->channels != NULL && self->channels[i] != NULL; i++)
    {
      if (!metered_channel_validate (self->channels[i], &local_error))
        {
          g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                       _("The channel pattern “%s” is not valid: %s"),
                       self->channels[i], local_error->message);
          return FALSE;
        }
    }

  for (guint i = 0; self->permissions != NULL && self->permissions[i] != NULL; i++)
    {
      if (!g_strv_contains (known_permissions, self->permissions[i]))
        {
          g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                       _("Unknown permission “%s”: use subscribe, publish, presence or send."),
                       self->permissions[i]);
          return FALSE;
        }
    }

  if (!is_blank (self->peer_metadata))
    {
      g_autoptr(JsonNode) root = NULL;

      if (strlen (self->peer_metadata) > MAX_PEER_METADATA_BYTES)
        return invalid (error, _("Peer metadata may be at most 4 KB."));

      if ((root = inspector_json_parse (self->peer_metadata, -1, &local_error)) == NULL)
        {
          g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                       _("Peer metadata is not JSON: %s"), local_error->message);
          return FALSE;
        }

      if (!JSON_NODE_HOLDS_OBJECT (root))
        return invalid (error, _("Peer metadata must be a JSON object."));
    }

  if (self->lifetime == 0 || self->lifetime > MAX_LIFETIME)
    return invalid (error, _("The token lifetime must be between 1 second and 30 days."));

  return TRUE;
}

/**
 * inspector_connect_options_validate:
 *
 * Checks everything that can be checked before connecting, with messages
 * meant for the connect dialog.
 */
gboolean
inspector_connect_options_validate (const InspectorConnectOptions  *self,
                                    GError                        **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->mode != INSPECTOR_AUTH_SANDBOX &&
      !metered_url_validate_base (self->url, &local_error))
    {
      g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                   _("The server URL is not allowed: %s"), local_error->message);
      return FALSE;
    }

  switch (self->mode)
    {
    case INSPECTOR_AUTH_SANDBOX:
      break;

    case INSPECTOR_AUTH_API_KEY:
      if (is_blank (self->api_key))
        return invalid (error, _("Enter a publishable key (pk_live_…)."));
      break;

    case INSPECTOR_AUTH_TOKEN:
      {
        g_autoptr(MeteredJwt) jwt = NULL;

        if (is_blank (self->token))
          return invalid (error, _("Paste a token (a JWT)."));

        if ((jwt = metered_jwt_parse (self->token, &local_error)) == NULL)
          {
            g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                         _("The token is not a valid JWT: %s"), local_error->message);
            return FALSE;
          }
      }
      break;

    case INSPECTOR_AUTH_SIGNED_TOKEN:
      if (!validate_signing (self, error))
        return FALSE;
      break;

    default:
      return invalid (error, _("Unknown authentication method."));
    }

  if (!metered_reconnect_options_validate (&self->reconnect, &local_error))
    {
      g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                   _("The reconnect options are not valid: %s"), local_error->message);
      return FALSE;
    }

  if (!(self->inactivity_timeout >= 0))
    return invalid (error, _("The inactivity timeout cannot be negative."));

  for (guint i = 0; self->subscribe != NULL && self->subscribe[i] != NULL; i++)
    {
      if (!metered_channel_validate (self->subscribe[i], &local_error))
        {
          g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                       _("Cannot subscribe to “%s”: %s"), self->subscribe[i], local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * inspector_connect_options_dup_label:
 *
 * Returns: (transfer full): where the connection goes, for titles; never
 *   a secret
 */
char *
inspector_connect_options_dup_label (const InspectorConnectOptions *self)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->mode == INSPECTOR_AUTH_SANDBOX)
    return g_strdup (_("Local sandbox"));

  if (self->url != NULL && (uri = g_uri_parse (self->url, G_URI_FLAGS_NONE, NULL)) != NULL &&
      g_uri_get_host (uri) != NULL)
    {
      if (g_uri_get_port (uri) > 0)
        host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
      else
        host = g_strdup (g_uri_get_host (uri));
    }
  else
    host = g_strdup (_("unknown server"));

  switch (self->mode)
    {
    case INSPECTOR_AUTH_API_KEY:
      /* Translators: a server, then how the inspector authenticates */
      return g_strdup_printf (_("%s · publishable key"), host);

    case INSPECTOR_AUTH_TOKEN:
      return g_strdup_printf (_("%s · token"), host);

    case INSPECTOR_AUTH_SIGNED_TOKEN:
      /* Translators: a server, then the peer id a locally signed token is for */
      return g_strdup_printf (_("%s · signed token for %s"), host, self->subject);

    case INSPECTOR_AUTH_SANDBOX:
    default:
      return g_steal_pointer (&host);
    }
}

static JsonNode *
strv_to_array_node (char **strv)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_init (json_node_alloc (), JSON_NODE_ARRAY);

  for (guint i = 0; strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);

  /* The node takes the only reference: json_node_init_array would add one. */
  json_node_take_array (node, array);
  return node;
}

/**
 * inspector_connect_options_mint_token:
 * @now_unix: the issue time
 *
 * Signs a fresh HS256 token from the signing fields. Called for every
 * connect, so reconnects after expiry get a valid token.
 *
 * Returns: (transfer full) (nullable): the token
 */
char *
inspector_connect_options_mint_token (const InspectorConnectOptions  *self,
                                      gint64                          now_unix,
                                      GError                        **error)
{
  g_autoptr(JsonObject) claims = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!validate_signing (self, error))
    return NULL;

  claims = json_object_new ();
  json_object_set_string_member (claims, "sub", self->subject);
  json_object_set_int_member (claims, "iat", now_unix);
  json_object_set_int_member (claims, "exp", now_unix + self->lifetime);

  if (self->channels != NULL && self->channels[0] != NULL)
    json_object_set_member (claims, "channels", strv_to_array_node (self->channels));

  if (self->permissions != NULL && self->permissions[0] != NULL)
    json_object_set_member (claims, "permissions", strv_to_array_node (self->permissions));

  if (!is_blank (self->peer_metadata))
    {
      JsonNode *metadata = inspector_json_parse (self->peer_metadata, -1, error);

      if (metadata == NULL)
        return NULL;
      json_object_set_member (claims, "peerMetadata", metadata);
    }

  return metered_jwt_sign (self->key_id, self->secret, claims);
}

/**
 * inspector_split_list:
 * @text: (nullable): items separated by commas or new lines
 *
 * Returns: (transfer full): the trimmed, non-empty items
 */
char **
inspector_split_list (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_strsplit_set (text != NULL ? text : "", ",\n", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *item = g_strstrip (parts[i]);

      if (item[0] != '\0')
        g_strv_builder_add (builder, item);
    }

  return g_strv_builder_end (builder);
}
