/* bench-scale.c: many raw WebSocket connections against one devserver
 *
 *   bench-scale hold --port P --count N --server-pid PID
 *     opens N connections, waits for every welcome, and reports the
 *     server's resident memory before and after: memory per connection.
 *   bench-scale fanout --port P --subscribers N --server-pid PID
 *     subscribes N connections to one channel, then publishes from one
 *     more: single publishes (the latency of each delivery, from the
 *     publish to its arrival) and a burst (deliveries per second, and per
 *     second of server CPU).
 *
 * The connections speak WebSocket by hand over non-blocking sockets and
 * one epoll loop, so that the client side stays cheap next to the server
 * being measured.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "bench-scale"

#include <errno.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "bench-util.h"
#include "metered-websocket-frame-private.h"

#define CHANNEL          "bench/fanout"
/* Connections still waiting for welcome at once: below the listen backlog. */
#define MAX_PENDING      8
#define READ_CHUNK       65536

typedef struct {
  int         fd;
  GByteArray *in;
  guint       upgraded : 1;
  guint       welcomed : 1;
  guint       acked : 1;
  guint       closed : 1;
} Conn;

typedef struct {
  guint16     port;
  int         epoll_fd;
  int         server_pid;
  Conn       *conns;
  guint       n_conns;
  guint       n_welcomed;
  guint       n_acked;
  guint       n_closed;
  gboolean    parse_messages;

  /* fan-out */
  gint64      current_seq;          /* deliveries of this seq are timed */
  guint       current_deliveries;
  gint64      last_delivery_us;     /* real time */
  GArray     *latencies;            /* gint64 us */
  guint64     deliveries;
  gint64      frames;
} Scale;

static gint64
now_us (void)
{
  return g_get_real_time ();
}

static void
die (const char *what)
{
  g_printerr ("bench-scale: %s: %s\n", what, g_strerror (errno));
  exit (1);
}

static void
send_all (int         fd,
          const void *data,
          gsize       len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      gssize n = send (fd, p, len, MSG_NOSIGNAL);

      if (n > 0)
        {
          p += n;
          len -= n;
        }
      else if (n < 0 && (errno == EAGAIN || errno == EINTR))
        {
          g_usleep (100);
        }
      else
        {
          die ("send");
        }
    }
}

/* A masked client frame. */
static void
send_frame (int                    fd,
            MeteredWebsocketOpcode opcode,
            const void            *data,
            gsize                  len)
{
  static const guint8 mask[4] = { 0x11, 0x22, 0x33, 0x44 };
  g_autofree guint8 *frame = g_malloc (len + METERED_WEBSOCKET_MAX_HEADER_BYTES);
  gsize header = metered_websocket_frame_write_header (frame, TRUE, opcode, len, mask);

  memcpy (frame + header, data, len);
  metered_websocket_frame_apply_mask (frame + header, len, mask, 0);
  send_all (fd, frame, header + len);
}

static void
send_text (int         fd,
           const char *text)
{
  send_frame (fd, METERED_WEBSOCKET_OPCODE_TEXT, text, strlen (text));
}

