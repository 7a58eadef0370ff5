/* metered-dev-demo.c: simulated peers that make a fresh server look alive
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-dev-demo"

#include "metered-close-code.h"
#include "metered-frame-private.h"
#include "metered-dev-demo.h"

#define N_SENSORS        3
#define N_BOTS           3
#define TICK_MS          1000
#define ECHO_QUEUE_MAX   1024
#define CHAT_CHANNEL     "demo/chat"
#define ECHO_PEER_ID     "echo"

typedef struct {
  MeteredDevConnection *connection;
  char                 *channel;
  guint64               seq;
  double                temperature;
  double                humidity;
} Sensor;

typedef struct {
  MeteredDevConnection *connection;
  const char           *name;
  gboolean              joined;
} Bot;

typedef struct {
  char *to;
  char *data_json;
} EchoReply;

struct _MeteredDevDemo
{
  GObject               parent_instance;

  MeteredDevServer     *server;
  GRand                *rand;
  Sensor                sensors[N_SENSORS];
  Bot                   bots[N_BOTS];
  MeteredDevConnection *echo;
  GQueue                echo_queue;

  GSource              *tick_source;
  GSource              *echo_source;
};

G_DEFINE_FINAL_TYPE (MeteredDevDemo, metered_dev_demo, G_TYPE_OBJECT)

static const char * const bot_names[N_BOTS] = { "Ada", "Grace", "Linus" };

static const char * const chat_lines[] = {
  "hello everyone",
  "anyone seen the latest sensor readings?",
  "temperature looks stable today",
  "brb, coffee",
  "this local server is handy",
  "ping me if you need anything",
};

static void
echo_reply_free (gpointer data)
{
  EchoReply *reply = data;

  g_free (reply->to);
  g_free (reply->data_json);
  g_free (reply);
}

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static JsonObject *
peer_metadata (const char *name,
               const char *kind)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "name", name);
  json_object_set_string_member (object, "kind", kind);

  return object;
}

static gboolean
on_echo_idle (gpointer user_data)
{
  MeteredDevDemo *self = user_data;
  const MeteredDevIdentity *identity = metered_dev_connection_get_identity (self->echo);
  EchoReply *reply;

  g_clear_pointer (&self->echo_source, g_source_unref);

  while ((reply = g_queue_pop_head (&self->echo_queue)) != NULL)
    {
      metered_dev_server_send_direct (self->server, identity->peer_id, identity->peer_metadata_json,
                                      reply->to, reply->data_json);
      echo_reply_free (reply);
    }

  return G_SOURCE_REMOVE;
}

/* Every frame a virtual peer receives lands here; only the echo peer
 * does anything with them. */
static void
on_virtual_frame (MeteredDevConnection *connection,
                  const char           *text,
                  gpointer              user_data)
{
  MeteredDevDemo *self = user_data;
  MeteredFrame frame;
  EchoReply *reply;

  if (connection != self->echo || g_queue_get_length (&self->echo_queue) >= ECHO_QUEUE_MAX)
    return;

  if (!metered_frame_parse_server_frame (text, -1, &frame, NULL))
    return;

  if (frame.type == METERED_FRAME_DIRECT)
    {
      reply = g_new0 (EchoReply, 1);
      reply->to = g_strdup (frame.peer_id);
      reply->data_json = metered_frame_dup_data_text (&frame);
      g_queue_push_tail (&self->echo_queue, reply);

      /* Not from inside a delivery: answer from the main loop. */
      if (self->echo_source == NULL)
        {
          self->echo_source = g_idle_source_new ();
          g_source_set_callback (self->echo_source, on_echo_idle, self, NULL);
          g_source_attach (self->echo_source, g_main_context_get_thread_default ());
        }
    }

  metered_frame_clear (&frame);
}

static MeteredDevConnection *
add_peer (MeteredDevDemo *self,
          const char     *peer_id,
          JsonObject     *metadata)
{
  MeteredDevConnection *connection;

  connection = metered_dev_connection_new_virtual (metered_dev_identity_new (peer_id, metadata),
                                                   on_virtual_frame, self);
  metered_dev_server_attach_virtual (self->server, connection);

  return connection;
}

static void
publish (MeteredDevDemo       *self,
         MeteredDevConnection *connection,
         const char           *channel,
         const char           *data_json)
{
  const MeteredDevIdentity *identity = metered_dev_connection_get_identity (connection);

  metered_dev_registry_publish (metered_dev_server_get_registry (self->server),
                                channel, connection, identity->peer_id,
                                data_json, identity->peer_metadata_json);
}

static void
subscribe (MeteredDevDemo       *self,
           MeteredDevConnection *connection,
           const char           *channel)
{
  /* Virtual peers do not read their presence snapshot. */
  g_free (metered_dev_registry_subscribe (metered_dev_server_get_registry (self->server),
                                          connection, channel, FALSE, 0));
}

