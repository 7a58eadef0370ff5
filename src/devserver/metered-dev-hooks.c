/* metered-dev-hooks.c: the --test-hooks line protocol
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-dev-hooks"

#include <string.h>

#include "metered-channel.h"
#include "metered-frame-private.h"
#include "metered-dev-hooks.h"

#define DEFAULT_ACK_DELAY_MS 500
#define MAX_ACK_DELAY_MS     600000

struct _MeteredDevHooks
{
  GObject           parent_instance;

  MeteredDevServer *server;
  GDataInputStream *input;
  GOutputStream    *output;
  GCancellable     *cancellable;
};

G_DEFINE_FINAL_TYPE (MeteredDevHooks, metered_dev_hooks, G_TYPE_OBJECT)

static void read_next_line (MeteredDevHooks *self);

/* Not json_to_string(): json-glib 1.6 writes U+001F unescaped, and the
 * answers echo hook names and connection metadata from outside. */
static char *
node_to_json (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  metered_json_append_node (out, node);
  return g_string_free (out, FALSE);
}

static char *
answer_error (const char *hook,
              const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "hook");
  if (hook != NULL)
    json_builder_add_string_value (builder, hook);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return node_to_json (root);
}

static char *
answer_affected (const char *hook,
                 guint       affected,
                 JsonNode   *connections)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "hook");
  json_builder_add_string_value (builder, hook);
  json_builder_set_member_name (builder, "affected");
  json_builder_add_int_value (builder, affected);
  if (connections != NULL)
    {
      json_builder_set_member_name (builder, "connections");
      json_builder_add_value (builder, connections);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return node_to_json (root);
}

/* Reads an optional member of the given type. FALSE when it is present
 * with another type. */
static gboolean
optional_member (JsonObject  *object,
                 const char  *name,
                 GType        type,
                 JsonNode   **out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return FALSE;

  *out = node;
  return TRUE;
}

static gboolean
is_sendable (gint64 code)
{
  return code > 0 && code <= G_MAXUINT16 && metered_dev_close_code_is_sendable ((guint)code);
}

static char *
handle_close (MeteredDevServer *server,
              const char       *hook,
              const char       *peer_id,
              JsonObject       *object)
{
  JsonNode *code;
  JsonNode *reason;

  if (!optional_member (object, "code", G_TYPE_INT64, &code) ||
      (code != NULL && !is_sendable (json_node_get_int (code))))
    return answer_error (hook, "code must be 1000-1003, 1007-1011 or 3000-4999");

  if (!optional_member (object, "reason", G_TYPE_STRING, &reason))
    return answer_error (hook, "reason must be a string");

  return answer_affected (hook,
                          metered_dev_server_hook_close (server, peer_id,
                                                         code != NULL ? json_node_get_int (code) : 1000,
                                                         reason != NULL ? json_node_get_string (reason) : NULL),
                          NULL);
}

static char *
handle_ack_mode (MeteredDevServer *server,
                 const char       *hook,
                 const char       *peer_id,
                 JsonObject       *object)
{
  MeteredDevAckMode mode;
  JsonNode *name;
  JsonNode *delay;
  gint64 delay_ms = DEFAULT_ACK_DELAY_MS;

  if (!optional_member (object, "mode", G_TYPE_STRING, &name) || name == NULL)
    return answer_error (hook, "mode must be \"normal\", \"delay\" or \"swallow\"");

  if (g_str_equal (json_node_get_string (name), "normal"))
    mode = METERED_DEV_ACKS_NORMAL;
  else if (g_str_equal (json_node_get_string (name), "delay"))
    mode = METERED_DEV_ACKS_DELAY;
  else if (g_str_equal (json_node_get_string (name), "swallow"))
    mode = METERED_DEV_ACKS_SWALLOW;
  else
    return answer_error (hook, "mode must be \"normal\", \"delay\" or \"swallow\"");

  if (!optional_member (object, "delayMs", G_TYPE_INT64, &delay))
    return answer_error (hook, "delayMs must be a whole number");
  if (delay != NULL)
    delay_ms = json_node_get_int (delay);
  if (delay_ms < 0 || delay_ms > MAX_ACK_DELAY_MS)
    return answer_error (hook, "delayMs must be from 0 to 600000");

  return answer_affected (hook,
                          metered_dev_server_hook_set_ack_mode (server, peer_id, mode, (guint)delay_ms),
                          NULL);
}

