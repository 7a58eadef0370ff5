/* bench-client.c: the C side of the client benchmarks
 *
 * One process per measurement, driven by run-bench.py:
 *   bench-client receive --impl metered|raw --url URL --channel C --count N
 *     subscribes, prints "ready", then counts N `message` frames and prints
 *     one JSON line: rate, CPU seconds and peak RSS of the window.
 *     With --read-text, the metered reader also asks for each payload's
 *     JSON text, as the inspector does.
 *     `metered` is libmetered (MeteredClient, reading each payload's seq);
 *     `raw` is a bare libsoup WebSocket that counts frames without parsing:
 *     the most any client on libsoup could do.
 *   bench-client publish --url URL --channel C --count N --inflight K
 *     publishes with acks, at most K unanswered, and prints the rate and
 *     the round-trip percentiles.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "bench-client"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <libsoup/soup.h>
#include <metered.h>

#include "bench-util.h"

#define API_KEY        "pk_live_dev"
/* Without a frame for this long the run is declared stuck. */
#define STALL_TIMEOUT_S 15

typedef struct {
  GMainLoop               *loop;
  const char              *impl;
  const char              *channel;
  gint64                   count;
  guint                    inflight;
  int                      status;

  MeteredClient           *client;
  SoupSession             *session;
  SoupWebsocketConnection *ws;
  gboolean                 ready;

  /* receive */
  gint64                   received;
  gint64                   next_seq;
  gint64                   out_of_order;
  gboolean                 read_text;
  gsize                    text_bytes;
  BenchMark                start;

  /* publish */
  JsonNode                *payload;
  gint64                   issued;
  gint64                   acked;
  gint64                   warmup;
  gint64                  *sent_at;
  GArray                  *rtts;       /* gint64 microseconds */
  gint64                   last_progress;
} Bench;

static void
fail (Bench      *bench,
      const char *what,
      GError     *error)
{
  g_printerr ("bench-client: %s: %s\n", what, error != NULL ? error->message : "failed");
  bench->status = 1;
  g_main_loop_quit (bench->loop);
}

static gboolean
on_watchdog (gpointer data)
{
  Bench *bench = data;
  gint64 progress = bench->received + bench->acked;

  if (progress == bench->last_progress)
    {
      g_printerr ("bench-client: no progress for %d s (received %" G_GINT64_FORMAT ", acked %" G_GINT64_FORMAT ")\n",
                  STALL_TIMEOUT_S, bench->received, bench->acked);
      bench->status = 1;
      g_main_loop_quit (bench->loop);
      return G_SOURCE_REMOVE;
    }

  bench->last_progress = progress;
  return G_SOURCE_CONTINUE;
}

static void
announce_ready (Bench *bench)
{
  bench->ready = TRUE;
  printf ("ready\n");
  fflush (stdout);
}

static void
finish_receive (Bench *bench)
{
  BenchMark end;

  bench_mark (&end);
  printf ("{\"impl\":\"%s\",\"messages\":%" G_GINT64_FORMAT ",\"seconds\":%.6f,\"rate\":%.1f,"
          "\"cpuSeconds\":%.6f,\"maxRssKb\":%ld,\"outOfOrder\":%" G_GINT64_FORMAT ","
          "\"textBytes\":%" G_GSIZE_FORMAT "}\n",
          bench->impl, bench->received - 1,
          bench_mark_seconds (&bench->start, &end),
          (bench->received - 1) / bench_mark_seconds (&bench->start, &end),
          bench_mark_cpu (&bench->start, &end),
          bench_max_rss_kb (),
          bench->out_of_order,
          bench->text_bytes);
  fflush (stdout);
  g_main_loop_quit (bench->loop);
}

/* Counts from the first message: the window starts once the stream runs. */
static void
count_one (Bench *bench)
{
  if (bench->received++ == 0)
    bench_mark (&bench->start);

  if (bench->received == bench->count)
    finish_receive (bench);
}

/* libmetered */

