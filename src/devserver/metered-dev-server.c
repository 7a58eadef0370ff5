/* metered-dev-server.c: a local server speaking the Metered Realtime protocol
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-devserver"

#include <libsoup/soup.h>

#include "metered-channel.h"
#include "metered-close-code.h"
#include "metered-frame-private.h"
#include "metered-dev-demo.h"
#include "metered-dev-dispatch.h"
#include "metered-dev-flood.h"
#include "metered-dev-rest.h"
#include "metered-dev-server-private.h"

#define IDENTITY_KEY   "metered-dev-identity"
#define AUTH_ERROR_KEY "metered-dev-auth-error"

#define DEFAULT_IDLE_GRACE_MS 10000
/* After going_away + close, how long peers get to answer the close. */
#define STOP_CLOSE_TIMEOUT_MS 1000
/* And how long a hung-up socket gets to report it is closed. */
#define STOP_DROP_TIMEOUT_MS  500
#define SWEEP_INTERVAL_MS     500
/* Unread output a peer may leave queued: a few seconds of a busy channel,
 * far above what a reading client ever has pending. */
#define DEFAULT_OUTPUT_LIMIT  (4 * 1024 * 1024)

struct _MeteredDevServer
{
  GObject              parent_instance;

  MeteredDevConfig    *config;
  MeteredDevRegistry  *registry;
  MeteredDevDemo      *demo;

  SoupServer          *soup;
  GMainContext        *context;
  GTlsCertificate     *tls_certificate;
  char                *host;
  guint                port;

  /* Every socket connection, until its socket is closed: a reference each. */
  GHashTable          *connections;
  /* Connections that got `welcome` (and virtual peers) until detached. */
  GHashTable          *attached;
  /* peer id -> GList of attached connections with that id. */
  GHashTable          *peers;

  guint                n_open;
  guint                peak_concurrent;
  guint64              messages_used;
  gint64               period_start;

  guint                idle_grace_ms;
  gsize                output_limit;
  gushort              reject_code;

  /* flood id -> MeteredDevFlood */
  GHashTable          *floods;
  guint                next_flood_id;

  GSource             *sweep_source;
  GSource             *stop_source;
  guint                stop_phase;
  guint                stopping : 1;
  guint                stopped : 1;
};

G_DEFINE_FINAL_TYPE (MeteredDevServer, metered_dev_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONFIG,
  N_PROPS
};

enum {
  SIGNAL_STOPPED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static GSource *
add_timeout (MeteredDevServer *self,
             guint             interval_ms,
             GSourceFunc       func)
{
  GSource *source = g_timeout_source_new (interval_ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);

  return source;
}

/* A snapshot, with references, so that acting on one connection (closing
 * it) cannot disturb the iteration. */
static GPtrArray *
collect_connections (GHashTable *table,
                     const char *peer_id,
                     gboolean    attached_sockets_only)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      MeteredDevConnection *connection = key;

      if (attached_sockets_only && metered_dev_connection_is_virtual (connection))
        continue;
      if (peer_id != NULL && g_strcmp0 (metered_dev_connection_get_peer_id (connection), peer_id) != 0)
        continue;

      g_ptr_array_add (result, g_object_ref (connection));
    }

  return result;
}

static void
peers_add (MeteredDevServer     *self,
           MeteredDevConnection *connection)
{
  const char *peer_id = metered_dev_connection_get_peer_id (connection);
  GList *list = NULL;
  char *key = NULL;

  if (!g_hash_table_steal_extended (self->peers, peer_id, (gpointer *)&key, (gpointer *)&list))
    key = g_strdup (peer_id);

  g_hash_table_insert (self->peers, key, g_list_prepend (list, connection));
}

static void
peers_remove (MeteredDevServer     *self,
              MeteredDevConnection *connection)
{
  const char *peer_id = metered_dev_connection_get_peer_id (connection);
  GList *list = NULL;
  char *key = NULL;

  if (!g_hash_table_steal_extended (self->peers, peer_id, (gpointer *)&key, (gpointer *)&list))
    return;

  list = g_list_remove (list, connection);
  if (list != NULL)
    g_hash_table_insert (self->peers, key, list);
  else
    g_free (key);
}

static void
finish_stop (MeteredDevServer *self)
{
  if (self->stopped)
    return;

  self->stopped = TRUE;
  destroy_source (&self->stop_source);
  g_message ("stopped");
  g_signal_emit (self, signals[SIGNAL_STOPPED], 0);
}

static void
on_connection_detached (MeteredDevServer     *self,
                        MeteredDevConnection *connection)
{
  /* Connections refused before welcome were never attached. */
  if (!g_hash_table_contains (self->attached, connection))
    return;

  /* The tables below may hold the last references. */
  g_object_ref (connection);
  g_hash_table_remove (self->attached, connection);

  peers_remove (self, connection);
  if (!metered_dev_connection_is_virtual (connection))
    {
      self->n_open--;
      g_info ("peer %s disconnected", metered_dev_connection_get_peer_id (connection));
    }

  metered_dev_registry_remove_connection (self->registry, connection);
  g_object_unref (connection);
}