static char *
handle_send_bytes (MeteredDevServer *server,
                   const char       *hook,
                   const char       *peer_id,
                   JsonObject       *object)
{
  g_autoptr(GBytes) bytes = NULL;
  JsonNode *data;
  JsonNode *binary;
  const char *text;
  guchar *decoded;
  gsize len;

  if (!optional_member (object, "base64", G_TYPE_STRING, &data) || data == NULL)
    return answer_error (hook, "base64 must be a string");
  if (!optional_member (object, "binary", G_TYPE_BOOLEAN, &binary))
    return answer_error (hook, "binary must be true or false");

  /* g_base64_decode() skips what is not base64; a strict check keeps a
   * typo from sending something else than the test meant. */
  text = json_node_get_string (data);
  if (strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != strlen (text) ||
      strlen (text) % 4 != 0)
    return answer_error (hook, "base64 is not valid base64");

  decoded = g_base64_decode (text, &len);
  bytes = g_bytes_new_take (decoded, len);

  return answer_affected (hook,
                          metered_dev_server_hook_send_bytes (server, peer_id, bytes,
                                                              binary != NULL && json_node_get_boolean (binary)),
                          NULL);
}

/* A whole number member from @min to @max; @fallback when absent. */
static gboolean
optional_count (JsonObject *object,
                const char *name,
                gint64      min,
                gint64      max,
                gint64      fallback,
                gint64     *out)
{
  JsonNode *node;

  if (!optional_member (object, name, G_TYPE_INT64, &node))
    return FALSE;

  *out = node != NULL ? json_node_get_int (node) : fallback;
  return *out >= min && *out <= max;
}

static char *
answer_flood (const char *hook,
              guint       flood_id,
              gboolean    known,
              guint64     sent,
              gboolean    finished)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "hook");
  json_builder_add_string_value (builder, hook);
  json_builder_set_member_name (builder, "floodId");
  json_builder_add_int_value (builder, flood_id);
  json_builder_set_member_name (builder, "affected");
  json_builder_add_int_value (builder, known ? 1 : 0);
  json_builder_set_member_name (builder, "sent");
  json_builder_add_int_value (builder, (gint64)sent);
  json_builder_set_member_name (builder, "finished");
  json_builder_add_boolean_value (builder, finished);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return node_to_json (root);
}

static char *
handle_flood (MeteredDevServer *server,
              const char       *hook,
              JsonObject       *object)
{
  JsonNode *channel;
  gint64 rate;
  gint64 count;
  gint64 payload_size;

  if (!optional_member (object, "channel", G_TYPE_STRING, &channel) || channel == NULL ||
      !metered_channel_validate (json_node_get_string (channel), NULL))
    return answer_error (hook, "channel must be a valid channel name");
  if (!optional_count (object, "rate", 0, G_MAXUINT, 0, &rate))
    return answer_error (hook, "rate must be a whole number of messages per second (0: as fast as read)");
  if (!optional_count (object, "count", 0, G_MAXINT64, 0, &count))
    return answer_error (hook, "count must be a whole number (0: until stopped)");
  if (!optional_count (object, "payloadSize", 0, METERED_DEV_FLOOD_MAX_PAYLOAD, 200, &payload_size))
    return answer_error (hook, "payloadSize must be from 0 to 1048576");

  return answer_flood (hook,
                       metered_dev_server_start_flood (server, json_node_get_string (channel),
                                                       (guint)rate, (guint64)count, (gsize)payload_size),
                       TRUE, 0, FALSE);
}

/* floodStatus reads the counters; stopFlood reads them, then stops. */
static char *
handle_flood_status (MeteredDevServer *server,
                     const char       *hook,
                     JsonObject       *object,
                     gboolean          stop)
{
  gint64 flood_id;
  guint64 sent = 0;
  gboolean finished = FALSE;
  gboolean known;

  if (!optional_count (object, "floodId", 1, G_MAXUINT, 0, &flood_id))
    return answer_error (hook, "floodId must be the id a flood hook answered with");

  known = metered_dev_server_get_flood_sent (server, (guint)flood_id, &sent, &finished);
  if (stop)
    metered_dev_server_stop_flood (server, (guint)flood_id);

  return answer_flood (hook, (guint)flood_id, known, sent, finished);
}

