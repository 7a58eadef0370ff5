/* metered-dev-config.c: keys, limits and account switches of the local server
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-dev-config"

#include <string.h>

#include "metered-channel.h"
#include "metered-frame-private.h"
#include "metered-dev-config.h"

/* Config files are small; refusing big ones keeps a wrong path (a log, a
 * disk image) from being read into memory. */
#define MAX_CONFIG_FILE_BYTES (1024 * 1024)

/* Generous caps that still keep a typo from asking for absurd values. */
#define MAX_MESSAGE_SIZE_LIMIT   (16 * 1024 * 1024)
#define MAX_PING_INTERVAL        (24 * 60 * 60)
#define MAX_KEY_LENGTH           512

struct _MeteredDevConfig
{
  GObject           parent_instance;

  GPtrArray        *publishable_keys;
  GPtrArray        *secret_keys;
  MeteredDevLimits  limits;
  gboolean          account_suspended;
  char             *tls_certificate_file;
  char             *tls_key_file;
};

G_DEFINE_FINAL_TYPE (MeteredDevConfig, metered_dev_config, G_TYPE_OBJECT)

G_DEFINE_QUARK (metered-dev-config-error-quark, metered_dev_config_error)

static const struct {
  const char        *name;
  MeteredDevActions  action;
} action_names[] = {
  { "subscribe", METERED_DEV_ACTION_SUBSCRIBE },
  { "publish", METERED_DEV_ACTION_PUBLISH },
  { "presence", METERED_DEV_ACTION_PRESENCE },
  { "send", METERED_DEV_ACTION_SEND },
};

static void
publishable_key_free (gpointer data)
{
  MeteredDevPublishableKey *key = data;

  g_free (key->key);
  g_strfreev (key->channel_patterns);
  g_free (key);
}

static void
secret_key_free (gpointer data)
{
  MeteredDevSecretKey *key = data;

  g_free (key->id);
  /* The signing secret should not linger in freed memory. */
  if (key->secret != NULL)
    memset (key->secret, 0, strlen (key->secret));
  g_free (key->secret);
  g_strfreev (key->channel_patterns);
  g_free (key);
}

static void
metered_dev_config_finalize (GObject *object)
{
  MeteredDevConfig *self = (MeteredDevConfig *)object;

  g_clear_pointer (&self->publishable_keys, g_ptr_array_unref);
  g_clear_pointer (&self->secret_keys, g_ptr_array_unref);
  g_free (self->tls_certificate_file);
  g_free (self->tls_key_file);

  G_OBJECT_CLASS (metered_dev_config_parent_class)->finalize (object);
}

static void
metered_dev_config_class_init (MeteredDevConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_dev_config_finalize;
}

static void
metered_dev_config_init (MeteredDevConfig *self)
{
  self->publishable_keys = g_ptr_array_new_with_free_func (publishable_key_free);
  self->secret_keys = g_ptr_array_new_with_free_func (secret_key_free);

  self->limits.max_message_size = 65536;
  self->limits.max_channels_per_connection = 100;
  self->limits.message_rate_per_second = 100;
  self->limits.message_burst = 200;
  self->limits.max_concurrent_connections = 0;
  self->limits.max_messages_per_period = 0;
  self->limits.ping_interval_seconds = 30;
}

/**
 * metered_dev_config_new_default:
 *
 * The built-in development configuration: publishable key `pk_live_dev`
 * and secret key `sk_id_dev` / `sk_secret_dev`, both allowed every channel
 * (`**`) and every action, with the default limits.
 *
 * Returns: (transfer full): a new #MeteredDevConfig
 */
static const char * const all_channels[] = { "**", NULL };

static void
add_dev_publishable_key (MeteredDevConfig *self)
{
  MeteredDevPublishableKey *pk = g_new0 (MeteredDevPublishableKey, 1);

  pk->key = g_strdup ("pk_live_dev");
  pk->channel_patterns = g_strdupv ((char **)all_channels);
  pk->actions = METERED_DEV_ACTION_ALL;
  g_ptr_array_add (self->publishable_keys, pk);
}