static void
on_connection_closed (MeteredDevServer     *self,
                      MeteredDevConnection *connection)
{
  g_hash_table_remove (self->connections, connection);

  if (self->stopping && g_hash_table_size (self->connections) == 0)
    finish_stop (self);
}

static void
on_connection_received (MeteredDevServer     *self,
                        GBytes               *message,
                        MeteredDevConnection *connection)
{
  gsize len;
  const char *text = g_bytes_get_data (message, &len);

  metered_dev_dispatch_text (self, connection, text != NULL ? text : "", len);
}

static void
attach (MeteredDevServer     *self,
        MeteredDevConnection *connection)
{
  g_hash_table_add (self->attached, connection);
  peers_add (self, connection);
}

/* Why a connection that passed authentication is still refused, in the
 * order of protocol §1: account, plan (concurrency), then test switches. */
static gushort
check_admission (MeteredDevServer  *self,
                 const char       **reason)
{
  MeteredDevLimits *limits = metered_dev_config_get_limits (self->config);

  if (self->stopping)
    {
      *reason = "server shutting down";
      return METERED_CLOSE_CODE_GOING_AWAY;
    }

  if (metered_dev_config_get_account_suspended (self->config))
    {
      *reason = "account suspended";
      return METERED_CLOSE_CODE_ACCOUNT_SUSPENDED;
    }

  if (limits->max_concurrent_connections > 0 &&
      self->n_open >= limits->max_concurrent_connections)
    {
      *reason = "over concurrent connection limit";
      return METERED_CLOSE_CODE_OVER_CONCURRENT_LIMIT;
    }

  if (self->reject_code != 0)
    {
      *reason = "connection refused";
      return self->reject_code;
    }

  return 0;
}

/* The 101 answer is written: the socket leaves libsoup and speaks
 * WebSocket through our own transport from here on. */
