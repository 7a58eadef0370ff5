/* metered-server-error-event.c: an error frame no pending request claimed
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-server-error-event"

#include "metered-server-error-event.h"
#include "metered-enum-types.h"
#include "metered-client-private.h"

/**
 * MeteredServerErrorEvent:
 *
 * Emitted by [signal@Metered.Client::server-error] for an `error` frame
 * that is not the answer to a pending request: one without a request id,
 * or with one the client no longer waits for (its request timed out or was
 * cancelled). Errors answering a pending request fail that request instead
 * and are not emitted here.
 *
 * A server error never closes the connection.
 *
 * Instances are immutable.
 */
struct _MeteredServerErrorEvent
{
  GObject  parent_instance;

  char    *code;
  char    *message;
  char    *request_id;
};

G_DEFINE_FINAL_TYPE (MeteredServerErrorEvent, metered_server_error_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CODE,
  PROP_ERROR_CODE,
  PROP_MESSAGE,
  PROP_REQUEST_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
metered_server_error_event_finalize (GObject *object)
{
  MeteredServerErrorEvent *self = (MeteredServerErrorEvent *) object;

  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->request_id, g_free);

  G_OBJECT_CLASS (metered_server_error_event_parent_class)->finalize (object);
}

static void
metered_server_error_event_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  MeteredServerErrorEvent *self = METERED_SERVER_ERROR_EVENT (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;

    case PROP_ERROR_CODE:
      g_value_set_enum (value, metered_server_error_event_get_error_code (self));
      break;

    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;

    case PROP_REQUEST_ID:
      g_value_set_string (value, self->request_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_server_error_event_class_init (MeteredServerErrorEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_server_error_event_finalize;
  object_class->get_property = metered_server_error_event_get_property;

  /**
   * MeteredServerErrorEvent:code:
   *
   * The error code string as the server sent it, e.g. `"over_message_quota"`.
   */
  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredServerErrorEvent:error-code:
   *
   * The code as a #MeteredServerError; %METERED_SERVER_ERROR_UNKNOWN for a
   * code this version does not know.
   */
  properties[PROP_ERROR_CODE] =
    g_param_spec_enum ("error-code", NULL, NULL,
                       METERED_TYPE_SERVER_ERROR,
                       METERED_SERVER_ERROR_UNKNOWN,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredServerErrorEvent:message:
   *
   * The server's free-text message, for logs only; %NULL when it sent none.
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredServerErrorEvent:request-id:
   *
   * The request id the frame carried, or %NULL.
   */
  properties[PROP_REQUEST_ID] =
    g_param_spec_string ("request-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_server_error_event_init (MeteredServerErrorEvent *self)
{
}

MeteredServerErrorEvent *
metered_server_error_event_new (const char *code,
                                const char *message,
                                const char *request_id)
{
  MeteredServerErrorEvent *self;

  g_return_val_if_fail (code != NULL, NULL);

  /* The strings come from the network; GObject strings must be UTF-8. */
  self = g_object_new (METERED_TYPE_SERVER_ERROR_EVENT, NULL);
  self->code = g_utf8_make_valid (code, -1);
  self->message = message != NULL ? g_utf8_make_valid (message, -1) : NULL;
  self->request_id = request_id != NULL ? g_utf8_make_valid (request_id, -1) : NULL;

  return self;
}

/**
 * metered_server_error_event_get_code:
 * @self: a #MeteredServerErrorEvent
 *
 * Gets the error code string as the server sent it.
 *
 * Returns: (transfer none): the code
 */
const char *
metered_server_error_event_get_code (MeteredServerErrorEvent *self)
{
  g_return_val_if_fail (METERED_IS_SERVER_ERROR_EVENT (self), NULL);

  return self->code;
}

/**
 * metered_server_error_event_get_error_code:
 * @self: a #MeteredServerErrorEvent
 *
 * Gets the code as a #MeteredServerError.
 *
 * Returns: the code, %METERED_SERVER_ERROR_UNKNOWN when this version does
 *   not know it
 */
MeteredServerError
metered_server_error_event_get_error_code (MeteredServerErrorEvent *self)
{
  g_return_val_if_fail (METERED_IS_SERVER_ERROR_EVENT (self), METERED_SERVER_ERROR_UNKNOWN);

  return metered_server_error_from_string (self->code);
}

/**
 * metered_server_error_event_get_message:
 * @self: a #MeteredServerErrorEvent
 *
 * Gets the server's free-text message, meant for logs.
 *
 * Returns: (transfer none) (nullable): the message, or %NULL
 */
const char *
metered_server_error_event_get_message (MeteredServerErrorEvent *self)
{
  g_return_val_if_fail (METERED_IS_SERVER_ERROR_EVENT (self), NULL);

  return self->message;
}

/**
 * metered_server_error_event_get_request_id:
 * @self: a #MeteredServerErrorEvent
 *
 * Gets the request id the frame carried.
 *
 * Returns: (transfer none) (nullable): the request id, or %NULL
 */
const char *
metered_server_error_event_get_request_id (MeteredServerErrorEvent *self)
{
  g_return_val_if_fail (METERED_IS_SERVER_ERROR_EVENT (self), NULL);

  return self->request_id;
}
