/* metered-cli-async.c: waiting for one asynchronous call at a time
 *
 * A command is a short script (connect, subscribe, print, close), so the
 * CLI starts each asynchronous call with metered_cli_async_store() as its
 * callback and a GAsyncResult slot as user data, then runs the default
 * main context until the slot is filled. Everything else (the client's
 * socket, timers, signal handlers, the stdin reader) keeps running
 * meanwhile.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include "metered-cli-async.h"

void
metered_cli_async_store (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert (*slot == NULL);
  *slot = g_object_ref (result);
}

void
metered_cli_async_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
}