static void
on_upgraded (MeteredDevServer  *self,
             SoupServerMessage *msg)
{
  MeteredDevLimits *limits = metered_dev_config_get_limits (self->config);
  /* Stealing the connection may drop the last other reference. */
  g_autoptr(SoupServerMessage) hold = g_object_ref (msg);
  g_autoptr(MeteredDevIdentity) identity = NULL;
  g_autoptr(GError) auth_error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(MeteredWebsocket) websocket = NULL;
  g_autoptr(MeteredDevConnection) connection = NULL;
  g_autofree char *welcome = NULL;
  const char *reason = NULL;
  gushort code = 0;

  if (soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;

  identity = g_object_steal_data (G_OBJECT (msg), IDENTITY_KEY);
  auth_error = g_object_steal_data (G_OBJECT (msg), AUTH_ERROR_KEY);

  /* Held past the steal, for hanging up without a close frame. */
  socket = g_object_ref (soup_server_message_get_socket (msg));
  /* Bytes the client sent right behind its request stay buffered in the
   * stolen stream, which reads them first. */
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    return;

  websocket = metered_websocket_new (stream, METERED_WEBSOCKET_ROLE_SERVER, NULL);
  /* A message of exactly maxMessageSize passes; one byte more is 1009. */
  metered_websocket_set_max_incoming_payload (websocket, limits->max_message_size);

  if (identity == NULL)
    {
      /* Refused below; the identity is never used. */
      identity = metered_dev_identity_new ("-", NULL);
      if (auth_error != NULL)
        {
          code = auth_error->code;
          reason = auth_error->message;
        }
      else
        {
          code = METERED_CLOSE_CODE_INVALID_TOKEN;
          reason = "invalid token";
        }
    }
  else
    {
      code = check_admission (self, &reason);
    }

  connection = metered_dev_connection_new (websocket, socket, g_steal_pointer (&identity));
  metered_dev_connection_set_output_limit (connection, self->output_limit);
  g_hash_table_add (self->connections, g_object_ref (connection));
  g_signal_connect_object (connection, "received", G_CALLBACK (on_connection_received), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (connection, "detached", G_CALLBACK (on_connection_detached), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (connection, "closed", G_CALLBACK (on_connection_closed), self, G_CONNECT_SWAPPED);

  if (code != 0)
    {
      g_info ("refused a connection with %u (%s)", code, reason);
      metered_dev_connection_close (connection, code, reason);
      return;
    }

  attach (self, connection);
  self->n_open++;
  self->peak_concurrent = MAX (self->peak_concurrent, self->n_open);

  metered_dev_connection_set_keepalive (connection, limits->ping_interval_seconds);
  metered_dev_connection_start_expiry (connection);

  {
    const MeteredDevIdentity *who = metered_dev_connection_get_identity (connection);

    g_info ("peer %s connected with %s", who->peer_id, who->key_label);
    welcome = metered_frame_build_welcome (who->peer_id,
                                           who->expires_at,
                                           g_get_real_time () / G_USEC_PER_SEC,
                                           limits->max_message_size,
                                           who->welcome_metadata_json);
  }
  metered_dev_connection_send_text (connection, welcome);
}

/* The connect request: a credential that cannot even be read is refused
 * here with HTTP 401, a request that is no WebSocket handshake with 400;
 * everything else is decided after the upgrade, where a close code can
 * say why. */
static void
on_v1_request (SoupServer        *soup,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  static const char body[] = "{\"error\":\"invalid_token\"}";
  MeteredDevServer *self = user_data;
  g_autoptr(GError) error = NULL;
  MeteredDevIdentity *identity;

  if (!g_str_equal (path, "/v1"))
    {
      metered_dev_rest_handle (self, msg, path);
      return;
    }

  identity = metered_dev_identity_authenticate (self->config,
                                                query != NULL ? g_hash_table_lookup (query, "key") : NULL,
                                                query != NULL ? g_hash_table_lookup (query, "token") : NULL,
                                                g_get_real_time () / 1000,
                                                &error);
  if (identity == NULL &&
      g_error_matches (error, METERED_DEV_AUTH_ERROR, METERED_DEV_AUTH_ERROR_UNPARSABLE))
    {
      g_info ("refused a connect request: unreadable or missing credential");
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        body, sizeof body - 1);
      return;
    }

  /* No extensions are offered: permessage-deflate's zlib state costs
   * about 100 KB per connection, and compressing each delivery separately
   * would undo serializing a fan-out once. */
  if (!soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
    {
      g_clear_pointer (&identity, metered_dev_identity_free);
      return;
    }

  if (identity != NULL)
    g_object_set_data_full (G_OBJECT (msg), IDENTITY_KEY, identity,
                            (GDestroyNotify)metered_dev_identity_free);
  else
    g_object_set_data_full (G_OBJECT (msg), AUTH_ERROR_KEY, g_steal_pointer (&error),
                            (GDestroyNotify)g_error_free);

  g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (on_upgraded), self, G_CONNECT_SWAPPED);
}

static void
on_other_request (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  metered_dev_rest_not_found (msg);
}

/* Drops connections that stayed silent (no frame, no pong) for a ping
 * interval plus the grace period. */
static gboolean
on_sweep (gpointer user_data)
{
  MeteredDevServer *self = user_data;
  guint interval = metered_dev_config_get_limits (self->config)->ping_interval_seconds;
  g_autoptr(GPtrArray) silent = NULL;
  GHashTableIter iter;
  gpointer key;
  gint64 deadline;

  if (interval == 0)
    return G_SOURCE_CONTINUE;

  deadline = g_get_monotonic_time () - interval * G_USEC_PER_SEC - self->idle_grace_ms * (gint64)1000;
  silent = g_ptr_array_new_with_free_func (g_object_unref);

  g_hash_table_iter_init (&iter, self->attached);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      MeteredDevConnection *connection = key;

      if (!metered_dev_connection_is_virtual (connection) &&
          !metered_dev_connection_get_stalled (connection) &&
          metered_dev_connection_get_last_seen (connection) < deadline)
        g_ptr_array_add (silent, g_object_ref (connection));
    }

  for (guint i = 0; i < silent->len; i++)
    {
      MeteredDevConnection *connection = g_ptr_array_index (silent, i);

      g_info ("dropping silent peer %s", metered_dev_connection_get_peer_id (connection));
      metered_dev_connection_drop (connection);
    }

  return G_SOURCE_CONTINUE;
}

static void
metered_dev_server_dispose (GObject *object)
{
  MeteredDevServer *self = (MeteredDevServer *)object;

  g_clear_object (&self->demo);
  g_hash_table_remove_all (self->floods);
  destroy_source (&self->sweep_source);
  destroy_source (&self->stop_source);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);

  /* Connections hang up as they are disposed. */
  if (self->connections != NULL)
    g_hash_table_remove_all (self->connections);

  G_OBJECT_CLASS (metered_dev_server_parent_class)->dispose (object);
}

static void
metered_dev_server_finalize (GObject *object)
{
  MeteredDevServer *self = (MeteredDevServer *)object;

  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_pointer (&self->attached, g_hash_table_unref);
  g_clear_pointer (&self->peers, g_hash_table_unref);
  g_clear_pointer (&self->floods, g_hash_table_unref);
  g_clear_object (&self->registry);
  g_clear_object (&self->config);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->tls_certificate);
  g_free (self->host);

  G_OBJECT_CLASS (metered_dev_server_parent_class)->finalize (object);
}

