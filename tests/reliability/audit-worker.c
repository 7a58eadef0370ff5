/* audit-worker.c: the clients of the delivery audit, in a process of their own
 *
 *   reliability-audit-worker pub|sub URL FIRST COUNT CHANNELS PUBLISHERS PER-PUBLISHER
 *
 * Runs COUNT clients with indexes FIRST.., client i on channel
 * `audit/<i % CHANNELS>`. It prints `ready` once every client is
 * connected (and, for `sub`, subscribed), then:
 *
 * - pub: waits for a `go` line on stdin, publishes PER-PUBLISHER messages
 *   `{"p":<index>,"s":<seq>}` per client, a few in flight at a time, and
 *   prints its result once all are answered;
 * - sub: checks every message against what each publisher sent: none
 *   lost, duplicated, reordered or on the wrong channel; prints its
 *   result once every client has everything it should get, or when a
 *   `stop` line arrives on stdin.
 *
 * The result is one JSON line. Any dropped connection is counted.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "audit-worker"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gio/gunixinputstream.h>

#include "reliability-util.h"

/* Requests in flight per publisher: enough to keep the server busy, few
 * enough that acks pace the publishers. */
#define WINDOW 4

typedef struct _Worker Worker;

typedef struct {
  Worker        *worker;
  MeteredClient *client;
  guint          index;
  guint          channel;
  guint          sent;
  guint          answered;
  /* Subscribers: publisher index -> bitmap of sequence numbers seen, and
   * the highest one seen. */
  GHashTable    *seen;
  GHashTable    *highest;
  guint64        received;
} Peer;

struct _Worker {
  gboolean      publisher;
  guint         channels;
  guint         publishers;
  guint         per_publisher;
  Peer         *peers;
  guint         n_peers;
  guint         n_ready;
  GMainLoop    *loop;
  GDataInputStream *input;
  gint64        started;
  gint64        finished;
  guint         n_done;
  guint64       acked;
  guint64       failed;
  guint64       drops;
  guint64       lost;
  guint64       duplicated;
  guint64       reordered;
  guint64       misrouted;
  guint64       received;
  guint64       expected;
};

static void
emit_line (const char *line)
{
  printf ("%s\n", line);
  fflush (stdout);
}

static char *
channel_name (guint channel)
{
  return g_strdup_printf ("audit/%u", channel);
}

static void publish_next (Peer *peer);

static void
on_published (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Peer *peer = data;
  Worker *worker = peer->worker;
  g_autoptr(GError) error = NULL;

  if (metered_client_publish_text_finish (METERED_CLIENT (source), result, &error))
    {
      worker->acked++;
    }
  else
    {
      g_printerr ("audit-worker: publish failed: %s\n", error->message);
      worker->failed++;
    }

  peer->answered++;
  if (peer->sent < worker->per_publisher)
    publish_next (peer);
  else if (peer->answered == worker->per_publisher && ++worker->n_done == worker->n_peers)
    g_main_loop_quit (worker->loop);
}

static void
publish_next (Peer *peer)
{
  g_autofree char *channel = channel_name (peer->channel);
  g_autofree char *json = g_strdup_printf ("{\"p\":%u,\"s\":%u}", peer->index, peer->sent++);

  metered_client_publish_text_async (peer->client, channel, json, NULL, on_published, peer);
}

/* Whether @peer has all it should get: PER-PUBLISHER messages from each
 * publisher on its channel. */
static guint64
expected_for (Worker *worker,
              Peer   *peer)
{
  guint64 senders = 0;

  for (guint p = 0; p < worker->publishers; p++)
    if (p % worker->channels == peer->channel)
      senders++;

  return senders * worker->per_publisher;
}

