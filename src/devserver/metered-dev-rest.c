/* metered-dev-rest.c: the REST control plane (protocol §12)
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-dev-rest"

#include <string.h>

#include "metered-channel.h"
#include "metered-close-code.h"
#include "metered-error.h"
#include "metered-frame-private.h"
#include "metered-jwt.h"
#include "metered-dev-identity.h"
#include "metered-dev-rest.h"

#define MAX_BODY_BYTES          (32 * 1024)
#define DEFAULT_EXPIRES_IN_SEC  3600
#define MAX_EXPIRES_IN_SEC      86400
#define MAX_TOKEN_CHANNELS      100
#define MAX_TOKEN_PERMISSIONS   16
#define MAX_METADATA_BYTES      8192
#define MAX_PEER_METADATA_BYTES 4096

typedef struct {
  MeteredDevServer          *server;
  SoupServerMessage         *msg;
  const MeteredDevSecretKey *key;
  JsonNode                  *body;   /* nullable */
} Request;

static void
respond (SoupServerMessage *msg,
         guint              status,
         JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  GString *text = g_string_new (NULL);
  gsize len;

  /* Not json_to_string(): json-glib 1.6 leaves U+001F unescaped, and the
   * answers carry channel names and metadata from clients. */
  metered_json_append_node (text, root);
  len = text->len;

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (text, FALSE), len);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);

  respond (msg, status, builder);
}

static void
invalid_request (Request    *request,
                 const char *message)
{
  respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", message);
}

/* An authorization failure from metered_dev_identity_authorize(). */
static void
respond_denied (Request      *request,
                const GError *error)
{
  guint status = error->code == METERED_SERVER_ERROR_CHANNEL_RESERVED
                 ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_FORBIDDEN;

  respond_error (request->msg, status, metered_server_error_get_code (error), error->message);
}

void
metered_dev_rest_not_found (SoupServerMessage *msg)
{
  respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint");
}

static gboolean
secrets_equal (const char *a,
               const char *b)
{
  gsize len_a = strlen (a);
  gsize len_b = strlen (b);
  guchar diff = len_a != len_b;

  /* Time independent of where the first difference is. */
  for (gsize i = 0; i < len_a; i++)
    diff |= (guchar)a[i] ^ (guchar)b[i % MAX (len_b, 1)];

  return diff == 0;
}

/* `Authorization: Bearer sk_id…:sk_secret…`, secret keys only. */
static const MeteredDevSecretKey *
authenticate (MeteredDevServer  *server,
              SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");
  const MeteredDevSecretKey *key;
  g_autofree char *id = NULL;
  const char *colon;

  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return NULL;

  value += 7;
  while (*value == ' ')
    value++;

  colon = strchr (value, ':');
  if (colon == NULL)
    return NULL;

  id = g_strndup (value, colon - value);
  key = metered_dev_config_find_secret_key (metered_dev_server_get_config (server), id);
  if (key == NULL || !secrets_equal (colon + 1, key->secret))
    return NULL;

  return key;
}

/* A stand-in identity, so REST calls are checked exactly like requests on
 * a connection of this key. */
static void
key_identity (const MeteredDevSecretKey *key,
              MeteredDevIdentity        *identity)
{
  memset (identity, 0, sizeof *identity);
  identity->key_patterns = (const char * const *)key->channel_patterns;
  identity->key_actions = key->actions;
  identity->token_permissions = METERED_DEV_ACTION_ALL;
}