static void
add_dev_secret_key (MeteredDevConfig *self)
{
  MeteredDevSecretKey *sk = g_new0 (MeteredDevSecretKey, 1);

  sk->id = g_strdup ("sk_id_dev");
  sk->secret = g_strdup ("sk_secret_dev");
  sk->channel_patterns = g_strdupv ((char **)all_channels);
  sk->actions = METERED_DEV_ACTION_ALL;
  g_ptr_array_add (self->secret_keys, sk);
}

MeteredDevConfig *
metered_dev_config_new_default (void)
{
  MeteredDevConfig *self = g_object_new (METERED_TYPE_DEV_CONFIG, NULL);

  add_dev_publishable_key (self);
  add_dev_secret_key (self);

  return self;
}

/**
 * metered_dev_actions_from_json:
 * @array: a JSON array of action names
 * @out: (out): the actions, combined
 *
 * Parses `["subscribe","publish","presence","send"]` (any subset, any
 * order, duplicates allowed).
 *
 * Returns: %FALSE if an element is not one of the four names
 */
gboolean
metered_dev_actions_from_json (JsonArray         *array,
                               MeteredDevActions *out)
{
  MeteredDevActions actions = 0;
  guint n;

  g_return_val_if_fail (array != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *name;
      gboolean found = FALSE;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return FALSE;

      name = json_node_get_string (node);
      for (gsize j = 0; j < G_N_ELEMENTS (action_names); j++)
        {
          if (g_strcmp0 (name, action_names[j].name) == 0)
            {
              actions |= action_names[j].action;
              found = TRUE;
              break;
            }
        }

      if (!found)
        return FALSE;
    }

  *out = actions;
  return TRUE;
}

static gboolean
invalid (GError     **error,
         const char  *field,
         const char  *problem)
{
  g_set_error (error, METERED_DEV_CONFIG_ERROR, METERED_DEV_CONFIG_ERROR_INVALID,
               "%s: %s", field, problem);
  return FALSE;
}

/* Rejects members other than @allowed, naming the first unknown one. */
static gboolean
check_members (JsonObject         *object,
               const char         *prefix,
               const char * const *allowed,
               GError            **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (!g_strv_contains (allowed, name))
        {
          g_autofree char *safe = g_utf8_make_valid (name, -1);
          g_autofree char *field = prefix != NULL
            ? g_strdup_printf ("%s.%s", prefix, safe)
            : g_strdup (safe);

          return invalid (error, field, "unknown field");
        }
    }

  return TRUE;
}

static gboolean
read_bool (JsonObject  *object,
           const char  *name,
           const char  *field,
           gboolean    *out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return invalid (error, field, "must be true or false");

  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
is_printable_ascii (const char *text,
                    gsize       max_len)
{
  gsize len = 0;

  for (const char *p = text; *p != '\0'; p++, len++)
    {
      if (*p < 0x20 || *p > 0x7e || len >= max_len)
        return FALSE;
    }

  return len > 0;
}

/* Keys, ids and secrets travel in URLs and headers, so they are printable
 * ASCII; the message never quotes the value. */
static gboolean
read_string (JsonObject  *object,
             const char  *name,
             const char  *field,
             char       **out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  const char *value;

  if (node == NULL)
    return invalid (error, field, "is required");

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (error, field, "must be a string");

  value = json_node_get_string (node);
  if (!is_printable_ascii (value, MAX_KEY_LENGTH))
    return invalid (error, field, "must be 1 to " G_STRINGIFY (MAX_KEY_LENGTH) " printable ASCII characters");

  *out = g_strdup (value);
  return TRUE;
}

/* A number that is a whole value in [min, max]. json-glib reads `10` as an
 * integer and `10.0` as a double; both are accepted. */
static gboolean
read_number (JsonObject  *object,
             const char  *name,
             const char  *field,
             double       min,
             double       max,
             gboolean     whole,
             double      *out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);
  double value;
  GType type;

  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return invalid (error, field, "must be a number");

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    value = (double)json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    value = json_node_get_double (node);
  else
    return invalid (error, field, "must be a number");

  /* The range check comes first: converting a double outside gint64's
   * range (1e300, inf) to an integer is undefined behaviour. */
  if (!(value >= min && value <= max))
    {
      g_autofree char *problem = g_strdup_printf ("must be between %.0f and %.0f", min, max);
      return invalid (error, field, problem);
    }

  if (whole && value != (double)(gint64)value)
    return invalid (error, field, "must be a whole number");

  *out = value;
  return TRUE;
}