static void
metered_dev_server_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MeteredDevServer *self = METERED_DEV_SERVER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_dev_server_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  MeteredDevServer *self = METERED_DEV_SERVER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      if (self->config == NULL)
        self->config = metered_dev_config_new_default ();
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_dev_server_class_init (MeteredDevServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = metered_dev_server_dispose;
  object_class->finalize = metered_dev_server_finalize;
  object_class->get_property = metered_dev_server_get_property;
  object_class->set_property = metered_dev_server_set_property;

  /**
   * MeteredDevServer:config:
   *
   * The keys and limits; the built-in development configuration when
   * none is given.
   */
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL,
                         METERED_TYPE_DEV_CONFIG,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MeteredDevServer::stopped:
   * @self: the server
   *
   * Emitted once after metered_dev_server_stop(), when the last connection
   * is gone.
   */
  signals[SIGNAL_STOPPED] =
    g_signal_new ("stopped",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
metered_dev_server_init (MeteredDevServer *self)
{
  self->registry = metered_dev_registry_new ();
  self->connections = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->attached = g_hash_table_new (NULL, NULL);
  self->peers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_list_free);
  self->period_start = g_get_real_time () / G_USEC_PER_SEC;
  self->idle_grace_ms = DEFAULT_IDLE_GRACE_MS;
  self->output_limit = DEFAULT_OUTPUT_LIMIT;
  self->floods = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
}

/**
 * metered_dev_server_new:
 * @config: (nullable): the configuration; %NULL for the built-in
 *   development one (`pk_live_dev`, `sk_id_dev` / `sk_secret_dev`)
 *
 * Returns: (transfer full): a new, not yet listening server
 */
MeteredDevServer *
metered_dev_server_new (MeteredDevConfig *config)
{
  g_return_val_if_fail (config == NULL || METERED_IS_DEV_CONFIG (config), NULL);

  return g_object_new (METERED_TYPE_DEV_SERVER, "config", config, NULL);
}

/**
 * metered_dev_server_get_config:
 * @self: a #MeteredDevServer
 *
 * Returns: (transfer none): the configuration
 */
MeteredDevConfig *
metered_dev_server_get_config (MeteredDevServer *self)
{
  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), NULL);

  return self->config;
}

static GInetAddress *
resolve_host (const char  *host,
              GError     **error)
{
  g_autoptr(GResolver) resolver = NULL;
  GInetAddress *address;
  GList *addresses;

  address = g_inet_address_new_from_string (host);
  if (address != NULL)
    return address;

  resolver = g_resolver_get_default ();
  addresses = g_resolver_lookup_by_name (resolver, host, NULL, error);
  if (addresses == NULL)
    return NULL;

  address = g_object_ref (addresses->data);
  g_resolver_free_addresses (addresses);

  return address;
}

/**
 * metered_dev_server_listen:
 * @self: a #MeteredDevServer
 * @host: an address or host name to listen on, e.g. `127.0.0.1`
 * @port: a port; 0 picks a free one
 * @error: return location for a #GError
 *
 * Starts serving on the thread-default main context of the caller.
 *
 * Returns: %TRUE on success
 */
gboolean
metered_dev_server_listen (MeteredDevServer  *self,
                           const char        *host,
                           guint              port,
                           GError           **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(SoupServer) soup = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  GSList *listeners;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);
  g_return_val_if_fail (!self->stopping, FALSE);

  address = resolve_host (host, error);
  if (address == NULL)
    return FALSE;

  socket_address = g_inet_socket_address_new (address, port);

  /* Raw paths: a channel in a REST path is percent-encoded and may itself
   * contain an encoded `/`. */
  soup = soup_server_new ("raw-paths", TRUE,
                          "server-header", "metered-devserver",
                          "tls-certificate", self->tls_certificate,
                          NULL);
  soup_server_add_handler (soup, NULL, on_other_request, self, NULL);
  soup_server_add_handler (soup, "/v1", on_v1_request, self, NULL);

  if (!soup_server_listen (soup, socket_address,
                           self->tls_certificate != NULL ? SOUP_SERVER_LISTEN_HTTPS : 0, error))
    return FALSE;

  /* The port from the listening socket (soup_server_get_uris() leaks). */
  listeners = soup_server_get_listeners (soup);
  bound = listeners != NULL ? g_socket_get_local_address (listeners->data, NULL) : NULL;
  self->port = G_IS_INET_SOCKET_ADDRESS (bound)
               ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : port;
  g_slist_free (listeners);

  self->soup = g_steal_pointer (&soup);
  self->host = g_strdup (host);
  self->context = g_main_context_ref_thread_default ();
  self->sweep_source = add_timeout (self, SWEEP_INTERVAL_MS, on_sweep);
  /* Under load, pending input (a pong) is read before silence is judged. */
  g_source_set_priority (self->sweep_source, G_PRIORITY_LOW);

  return TRUE;
}

/**
 * metered_dev_server_get_port:
 * @self: a #MeteredDevServer
 *
 * Returns: the port the server listens on (the one picked for port 0),
 *   or 0 before metered_dev_server_listen()
 */
guint
metered_dev_server_get_port (MeteredDevServer *self)
{
  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), 0);

  return self->port;
}

/**
 * metered_dev_server_dup_url:
 * @self: a listening #MeteredDevServer
 *
 * Returns: (transfer full): the base URL a client is given, `ws://HOST:PORT`
 *   (`wss://` with a TLS certificate)
 */
char *
metered_dev_server_dup_url (MeteredDevServer *self)
{
  const char *scheme;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), NULL);
  g_return_val_if_fail (self->host != NULL, NULL);

  scheme = self->tls_certificate != NULL ? "wss" : "ws";
  if (strchr (self->host, ':') != NULL)
    return g_strdup_printf ("%s://[%s]:%u", scheme, self->host, self->port);

  return g_strdup_printf ("%s://%s:%u", scheme, self->host, self->port);
}

/**
 * metered_dev_server_set_tls_certificate:
 * @self: a #MeteredDevServer that is not listening yet
 * @certificate: (nullable): a certificate with its private key, or %NULL
 *
 * With a certificate the server speaks TLS only: `wss://` for clients and
 * `https://` for the REST plane.
 */
