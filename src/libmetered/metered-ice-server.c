/* metered-ice-server.c: a STUN/TURN server handed out in `welcome`
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-ice-server"

#include <string.h>

#include "metered-ice-server.h"
#include "metered-client-private.h"

/* Limits of §17. Real deployments ship one to five short entries; the caps
 * keep a hostile token issuer from pushing huge or dangerous values into an
 * application's user interface or WebRTC stack. */
#define MAX_ENTRIES          16
#define MAX_URL_CHARS        512
#define MAX_USERNAME_CHARS   1024
#define MAX_CREDENTIAL_CHARS 1024

/**
 * MeteredIceServer:
 *
 * One entry of the `iceServers` list a token may carry in its private
 * metadata (usually TURN credentials), as reported by
 * [class@Metered.ConnectedEvent].
 *
 * Entries reach the application only after validation: every URL uses the
 * `stun:`, `stuns:`, `turn:` or `turns:` scheme and is at most 512
 * characters, the username and credential are at most 1024 characters, and
 * there are at most 16 entries. One bad entry rejects the whole list.
 *
 * Instances are immutable.
 */
struct _MeteredIceServer
{
  GObject   parent_instance;

  char    **urls;
  char     *username;
  char     *credential;
};

G_DEFINE_FINAL_TYPE (MeteredIceServer, metered_ice_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URLS,
  PROP_USERNAME,
  PROP_CREDENTIAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
metered_ice_server_finalize (GObject *object)
{
  MeteredIceServer *self = (MeteredIceServer *) object;

  g_clear_pointer (&self->urls, g_strfreev);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->credential, g_free);

  G_OBJECT_CLASS (metered_ice_server_parent_class)->finalize (object);
}

static void
metered_ice_server_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MeteredIceServer *self = METERED_ICE_SERVER (object);

  switch (prop_id)
    {
    case PROP_URLS:
      g_value_set_boxed (value, self->urls);
      break;

    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;

    case PROP_CREDENTIAL:
      g_value_set_string (value, self->credential);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_ice_server_class_init (MeteredIceServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_ice_server_finalize;
  object_class->get_property = metered_ice_server_get_property;

  /**
   * MeteredIceServer:urls:
   *
   * The server's URLs; never empty.
   */
  properties[PROP_URLS] =
    g_param_spec_boxed ("urls", NULL, NULL,
                        G_TYPE_STRV,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredIceServer:username:
   *
   * The TURN username, or %NULL.
   */
  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredIceServer:credential:
   *
   * The TURN credential, or %NULL. It is a secret of sorts: do not log it.
   */
  properties[PROP_CREDENTIAL] =
    g_param_spec_string ("credential", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_ice_server_init (MeteredIceServer *self)
{
}

static gboolean
is_allowed_url (const char *url)
{
  static const char * const schemes[] = { "stun:", "stuns:", "turn:", "turns:" };
  glong n_chars;

  if (!g_utf8_validate (url, -1, NULL))
    return FALSE;

  n_chars = g_utf8_strlen (url, -1);
  if (n_chars == 0 || n_chars > MAX_URL_CHARS)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      if (g_ascii_strncasecmp (url, schemes[i], strlen (schemes[i])) == 0)
        return TRUE;
    }

  return FALSE;
}

static const char *
node_get_string_or_null (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Reads `urls`: a string or a non-empty array of strings, each allowed. */
static char **
read_urls (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  const char *single;
  JsonArray *array;
  guint n;

  if (node == NULL)
    return NULL;

  single = node_get_string_or_null (node);
  if (single != NULL)
    {
      const char *one[] = { single, NULL };

      return is_allowed_url (single) ? g_strdupv ((char **) one) : NULL;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0)
    return NULL;

  builder = g_strv_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      const char *url = node_get_string_or_null (json_array_get_element (array, i));

      if (url == NULL || !is_allowed_url (url))
        return NULL;
      g_strv_builder_add (builder, url);
    }

  return g_strv_builder_end (builder);
}

/* A string field longer than its cap rejects the entry; a field of another
 * type is dropped, as a WebRTC stack would ignore it. */
static gboolean
read_optional_string (JsonObject  *entry,
                      const char  *name,
                      glong        max_chars,
                      char       **out)
{
  const char *value = node_get_string_or_null (json_object_get_member (entry, name));

  *out = NULL;
  if (value == NULL)
    return TRUE;

  if (!g_utf8_validate (value, -1, NULL) || g_utf8_strlen (value, -1) > max_chars)
    return FALSE;

  *out = g_strdup (value);
  return TRUE;
}

static MeteredIceServer *
ice_server_from_json (JsonNode *node)
{
  g_autoptr(MeteredIceServer) server = NULL;
  JsonObject *entry;
  char **urls;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  entry = json_node_get_object (node);
  urls = read_urls (json_object_get_member (entry, "urls"));
  if (urls == NULL)
    return NULL;

  server = g_object_new (METERED_TYPE_ICE_SERVER, NULL);
  server->urls = urls;

  if (!read_optional_string (entry, "username", MAX_USERNAME_CHARS, &server->username) ||
      !read_optional_string (entry, "credential", MAX_CREDENTIAL_CHARS, &server->credential))
    return NULL;

  return g_steal_pointer (&server);
}

/* Fail closed: a list with one bad entry is as untrustworthy as a list of
 * bad entries, so the application gets none rather than a partial list. */
GPtrArray *
metered_ice_servers_from_metadata (JsonObject *metadata)
{
  g_autoptr(GPtrArray) servers = NULL;
  JsonNode *node;
  JsonArray *array;
  guint n;

  if (metadata == NULL)
    return NULL;

  node = json_object_get_member (metadata, "iceServers");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > MAX_ENTRIES)
    return NULL;

  servers = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      MeteredIceServer *server = ice_server_from_json (json_array_get_element (array, i));

      if (server == NULL)
        return NULL;
      g_ptr_array_add (servers, server);
    }

  return g_steal_pointer (&servers);
}

/**
 * metered_ice_server_get_urls:
 * @self: a #MeteredIceServer
 *
 * Gets the server's URLs.
 *
 * Returns: (transfer none) (array zero-terminated=1): the URLs, never empty
 */
const char * const *
metered_ice_server_get_urls (MeteredIceServer *self)
{
  g_return_val_if_fail (METERED_IS_ICE_SERVER (self), NULL);

  return (const char * const *) self->urls;
}

/**
 * metered_ice_server_get_username:
 * @self: a #MeteredIceServer
 *
 * Gets the TURN username.
 *
 * Returns: (transfer none) (nullable): the username, or %NULL
 */
const char *
metered_ice_server_get_username (MeteredIceServer *self)
{
  g_return_val_if_fail (METERED_IS_ICE_SERVER (self), NULL);

  return self->username;
}

/**
 * metered_ice_server_get_credential:
 * @self: a #MeteredIceServer
 *
 * Gets the TURN credential. Do not log it.
 *
 * Returns: (transfer none) (nullable): the credential, or %NULL
 */
const char *
metered_ice_server_get_credential (MeteredIceServer *self)
{
  g_return_val_if_fail (METERED_IS_ICE_SERVER (self), NULL);

  return self->credential;
}
