/* readme-example.c: connect, subscribe, publish, print a message, close
 *
 * Usage: METERED_API_KEY=pk_live_... readme-example wss://rms.metered.ca
 *
 * Run two copies at once: each prints the greeting the other publishes
 * (a publisher never receives its own messages).
 *
 * SPDX-License-Identifier: MIT
 */

#include <metered.h>

#define CHANNEL "demo/chat"

typedef struct {
  MeteredClient *client;
  GMainLoop     *loop;
  int            status;
} App;

static void
on_closed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  App *app = user_data;

  metered_client_close_finish (METERED_CLIENT (source), result, NULL);
  g_main_loop_quit (app->loop);
}

static void
fail (App        *app,
      const char *what,
      GError     *error)
{
  g_printerr ("%s failed: %s\n", what, error->message);
  metered_client_close_async (app->client, METERED_CLOSE_CODE_NORMAL, NULL, NULL, on_closed, app);
}

static void
on_message (MeteredClient       *client,
            MeteredMessageEvent *event,
            gpointer             user_data)
{
  App *app = user_data;

  g_print ("%s says %s\n",
           metered_message_event_get_sender_peer_id (event),
           metered_message_event_get_data_text (event));

  app->status = 0;
  metered_client_close_async (client, METERED_CLOSE_CODE_NORMAL, "bye", NULL, on_closed, app);
}

static void
on_published (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!metered_client_publish_text_finish (METERED_CLIENT (source), result, &error))
    fail (user_data, "publish", error);
}

static void
on_subscribed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  MeteredClient *client = METERED_CLIENT (source);
  g_autoptr(GError) error = NULL;

  if (!metered_client_subscribe_finish (client, result, &error))
    {
      fail (user_data, "subscribe", error);
      return;
    }

  metered_client_publish_text_async (client, CHANNEL, "{\"text\":\"hello from C\"}",
                                     NULL, on_published, user_data);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  MeteredClient *client = METERED_CLIENT (source);
  App *app = user_data;
  g_autoptr(GError) error = NULL;

  if (!metered_client_connect_finish (client, result, &error))
    {
      g_printerr ("connect failed: %s\n", error->message);
      g_main_loop_quit (app->loop);
      return;
    }

  g_print ("connected as %s\n", metered_client_get_peer_id (client));
  metered_client_subscribe_async (client, CHANNEL, METERED_SUBSCRIBE_FLAGS_NONE,
                                  NULL, on_subscribed, app);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *api_key = g_getenv ("METERED_API_KEY");
  App app = { NULL, NULL, 1 };

  if (argc != 2 || api_key == NULL)
    {
      g_printerr ("usage: METERED_API_KEY=pk_live_... %s URL\n", argv[0]);
      return 2;
    }

  app.client = metered_client_new (api_key, argv[1], &error);
  if (app.client == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  app.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (app.client, "message", G_CALLBACK (on_message), &app);
  metered_client_connect_async (app.client, NULL, on_connected, &app);
  g_main_loop_run (app.loop);

  g_object_unref (app.client);
  g_main_loop_unref (app.loop);

  return app.status;
}
