/* inspector-sandbox.c: the local server a fresh inspector connects to
 *
 * An in-process metered-devserver on a free loopback port, with its demo
 * peers, so the inspector shows live traffic without an account. The
 * inspector signs its own tokens with the server's development key, which
 * gives it a stable peer id and a name in other peers' rosters.
 *
 * One server serves every sandbox tab of the process, so that tabs can
 * talk to each other: each tab gets its own identity on it. The server
 * lives as long as some connection holds a reference.
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
  /* Identities handed out so far; the first is plain "inspector". */
  guint             n_identities;
};

G_DEFINE_FINAL_TYPE (InspectorSandbox, inspector_sandbox, G_TYPE_OBJECT)

/* A weak pointer: the process's sandbox while anyone holds it. */
static InspectorSandbox *shared_sandbox;

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
 * Returns the process's sandbox, starting the server with its demo peers
 * on the thread-default main context if none runs. Every caller shares it,
 * so sandbox tabs see each other; it stops when the last reference goes.
 *
 * Returns: (transfer full) (nullable): the sandbox, or %NULL if the server
 *   could not listen
 */
InspectorSandbox *
inspector_sandbox_new (GError **error)
{
  g_autoptr(InspectorSandbox) self = NULL;
  g_autoptr(GError) local_error = NULL;

  if (shared_sandbox != NULL)
    return g_object_ref (shared_sandbox);

  self = g_object_new (INSPECTOR_TYPE_SANDBOX, NULL);

  self->server = metered_dev_server_new (NULL);

  if (!metered_dev_server_listen (self->server, SANDBOX_HOST, 0, &local_error))
    {
      g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_SANDBOX,
                   _("The local sandbox could not start: %s"), local_error->message);
      return NULL;
    }

  metered_dev_server_set_demo (self->server, TRUE);
  self->url = metered_dev_server_dup_url (self->server);

  shared_sandbox = self;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &shared_sandbox);

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

/* The peer id, and the metadata naming it in rosters. */
static char *
dup_identity (InspectorSandbox               *self,
              const InspectorConnectOptions *base,
              char                         **peer_metadata)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *name = NULL;

  if (base->subject != NULL && *base->subject != '\0')
    {
      subject = g_strdup (base->subject);
      name = g_strdup (base->subject);
    }
  else if (++self->n_identities == 1)
    {
      subject = g_strdup (SANDBOX_PEER_ID);
      name = g_strdup ("Inspector");
    }
  else
    {
      subject = g_strdup_printf (SANDBOX_PEER_ID "-%u", self->n_identities);
      name = g_strdup_printf ("Inspector %u", self->n_identities);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, "inspector");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  *peer_metadata = json_to_string (root, FALSE);

  return g_steal_pointer (&subject);
}

/**
 * inspector_sandbox_dup_connect_options:
 * @base: the options the user chose; their reconnect settings, extra
 *   subscriptions and subject (the peer id) are kept
 *
 * Each call without a subject in @base hands out a new identity:
 * `inspector`, then `inspector-2`, `inspector-3`…, so that two sandbox
 * tabs are two peers that can send each other directs.
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
  g_free (options->peer_metadata);
  options->subject = dup_identity (self, base, &options->peer_metadata);
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