void
metered_dev_server_set_tls_certificate (MeteredDevServer *self,
                                        GTlsCertificate  *certificate)
{
  g_return_if_fail (METERED_IS_DEV_SERVER (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));
  g_return_if_fail (self->soup == NULL);

  g_set_object (&self->tls_certificate, certificate);
}

/**
 * metered_dev_server_set_demo:
 * @self: a #MeteredDevServer
 * @enabled: whether the simulated peers run
 *
 * Starts or stops the demo peers: sensors on `demo/sensors/<id>`, chat bots
 * in `demo/chat` and the `echo` peer. Stopping takes them out of their
 * channels (other subscribers see them leave).
 */
void
metered_dev_server_set_demo (MeteredDevServer *self,
                             gboolean          enabled)
{
  g_return_if_fail (METERED_IS_DEV_SERVER (self));

  if (enabled && self->demo == NULL && !self->stopping)
    self->demo = metered_dev_demo_new (self);
  else if (!enabled)
    g_clear_object (&self->demo);
}

/**
 * metered_dev_server_dup_demo_channels:
 * @self: a #MeteredDevServer
 *
 * The sensors' channel names hold random peer ids, so a client that wants
 * to watch the demo asks for them here.
 *
 * Returns: (transfer full) (nullable) (array zero-terminated=1): `demo/chat`
 *   then each `demo/sensors/<id>`, or %NULL when the demo is off
 */
char **
metered_dev_server_dup_demo_channels (MeteredDevServer *self)
{
  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), NULL);

  if (self->demo == NULL)
    return NULL;

  return metered_dev_demo_dup_channels (self->demo);
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  MeteredDevServer *self = user_data;
  g_autoptr(GPtrArray) remaining = NULL;

  g_clear_pointer (&self->stop_source, g_source_unref);

  if (self->stop_phase++ > 0)
    {
      /* Whatever still has not reported closing is let go of. */
      g_hash_table_remove_all (self->connections);
      finish_stop (self);
      return G_SOURCE_REMOVE;
    }

  remaining = collect_connections (self->connections, NULL, FALSE);
  for (guint i = 0; i < remaining->len; i++)
    metered_dev_connection_drop (g_ptr_array_index (remaining, i));

  self->stop_source = add_timeout (self, STOP_DROP_TIMEOUT_MS, on_stop_timeout);
  return G_SOURCE_REMOVE;
}

/**
 * metered_dev_server_stop:
 * @self: a #MeteredDevServer
 * @retry_after_ms: the hint sent in `going_away`
 *
 * Stops listening, sends every connection `going_away` and closes it with
 * 1001. ::stopped follows when the last connection is gone, at most about
 * 1.5 s later (peers that do not answer the close are hung up on).
 */
void
metered_dev_server_stop (MeteredDevServer *self,
                         guint             retry_after_ms)
{
  g_autoptr(GPtrArray) open = NULL;
  g_autofree char *going_away = NULL;

  g_return_if_fail (METERED_IS_DEV_SERVER (self));

  if (self->stopping)
    return;

  self->stopping = TRUE;
  g_message ("stopping: %u connections", self->n_open);

  g_clear_object (&self->demo);
  g_hash_table_remove_all (self->floods);
  destroy_source (&self->sweep_source);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);

  going_away = metered_frame_build_going_away (retry_after_ms);
  open = collect_connections (self->connections, NULL, FALSE);
  for (guint i = 0; i < open->len; i++)
    {
      MeteredDevConnection *connection = g_ptr_array_index (open, i);

      if (!metered_dev_connection_is_open (connection))
        continue;

      metered_dev_connection_send_text (connection, going_away);
      metered_dev_connection_close (connection, METERED_CLOSE_CODE_GOING_AWAY, "server shutting down");
    }

  if (self->context == NULL)
    self->context = g_main_context_ref_thread_default ();

  /* Even with nothing to wait for, ::stopped comes from the main loop,
   * after the caller had a chance to connect to it. */
  self->stop_source = add_timeout (self,
                                   g_hash_table_size (self->connections) > 0 ? STOP_CLOSE_TIMEOUT_MS : 0,
                                   on_stop_timeout);
  if (g_hash_table_size (self->connections) == 0)
    self->stop_phase = 1;
}

/**
 * metered_dev_server_get_n_connections:
 * @self: a #MeteredDevServer
 *
 * Returns: the number of connections that got `welcome` and are still
 *   open (demo peers are not connections)
 */
guint
metered_dev_server_get_n_connections (MeteredDevServer *self)
{
  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), 0);

  return self->n_open;
}

/**
 * metered_dev_server_set_idle_grace:
 * @self: a #MeteredDevServer
 * @grace_ms: the grace period, in milliseconds
 *
 * A connection silent (no frame, no pong) for the ping interval plus this
 * long is dropped. The default, 10 s, is the service's.
 */
void
metered_dev_server_set_idle_grace (MeteredDevServer *self,
                                   guint             grace_ms)
{
  g_return_if_fail (METERED_IS_DEV_SERVER (self));

  self->idle_grace_ms = grace_ms;
}