static void
on_message (MeteredClient       *client,
            MeteredMessageEvent *event,
            Peer                *peer)
{
  Worker *worker = peer->worker;
  JsonObject *data = json_node_get_object (metered_message_event_get_data (event));
  guint p = json_object_get_int_member (data, "p");
  guint s = json_object_get_int_member (data, "s");
  GByteArray *bits;
  gpointer highest;

  if (worker->started == 0)
    worker->started = g_get_monotonic_time ();

  if (p >= worker->publishers || s >= worker->per_publisher || p % worker->channels != peer->channel)
    {
      worker->misrouted++;
      return;
    }

  bits = g_hash_table_lookup (peer->seen, GUINT_TO_POINTER (p));
  if (bits == NULL)
    {
      bits = g_byte_array_new ();
      g_byte_array_set_size (bits, (worker->per_publisher + 7) / 8);
      memset (bits->data, 0, bits->len);
      g_hash_table_insert (peer->seen, GUINT_TO_POINTER (p), bits);
    }

  if (bits->data[s / 8] & (1 << (s % 8)))
    {
      worker->duplicated++;
      return;
    }
  bits->data[s / 8] |= 1 << (s % 8);

  if (g_hash_table_lookup_extended (peer->highest, GUINT_TO_POINTER (p), NULL, &highest) &&
      s < GPOINTER_TO_UINT (highest))
    worker->reordered++;
  else
    g_hash_table_insert (peer->highest, GUINT_TO_POINTER (p), GUINT_TO_POINTER (s));

  peer->received++;
  worker->received++;
  if (peer->received == expected_for (worker, peer) && ++worker->n_done == worker->n_peers)
    {
      worker->finished = g_get_monotonic_time ();
      g_main_loop_quit (worker->loop);
    }
}

static void
on_disconnected (MeteredClient            *client,
                 MeteredDisconnectedEvent *event,
                 Peer                     *peer)
{
  g_printerr ("audit-worker: client %u disconnected with %d (%s)\n", peer->index,
              metered_disconnected_event_get_code (event), metered_disconnected_event_get_reason (event));
  peer->worker->drops++;
}

static void
on_ready_step (Worker *worker)
{
  if (++worker->n_ready == worker->n_peers)
    g_main_loop_quit (worker->loop);
}

static void
on_subscribed (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Peer *peer = data;
  g_autoptr(GError) error = NULL;

  if (!metered_client_subscribe_finish (METERED_CLIENT (source), result, &error))
    g_error ("subscribing failed: %s", error->message);

  on_ready_step (peer->worker);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Peer *peer = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *channel = NULL;

  if (!metered_client_connect_finish (METERED_CLIENT (source), result, &error))
    g_error ("connecting failed: %s", error->message);

  if (peer->worker->publisher)
    {
      on_ready_step (peer->worker);
      return;
    }

  channel = channel_name (peer->channel);
  metered_client_subscribe_async (peer->client, channel, METERED_SUBSCRIBE_FLAGS_NONE, NULL, on_subscribed, peer);
}

static void
on_command (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Worker *worker = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (worker->input, result, NULL, NULL);

  /* `stop`, or the coordinator went away. */
  if (line == NULL || g_str_equal (line, "stop"))
    {
      g_main_loop_quit (worker->loop);
      return;
    }

  if (g_str_equal (line, "go") && worker->publisher)
    {
      worker->started = g_get_monotonic_time ();
      for (guint i = 0; i < worker->n_peers; i++)
        for (guint w = 0; w < WINDOW && worker->peers[i].sent < worker->per_publisher; w++)
          publish_next (&worker->peers[i]);
    }

  g_data_input_stream_read_line_async (worker->input, G_PRIORITY_DEFAULT, NULL, on_command, worker);
}