static char *
handle_object (MeteredDevServer *server,
               JsonObject       *object)
{
  JsonNode *hook_node;
  JsonNode *peer_node;
  JsonNode *node;
  const char *hook;
  const char *peer_id;

  if (!optional_member (object, "hook", G_TYPE_STRING, &hook_node) || hook_node == NULL)
    return answer_error (NULL, "hook must be a string");
  hook = json_node_get_string (hook_node);

  if (!optional_member (object, "peerId", G_TYPE_STRING, &peer_node))
    return answer_error (hook, "peerId must be a string");
  peer_id = peer_node != NULL ? json_node_get_string (peer_node) : NULL;

  if (g_str_equal (hook, "drop"))
    return answer_affected (hook, metered_dev_server_hook_drop (server, peer_id), NULL);

  if (g_str_equal (hook, "close"))
    return handle_close (server, hook, peer_id, object);

  if (g_str_equal (hook, "sendRaw"))
    {
      if (!optional_member (object, "text", G_TYPE_STRING, &node) || node == NULL)
        return answer_error (hook, "text must be a string");

      return answer_affected (hook,
                              metered_dev_server_hook_send_raw (server, peer_id, json_node_get_string (node)),
                              NULL);
    }

  if (g_str_equal (hook, "sendBytes"))
    return handle_send_bytes (server, hook, peer_id, object);

  if (g_str_equal (hook, "ackMode"))
    return handle_ack_mode (server, hook, peer_id, object);

  if (g_str_equal (hook, "flood"))
    return handle_flood (server, hook, object);

  if (g_str_equal (hook, "floodStatus"))
    return handle_flood_status (server, hook, object, FALSE);

  if (g_str_equal (hook, "stopFlood"))
    return handle_flood_status (server, hook, object, TRUE);

  if (g_str_equal (hook, "stall"))
    {
      if (!optional_member (object, "stalled", G_TYPE_BOOLEAN, &node))
        return answer_error (hook, "stalled must be true or false");

      return answer_affected (hook,
                              metered_dev_server_hook_stall (server, peer_id,
                                                             node == NULL || json_node_get_boolean (node)),
                              NULL);
    }

  if (g_str_equal (hook, "rejectConnections"))
    {
      if (!optional_member (object, "code", G_TYPE_INT64, &node) || node == NULL ||
          (json_node_get_int (node) != 0 && !is_sendable (json_node_get_int (node))))
        return answer_error (hook, "code must be 0 (off), 1000-1003, 1007-1011 or 3000-4999");

      metered_dev_server_hook_reject_connections (server, json_node_get_int (node));
      return answer_affected (hook, 0, NULL);
    }

  if (g_str_equal (hook, "suspend"))
    {
      if (!optional_member (object, "suspended", G_TYPE_BOOLEAN, &node))
        return answer_error (hook, "suspended must be true or false");

      metered_dev_server_hook_set_suspended (server, node == NULL || json_node_get_boolean (node));
      return answer_affected (hook, 0, NULL);
    }

  if (g_str_equal (hook, "connections"))
    {
      JsonNode *list = metered_dev_server_hook_list_connections (server, peer_id);

      return answer_affected (hook, json_array_get_length (json_node_get_array (list)), list);
    }

  return answer_error (hook, "unknown hook");
}

char *
metered_dev_hooks_handle_line (MeteredDevServer *server,
                               const char       *line)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (server), NULL);
  g_return_val_if_fail (line != NULL, NULL);

  root = metered_json_parse_untrusted (line, -1, NULL);
  if (root == NULL)
    return answer_error (NULL, "the line is not JSON");

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return answer_error (NULL, "the line is not a JSON object");

  return handle_object (server, json_node_get_object (root));
}

static void
on_line_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  MeteredDevHooks *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *answer = NULL;
  gsize len;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, &len, &error);

  /* Cancelled means disposed: @user_data may be gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (line == NULL)
    {
      if (error == NULL)
        return;   /* End of input: no more hooks. */

      if (error->domain != G_CONVERT_ERROR)
        {
          g_warning ("reading test hooks: %s", error->message);
          return;
        }

      /* Not UTF-8: answer and carry on with the next line. */
      g_clear_error (&error);
      answer = answer_error (NULL, "the line is not UTF-8");
    }
  else if (line[strspn (line, " \t\r")] == '\0')
    {
      /* Blank lines are not requests. */
      read_next_line (self);
      return;
    }
  else
    {
      answer = metered_dev_hooks_handle_line (self->server, line);
    }

  if (!g_output_stream_write_all (self->output, answer, strlen (answer), NULL, NULL, &error) ||
      !g_output_stream_write_all (self->output, "\n", 1, NULL, NULL, &error) ||
      !g_output_stream_flush (self->output, NULL, &error))
    {
      g_warning ("writing a test hook answer: %s", error->message);
      return;
    }

  read_next_line (self);
}

static void
read_next_line (MeteredDevHooks *self)
{
  g_data_input_stream_read_line_async (self->input, G_PRIORITY_DEFAULT, self->cancellable,
                                       on_line_read, self);
}

static void
metered_dev_hooks_dispose (GObject *object)
{
  MeteredDevHooks *self = (MeteredDevHooks *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (metered_dev_hooks_parent_class)->dispose (object);
}

static void
metered_dev_hooks_class_init (MeteredDevHooksClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = metered_dev_hooks_dispose;
}

static void
metered_dev_hooks_init (MeteredDevHooks *self)
{
  self->cancellable = g_cancellable_new ();
}

MeteredDevHooks *
metered_dev_hooks_new (MeteredDevServer *server,
                       GInputStream     *input,
                       GOutputStream    *output)
{
  MeteredDevHooks *self;

  g_return_val_if_fail (METERED_IS_DEV_SERVER (server), NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (input), NULL);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), NULL);

  self = g_object_new (METERED_TYPE_DEV_HOOKS, NULL);
  self->server = g_object_ref (server);
  self->input = g_data_input_stream_new (input);
  self->output = g_object_ref (output);

  /* Any line ending a test driver might use. */
  g_data_input_stream_set_newline_type (self->input, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  read_next_line (self);

  return self;
}