/**
 * metered_dev_server_set_output_limit:
 * @self: a #MeteredDevServer
 * @max_bytes: the limit, in bytes; 0 for none
 *
 * A peer that stops reading would make the server queue everything sent
 * to it. Past this much unread output the connection is closed with 1008
 * ("slow consumer") instead. Applies to connections accepted later.
 */
void
metered_dev_server_set_output_limit (MeteredDevServer *self,
                                     gsize             max_bytes)
{
  g_return_if_fail (METERED_IS_DEV_SERVER (self));

  self->output_limit = max_bytes;
}

/* Private API, for the server's other units. */

MeteredDevRegistry *
metered_dev_server_get_registry (MeteredDevServer *self)
{
  return self->registry;
}

MeteredDevLimits *
metered_dev_server_get_limits (MeteredDevServer *self)
{
  return metered_dev_config_get_limits (self->config);
}

void
metered_dev_server_get_usage (MeteredDevServer *self,
                              MeteredDevUsage  *usage)
{
  usage->period_start = self->period_start;
  usage->concurrent_now = self->n_open;
  usage->peak_concurrent = self->peak_concurrent;
  usage->messages_used = self->messages_used;
}

gboolean
metered_dev_server_take_message_quota (MeteredDevServer *self)
{
  guint max = metered_dev_config_get_limits (self->config)->max_messages_per_period;

  if (max > 0 && self->messages_used >= max)
    return FALSE;

  self->messages_used++;
  return TRUE;
}

void
metered_dev_server_count_message (MeteredDevServer *self)
{
  self->messages_used++;
}

gboolean
metered_dev_server_peer_is_online (MeteredDevServer *self,
                                   const char       *peer_id)
{
  return g_hash_table_contains (self->peers, peer_id);
}

/* The attached connections of @peer_id, held. */
static GPtrArray *
peer_connections (MeteredDevServer *self,
                  const char       *peer_id)
{
  GPtrArray *result = g_ptr_array_new_with_free_func (g_object_unref);

  for (const GList *l = g_hash_table_lookup (self->peers, peer_id); l != NULL; l = l->next)
    g_ptr_array_add (result, g_object_ref (l->data));

  return result;
}

guint
metered_dev_server_send_direct (MeteredDevServer *self,
                                const char       *from,
                                const char       *from_metadata_json,
                                const char       *to,
                                const char       *data_json)
{
  g_autoptr(GPtrArray) targets = peer_connections (self, to);
  g_autofree char *text = NULL;

  if (targets->len == 0)
    return 0;

  text = metered_frame_build_direct (from, data_json, from_metadata_json);
  for (guint i = 0; i < targets->len; i++)
    metered_dev_connection_send_text (g_ptr_array_index (targets, i), text);

  return targets->len;
}

guint
metered_dev_server_close_peer (MeteredDevServer *self,
                               const char       *peer_id,
                               gushort           code,
                               const char       *reason)
{
  g_autoptr(GPtrArray) targets = peer_connections (self, peer_id);
  guint n = 0;

  for (guint i = 0; i < targets->len; i++)
    {
      MeteredDevConnection *connection = g_ptr_array_index (targets, i);

      if (metered_dev_connection_is_virtual (connection))
        continue;

      metered_dev_connection_close (connection, code, reason);
      n++;
    }

  return n;
}

void
metered_dev_server_attach_virtual (MeteredDevServer     *self,
                                   MeteredDevConnection *connection)
{
  g_return_if_fail (METERED_IS_DEV_SERVER (self));
  g_return_if_fail (metered_dev_connection_is_virtual (connection));

  g_signal_connect_object (connection, "detached", G_CALLBACK (on_connection_detached), self, G_CONNECT_SWAPPED);
  attach (self, connection);
}

/* Test hooks. They act on connections that got `welcome` and are still
 * attached, never on virtual peers. */

/**
 * metered_dev_close_code_is_sendable:
 * @code: a WebSocket close code
 *
 * RFC 6455 §7.4 keeps 1004–1006 and 1015 out of close frames, and a peer
 * may treat other unassigned 1xxx codes as a protocol error; hooks check
 * first.
 *
 * Returns: whether this server can close a connection with @code
 */
gboolean
metered_dev_close_code_is_sendable (guint code)
{
  return (code >= 1000 && code <= 1003) ||
         (code >= 1007 && code <= 1011) ||
         (code >= 3000 && code <= 4999);
}

/**
 * metered_dev_server_hook_drop:
 * @self: a #MeteredDevServer
 * @peer_id: (nullable): the peer whose connections to drop; %NULL for all
 *
 * Cuts the TCP connections without a close frame (the client sees 1006).
 *
 * Returns: the number of connections dropped
 */
guint
metered_dev_server_hook_drop (MeteredDevServer *self,
                              const char       *peer_id)
{
  g_autoptr(GPtrArray) targets = NULL;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), 0);

  targets = collect_connections (self->attached, peer_id, TRUE);
  for (guint i = 0; i < targets->len; i++)
    metered_dev_connection_drop (g_ptr_array_index (targets, i));

  return targets->len;
}