static guint
parse_count (const char *text)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL))
    g_error ("not a count: %s", text);

  return value;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GInputStream) stdin_stream = NULL;
  g_autofree char *result = NULL;
  Worker worker = { 0 };
  guint first;

  if (argc != 8)
    {
      g_printerr ("usage: %s pub|sub URL FIRST COUNT CHANNELS PUBLISHERS PER-PUBLISHER\n", argv[0]);
      return 2;
    }

  worker.publisher = g_str_equal (argv[1], "pub");
  first = parse_count (argv[3]);
  worker.n_peers = parse_count (argv[4]);
  worker.channels = parse_count (argv[5]);
  worker.publishers = parse_count (argv[6]);
  worker.per_publisher = parse_count (argv[7]);
  g_assert_cmpuint (worker.channels, >, 0);

  worker.loop = g_main_loop_new (NULL, FALSE);
  worker.peers = g_new0 (Peer, worker.n_peers);

  for (guint i = 0; i < worker.n_peers; i++)
    {
      Peer *peer = &worker.peers[i];

      peer->worker = &worker;
      peer->index = first + i;
      peer->channel = peer->index % worker.channels;
      /* No request waits long, but a loaded 2-core machine is slow. */
      peer->client = rel_client_new (argv[2], 30.0, 60.0, 30.0);
      peer->seen = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_byte_array_unref);
      peer->highest = g_hash_table_new (NULL, NULL);
      g_signal_connect (peer->client, "disconnected", G_CALLBACK (on_disconnected), peer);
      if (!worker.publisher)
        {
          g_signal_connect (peer->client, "message", G_CALLBACK (on_message), peer);
          worker.expected += expected_for (&worker, peer);
        }
      metered_client_connect_async (peer->client, NULL, on_connected, peer);
    }

  g_main_loop_run (worker.loop);
  emit_line ("ready");

  stdin_stream = g_unix_input_stream_new (0, FALSE);
  worker.input = g_data_input_stream_new (stdin_stream);
  g_data_input_stream_read_line_async (worker.input, G_PRIORITY_DEFAULT, NULL, on_command, &worker);

  if (worker.publisher || worker.expected > 0)
    g_main_loop_run (worker.loop);
  if (worker.finished == 0)
    worker.finished = g_get_monotonic_time ();

  if (worker.publisher)
    {
      result = g_strdup_printf ("{\"published\":%" G_GUINT64_FORMAT ",\"acked\":%" G_GUINT64_FORMAT
                                ",\"failed\":%" G_GUINT64_FORMAT ",\"drops\":%" G_GUINT64_FORMAT
                                ",\"seconds\":%.3f}",
                                (guint64) worker.n_peers * worker.per_publisher, worker.acked, worker.failed,
                                worker.drops, (double) (worker.finished - worker.started) / G_USEC_PER_SEC);
    }
  else
    {
      for (guint i = 0; i < worker.n_peers; i++)
        {
          guint64 expected = expected_for (&worker, &worker.peers[i]);

          if (worker.peers[i].received < expected)
            worker.lost += expected - worker.peers[i].received;
        }
      result = g_strdup_printf ("{\"received\":%" G_GUINT64_FORMAT ",\"expected\":%" G_GUINT64_FORMAT
                                ",\"lost\":%" G_GUINT64_FORMAT ",\"duplicated\":%" G_GUINT64_FORMAT
                                ",\"reordered\":%" G_GUINT64_FORMAT ",\"misrouted\":%" G_GUINT64_FORMAT
                                ",\"drops\":%" G_GUINT64_FORMAT ",\"seconds\":%.3f}",
                                worker.received, worker.expected, worker.lost, worker.duplicated,
                                worker.reordered, worker.misrouted, worker.drops,
                                worker.started != 0 ? (double) (worker.finished - worker.started) / G_USEC_PER_SEC : 0.0);
    }
  emit_line (result);

  /* Closing 50 connections one by one is slow under load; the process
   * ends and the kernel closes them. */
  for (guint i = 0; i < worker.n_peers; i++)
    {
      g_signal_handlers_disconnect_by_data (worker.peers[i].client, &worker.peers[i]);
      g_hash_table_unref (worker.peers[i].seen);
      g_hash_table_unref (worker.peers[i].highest);
    }

  return 0;
}
