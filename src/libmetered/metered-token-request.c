/* metered-token-request.c: one asynchronous call of a token provider
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-token-request"

#include <string.h>

#include "metered-error.h"
#include "metered-token-request.h"
#include "metered-client-private.h"

/**
 * MeteredTokenRequest:
 *
 * A request for a fresh token, handed to the application's
 * [callback@Metered.TokenProviderFunc] before the first connect and before
 * every reconnect.
 *
 * The application answers it once, now or later and from any thread, with
 * [method@Metered.TokenRequest.return_token] or
 * [method@Metered.TokenRequest.return_error]. Only the first answer counts.
 * The client stops waiting when its token provider timeout passes or when
 * it is closed; the request's [method@Metered.TokenRequest.get_cancellable]
 * is cancelled then, so the application can abort its own work (for
 * example an HTTP call to its backend), and any answer given afterwards is
 * ignored.
 */
struct _MeteredTokenRequest
{
  GObject                  parent_instance;

  GMainContext            *context;
  GCancellable            *cancellable;
  MeteredTokenRequestDone  done;
  gpointer                 done_data;
  /* Set, and read, only on @context's thread. */
  gboolean                 completed;
};

G_DEFINE_FINAL_TYPE (MeteredTokenRequest, metered_token_request, G_TYPE_OBJECT)

typedef struct {
  MeteredTokenRequest *request;
  char                *token;
  GError              *error;
} Answer;

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  g_object_unref (answer->request);
  if (answer->token != NULL)
    {
      /* The token is a secret: do not leave it in freed memory. */
      memset (answer->token, 0, strlen (answer->token));
      g_free (answer->token);
    }
  g_clear_error (&answer->error);
  g_free (answer);
}

static void
metered_token_request_finalize (GObject *object)
{
  MeteredTokenRequest *self = (MeteredTokenRequest *) object;

  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (metered_token_request_parent_class)->finalize (object);
}

static void
metered_token_request_class_init (MeteredTokenRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_token_request_finalize;
}

static void
metered_token_request_init (MeteredTokenRequest *self)
{
  self->cancellable = g_cancellable_new ();
}

MeteredTokenRequest *
metered_token_request_new (MeteredTokenRequestDone done,
                           gpointer                done_data)
{
  MeteredTokenRequest *self;

  g_return_val_if_fail (done != NULL, NULL);

  self = g_object_new (METERED_TYPE_TOKEN_REQUEST, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->done = done;
  self->done_data = done_data;

  return self;
}

void
metered_token_request_abandon (MeteredTokenRequest *self)
{
  g_return_if_fail (METERED_IS_TOKEN_REQUEST (self));

  self->completed = TRUE;
  self->done = NULL;
  self->done_data = NULL;
  g_cancellable_cancel (self->cancellable);
}

static gboolean
deliver_answer (gpointer data)
{
  Answer *answer = data;
  MeteredTokenRequest *self = answer->request;
  MeteredTokenRequestDone done = self->done;

  if (self->completed || done == NULL)
    return G_SOURCE_REMOVE;

  self->completed = TRUE;
  self->done = NULL;
  done (self, g_steal_pointer (&answer->token), g_steal_pointer (&answer->error), self->done_data);

  return G_SOURCE_REMOVE;
}

/* The answer always reaches the client from its own main context, in a
 * later iteration: a provider may answer synchronously, from inside the
 * call that asked it, or from a worker thread. */
static void
queue_answer (MeteredTokenRequest *self,
              char                *token,
              GError              *error)
{
  g_autoptr(GSource) source = g_idle_source_new ();
  Answer *answer = g_new0 (Answer, 1);

  answer->request = g_object_ref (self);
  answer->token = token;
  answer->error = error;

  g_source_set_static_name (source, "[metered] token request answer");
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_answer, answer, answer_free);
  g_source_attach (source, self->context);
}

/**
 * metered_token_request_return_token:
 * @self: a #MeteredTokenRequest
 * @token: the token (a JWT minted by the application's backend)
 *
 * Answers the request with a token. An empty token counts as a failure.
 * Only the first answer counts; answers after the client stopped waiting
 * are ignored.
 */
void
metered_token_request_return_token (MeteredTokenRequest *self,
                                    const char          *token)
{
  g_return_if_fail (METERED_IS_TOKEN_REQUEST (self));

  if (token == NULL || token[0] == '\0')
    {
      queue_answer (self, NULL,
                    g_error_new_literal (METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_TOKEN_PROVIDER,
                                         "The token provider returned an empty token"));
      return;
    }

  queue_answer (self, g_strdup (token), NULL);
}

/**
 * metered_token_request_return_error:
 * @self: a #MeteredTokenRequest
 * @error: why no token could be had
 *
 * Answers the request with a failure. The client counts consecutive
 * failures (see [signal@Metered.Client::token-provider-error]) and, once it
 * has been connected, keeps retrying on its backoff schedule. Only the first
 * answer counts; answers after the client stopped waiting are ignored.
 *
 * The error's message reaches the application's logs and error reports, so
 * it must not contain secrets.
 */
void
metered_token_request_return_error (MeteredTokenRequest *self,
                                    const GError        *error)
{
  g_return_if_fail (METERED_IS_TOKEN_REQUEST (self));
  g_return_if_fail (error != NULL);

  queue_answer (self, NULL, g_error_copy (error));
}

/**
 * metered_token_request_get_cancellable:
 * @self: a #MeteredTokenRequest
 *
 * Gets a cancellable that is cancelled when the client stops waiting for
 * this request (the token provider timeout passed, or the client was
 * closed). Pass it to the work that fetches the token.
 *
 * Returns: (transfer none): the request's #GCancellable
 */
GCancellable *
metered_token_request_get_cancellable (MeteredTokenRequest *self)
{
  g_return_val_if_fail (METERED_IS_TOKEN_REQUEST (self), NULL);

  return self->cancellable;
}