/**
 * metered_dev_server_hook_close:
 * @self: a #MeteredDevServer
 * @peer_id: (nullable): the peer whose connections to close; %NULL for all
 * @code: the close code (see metered_dev_close_code_is_sendable())
 * @reason: (nullable): the close reason, cut to 123 bytes
 *
 * Returns: the number of connections closed
 */
guint
metered_dev_server_hook_close (MeteredDevServer *self,
                               const char       *peer_id,
                               gushort           code,
                               const char       *reason)
{
  g_autoptr(GPtrArray) targets = NULL;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), 0);
  g_return_val_if_fail (metered_dev_close_code_is_sendable (code), 0);
  g_return_val_if_fail (reason == NULL || g_utf8_validate (reason, -1, NULL), 0);

  targets = collect_connections (self->attached, peer_id, TRUE);
  for (guint i = 0; i < targets->len; i++)
    metered_dev_connection_close (g_ptr_array_index (targets, i), code, reason);

  return targets->len;
}

/**
 * metered_dev_server_hook_send_raw:
 * @self: a #MeteredDevServer
 * @peer_id: (nullable): the receiving peer; %NULL for every connection
 * @text: UTF-8 text sent as one text frame, JSON or not
 *
 * Returns: the number of connections the frame was queued on
 */
guint
metered_dev_server_hook_send_raw (MeteredDevServer *self,
                                  const char       *peer_id,
                                  const char       *text)
{
  g_autoptr(GPtrArray) targets = NULL;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), 0);
  g_return_val_if_fail (text != NULL && g_utf8_validate (text, -1, NULL), 0);

  targets = collect_connections (self->attached, peer_id, TRUE);
  for (guint i = 0; i < targets->len; i++)
    metered_dev_connection_send_text (g_ptr_array_index (targets, i), text);

  return targets->len;
}

/**
 * metered_dev_server_hook_send_bytes:
 * @self: a #MeteredDevServer
 * @peer_id: (nullable): the receiving peer; %NULL for every connection
 * @bytes: the frame's payload, sent as it is
 * @binary: whether to send a binary frame rather than a text frame
 *
 * Unlike metered_dev_server_hook_send_raw(), the text is not checked: this
 * is how a test plays a server that sends invalid UTF-8.
 *
 * Returns: the number of connections the frame was queued on
 */
guint
metered_dev_server_hook_send_bytes (MeteredDevServer *self,
                                    const char       *peer_id,
                                    GBytes           *bytes,
                                    gboolean          binary)
{
  g_autoptr(GPtrArray) targets = NULL;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), 0);
  g_return_val_if_fail (bytes != NULL, 0);

  targets = collect_connections (self->attached, peer_id, TRUE);
  for (guint i = 0; i < targets->len; i++)
    metered_dev_connection_send_bytes (g_ptr_array_index (targets, i), bytes, binary);

  return targets->len;
}

/**
 * metered_dev_server_hook_set_ack_mode:
 * @self: a #MeteredDevServer
 * @peer_id: (nullable): the peer; %NULL for every open connection
 * @mode: how requests are answered from now on
 * @delay_ms: the delay for %METERED_DEV_ACKS_DELAY
 *
 * Applies to the connections open now, not to later ones. A delayed
 * subscribe answer keeps its presence snapshot behind it; a swallowed one
 * still gets its snapshot. Pongs are never held back.
 *
 * Returns: the number of connections changed
 */
guint
metered_dev_server_hook_set_ack_mode (MeteredDevServer  *self,
                                      const char        *peer_id,
                                      MeteredDevAckMode  mode,
                                      guint              delay_ms)
{
  g_autoptr(GPtrArray) targets = NULL;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), 0);
  g_return_val_if_fail (mode <= METERED_DEV_ACKS_SWALLOW, 0);

  targets = collect_connections (self->attached, peer_id, TRUE);
  for (guint i = 0; i < targets->len; i++)
    metered_dev_connection_set_ack_mode (g_ptr_array_index (targets, i), mode, delay_ms);

  return targets->len;
}

/**
 * metered_dev_server_hook_stall:
 * @self: a #MeteredDevServer
 * @peer_id: (nullable): the peer; %NULL for every open connection
 * @stalled: whether the connections play dead
 *
 * A stalled connection ignores every frame it receives, is sent nothing
 * (no fan-out, no answers, no server pings) and is exempt from the idle
 * check. The transport still answers WebSocket control pings underneath.
 *
 * Returns: the number of connections changed
 */
guint
metered_dev_server_hook_stall (MeteredDevServer *self,
                               const char       *peer_id,
                               gboolean          stalled)
{
  g_autoptr(GPtrArray) targets = NULL;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), 0);

  targets = collect_connections (self->attached, peer_id, TRUE);
  for (guint i = 0; i < targets->len; i++)
    metered_dev_connection_set_stalled (g_ptr_array_index (targets, i), stalled);

  return targets->len;
}

/**
 * metered_dev_server_hook_reject_connections:
 * @self: a #MeteredDevServer
 * @code: a close code for every new connection, after the upgrade and
 *   before `welcome`; 0 turns it off
 */