static void
on_metered_message (MeteredClient       *client,
                    MeteredMessageEvent *event,
                    gpointer             data)
{
  Bench *bench = data;
  JsonNode *payload = metered_message_event_get_data (event);
  gint64 seq = -1;

  /* What an application does at the least: look into the payload. */
  if (payload != NULL && JSON_NODE_HOLDS_OBJECT (payload))
    seq = json_object_get_int_member_with_default (json_node_get_object (payload), "seq", -1);

  if (bench->received > 0 && seq != bench->next_seq)
    bench->out_of_order++;
  bench->next_seq = seq + 1;

  if (bench->read_text)
    bench->text_bytes += strlen (metered_message_event_get_data_text (event));

  count_one (bench);
}

static void
on_publish_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data);

static void
issue_publish (Bench *bench)
{
  gint64 index = bench->issued++;

  bench->sent_at[index] = g_get_monotonic_time ();
  metered_client_publish_async (bench->client, bench->channel, bench->payload, NULL,
                                on_publish_done, bench);
}

static void
on_publish_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Bench *bench = data;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_monotonic_time ();

  if (!metered_client_publish_finish (METERED_CLIENT (source), result, &error))
    {
      fail (bench, "publish", error);
      return;
    }

  /* Acks come back in order on one connection. */
  if (bench->acked >= bench->warmup)
    {
      gint64 rtt = now - bench->sent_at[bench->acked];

      g_array_append_val (bench->rtts, rtt);
      if (bench->acked == bench->warmup)
        bench_mark (&bench->start);
    }
  bench->acked++;

  if (bench->acked == bench->count)
    {
      BenchMark end;
      double seconds;

      bench_mark (&end);
      seconds = bench_mark_seconds (&bench->start, &end);
      printf ("{\"impl\":\"metered\",\"inflight\":%u,\"acked\":%" G_GINT64_FORMAT ",\"seconds\":%.6f,"
              "\"rate\":%.1f,\"p50Us\":%.1f,\"p99Us\":%.1f,\"cpuSeconds\":%.6f,\"maxRssKb\":%ld}\n",
              bench->inflight, bench->count - bench->warmup, seconds,
              (bench->count - bench->warmup - 1) / seconds,
              bench_percentile (bench->rtts, 0.50), bench_percentile (bench->rtts, 0.99),
              bench_mark_cpu (&bench->start, &end), bench_max_rss_kb ());
      fflush (stdout);
      g_main_loop_quit (bench->loop);
      return;
    }

  if (bench->issued < bench->count)
    issue_publish (bench);
}

static void
on_subscribed (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  Bench *bench = data;
  g_autoptr(GError) error = NULL;

  if (!metered_client_subscribe_finish (METERED_CLIENT (source), result, &error))
    fail (bench, "subscribe", error);
  else
    announce_ready (bench);
}

static void
on_metered_connected (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  Bench *bench = data;
  g_autoptr(GError) error = NULL;

  if (!metered_client_connect_finish (METERED_CLIENT (source), result, &error))
    {
      fail (bench, "connect", error);
      return;
    }

  if (bench->inflight == 0)
    {
      metered_client_subscribe_async (bench->client, bench->channel, METERED_SUBSCRIBE_FLAGS_NONE,
                                      NULL, on_subscribed, bench);
      return;
    }

  announce_ready (bench);
  while (bench->issued < bench->count && bench->issued < bench->inflight)
    issue_publish (bench);
}

static void
start_metered (Bench      *bench,
               const char *url)
{
  g_autoptr(GError) error = NULL;

  bench->client = metered_client_new (API_KEY, url, &error);
  if (bench->client == NULL)
    {
      fail (bench, "client", error);
      return;
    }

  g_signal_connect (bench->client, "message", G_CALLBACK (on_metered_message), bench);
  metered_client_connect_async (bench->client, NULL, on_metered_connected, bench);
}

/* A bare libsoup WebSocket */

static void
on_raw_message (SoupWebsocketConnection *ws,
                SoupWebsocketDataType    type,
                GBytes                  *message,
                gpointer                 data)
{
  static const char message_prefix[] = "{\"type\":\"message\"";
  static const char ack_prefix[] = "{\"type\":\"ack\"";
  Bench *bench = data;
  gsize len;
  const char *text = g_bytes_get_data (message, &len);

  if (!bench->ready)
    {
      if (len >= sizeof ack_prefix - 1 && memcmp (text, ack_prefix, sizeof ack_prefix - 1) == 0)
        announce_ready (bench);
      return;
    }

  if (len >= sizeof message_prefix - 1 && memcmp (text, message_prefix, sizeof message_prefix - 1) == 0)
    count_one (bench);
}