static void
sensor_tick (MeteredDevDemo *self,
             Sensor         *sensor)
{
  char temperature[G_ASCII_DTOSTR_BUF_SIZE];
  char humidity[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *data = NULL;

  /* A slow random walk within plausible indoor values. */
  sensor->temperature = CLAMP (sensor->temperature + g_rand_double_range (self->rand, -0.3, 0.3), 15.0, 30.0);
  sensor->humidity = CLAMP (sensor->humidity + g_rand_double_range (self->rand, -0.5, 0.5), 20.0, 70.0);
  sensor->seq++;

  data = g_strdup_printf ("{\"temperature\":%s,\"humidity\":%s,\"seq\":%" G_GUINT64_FORMAT "}",
                          g_ascii_formatd (temperature, sizeof temperature, "%.1f", sensor->temperature),
                          g_ascii_formatd (humidity, sizeof humidity, "%.1f", sensor->humidity),
                          sensor->seq);
  publish (self, sensor->connection, sensor->channel, data);
}

static void
chat_tick (MeteredDevDemo *self)
{
  Bot *bot = &self->bots[g_rand_int_range (self->rand, 0, N_BOTS)];
  double roll = g_rand_double (self->rand);

  if (!bot->joined)
    {
      if (roll < 0.5)
        {
          subscribe (self, bot->connection, CHAT_CHANNEL);
          bot->joined = TRUE;
        }
    }
  else if (roll < 0.15)
    {
      metered_dev_registry_unsubscribe (metered_dev_server_get_registry (self->server),
                                        bot->connection, CHAT_CHANNEL);
      bot->joined = FALSE;
    }
  else if (roll < 0.6)
    {
      g_autoptr(GString) data = g_string_new ("{\"text\":");
      const char *line = chat_lines[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (chat_lines))];

      metered_json_append_string (data, line);
      g_string_append_c (data, '}');
      publish (self, bot->connection, CHAT_CHANNEL, data->str);
    }
}

static gboolean
on_tick (gpointer user_data)
{
  MeteredDevDemo *self = user_data;

  for (guint i = 0; i < N_SENSORS; i++)
    sensor_tick (self, &self->sensors[i]);

  chat_tick (self);

  return G_SOURCE_CONTINUE;
}

static void
metered_dev_demo_dispose (GObject *object)
{
  MeteredDevDemo *self = (MeteredDevDemo *)object;

  destroy_source (&self->tick_source);
  destroy_source (&self->echo_source);
  g_queue_clear_full (&self->echo_queue, echo_reply_free);

  /* Closing detaches them from the server, which tells their channels. */
  for (guint i = 0; i < N_SENSORS; i++)
    {
      if (self->sensors[i].connection != NULL)
        metered_dev_connection_close (self->sensors[i].connection, METERED_CLOSE_CODE_GOING_AWAY, NULL);
      g_clear_object (&self->sensors[i].connection);
      g_clear_pointer (&self->sensors[i].channel, g_free);
    }

  for (guint i = 0; i < N_BOTS; i++)
    {
      if (self->bots[i].connection != NULL)
        metered_dev_connection_close (self->bots[i].connection, METERED_CLOSE_CODE_GOING_AWAY, NULL);
      g_clear_object (&self->bots[i].connection);
    }

  if (self->echo != NULL)
    metered_dev_connection_close (self->echo, METERED_CLOSE_CODE_GOING_AWAY, NULL);
  g_clear_object (&self->echo);

  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (metered_dev_demo_parent_class)->dispose (object);
}

static void
metered_dev_demo_class_init (MeteredDevDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = metered_dev_demo_dispose;
}

static void
metered_dev_demo_init (MeteredDevDemo *self)
{
  g_queue_init (&self->echo_queue);
  self->rand = g_rand_new ();
}

MeteredDevDemo *
metered_dev_demo_new (MeteredDevServer *server)
{
  MeteredDevDemo *self;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (server), NULL);

  self = g_object_new (METERED_TYPE_DEV_DEMO, NULL);
  self->server = server;

  for (guint i = 0; i < N_SENSORS; i++)
    {
      Sensor *sensor = &self->sensors[i];
      g_autofree char *peer_id = g_uuid_string_random ();
      g_autofree char *name = g_strdup_printf ("Sensor %u", i + 1);
      g_autoptr(JsonObject) metadata = peer_metadata (name, "sensor");

      sensor->connection = add_peer (self, peer_id, metadata);
      sensor->channel = g_strconcat ("demo/sensors/", peer_id, NULL);
      sensor->temperature = g_rand_double_range (self->rand, 19.0, 24.0);
      sensor->humidity = g_rand_double_range (self->rand, 35.0, 50.0);
      subscribe (self, sensor->connection, sensor->channel);
    }

  for (guint i = 0; i < N_BOTS; i++)
    {
      g_autofree char *peer_id = g_uuid_string_random ();
      g_autoptr(JsonObject) metadata = peer_metadata (bot_names[i], "bot");

      self->bots[i].name = bot_names[i];
      self->bots[i].connection = add_peer (self, peer_id, metadata);
    }

  {
    g_autoptr(JsonObject) metadata = peer_metadata ("Echo", "echo");

    self->echo = add_peer (self, ECHO_PEER_ID, metadata);
  }

  self->tick_source = g_timeout_source_new (TICK_MS);
  g_source_set_callback (self->tick_source, on_tick, self, NULL);
  g_source_attach (self->tick_source, g_main_context_get_thread_default ());

  g_message ("demo peers started: %u sensors, chat bots in %s, echo peer \"%s\"",
             N_SENSORS, CHAT_CHANNEL, ECHO_PEER_ID);

  return self;
}

char **
metered_dev_demo_dup_channels (MeteredDevDemo *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (METERED_IS_DEV_DEMO (self), NULL);

  g_strv_builder_add (builder, CHAT_CHANNEL);
  for (guint i = 0; i < N_SENSORS; i++)
    g_strv_builder_add (builder, self->sensors[i].channel);

  return g_strv_builder_end (builder);
}