static gboolean
read_guint (JsonObject  *object,
            const char  *name,
            const char  *field,
            guint        min,
            guint        max,
            guint       *out,
            GError     **error)
{
  double value = *out;

  if (!read_number (object, name, field, min, max, TRUE, &value, error))
    return FALSE;

  *out = (guint)value;
  return TRUE;
}

static gboolean
read_patterns (JsonObject   *object,
               const char   *field,
               char       ***out,
               GError      **error)
{
  JsonNode *node = json_object_get_member (object, "channelPatterns");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;
  guint n;

  if (node == NULL)
    {
      g_strv_builder_add (builder, "**");
      *out = g_strv_builder_end (builder);
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, field, "must be an array of channel patterns");

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING ||
          !metered_channel_validate (json_node_get_string (element), NULL))
        {
          g_autofree char *item = g_strdup_printf ("%s[%u]", field, i);
          return invalid (error, item, "must be a non-empty pattern of at most 256 bytes without control characters");
        }

      g_strv_builder_add (builder, json_node_get_string (element));
    }

  *out = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
read_actions (JsonObject         *object,
              const char         *field,
              MeteredDevActions  *out,
              GError            **error)
{
  JsonNode *node = json_object_get_member (object, "actions");

  if (node == NULL)
    {
      *out = METERED_DEV_ACTION_ALL;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node) ||
      !metered_dev_actions_from_json (json_node_get_array (node), out))
    return invalid (error, field, "must be an array of \"subscribe\", \"publish\", \"presence\", \"send\"");

  return TRUE;
}

/* Element @i of a key list, checked to be an object with only @allowed
 * members; @prefix names it in error messages ("secretKeys[2]"). */
static JsonObject *
key_list_entry (JsonArray          *array,
                guint               i,
                const char         *prefix,
                const char * const *allowed,
                GError            **error)
{
  JsonNode *element = json_array_get_element (array, i);
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (element))
    {
      invalid (error, prefix, "must be an object");
      return NULL;
    }

  object = json_node_get_object (element);
  if (!check_members (object, prefix, allowed, error))
    return NULL;

  return object;
}

static gboolean
load_publishable_keys (MeteredDevConfig  *self,
                       JsonNode          *node,
                       GError           **error)
{
  static const char * const allowed[] = { "key", "channelPatterns", "actions", "revoked", NULL };
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "publishableKeys", "must be an array");

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("publishableKeys[%u]", i);
      g_autofree char *f_key = g_strconcat (prefix, ".key", NULL);
      g_autofree char *f_patterns = g_strconcat (prefix, ".channelPatterns", NULL);
      g_autofree char *f_actions = g_strconcat (prefix, ".actions", NULL);
      g_autofree char *f_revoked = g_strconcat (prefix, ".revoked", NULL);
      MeteredDevPublishableKey *key;
      JsonObject *object = key_list_entry (array, i, prefix, allowed, error);

      if (object == NULL)
        return FALSE;

      key = g_new0 (MeteredDevPublishableKey, 1);
      g_ptr_array_add (self->publishable_keys, key);

      if (!read_string (object, "key", f_key, &key->key, error) ||
          !read_patterns (object, f_patterns, &key->channel_patterns, error) ||
          !read_actions (object, f_actions, &key->actions, error) ||
          !read_bool (object, "revoked", f_revoked, &key->revoked, error))
        return FALSE;

      for (guint j = 0; j < i; j++)
        {
          const MeteredDevPublishableKey *other = g_ptr_array_index (self->publishable_keys, j);

          /* The message names the index only: a key is a credential. */
          if (g_str_equal (other->key, key->key))
            return invalid (error, f_key, "duplicate key");
        }
    }

  return TRUE;
}

