/* inspector-saved-payload.c: a named payload to publish or send again
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-saved-payload"

#include <glib/gi18n.h>

#include "metered-channel.h"

#include "inspector-error.h"
#include "inspector-json.h"
#include "inspector-saved-payload.h"

struct _InspectorSavedPayload
{
  GObject   parent_instance;

  char     *name;
  char     *target;
  char     *json;
  gboolean  peer;
};

G_DEFINE_FINAL_TYPE (InspectorSavedPayload, inspector_saved_payload, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_PEER,
  PROP_TARGET,
  PROP_JSON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
inspector_saved_payload_finalize (GObject *object)
{
  InspectorSavedPayload *self = (InspectorSavedPayload *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->target, g_free);
  g_clear_pointer (&self->json, g_free);

  G_OBJECT_CLASS (inspector_saved_payload_parent_class)->finalize (object);
}

static void
inspector_saved_payload_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  InspectorSavedPayload *self = INSPECTOR_SAVED_PAYLOAD (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_PEER:
      g_value_set_boolean (value, self->peer);
      break;

    case PROP_TARGET:
      g_value_set_string (value, self->target);
      break;

    case PROP_JSON:
      g_value_set_string (value, self->json);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_saved_payload_class_init (InspectorSavedPayloadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = inspector_saved_payload_finalize;
  object_class->get_property = inspector_saved_payload_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /* Whether the target is a peer id (a direct message) rather than a channel. */
  properties[PROP_PEER] =
    g_param_spec_boolean ("peer", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_TARGET] =
    g_param_spec_string ("target", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_JSON] =
    g_param_spec_string ("json", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_saved_payload_init (InspectorSavedPayload *self)
{
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name));

  if (stripped[0] == '\0')
    {
      g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                           _("Give the payload a name."));
      return FALSE;
    }

  if (g_utf8_strlen (stripped, -1) > INSPECTOR_SAVED_PAYLOAD_MAX_NAME)
    {
      g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                   _("A payload name may be at most %d characters long."),
                   INSPECTOR_SAVED_PAYLOAD_MAX_NAME);
      return FALSE;
    }

  return TRUE;
}

/**
 * inspector_saved_payload_new:
 * @name: what the library shows; leading and trailing blanks are dropped
 * @peer: whether @target is a peer id rather than a channel
 * @target: the channel or peer id
 * @json: the payload, JSON text
 *
 * Checks everything as the compose pane would before sending, so that a
 * saved payload can be sent again as is.
 *
 * Returns: (transfer full) (nullable): the payload, or %NULL with @error
 *   set to a message for the user
 */
InspectorSavedPayload *
inspector_saved_payload_new (const char  *name,
                             gboolean     peer,
                             const char  *target,
                             const char  *json,
                             GError     **error)
{
  InspectorSavedPayload *self;
  g_autoptr(GError) local_error = NULL;
  gsize size;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (json != NULL, NULL);

  if (!g_utf8_validate (name, -1, NULL) || !g_utf8_validate (target, -1, NULL) ||
      !g_utf8_validate (json, -1, NULL))
    {
      g_set_error_literal (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                           _("The payload is not valid UTF-8 text."));
      return NULL;
    }

  if (!check_name (name, error))
    return NULL;

  if (peer ? !metered_peer_id_validate (target, &local_error)
           : !metered_channel_validate (target, &local_error))
    {
      g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_OPTION,
                   peer ? _("The peer id is not valid: %s") : _("The channel is not valid: %s"),
                   local_error->message);
      return NULL;
    }

  if (!inspector_json_measure (json, &size, &local_error))
    {
      g_set_error (error, INSPECTOR_ERROR, INSPECTOR_ERROR_INVALID_JSON,
                   _("Not JSON: %s"), local_error->message);
      return NULL;
    }

  self = g_object_new (INSPECTOR_TYPE_SAVED_PAYLOAD, NULL);
  self->name = g_strstrip (g_strdup (name));
  self->peer = !!peer;
  self->target = g_strdup (target);
  self->json = g_strdup (json);

  return self;
}

/**
 * inspector_saved_payload_new_renamed:
 *
 * Returns: (transfer full) (nullable): a copy of @self called @name
 */
InspectorSavedPayload *
inspector_saved_payload_new_renamed (InspectorSavedPayload  *self,
                                     const char             *name,
                                     GError                **error)
{
  g_return_val_if_fail (INSPECTOR_IS_SAVED_PAYLOAD (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return inspector_saved_payload_new (name, self->peer, self->target, self->json, error);
}

const char *
inspector_saved_payload_get_name (InspectorSavedPayload *self)
{
  g_return_val_if_fail (INSPECTOR_IS_SAVED_PAYLOAD (self), NULL);

  return self->name;
}

gboolean
inspector_saved_payload_get_peer (InspectorSavedPayload *self)
{
  g_return_val_if_fail (INSPECTOR_IS_SAVED_PAYLOAD (self), FALSE);

  return self->peer;
}

const char *
inspector_saved_payload_get_target (InspectorSavedPayload *self)
{
  g_return_val_if_fail (INSPECTOR_IS_SAVED_PAYLOAD (self), NULL);

  return self->target;
}

const char *
inspector_saved_payload_get_json (InspectorSavedPayload *self)
{
  g_return_val_if_fail (INSPECTOR_IS_SAVED_PAYLOAD (self), NULL);

  return self->json;
}

/**
 * inspector_saved_payload_dup_summary:
 *
 * Returns: (transfer full): where the payload goes, for a subtitle
 */
char *
inspector_saved_payload_dup_summary (InspectorSavedPayload *self)
{
  g_return_val_if_fail (INSPECTOR_IS_SAVED_PAYLOAD (self), NULL);

  /* Translators: a saved payload goes to this channel, or to this peer */
  return g_strdup_printf (self->peer ? _("Send to %s") : _("Publish to %s"), self->target);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  InspectorSavedPayload *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gint64 rtt = 0;
  gboolean ok;

  if (self->peer)
    ok = inspector_connection_send_finish (INSPECTOR_CONNECTION (source), result, &rtt, &error);
  else
    ok = inspector_connection_publish_finish (INSPECTOR_CONNECTION (source), result, &rtt, &error);

  if (ok)
    g_task_return_int (task, rtt);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * inspector_saved_payload_send_async:
 * @connection: the connection to publish or send on
 *
 * Publishes the payload to its channel or sends it to its peer, logged
 * in @connection's log like any other request.
 */
void
inspector_saved_payload_send_async (InspectorSavedPayload *self,
                                    InspectorConnection   *connection,
                                    GCancellable          *cancellable,
                                    GAsyncReadyCallback    callback,
                                    gpointer               user_data)
{
  GTask *task;

  g_return_if_fail (INSPECTOR_IS_SAVED_PAYLOAD (self));
  g_return_if_fail (INSPECTOR_IS_CONNECTION (connection));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, inspector_saved_payload_send_async);

  if (self->peer)
    inspector_connection_send_async (connection, self->target, self->json, cancellable, on_sent, task);
  else
    inspector_connection_publish_async (connection, self->target, self->json, cancellable, on_sent, task);
}

/**
 * inspector_saved_payload_send_finish:
 * @rtt_us: (out) (optional): the round trip until the ack, in microseconds
 */
gboolean
inspector_saved_payload_send_finish (InspectorSavedPayload  *self,
                                     GAsyncResult           *result,
                                     gint64                 *rtt_us,
                                     GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 rtt;

  g_return_val_if_fail (INSPECTOR_IS_SAVED_PAYLOAD (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  rtt = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (rtt_us != NULL)
    *rtt_us = rtt;

  return TRUE;
}