void
metered_dev_server_hook_reject_connections (MeteredDevServer *self,
                                            gushort           code)
{
  g_return_if_fail (METERED_IS_DEV_SERVER (self));
  g_return_if_fail (code == 0 || metered_dev_close_code_is_sendable (code));

  self->reject_code = code;
}

/**
 * metered_dev_server_hook_set_suspended:
 * @self: a #MeteredDevServer
 * @suspended: the account state
 *
 * Later connects are closed with 4012 while suspended; open connections
 * stay.
 */
void
metered_dev_server_hook_set_suspended (MeteredDevServer *self,
                                       gboolean          suspended)
{
  g_return_if_fail (METERED_IS_DEV_SERVER (self));

  metered_dev_config_set_account_suspended (self->config, suspended);
}

/**
 * metered_dev_server_hook_list_connections:
 * @self: a #MeteredDevServer
 * @peer_id: (nullable): the peer; %NULL for every open connection
 *
 * Returns: (transfer full): a JSON array of `{peerId, channels}`, the
 *   channels in subscription order
 */
JsonNode *
metered_dev_server_hook_list_connections (MeteredDevServer *self,
                                          const char       *peer_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) targets = NULL;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), NULL);

  targets = collect_connections (self->attached, peer_id, TRUE);

  json_builder_begin_array (builder);
  for (guint i = 0; i < targets->len; i++)
    {
      MeteredDevConnection *connection = g_ptr_array_index (targets, i);
      g_autoptr(GPtrArray) channels = metered_dev_registry_list_channels (self->registry, connection);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "peerId");
      json_builder_add_string_value (builder, metered_dev_connection_get_peer_id (connection));
      json_builder_set_member_name (builder, "channels");
      json_builder_begin_array (builder);
      for (guint j = 0; j < channels->len; j++)
        json_builder_add_string_value (builder, g_ptr_array_index (channels, j));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

/* Floods: a publisher inside the server, for benchmarks. */

/* Finished floods are kept until asked about once more, so that their
 * count can still be read; starting a new one forgets them. */
static void
forget_finished_floods (MeteredDevServer *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->floods);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (metered_dev_flood_is_finished (value))
        g_hash_table_iter_remove (&iter);
    }
}

/**
 * metered_dev_server_start_flood:
 * @self: a listening #MeteredDevServer
 * @channel: a valid channel name
 * @rate_per_second: messages per second; 0 for as fast as the slowest
 *   subscriber reads
 * @count: how many messages to publish; 0 for no end
 * @payload_size: the size of each payload's JSON text, in bytes
 *
 * Publishes `{"seq":N,"sentUs":T,"pad":"…"}` payloads from the peer
 * `flood` through the normal fan-out: N counts from 0 per flood, T is the
 * wall-clock send time in microseconds. It publishes only while @channel
 * has a subscriber on a socket and every such socket can take more, so a
 * slow subscriber slows the flood instead of growing the server's memory.
 *
 * Returns: the flood's id, never 0
 */
guint
metered_dev_server_start_flood (MeteredDevServer *self,
                                const char       *channel,
                                guint             rate_per_second,
                                guint64           count,
                                gsize             payload_size)
{
  guint id;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), 0);
  g_return_val_if_fail (channel != NULL && metered_channel_validate (channel, NULL), 0);
  g_return_val_if_fail (payload_size <= METERED_DEV_FLOOD_MAX_PAYLOAD, 0);
  g_return_val_if_fail (!self->stopping, 0);

  forget_finished_floods (self);

  if (++self->next_flood_id == 0)
    self->next_flood_id = 1;
  id = self->next_flood_id;

  g_hash_table_insert (self->floods, GUINT_TO_POINTER (id),
                       metered_dev_flood_new (self, channel, rate_per_second, count, payload_size));

  return id;
}

/**
 * metered_dev_server_stop_flood:
 * @self: a #MeteredDevServer
 * @flood_id: an id from metered_dev_server_start_flood()
 *
 * Stops the flood (if it still runs) and forgets it; unknown ids are
 * ignored.
 */
void
metered_dev_server_stop_flood (MeteredDevServer *self,
                               guint             flood_id)
{
  g_return_if_fail (METERED_IS_DEV_SERVER (self));

  g_hash_table_remove (self->floods, GUINT_TO_POINTER (flood_id));
}

/**
 * metered_dev_server_get_flood_sent:
 * @self: a #MeteredDevServer
 * @flood_id: an id from metered_dev_server_start_flood()
 * @sent: (out) (optional): the number of messages published so far
 * @finished: (out) (optional): whether the flood published its count
 *
 * Returns: %FALSE when the flood is unknown (stopped, or finished and
 *   forgotten)
 */
gboolean
metered_dev_server_get_flood_sent (MeteredDevServer *self,
                                   guint             flood_id,
                                   guint64          *sent,
                                   gboolean         *finished)
{
  MeteredDevFlood *flood;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (self), FALSE);

  flood = g_hash_table_lookup (self->floods, GUINT_TO_POINTER (flood_id));
  if (flood == NULL)
    return FALSE;

  if (sent != NULL)
    *sent = metered_dev_flood_get_sent (flood);
  if (finished != NULL)
    *finished = metered_dev_flood_is_finished (flood);

  return TRUE;
}