static gboolean
load_secret_keys (MeteredDevConfig  *self,
                  JsonNode          *node,
                  GError           **error)
{
  static const char * const allowed[] = { "id", "secret", "channelPatterns", "actions", NULL };
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, "secretKeys", "must be an array");

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("secretKeys[%u]", i);
      g_autofree char *f_id = g_strconcat (prefix, ".id", NULL);
      g_autofree char *f_secret = g_strconcat (prefix, ".secret", NULL);
      g_autofree char *f_patterns = g_strconcat (prefix, ".channelPatterns", NULL);
      g_autofree char *f_actions = g_strconcat (prefix, ".actions", NULL);
      MeteredDevSecretKey *key;
      JsonObject *object = key_list_entry (array, i, prefix, allowed, error);

      if (object == NULL)
        return FALSE;

      key = g_new0 (MeteredDevSecretKey, 1);
      g_ptr_array_add (self->secret_keys, key);

      if (!read_string (object, "id", f_id, &key->id, error) ||
          !read_string (object, "secret", f_secret, &key->secret, error) ||
          !read_patterns (object, f_patterns, &key->channel_patterns, error) ||
          !read_actions (object, f_actions, &key->actions, error))
        return FALSE;

      /* REST credentials are `id:secret`, so an id may not hold a colon. */
      if (strchr (key->id, ':') != NULL)
        return invalid (error, f_id, "must not contain ':'");

      for (guint j = 0; j < i; j++)
        {
          const MeteredDevSecretKey *other = g_ptr_array_index (self->secret_keys, j);

          if (g_str_equal (other->id, key->id))
            return invalid (error, f_id, "duplicate id");
        }
    }

  return TRUE;
}

static gboolean
load_limits (MeteredDevConfig  *self,
             JsonNode          *node,
             GError           **error)
{
  static const char * const allowed[] = {
    "maxMessageSize", "maxChannelsPerConnection", "messageRatePerSecond", "messageBurst",
    "maxConcurrentConnections", "maxMessagesPerPeriod", "pingIntervalSeconds", NULL
  };
  MeteredDevLimits *limits = &self->limits;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "limits", "must be an object");

  object = json_node_get_object (node);
  if (!check_members (object, "limits", allowed, error))
    return FALSE;

  return read_guint (object, "maxMessageSize", "limits.maxMessageSize",
                     1, MAX_MESSAGE_SIZE_LIMIT, &limits->max_message_size, error) &&
         read_guint (object, "maxChannelsPerConnection", "limits.maxChannelsPerConnection",
                     0, G_MAXINT, &limits->max_channels_per_connection, error) &&
         read_number (object, "messageRatePerSecond", "limits.messageRatePerSecond",
                      0, 1e9, FALSE, &limits->message_rate_per_second, error) &&
         read_guint (object, "messageBurst", "limits.messageBurst",
                     0, G_MAXINT, &limits->message_burst, error) &&
         read_guint (object, "maxConcurrentConnections", "limits.maxConcurrentConnections",
                     0, G_MAXINT, &limits->max_concurrent_connections, error) &&
         read_guint (object, "maxMessagesPerPeriod", "limits.maxMessagesPerPeriod",
                     0, G_MAXINT, &limits->max_messages_per_period, error) &&
         read_guint (object, "pingIntervalSeconds", "limits.pingIntervalSeconds",
                     0, MAX_PING_INTERVAL, &limits->ping_interval_seconds, error);
}

static gboolean
read_file_name (JsonObject  *object,
                const char  *name,
                const char  *field,
                char       **out,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return invalid (error, field, "is required");

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
      json_node_get_string (node)[0] == '\0')
    return invalid (error, field, "must be a file name");

  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
load_tls (MeteredDevConfig  *self,
          JsonNode          *node,
          GError           **error)
{
  static const char * const allowed[] = { "certificate", "key", NULL };
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "tls", "must be an object");

  object = json_node_get_object (node);
  return check_members (object, "tls", allowed, error) &&
         read_file_name (object, "certificate", "tls.certificate", &self->tls_certificate_file, error) &&
         read_file_name (object, "key", "tls.key", &self->tls_key_file, error);
}