static void
on_raw_closed (SoupWebsocketConnection *ws,
               gpointer                 data)
{
  fail (data, "raw reader", NULL);
}

static void
on_raw_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  Bench *bench = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *subscribe = NULL;

  bench->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (bench->ws == NULL)
    {
      fail (bench, "raw connect", error);
      return;
    }

  soup_websocket_connection_set_max_incoming_payload_size (bench->ws, 1024 * 1024);
  g_signal_connect (bench->ws, "message", G_CALLBACK (on_raw_message), bench);
  g_signal_connect (bench->ws, "closed", G_CALLBACK (on_raw_closed), bench);

  subscribe = g_strdup_printf ("{\"type\":\"subscribe\",\"channel\":\"%s\",\"requestId\":\"s\"}", bench->channel);
  soup_websocket_connection_send_text (bench->ws, subscribe);
}

static void
start_raw (Bench      *bench,
           const char *url)
{
  g_autofree char *full = g_strdup_printf ("%s/v1?key=" API_KEY, url);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, full);

  if (msg == NULL)
    {
      fail (bench, "raw reader", NULL);
      return;
    }

  bench->session = soup_session_new ();
  soup_session_websocket_connect_async (bench->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_raw_connected, bench);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *impl = NULL;
  g_autofree char *channel = NULL;
  gint64 count = 100000;
  int inflight = 1;
  int payload_size = 200;
  gboolean read_text = FALSE;
  Bench bench = { 0 };
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "The server's base URL", "URL" },
    { "impl", 0, 0, G_OPTION_ARG_STRING, &impl, "receive: metered or raw", "IMPL" },
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, "The channel", "NAME" },
    { "count", 0, 0, G_OPTION_ARG_INT64, &count, "Messages to receive or publishes to make", "N" },
    { "inflight", 0, 0, G_OPTION_ARG_INT, &inflight, "publish: unanswered publishes at most", "K" },
    { "payload-size", 0, 0, G_OPTION_ARG_INT, &payload_size, "publish: payload bytes", "BYTES" },
    { "read-text", 0, 0, G_OPTION_ARG_NONE, &read_text, "receive: also read each payload's text", NULL },
    { NULL }
  };
  const char *mode;

  context = g_option_context_new ("receive|publish");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || url == NULL ||
      count < 2 || inflight < 1 || payload_size < 0)
    {
      g_printerr ("bench-client: %s\n", error != NULL ? error->message : "bad arguments (see --help)");
      return 2;
    }

  mode = argv[1];
  bench.loop = g_main_loop_new (NULL, FALSE);
  bench.impl = impl != NULL ? impl : "metered";
  bench.channel = channel != NULL ? channel : "bench/flood";
  bench.count = count;
  bench.read_text = read_text;

  if (g_str_equal (mode, "receive") && g_str_equal (bench.impl, "metered"))
    {
      start_metered (&bench, url);
    }
  else if (g_str_equal (mode, "receive") && g_str_equal (bench.impl, "raw"))
    {
      start_raw (&bench, url);
    }
  else if (g_str_equal (mode, "publish"))
    {
      g_autofree char *payload = bench_make_payload (payload_size);

      bench.inflight = inflight;
      bench.payload = json_from_string (payload, NULL);
      bench.warmup = MIN (count / 10, 1000);
      bench.sent_at = g_new0 (gint64, count);
      bench.rtts = g_array_sized_new (FALSE, FALSE, sizeof (gint64), count);
      start_metered (&bench, url);
    }
  else
    {
      g_printerr ("bench-client: unknown mode or implementation\n");
      return 2;
    }

  g_timeout_add_seconds (STALL_TIMEOUT_S, on_watchdog, &bench);
  if (bench.status == 0)
    g_main_loop_run (bench.loop);

  g_clear_object (&bench.ws);
  g_clear_object (&bench.session);
  g_clear_object (&bench.client);
  g_clear_pointer (&bench.payload, json_node_unref);
  g_clear_pointer (&bench.rtts, g_array_unref);
  g_free (bench.sent_at);
  g_main_loop_unref (bench.loop);

  return bench.status;
}