static JsonObject *
body_object (Request *request)
{
  if (request->body == NULL || !JSON_NODE_HOLDS_OBJECT (request->body))
    return NULL;

  return json_node_get_object (request->body);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* An optional object member serialized, within @max_bytes. FALSE when the
 * member is there but is not a small enough object. */
static gboolean
optional_object_json (JsonObject  *object,
                      const char  *name,
                      gsize        max_bytes,
                      char       **out)
{
  JsonNode *node = json_object_get_member (object, name);
  GString *text;

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  /* Not json_to_string(), which writes U+001F unescaped. */
  text = g_string_new (NULL);
  metered_json_append_node (text, node);
  *out = g_string_free (text, FALSE);
  if (strlen (*out) > max_bytes)
    {
      g_clear_pointer (out, g_free);
      return FALSE;
    }

  return TRUE;
}

static void
handle_tokens (Request *request)
{
  JsonObject *body = body_object (request);
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *metadata_json = NULL;
  g_autofree char *peer_metadata_json = NULL;
  g_autofree char *token = NULL;
  MeteredDevActions permissions = METERED_DEV_ACTION_ALL;
  const char *peer_id;
  JsonNode *channels;
  JsonNode *requested;
  JsonNode *expires_in;
  gint64 lifetime = DEFAULT_EXPIRES_IN_SEC;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (body == NULL)
    {
      invalid_request (request, "the body must be a JSON object");
      return;
    }

  peer_id = member_string (body, "peerId");
  if (!metered_peer_id_validate (peer_id, NULL))
    {
      invalid_request (request, "peerId is required: 1 to 128 printable ASCII characters");
      return;
    }

  channels = json_object_get_member (body, "channels");
  if (channels != NULL)
    {
      JsonArray *array = JSON_NODE_HOLDS_ARRAY (channels) ? json_node_get_array (channels) : NULL;

      if (array == NULL || json_array_get_length (array) > MAX_TOKEN_CHANNELS)
        {
          invalid_request (request, "channels must be an array of at most 100 channel patterns");
          return;
        }

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          const char *pattern;

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING ||
              !metered_channel_validate (json_node_get_string (element), NULL))
            {
              invalid_request (request, "channels entries must be valid channel patterns");
              return;
            }

          /* Each requested pattern, read as a literal name, must be
           * covered by the key: a simple, conservative subset test. */
          pattern = json_node_get_string (element);
          if (metered_channel_is_reserved (pattern))
            {
              respond_error (request->msg, SOUP_STATUS_BAD_REQUEST, "channel_reserved",
                             "channels may not use a reserved prefix");
              return;
            }
          if (!metered_channel_patterns_match ((const char * const *)request->key->channel_patterns, pattern))
            {
              respond_error (request->msg, SOUP_STATUS_FORBIDDEN, "channel_not_authorized",
                             "channels exceed the key's channel patterns");
              return;
            }
        }
    }

  requested = json_object_get_member (body, "permissions");
  if (requested != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (requested) ||
          json_array_get_length (json_node_get_array (requested)) > MAX_TOKEN_PERMISSIONS ||
          !metered_dev_actions_from_json (json_node_get_array (requested), &permissions))
        {
          invalid_request (request, "permissions must be an array of \"subscribe\", \"publish\", \"presence\", \"send\"");
          return;
        }

      if ((permissions & ~request->key->actions) != 0)
        {
          respond_error (request->msg, SOUP_STATUS_FORBIDDEN, "action_not_permitted",
                         "permissions exceed the key's actions");
          return;
        }
    }

  expires_in = json_object_get_member (body, "expiresInSec");
  if (expires_in != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (expires_in) || json_node_get_value_type (expires_in) != G_TYPE_INT64 ||
          json_node_get_int (expires_in) < 1 || json_node_get_int (expires_in) > MAX_EXPIRES_IN_SEC)
        {
          invalid_request (request, "expiresInSec must be a whole number from 1 to 86400");
          return;
        }
      lifetime = json_node_get_int (expires_in);
    }

  if (!optional_object_json (body, "metadata", MAX_METADATA_BYTES, &metadata_json))
    {
      invalid_request (request, "metadata must be an object of at most 8 KB");
      return;
    }

  if (!optional_object_json (body, "peerMetadata", MAX_PEER_METADATA_BYTES, &peer_metadata_json))
    {
      invalid_request (request, "peerMetadata must be an object of at most 4 KB");
      return;
    }

  claims = json_object_new ();
  json_object_set_string_member (claims, "sub", peer_id);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + lifetime);
  if (channels != NULL)
    json_object_set_member (claims, "channels", json_node_copy (channels));
  if (requested != NULL)
    json_object_set_member (claims, "permissions", json_node_copy (requested));
  if (metadata_json != NULL)
    json_object_set_member (claims, "metadata", json_node_copy (json_object_get_member (body, "metadata")));
  if (peer_metadata_json != NULL)
    json_object_set_member (claims, "peerMetadata", json_node_copy (json_object_get_member (body, "peerMetadata")));

  token = metered_jwt_sign (request->key->id, request->key->secret, claims);
  g_info ("minted a token for peer %s with key %s", peer_id, request->key->id);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "expiresAt");
  json_builder_add_int_value (builder, now + lifetime);
  json_builder_end_object (builder);
  respond (request->msg, SOUP_STATUS_OK, builder);
}

/* Decodes and checks the channel segment of a path, answering the request
 * when it is unusable. */