/**
 * metered_dev_config_new_from_data:
 * @data: JSON text
 * @len: length of @data, or -1 if NUL-terminated
 * @error: return location for a #GError
 *
 * Loads a configuration. Every field is optional: limits default to the
 * service's numbers, and a missing `publishableKeys` or `secretKeys` means
 * the development key of that kind (`pk_live_dev`, `sk_id_dev` /
 * `sk_secret_dev`). Unknown fields are refused. Error messages name the
 * field and never quote keys or secrets.
 *
 * Returns: (transfer full) (nullable): the configuration, or %NULL
 */
MeteredDevConfig *
metered_dev_config_new_from_data (const char  *data,
                                  gssize       len,
                                  GError     **error)
{
  static const char * const allowed[] = {
    "publishableKeys", "secretKeys", "limits", "accountSuspended", "tls", NULL
  };
  g_autoptr(MeteredDevConfig) self = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonNode *node;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The untrusted parser's messages give a position, never the text, so
   * a secret in a broken file stays out of the error. */
  parsed = metered_json_parse_untrusted (data, len, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, METERED_DEV_CONFIG_ERROR, METERED_DEV_CONFIG_ERROR_PARSE,
                   "not valid JSON: %s", local_error->message);
      return NULL;
    }

  node = parsed;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, METERED_DEV_CONFIG_ERROR, METERED_DEV_CONFIG_ERROR_PARSE,
                           "the configuration must be a JSON object");
      return NULL;
    }

  root = json_node_get_object (node);
  if (!check_members (root, NULL, allowed, error))
    return NULL;

  self = g_object_new (METERED_TYPE_DEV_CONFIG, NULL);

  /* A file that only tunes limits keeps the development keys; listing
   * keys (even none, `[]`) replaces them. */
  if ((node = json_object_get_member (root, "publishableKeys")) == NULL)
    add_dev_publishable_key (self);
  else if (!load_publishable_keys (self, node, error))
    return NULL;

  if ((node = json_object_get_member (root, "secretKeys")) == NULL)
    add_dev_secret_key (self);
  else if (!load_secret_keys (self, node, error))
    return NULL;

  if ((node = json_object_get_member (root, "limits")) != NULL &&
      !load_limits (self, node, error))
    return NULL;

  if (!read_bool (root, "accountSuspended", "accountSuspended", &self->account_suspended, error))
    return NULL;

  if ((node = json_object_get_member (root, "tls")) != NULL &&
      !load_tls (self, node, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * metered_dev_config_new_from_file:
 * @path: a file name
 * @error: return location for a #GError
 *
 * Reads @path and loads it with metered_dev_config_new_from_data().
 *
 * Returns: (transfer full) (nullable): the configuration, or %NULL
 */
MeteredDevConfig *
metered_dev_config_new_from_file (const char  *path,
                                  GError     **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(MeteredDevConfig) self = NULL;
  g_autofree char *dir = NULL;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return NULL;

  len = g_mapped_file_get_length (file);
  if (len > MAX_CONFIG_FILE_BYTES)
    {
      g_set_error (error, METERED_DEV_CONFIG_ERROR, METERED_DEV_CONFIG_ERROR_PARSE,
                   "the file is larger than %d bytes", MAX_CONFIG_FILE_BYTES);
      return NULL;
    }

  /* An empty file maps to NULL contents. */
  self = metered_dev_config_new_from_data (len > 0 ? g_mapped_file_get_contents (file) : "",
                                           len, error);
  if (self == NULL)
    return NULL;

  /* TLS files named relative to the configuration file, as a user reads
   * them, not relative to wherever the server was started. */
  dir = g_path_get_dirname (path);
  if (self->tls_certificate_file != NULL && !g_path_is_absolute (self->tls_certificate_file))
    {
      char *relative = self->tls_certificate_file;

      self->tls_certificate_file = g_build_filename (dir, relative, NULL);
      g_free (relative);
    }
  if (self->tls_key_file != NULL && !g_path_is_absolute (self->tls_key_file))
    {
      char *relative = self->tls_key_file;

      self->tls_key_file = g_build_filename (dir, relative, NULL);
      g_free (relative);
    }

  return g_steal_pointer (&self);
}

/**
 * metered_dev_config_get_publishable_keys:
 * @self: a #MeteredDevConfig
 *
 * Returns: (transfer none) (element-type MeteredDevPublishableKey): the keys
 */
GPtrArray *
metered_dev_config_get_publishable_keys (MeteredDevConfig *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONFIG (self), NULL);

  return self->publishable_keys;
}

/**
 * metered_dev_config_get_secret_keys:
 * @self: a #MeteredDevConfig
 *
 * Returns: (transfer none) (element-type MeteredDevSecretKey): the keys
 */
GPtrArray *
metered_dev_config_get_secret_keys (MeteredDevConfig *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONFIG (self), NULL);

  return self->secret_keys;
}