static void
open_conn (Scale *scale,
           Conn  *conn)
{
  struct sockaddr_in address = { 0 };
  struct epoll_event event = { 0 };
  int one = 1;
  char request[256];
  int len;

  conn->fd = socket (AF_INET, SOCK_STREAM, 0);
  if (conn->fd < 0)
    die ("socket");

  address.sin_family = AF_INET;
  address.sin_port = htons (scale->port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (conn->fd, (struct sockaddr *)&address, sizeof address) != 0)
    die ("connect");
  setsockopt (conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  len = g_snprintf (request, sizeof request,
                    "GET /v1?key=pk_live_dev HTTP/1.1\r\n"
                    "Host: 127.0.0.1:%u\r\n"
                    "Upgrade: websocket\r\n"
                    "Connection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n"
                    "\r\n", scale->port);
  send_all (conn->fd, request, len);

  g_unix_set_fd_nonblocking (conn->fd, TRUE, NULL);
  conn->in = g_byte_array_new ();

  event.events = EPOLLIN;
  event.data.ptr = conn;
  if (epoll_ctl (scale->epoll_fd, EPOLL_CTL_ADD, conn->fd, &event) != 0)
    die ("epoll_ctl");
}

static gint64
find_number (const guint8 *text,
             gsize         len,
             const char   *key)
{
  const char *hit = g_strstr_len ((const char *)text, len, key);

  if (hit == NULL)
    return -1;

  return g_ascii_strtoll (hit + strlen (key), NULL, 10);
}

static void
on_text (Scale        *scale,
         Conn         *conn,
         const guint8 *text,
         gsize         len)
{
  static const char message[] = "{\"type\":\"message\"";
  static const char ack[] = "{\"type\":\"ack\"";

  if (!conn->welcomed)
    {
      conn->welcomed = TRUE;
      scale->n_welcomed++;
      return;
    }

  if (!scale->parse_messages)
    return;

  if (len > sizeof message && memcmp (text, message, sizeof message - 1) == 0)
    {
      gint64 seq = find_number (text, len, "\"seq\":");

      scale->deliveries++;
      scale->last_delivery_us = now_us ();
      if (seq == scale->current_seq)
        {
          gint64 latency = scale->last_delivery_us - find_number (text, len, "\"sentUs\":");

          scale->current_deliveries++;
          if (scale->latencies != NULL)
            g_array_append_val (scale->latencies, latency);
        }
    }
  else if (!conn->acked && len > sizeof ack && memcmp (text, ack, sizeof ack - 1) == 0)
    {
      conn->acked = TRUE;
      scale->n_acked++;
    }
}

/* Consumes the complete frames in conn->in. */
static void
parse_frames (Scale *scale,
              Conn  *conn)
{
  const guint8 *data = conn->in->data;
  gsize len = conn->in->len;
  gsize pos = 0;

  if (!conn->upgraded)
    {
      const char *end = g_strstr_len ((const char *)data, len, "\r\n\r\n");

      if (end == NULL)
        return;
      if (len < 12 || memcmp (data, "HTTP/1.1 101", 12) != 0)
        {
          g_printerr ("bench-scale: the server refused a connection: %.*s\n", (int)MIN (len, 80), data);
          exit (1);
        }
      conn->upgraded = TRUE;
      pos = (const guint8 *)end + 4 - data;
    }

  for (;;)
    {
      MeteredWebsocketFrameHeader frame;
      MeteredWebsocketParseResult result;
      const char *problem = NULL;
      guint opcode;
      guint64 payload_len;
      gsize header;

      result = metered_websocket_frame_parse_header (data + pos, len - pos, FALSE, &frame, &problem);
      if (result == METERED_WEBSOCKET_PARSE_ERROR)
        {
          g_printerr ("bench-scale: the server sent a malformed frame: %s\n", problem);
          exit (1);
        }
      if (result == METERED_WEBSOCKET_PARSE_NEED_MORE || len - pos - frame.header_length < frame.payload_length)
        break;

      opcode = frame.opcode;
      payload_len = frame.payload_length;
      header = frame.header_length;
      scale->frames++;
      if (opcode == 1)
        on_text (scale, conn, data + pos + header, payload_len);
      else if (opcode == 9)
        /* The server drops peers that never answer its keepalive pings. */
        send_frame (conn->fd, METERED_WEBSOCKET_OPCODE_PONG, data + pos + header, payload_len);
      else if (opcode == 8 && !conn->closed)
        {
          conn->closed = TRUE;
          scale->n_closed++;
        }

      pos += header + payload_len;
    }

  if (pos > 0)
    g_byte_array_remove_range (conn->in, 0, pos);
}

/* Runs the loop until @done or @timeout_ms; FALSE on timeout. */
static gboolean
run_until (Scale    *scale,
           gboolean (*done) (Scale *),
           guint     timeout_ms)
{
  struct epoll_event events[256];
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64)1000;
  static guint8 buffer[READ_CHUNK];

  while (!done (scale))
    {
      int n;

      if (g_get_monotonic_time () > deadline)
        return FALSE;

      n = epoll_wait (scale->epoll_fd, events, G_N_ELEMENTS (events), 20);
      if (n < 0 && errno != EINTR)
        die ("epoll_wait");

      for (int i = 0; i < n; i++)
        {
          Conn *conn = events[i].data.ptr;
          gssize got;

          while ((got = recv (conn->fd, buffer, sizeof buffer, 0)) > 0)
            {
              g_byte_array_append (conn->in, buffer, got);
              if (got < (gssize)sizeof buffer)
                break;
            }

          if (got == 0 && !conn->closed)
            {
              conn->closed = TRUE;
              scale->n_closed++;
              epoll_ctl (scale->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
            }

          parse_frames (scale, conn);
        }

      if (scale->n_closed > 0)
        {
          g_printerr ("bench-scale: the server closed %u connections\n", scale->n_closed);
          exit (1);
        }
    }

  return TRUE;
}

static gboolean
never (Scale *scale)
{
  return FALSE;
}

static guint pending_limit;

static gboolean
few_pending (Scale *scale)
{
  return scale->n_conns - scale->n_welcomed < pending_limit;
}

static gboolean
all_welcomed (Scale *scale)
{
  return scale->n_welcomed == scale->n_conns;
}

static gboolean
all_acked (Scale *scale)
{
  return scale->n_acked >= scale->n_conns - 1;
}

static guint wanted_deliveries;

static gboolean
current_delivered (Scale *scale)
{
  return scale->current_deliveries >= wanted_deliveries;
}

static gboolean
all_delivered (Scale *scale)
{
  return scale->deliveries >= wanted_deliveries;
}

static guint
ms_until (gint64 deadline)
{
  return MAX (0, (deadline - g_get_monotonic_time ()) / 1000);
}

/* Opens @n connections, keeping few handshakes in flight. FALSE when not
 * all of them got welcome within @timeout_ms. */
static gboolean
open_many (Scale *scale,
           guint  n,
           guint  timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * (gint64)1000;

  scale->conns = g_new0 (Conn, n);
  pending_limit = MAX_PENDING;
  for (guint i = 0; i < n; i++)
    {
      if (!run_until (scale, few_pending, ms_until (deadline)))
        return FALSE;
      open_conn (scale, &scale->conns[i]);
      scale->n_conns++;
    }

  return run_until (scale, all_welcomed, ms_until (deadline));
}

static void
hold (Scale *scale,
      guint  count,
      guint  timeout_ms)
{
  gint64 before = bench_process_rss_kb (scale->server_pid);
  gint64 after;
  BenchMark start;
  BenchMark end;

  gboolean complete;

  bench_mark (&start);
  complete = open_many (scale, count, timeout_ms);
  bench_mark (&end);

  /* Let the server settle (the last welcomes' buffers). */
  run_until (scale, never, 300);
  after = bench_process_rss_kb (scale->server_pid);

  /* Within the time allowed, a busy machine may not get them all: the
   * figure is then for those it got. */
  printf ("{\"connections\":%u,\"welcomed\":%u,\"complete\":%s,\"seconds\":%.3f,"
          "\"serverRssBeforeKb\":%" G_GINT64_FORMAT ",\"serverRssAfterKb\":%" G_GINT64_FORMAT ","
          "\"bytesPerConnection\":%.0f}\n",
          count, scale->n_welcomed, complete ? "true" : "false", bench_mark_seconds (&start, &end),
          before, after, (after - before) * 1024.0 / MAX (scale->n_welcomed, 1));
  fflush (stdout);
}

static void
publish (Scale  *scale,
         Conn   *publisher,
         gint64  seq,
         gsize   payload_size)
{
  g_autofree char *head = g_strdup_printf ("{\"type\":\"publish\",\"channel\":\"" CHANNEL "\","
                                           "\"data\":{\"seq\":%" G_GINT64_FORMAT ",\"sentUs\":%" G_GINT64_FORMAT,
                                           seq, now_us ());
  g_autofree char *pad = g_strnfill (payload_size > 40 ? payload_size - 40 : 0, 'x');
  g_autofree char *text = g_strdup_printf ("%s,\"pad\":\"%s\"}}", head, pad);

  send_text (publisher->fd, text);
}

static void
fanout (Scale *scale,
        guint  subscribers,
        guint  singles,
        guint  burst,
        guint  timeout_ms)
{
  g_autoptr(GArray) spans = g_array_new (FALSE, FALSE, sizeof (gint64));
  Conn *publisher;
  gint64 start_us;
  double cpu_before;
  double cpu_after;
  double burst_seconds;
  BenchMark setup_start;
  BenchMark setup_end;

  bench_mark (&setup_start);
  /* The last connection publishes; it subscribes to nothing. */
  if (!open_many (scale, subscribers + 1, timeout_ms))
    {
      g_printerr ("bench-scale: only %u of %u connections within %u ms\n",
                  scale->n_welcomed, subscribers + 1, timeout_ms);
      exit (1);
    }
  publisher = &scale->conns[subscribers];

  scale->parse_messages = TRUE;
  for (guint i = 0; i < subscribers; i++)
    send_text (scale->conns[i].fd, "{\"type\":\"subscribe\",\"channel\":\"" CHANNEL "\",\"requestId\":\"s\"}");

  if (!run_until (scale, all_acked, timeout_ms))
    {
      g_printerr ("bench-scale: only %u of %u subscribed\n", scale->n_acked, subscribers);
      exit (1);
    }
  /* Every join told everyone already there: let that storm pass. */
  run_until (scale, never, 300);
  bench_mark (&setup_end);

  /* Single publishes: how long until each subscriber has it. */
  scale->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  wanted_deliveries = subscribers;
  for (guint i = 0; i < singles; i++)
    {
      gint64 sent;

      scale->current_seq = i;
      scale->current_deliveries = 0;
      sent = now_us ();
      publish (scale, publisher, i, 200);
      if (!run_until (scale, current_delivered, 5000))
        {
          g_printerr ("bench-scale: publish %u reached %u of %u subscribers\n", i, scale->current_deliveries, subscribers);
          exit (1);
        }
      g_array_append_vals (spans, (gint64[]) { scale->last_delivery_us - sent }, 1);
    }

  /* A burst: deliveries per second, and per second of server CPU. */
  scale->current_seq = -1;
  scale->deliveries = 0;
  wanted_deliveries = (guint64)burst * subscribers;
  cpu_before = bench_process_cpu (scale->server_pid);
  start_us = now_us ();
  for (guint i = 0; i < burst; i++)
    publish (scale, publisher, singles + i, 200);
  if (!run_until (scale, all_delivered, timeout_ms))
    {
      g_printerr ("bench-scale: the burst delivered %" G_GUINT64_FORMAT " of %u\n", scale->deliveries, wanted_deliveries);
      exit (1);
    }
  burst_seconds = (scale->last_delivery_us - start_us) / (double)G_USEC_PER_SEC;
  cpu_after = bench_process_cpu (scale->server_pid);

  printf ("{\"subscribers\":%u,\"setupSeconds\":%.3f,\"singlePublishes\":%u,"
          "\"latencyP50Us\":%.0f,\"latencyP99Us\":%.0f,\"latencyMaxUs\":%.0f,"
          "\"singleSpanP50Us\":%.0f,\"singleDeliveriesPerSecond\":%.0f,"
          "\"burstPublishes\":%u,\"burstSeconds\":%.4f,\"deliveriesPerSecond\":%.0f,"
          "\"serverCpuSeconds\":%.3f,\"deliveriesPerServerCpuSecond\":%.0f}\n",
          subscribers, bench_mark_seconds (&setup_start, &setup_end), singles,
          bench_percentile (scale->latencies, 0.50), bench_percentile (scale->latencies, 0.99),
          bench_percentile (scale->latencies, 1.0),
          bench_percentile (spans, 0.50),
          subscribers / (MAX (bench_percentile (spans, 0.50), 1) / G_USEC_PER_SEC),
          burst, burst_seconds, wanted_deliveries / burst_seconds,
          cpu_after - cpu_before,
          cpu_after > cpu_before ? wanted_deliveries / (cpu_after - cpu_before) : 0.0);
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int port = 0;
  int count = 1000;
  int subscribers = 1000;
  int singles = 20;
  int burst = 100;
  int server_pid = 0;
  int timeout_s = 60;
  Scale scale = { 0 };
  guint64 limit;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "The devserver's port on 127.0.0.1", "PORT" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &server_pid, "The devserver's process id", "PID" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "hold: connections", "N" },
    { "subscribers", 0, 0, G_OPTION_ARG_INT, &subscribers, "fanout: subscribers", "N" },
    { "singles", 0, 0, G_OPTION_ARG_INT, &singles, "fanout: single publishes timed", "N" },
    { "burst", 0, 0, G_OPTION_ARG_INT, &burst, "fanout: publishes in the burst", "N" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "Give up after this many seconds", "S" },
    { NULL }
  };

  context = g_option_context_new ("hold|fanout");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 ||
      port <= 0 || port > G_MAXUINT16 || server_pid <= 0 || count < 1 || subscribers < 1 ||
      singles < 1 || burst < 1 || timeout_s < 1)
    {
      g_printerr ("bench-scale: %s\n", error != NULL ? error->message : "bad arguments (see --help)");
      return 2;
    }

  limit = bench_raise_fd_limit ();
  if (limit < (guint64)MAX (count, subscribers) + 16)
    {
      g_printerr ("bench-scale: the descriptor limit (%" G_GUINT64_FORMAT ") is too low\n", limit);
      return 1;
    }

  scale.port = port;
  scale.server_pid = server_pid;
  scale.current_seq = -1;
  scale.epoll_fd = epoll_create1 (0);
  if (scale.epoll_fd < 0)
    die ("epoll_create1");

  if (g_str_equal (argv[1], "hold"))
    hold (&scale, count, timeout_s * 1000);
  else if (g_str_equal (argv[1], "fanout"))
    fanout (&scale, subscribers, singles, burst, timeout_s * 1000);
  else
    {
      g_printerr ("bench-scale: unknown mode %s\n", argv[1]);
      return 2;
    }

  for (guint i = 0; i < scale.n_conns; i++)
    {
      close (scale.conns[i].fd);
      g_byte_array_unref (scale.conns[i].in);
    }
  g_free (scale.conns);
  g_clear_pointer (&scale.latencies, g_array_unref);
  close (scale.epoll_fd);

  return 0;
}
