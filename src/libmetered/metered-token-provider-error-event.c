/* metered-token-provider-error-event.c: the token provider keeps failing
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-token-provider-error-event"

#include "metered-token-provider-error-event.h"
#include "metered-client-private.h"

/**
 * MeteredTokenProviderErrorEvent:
 *
 * Emitted by [signal@Metered.Client::token-provider-error] when the token
 * provider has failed (or timed out) several times in a row: on the third
 * consecutive failure and on each one after it. The client keeps retrying
 * on its backoff schedule; the event lets an application notice that its
 * authentication is broken, for example to ask the user to log in again.
 *
 * Instances are immutable.
 */
struct _MeteredTokenProviderErrorEvent
{
  GObject  parent_instance;

  guint    consecutive_failures;
  GError  *error;
};

G_DEFINE_FINAL_TYPE (MeteredTokenProviderErrorEvent, metered_token_provider_error_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONSECUTIVE_FAILURES,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
metered_token_provider_error_event_finalize (GObject *object)
{
  MeteredTokenProviderErrorEvent *self = (MeteredTokenProviderErrorEvent *) object;

  g_clear_error (&self->error);

  G_OBJECT_CLASS (metered_token_provider_error_event_parent_class)->finalize (object);
}

static void
metered_token_provider_error_event_get_property (GObject    *object,
                                                 guint       prop_id,
                                                 GValue     *value,
                                                 GParamSpec *pspec)
{
  MeteredTokenProviderErrorEvent *self = METERED_TOKEN_PROVIDER_ERROR_EVENT (object);

  switch (prop_id)
    {
    case PROP_CONSECUTIVE_FAILURES:
      g_value_set_uint (value, self->consecutive_failures);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
metered_token_provider_error_event_class_init (MeteredTokenProviderErrorEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_token_provider_error_event_finalize;
  object_class->get_property = metered_token_provider_error_event_get_property;

  /**
   * MeteredTokenProviderErrorEvent:consecutive-failures:
   *
   * How many times in a row the token provider has failed.
   */
  properties[PROP_CONSECUTIVE_FAILURES] =
    g_param_spec_uint ("consecutive-failures", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * MeteredTokenProviderErrorEvent:error:
   *
   * The latest failure: %METERED_CLIENT_ERROR_TOKEN_PROVIDER for a timeout
   * or an empty token, otherwise the error the provider returned.
   */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
metered_token_provider_error_event_init (MeteredTokenProviderErrorEvent *self)
{
}

MeteredTokenProviderErrorEvent *
metered_token_provider_error_event_new (guint         consecutive_failures,
                                        const GError *error)
{
  MeteredTokenProviderErrorEvent *self;

  g_return_val_if_fail (error != NULL, NULL);

  self = g_object_new (METERED_TYPE_TOKEN_PROVIDER_ERROR_EVENT, NULL);
  self->consecutive_failures = consecutive_failures;
  self->error = g_error_copy (error);

  return self;
}

/**
 * metered_token_provider_error_event_get_consecutive_failures:
 * @self: a #MeteredTokenProviderErrorEvent
 *
 * Gets how many times in a row the token provider has failed.
 *
 * Returns: the number of consecutive failures, at least 3
 */
guint
metered_token_provider_error_event_get_consecutive_failures (MeteredTokenProviderErrorEvent *self)
{
  g_return_val_if_fail (METERED_IS_TOKEN_PROVIDER_ERROR_EVENT (self), 0);

  return self->consecutive_failures;
}

/**
 * metered_token_provider_error_event_get_error:
 * @self: a #MeteredTokenProviderErrorEvent
 *
 * Gets the latest failure.
 *
 * Returns: (transfer none): the error
 */
const GError *
metered_token_provider_error_event_get_error (MeteredTokenProviderErrorEvent *self)
{
  g_return_val_if_fail (METERED_IS_TOKEN_PROVIDER_ERROR_EVENT (self), NULL);

  return self->error;
}