static char *
path_channel (Request           *request,
              const char        *segment,
              MeteredDevActions  action)
{
  g_autofree char *channel = g_uri_unescape_string (segment, NULL);
  g_autoptr(GError) error = NULL;
  MeteredDevIdentity scope;

  if (channel == NULL || !metered_channel_validate (channel, NULL))
    {
      invalid_request (request, "the channel in the path is not a valid channel name");
      return NULL;
    }

  key_identity (request->key, &scope);
  if (!metered_dev_identity_authorize (&scope, action, channel, &error))
    {
      respond_denied (request, error);
      return NULL;
    }

  return g_steal_pointer (&channel);
}

static void
handle_channel_peers (Request    *request,
                      const char *segment)
{
  g_autofree char *channel = path_channel (request, segment, METERED_DEV_ACTION_PRESENCE);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) peers = NULL;

  if (channel == NULL)
    return;

  peers = metered_dev_registry_list_peers (metered_dev_server_get_registry (request->server), channel);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, channel);
  json_builder_set_member_name (builder, "peers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < peers->len; i++)
    {
      MeteredFramePeer *peer = g_ptr_array_index (peers, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "peerId");
      json_builder_add_string_value (builder, peer->peer_id);
      if (peer->metadata != NULL)
        {
          json_builder_set_member_name (builder, "metadata");
          json_builder_add_value (builder, json_node_init_object (json_node_alloc (), peer->metadata));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  respond (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_channel_publish (Request    *request,
                        const char *segment)
{
  g_autofree char *channel = NULL;
  g_autofree char *data_json = NULL;
  g_autofree char *peer_metadata_json = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  JsonObject *body = body_object (request);
  MeteredFrame payload = { 0 };
  const char *from = "system";
  guint delivered;

  if (body == NULL)
    {
      invalid_request (request, "the body must be a JSON object");
      return;
    }

  if (!json_object_has_member (body, "data"))
    {
      invalid_request (request, "data is required");
      return;
    }

  if (json_object_has_member (body, "from"))
    {
      from = member_string (body, "from");
      if (!metered_peer_id_validate (from, NULL))
        {
          invalid_request (request, "from must be 1 to 128 printable ASCII characters");
          return;
        }
    }

  if (!optional_object_json (body, "peerMetadata", MAX_PEER_METADATA_BYTES, &peer_metadata_json))
    {
      invalid_request (request, "peerMetadata must be an object of at most 4 KB");
      return;
    }

  channel = path_channel (request, segment, METERED_DEV_ACTION_PUBLISH);
  if (channel == NULL)
    return;

  /* Serialized once, by the codec, like a publish from a connection. */
  payload.data = json_object_get_member (body, "data");
  data_json = metered_frame_dup_data_text (&payload);

  metered_dev_server_count_message (request->server);
  delivered = metered_dev_registry_publish (metered_dev_server_get_registry (request->server),
                                            channel, NULL, from, data_json, peer_metadata_json);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, channel);
  json_builder_set_member_name (builder, "delivered");
  json_builder_add_int_value (builder, delivered);
  json_builder_end_object (builder);
  respond (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_delete_peer (Request    *request,
                    const char *segment)
{
  g_autofree char *peer_id = g_uri_unescape_string (segment, NULL);
  g_autoptr(JsonBuilder) builder = NULL;
  guint closed;

  if (!metered_peer_id_validate (peer_id, NULL))
    {
      invalid_request (request, "the peer id in the path is not a valid peer id");
      return;
    }

  closed = metered_dev_server_close_peer (request->server, peer_id,
                                          METERED_CLOSE_CODE_ADMIN_DISCONNECT,
                                          "disconnected by the application");
  g_info ("peer %s disconnected through the API (%u connections)", peer_id, closed);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "peerId");
  json_builder_add_string_value (builder, peer_id);
  json_builder_set_member_name (builder, "closed");
  json_builder_add_int_value (builder, closed);
  json_builder_end_object (builder);
  respond (request->msg, SOUP_STATUS_OK, builder);
}

static void
handle_usage (Request *request)
{
  MeteredDevLimits *limits = metered_dev_server_get_limits (request->server);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  MeteredDevUsage usage;

  metered_dev_server_get_usage (request->server, &usage);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "appId");
  json_builder_add_string_value (builder, "local");
  json_builder_set_member_name (builder, "periodStartUnix");
  json_builder_add_int_value (builder, usage.period_start);
  json_builder_set_member_name (builder, "periodEndUnix");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "concurrentNow");
  json_builder_add_int_value (builder, usage.concurrent_now);
  json_builder_set_member_name (builder, "peakConcurrent");
  json_builder_add_int_value (builder, usage.peak_concurrent);
  json_builder_set_member_name (builder, "messagesUsed");
  json_builder_add_int_value (builder, (gint64)usage.messages_used);
  json_builder_set_member_name (builder, "overageMessages");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "overageConnections");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "plan");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "local");
  /* As in the configuration: 0 means unlimited. */
  json_builder_set_member_name (builder, "maxConcurrentConnections");
  json_builder_add_int_value (builder, limits->max_concurrent_connections);
  json_builder_set_member_name (builder, "maxMessagesPerPeriod");
  json_builder_add_int_value (builder, limits->max_messages_per_period);
  json_builder_set_member_name (builder, "overagesAllowed");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "overagesEnabled");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  respond (request->msg, SOUP_STATUS_OK, builder);
}

