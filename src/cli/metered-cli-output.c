/* metered-cli-output.c: client events as JSON lines on stdout
 *
 * The shapes (documented in metered(1)) follow the wire frames, with
 * "event" in place of "type" so a pipeline can tell them apart:
 *
 *   {"event":"message","channel":C,"from":P,"data":D[,"fromMetadata":{…}]}
 *   {"event":"direct","from":P,"data":D[,"fromMetadata":{…}]}
 *   {"event":"presence","channel":C,"joined":[{"peerId":P[,"metadata":{…}]}],"left":[…]}
 *   {"event":"state","from":S,"to":S}
 *
 * Each object is written and flushed as soon as the event arrives, so a
 * reader at the other end of a pipe sees it at once.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include <stdio.h>

#include "metered.h"
#include "metered-cli-output.h"

/* The enum's nicks ("connecting", "connected", …) are the names the
 * documentation uses. */
static const char *
state_name (MeteredClientState state)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (METERED_TYPE_CLIENT_STATE);
  GEnumValue *value = g_enum_get_value (enum_class, state);

  return value != NULL ? value->value_nick : "unknown";
}

static void
add_object_member (JsonBuilder *builder,
                   const char  *name,
                   JsonObject  *object)
{
  JsonNode *node;

  if (object == NULL)
    return;

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, node);
}

static void
add_data_member (JsonBuilder *builder,
                 JsonNode    *data)
{
  json_builder_set_member_name (builder, "data");
  if (data != NULL)
    json_builder_add_value (builder, json_node_copy (data));
  else
    json_builder_add_null_value (builder);
}

static void
add_peers (JsonBuilder *builder,
           const char  *name,
           GPtrArray   *peers)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; peers != NULL && i < peers->len; i++)
    {
      MeteredPresencePeer *peer = g_ptr_array_index (peers, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "peerId");
      json_builder_add_string_value (builder, metered_presence_peer_get_peer_id (peer));
      add_object_member (builder, "metadata", metered_presence_peer_get_metadata (peer));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
begin_event (JsonBuilder *builder,
             const char  *name)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

/* Returns: (transfer full) (nullable): the JSON line of @event, or %NULL
 * for events that are not printed (connected, disconnected, errors: those
 * are diagnostics and go to stderr). */
static JsonNode *
event_to_json (GObject *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (METERED_IS_MESSAGE_EVENT (event))
    {
      MeteredMessageEvent *message = METERED_MESSAGE_EVENT (event);

      begin_event (builder, "message");
      add_string_member (builder, "channel", metered_message_event_get_channel (message));
      add_string_member (builder, "from", metered_message_event_get_sender_peer_id (message));
      add_data_member (builder, metered_message_event_get_data (message));
      add_object_member (builder, "fromMetadata", metered_message_event_get_sender_metadata (message));
    }
  else if (METERED_IS_DIRECT_EVENT (event))
    {
      MeteredDirectEvent *direct = METERED_DIRECT_EVENT (event);

      begin_event (builder, "direct");
      add_string_member (builder, "from", metered_direct_event_get_sender_peer_id (direct));
      add_data_member (builder, metered_direct_event_get_data (direct));
      add_object_member (builder, "fromMetadata", metered_direct_event_get_sender_metadata (direct));
    }
  else if (METERED_IS_PRESENCE_EVENT (event))
    {
      MeteredPresenceEvent *presence = METERED_PRESENCE_EVENT (event);

      begin_event (builder, "presence");
      add_string_member (builder, "channel", metered_presence_event_get_channel (presence));
      add_peers (builder, "joined", metered_presence_event_get_joined (presence));
      add_peers (builder, "left", metered_presence_event_get_left (presence));
    }
  else if (METERED_IS_STATE_CHANGED_EVENT (event))
    {
      MeteredStateChangedEvent *state = METERED_STATE_CHANGED_EVENT (event);

      begin_event (builder, "state");
      add_string_member (builder, "from", state_name (metered_state_changed_event_get_from (state)));
      add_string_member (builder, "to", state_name (metered_state_changed_event_get_to (state)));
    }
  else
    {
      return NULL;
    }

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
print_json (JsonNode *node,
            gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);

  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* Returns: whether @event is one of the printed kinds. */
gboolean
metered_cli_output_print_event (GObject  *event,
                                gboolean  pretty)
{
  g_autoptr(JsonNode) node = event_to_json (event);

  if (node == NULL)
    return FALSE;

  print_json (node, pretty);
  return TRUE;
}