/**
 * metered_dev_config_find_publishable_key:
 * @self: a #MeteredDevConfig
 * @key: a publishable key, as a client sent it
 *
 * Returns: (transfer none) (nullable): the key, revoked or not, or %NULL
 */
const MeteredDevPublishableKey *
metered_dev_config_find_publishable_key (MeteredDevConfig *self,
                                         const char       *key)
{
  g_return_val_if_fail (METERED_IS_DEV_CONFIG (self), NULL);

  if (key == NULL)
    return NULL;

  for (guint i = 0; i < self->publishable_keys->len; i++)
    {
      const MeteredDevPublishableKey *pk = g_ptr_array_index (self->publishable_keys, i);

      if (g_str_equal (pk->key, key))
        return pk;
    }

  return NULL;
}

/**
 * metered_dev_config_find_secret_key:
 * @self: a #MeteredDevConfig
 * @id: a secret key id (`kid`)
 *
 * Returns: (transfer none) (nullable): the key, or %NULL
 */
const MeteredDevSecretKey *
metered_dev_config_find_secret_key (MeteredDevConfig *self,
                                    const char       *id)
{
  g_return_val_if_fail (METERED_IS_DEV_CONFIG (self), NULL);

  if (id == NULL)
    return NULL;

  for (guint i = 0; i < self->secret_keys->len; i++)
    {
      const MeteredDevSecretKey *sk = g_ptr_array_index (self->secret_keys, i);

      if (g_str_equal (sk->id, id))
        return sk;
    }

  return NULL;
}

/**
 * metered_dev_config_get_limits:
 * @self: a #MeteredDevConfig
 *
 * The limits, writable: a server reads them when it needs them, so an
 * embedder (a test) may tighten them on a running server.
 *
 * Returns: (transfer none): the limits
 */
MeteredDevLimits *
metered_dev_config_get_limits (MeteredDevConfig *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONFIG (self), NULL);

  return &self->limits;
}

/**
 * metered_dev_config_get_account_suspended:
 * @self: a #MeteredDevConfig
 *
 * Returns: whether connects are refused with 4012
 */
gboolean
metered_dev_config_get_account_suspended (MeteredDevConfig *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONFIG (self), FALSE);

  return self->account_suspended;
}

/**
 * metered_dev_config_set_account_suspended:
 * @self: a #MeteredDevConfig
 * @suspended: the account state
 *
 * Takes effect at the next connect of any server using @self.
 */
void
metered_dev_config_set_account_suspended (MeteredDevConfig *self,
                                          gboolean          suspended)
{
  g_return_if_fail (METERED_IS_DEV_CONFIG (self));

  self->account_suspended = !!suspended;
}

/**
 * metered_dev_config_get_tls_certificate_file:
 * @self: a #MeteredDevConfig
 *
 * Returns: (nullable): the `tls.certificate` file (PEM), made absolute
 *   against the configuration file's directory, or %NULL without `tls`
 */
const char *
metered_dev_config_get_tls_certificate_file (MeteredDevConfig *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONFIG (self), NULL);

  return self->tls_certificate_file;
}

/**
 * metered_dev_config_get_tls_key_file:
 * @self: a #MeteredDevConfig
 *
 * Returns: (nullable): the `tls.key` file (PEM private key), made absolute
 *   like the certificate's, or %NULL without `tls`
 */
const char *
metered_dev_config_get_tls_key_file (MeteredDevConfig *self)
{
  g_return_val_if_fail (METERED_IS_DEV_CONFIG (self), NULL);

  return self->tls_key_file;
}