typedef enum {
  ROUTE_NONE,
  ROUTE_TOKENS,
  ROUTE_CHANNEL_PEERS,
  ROUTE_CHANNEL_PUBLISH,
  ROUTE_DELETE_PEER,
  ROUTE_USAGE,
} Route;

/* Matches the raw path (still percent-encoded) and method; @segment
 * points into @parts at the one variable segment. */
static Route
route (const char  *method,
       char       **parts,
       const char **segment)
{
  guint n = g_strv_length (parts);

  /* parts[0] is the empty string before the leading slash, parts[1] "v1". */
  if (n == 3 && g_str_equal (parts[2], "tokens") && g_str_equal (method, "POST"))
    return ROUTE_TOKENS;

  if (n == 3 && g_str_equal (parts[2], "usage") && g_str_equal (method, "GET"))
    return ROUTE_USAGE;

  if (n == 4 && g_str_equal (parts[2], "peers") && g_str_equal (method, "DELETE"))
    {
      *segment = parts[3];
      return ROUTE_DELETE_PEER;
    }

  if (n == 5 && g_str_equal (parts[2], "channels"))
    {
      *segment = parts[3];
      if (g_str_equal (parts[4], "peers") && g_str_equal (method, "GET"))
        return ROUTE_CHANNEL_PEERS;
      if (g_str_equal (parts[4], "publish") && g_str_equal (method, "POST"))
        return ROUTE_CHANNEL_PUBLISH;
    }

  return ROUTE_NONE;
}

static gboolean
parse_body (Request *request)
{
  SoupMessageBody *body = soup_server_message_get_request_body (request->msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  gsize len;
  const char *data;

  if (body->length > MAX_BODY_BYTES)
    {
      respond_error (request->msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "invalid_request",
                     "the body is larger than 32 KB");
      return FALSE;
    }

  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    return TRUE;

  /* The untrusted parser bounds nesting and its messages give a byte
   * position, never the body's text. */
  request->body = metered_json_parse_untrusted (data, (gssize)len, &error);
  if (request->body == NULL)
    {
      problem = g_strdup_printf ("the body is not valid JSON: %s", error->message);
      invalid_request (request, problem);
      return FALSE;
    }

  return TRUE;
}

void
metered_dev_rest_handle (MeteredDevServer  *server,
                         SoupServerMessage *msg,
                         const char        *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", 6);
  const char *segment = NULL;
  Request request = { server, msg, NULL, NULL };
  Route which;

  g_return_if_fail (METERED_IS_DEV_SERVER (server));

  which = route (soup_server_message_get_method (msg), parts, &segment);
  if (which == ROUTE_NONE)
    {
      metered_dev_rest_not_found (msg);
      return;
    }

  request.key = authenticate (server, msg);
  if (request.key == NULL)
    {
      g_info ("refused a REST call: missing or unknown secret key");
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized", "a valid secret key is required");
      return;
    }

  if (!parse_body (&request))
    return;

  switch (which)
    {
    case ROUTE_TOKENS:
      handle_tokens (&request);
      break;

    case ROUTE_CHANNEL_PEERS:
      handle_channel_peers (&request, segment);
      break;

    case ROUTE_CHANNEL_PUBLISH:
      handle_channel_publish (&request, segment);
      break;

    case ROUTE_DELETE_PEER:
      handle_delete_peer (&request, segment);
      break;

    case ROUTE_USAGE:
      handle_usage (&request);
      break;

    case ROUTE_NONE:
    default:
      g_assert_not_reached ();
    }

  g_clear_pointer (&request.body, json_node_unref);
}
