/* inspector-sandbox.c: the local server a fresh inspector connects to
 *
 * An in-process metered-devserver on a free loopback port, with its demo
 * peers, so the inspector shows live traffic without an account. The
 * inspector signs its own tokens with the server's development key, which
 * gives it a stable peer id and a name in other peers' rosters.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-sandbox"

#include <glib/gi18n.h>

#include "inspector-error.h"
#include "inspector-sandbox.h"

#define SANDBOX_HOST       "127.0.0.1"
#define SANDBOX_PEER_ID    "inspector"

struct _InspectorSandbox
{
  GObject           parent_instance;

  MeteredDevServer *server;
  char             *url;
};

G_DEFINE_FINAL_TYPE (InspectorSandbox, inspector_sandbox, G_TYPE_OBJECT)

static void
inspector_sandbox_dispose (GObject *object)
{
  InspectorSandbox *self = (InspectorSandbox *)object;

  g_clear_object (&self->server);

  G_OBJECT_CLASS (inspector_sandbox_parent_class)->dispose (object);
}

static void
inspector_sandbox_finalize (GObject *object)
{
  InspectorSandbox *self = (InspectorSandbox *)object;

  g_clear_pointer (&self->url, g_free);

  G_OBJECT_CLASS (inspector_sandbox_parent_class)->finalize (object);
}

static void
inspector_sandbox_class_init (InspectorSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = inspector_sandbox_dispose;
  object_class->finalize = inspector_sandbox_finalize;
}

static void
inspector_sandbox_init (InspectorSandbox *self)
{
}

/**
 * inspector_sandbox_new:
 *
 * Starts the server, with its demo peers, on the thread-default main
 * context.
 *
 * Returns: (transfer full) (nullable): the sandbox, or %NULL if the server
 *   could not listen
 */
InspectorSandbox *
inspector_sandbox_new (GError **error)
{
  g_autoptr(InspectorSandbox) self = g_object_new (INSPECTOR_TYPE_SANDBOX, NULL);
  g_autoptr(GError) local_error = NULL;

  self->server = metered_dev_server_new (NULL);

  if (!metered_dev_server_listen (self->server, SANDBOX_HOST, 0, &local_error))
    {
      g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_SANDBOX,
                   _("The local sandbox could not start: %s"), local_error->message);
      return NULL;
    }

  metered_dev_server_set_demo (self->server, TRUE);
  self->url = metered_dev_server_dup_url (self->server);

  return g_steal_pointer (&self);
}

/**
 * inspector_sandbox_get_server:
 *
 * Returns: (transfer none): the server, for tests that drive its hooks
 */
MeteredDevServer *
inspector_sandbox_get_server (InspectorSandbox *self)
{
  g_return_val_if_fail (INSPECTOR_IS_SANDBOX (self), NULL);

  return self->server;
}

/* "ws://127.0.0.1:PORT" */
const char *
inspector_sandbox_get_url (InspectorSandbox *self)
{
  g_return_val_if_fail (INSPECTOR_IS_SANDBOX (self), NULL);

  return self->url;
}

/**
 * inspector_sandbox_dup_demo_channels:
 *
 * The sensors' channels are named after random peer ids, so only the
 * server knows them.
 *
 * Returns: (transfer full): the channels the demo peers are active in,
 *   `demo/chat` first, then each `demo/sensors/<id>`
 */
char **
inspector_sandbox_dup_demo_channels (InspectorSandbox *self)
{
  char **channels;

  g_return_val_if_fail (INSPECTOR_IS_SANDBOX (self), NULL);

  /* The demo runs from inspector_sandbox_new() on; an empty list covers a
   * server whose shutdown already took it away. */
  channels = metered_dev_server_dup_demo_channels (self->server);
  if (channels == NULL)
    channels = g_new0 (char *, 1);

  return channels;
}

/**
 * inspector_sandbox_dup_connect_options:
 * @base: the options the user chose; their reconnect settings and extra
 *   subscriptions are kept
 *
 * Returns: (transfer full): options that connect to this sandbox with a
 *   token signed by its development key
 */
InspectorConnectOptions *
inspector_sandbox_dup_connect_options (InspectorSandbox              *self,
                                       const InspectorConnectOptions *base)
{
  MeteredDevConfig *config;
  GPtrArray *secret_keys;
  const MeteredDevSecretKey *key;
  InspectorConnectOptions *options;
  g_autoptr(GStrvBuilder) subscribe = g_strv_builder_new ();
  g_auto(GStrv) demo_channels = NULL;

  g_return_val_if_fail (INSPECTOR_IS_SANDBOX (self), NULL);
  g_return_val_if_fail (base != NULL, NULL);

  config = metered_dev_server_get_config (self->server);
  secret_keys = metered_dev_config_get_secret_keys (config);
  g_return_val_if_fail (secret_keys->len > 0, NULL);
  key = g_ptr_array_index (secret_keys, 0);

  options = inspector_connect_options_copy (base);
  options->mode = INSPECTOR_AUTH_SIGNED_TOKEN;
  g_free (options->url);
  options->url = g_strdup (self->url);
  g_free (options->key_id);
  options->key_id = g_strdup (key->id);
  g_free (options->secret);
  options->secret = g_strdup (key->secret);
  g_free (options->subject);
  options->subject = g_strdup (SANDBOX_PEER_ID);
  g_free (options->peer_metadata);
  options->peer_metadata = g_strdup ("{\"name\":\"Inspector\",\"kind\":\"inspector\"}");
  g_clear_pointer (&options->channels, g_strfreev);
  g_clear_pointer (&options->permissions, g_strfreev);

  demo_channels = inspector_sandbox_dup_demo_channels (self);
  g_strv_builder_addv (subscribe, (const char **) demo_channels);
  for (guint i = 0; base->subscribe != NULL && base->subscribe[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) demo_channels, base->subscribe[i]))
      g_strv_builder_add (subscribe, base->subscribe[i]);

  g_strfreev (options->subscribe);
  options->subscribe = g_strv_builder_end (subscribe);

  return options;
}
