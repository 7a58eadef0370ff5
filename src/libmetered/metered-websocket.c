/* metered-websocket.c: a WebSocket connection over an upgraded stream
 *
 * Reading: one pollable source on the input stream. When it fires, the
 * stream is read without blocking into a 64 KiB buffer and every whole
 * frame in it is handled before reading again, up to READ_BUDGET_BYTES per
 * dispatch so that one busy peer cannot starve the rest of the main loop.
 * A frame that fits the buffer is delivered straight from it; a larger one,
 * or the fragments of a message, are streamed into a GByteArray that
 * becomes the message's GBytes without another copy.
 *
 * Writing: frames are appended to a queue of fixed-size blocks and written
 * by an idle source, so everything queued during one main-loop dispatch goes
 * out in one writev(); past WRITE_NOW_BYTES the queue is written at once.
 * When the kernel takes no more, a pollable source waits for room. Blocks
 * rather than one growing buffer, because a server fanning bursts out to
 * slow subscribers otherwise spends its time in realloc()/mremap() and page
 * faults. Written blocks go back to a small shared free list; a drained
 * connection keeps at most one, and none unless it is busy.
 *
 * Closing follows libsoup's SoupWebsocketConnection, which the client and
 * the local server were written against: whoever closes first sends a close
 * frame and waits for the answer; the server closes the TCP connection once
 * the handshake is done, the client waits for it to. CLOSE_TIMEOUT_SECONDS
 * bounds every wait. Messages that arrive after our close frame are still
 * delivered, nothing after the peer's close frame is. After a protocol
 * error (1002, 1007, 1009) the close frame is sent and the stream closed as
 * soon as it is written, without waiting for an answer. An empty close
 * frame from the peer reads as 1005, as in libsoup; no close frame as 0.
 *
 * No payload or close reason is ever logged: they may carry credentials.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-websocket"

#include <string.h>

#include "metered-websocket-frame-private.h"
#include "metered-websocket-private.h"

/* Idle connections keep the small buffer (a server holds thousands of
 * them); one whose read fills it is busy and gets the large one for good. */
#define READ_BUFFER_START_BYTES (4 * 1024)
#define READ_BUFFER_BYTES     (64 * 1024)
#define READ_BUDGET_BYTES     (256 * 1024)
#define WRITE_NOW_BYTES       (256 * 1024)
/* Below malloc's mmap threshold, so a block never costs an mmap(). */
#define OUT_BLOCK_BYTES       (16 * 1024)
/* Free blocks kept for reuse, shared by every connection. */
#define OUT_FREE_BLOCKS_MAX   ((8 * 1024 * 1024) / OUT_BLOCK_BYTES)
/* A connection whose written block had been filled this far keeps it for
 * its next writes: a server feeding a thousand busy subscribers would
 * otherwise overflow the free list and take fresh pages from malloc() on
 * every dispatch. Idle connections (a welcome, a few acks) keep nothing. */
#define OUT_SPARE_MIN_FILL    (OUT_BLOCK_BYTES / 4)
/* Blocks handed to one writev(). */
#define WRITE_VECTORS         16
/* Reserved up front for a long message, whatever its header announces. */
#define MESSAGE_RESERVE_BYTES (1024 * 1024)
/* GByteArray lengths are guint; with no cap set, this is the cap. */
#define MESSAGE_HARD_CAP      ((guint64) G_MAXINT32)
#define CLOSE_TIMEOUT_SECONDS 5
#define MAX_CLOSE_REASON      123

#define CLOSE_NO_STATUS       1005

typedef struct _OutBlock OutBlock;

struct _OutBlock
{
  OutBlock *next;
  gsize     start;                          /* written up to here */
  gsize     end;                            /* filled up to here */
  guint8    data[OUT_BLOCK_BYTES];
};

/* Connections live on the main contexts of several threads (the inspector
 * runs its client on a worker thread), hence the lock. */
static GMutex    free_blocks_lock;
static OutBlock *free_blocks;
static guint     n_free_blocks;

struct _MeteredWebsocket
{
  GObject                parent_instance;

  GIOStream             *stream;
  GPollableInputStream  *input;             /* owned by stream */
  GPollableOutputStream *output;            /* owned by stream */
  GMainContext          *context;
  MeteredWebsocketRole   role;
  MeteredWebsocketState  state;

  guint64                max_incoming_payload;

  /* Reading. in_data[in_start, in_end) is read and not yet handled. */
  guint8                *in_data;
  gsize                  in_size;
  gsize                  in_start;
  gsize                  in_end;
  GSource               *input_source;
  GSource               *resume_source;

  /* The message being assembled (fragments, or one frame too long for the
   * buffer), and the data frame whose payload is being streamed into it. */
  GByteArray            *message;
  MeteredWebsocketOpcode message_opcode;
  MeteredWebsocketFrameHeader frame;
  guint64                frame_done;

  /* Writing. The blocks from out_head to out_tail hold out_pending bytes
   * not yet written, none of the blocks empty. */
  OutBlock              *out_head;
  OutBlock              *out_tail;
  OutBlock              *out_spare;
  gsize                  out_pending;
  GSource               *flush_source;
  GSource               *output_source;
  GError                *write_error;
  GRand                 *rand;

  GSource               *keepalive_source;
  GSource               *close_timeout_source;

  gushort                peer_close_code;
  char                  *peer_close_reason;

  guint                  reading : 1;
  guint                  input_done : 1;      /* EOF, failure or closing: nothing more is read */
  guint                  in_frame : 1;        /* ->frame is being streamed into ->message */
  guint                  wrote : 1;           /* bytes written since the last ::drained */
  guint                  close_sent : 1;
  guint                  close_received : 1;
  guint                  close_after_flush : 1;
  guint                  stream_closing : 1;
  guint                  disposed : 1;
};

G_DEFINE_FINAL_TYPE (MeteredWebsocket, metered_websocket, G_TYPE_OBJECT)

G_DEFINE_QUARK (metered-websocket-error-quark, metered_websocket_error)

enum {
  SIGNAL_MESSAGE,
  SIGNAL_PONG,
  SIGNAL_CLOSING,
  SIGNAL_ERROR,
  SIGNAL_CLOSED,
  SIGNAL_DRAINED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void     read_input        (MeteredWebsocket *self);
static gboolean on_input_ready    (GObject          *pollable,
                                   gpointer          data);
static void     close_stream      (MeteredWebsocket *self);

/* Marshallers for ::message, so that emitting it needs no libffi call and
 * takes g_signal_emit()'s fast path for a single handler. */

typedef void (*MessageHandler) (gpointer data1,
                                int      type,
                                gpointer payload,
                                gpointer data2);

static void
marshal_message (GClosure     *closure,
                 GValue       *return_value,
                 guint         n_param_values,
                 const GValue *param_values,
                 gpointer      invocation_hint,
                 gpointer      marshal_data)
{
  GCClosure *cclosure = (GCClosure *) closure;
  MessageHandler callback;
  gpointer data1;
  gpointer data2;

  g_return_if_fail (n_param_values == 3);

  if (G_CCLOSURE_SWAP_DATA (closure))
    {
      data1 = closure->data;
      data2 = g_value_peek_pointer (param_values + 0);
    }
  else
    {
      data1 = g_value_peek_pointer (param_values + 0);
      data2 = closure->data;
    }

  callback = (MessageHandler) (marshal_data != NULL ? marshal_data : cclosure->callback);
  callback (data1, g_value_get_int (param_values + 1), g_value_get_boxed (param_values + 2), data2);
}

static void
marshal_messagev (GClosure *closure,
                  GValue   *return_value,
                  gpointer  instance,
                  va_list   args,
                  gpointer  marshal_data,
                  int       n_params,
                  GType    *param_types)
{
  GCClosure *cclosure = (GCClosure *) closure;
  MessageHandler callback;
  gpointer data1;
  gpointer data2;
  va_list args_copy;
  int type;
  gpointer payload;

  /* The payload is declared G_SIGNAL_TYPE_STATIC_SCOPE: the emitter holds
   * it for the whole emission, so it is passed on without a copy. */
  G_VA_COPY (args_copy, args);
  type = va_arg (args_copy, int);
  payload = va_arg (args_copy, gpointer);
  va_end (args_copy);

  if (G_CCLOSURE_SWAP_DATA (closure))
    {
      data1 = closure->data;
      data2 = instance;
    }
  else
    {
      data1 = instance;
      data2 = closure->data;
    }

  callback = (MessageHandler) (marshal_data != NULL ? marshal_data : cclosure->callback);
  callback (data1, type, payload, data2);
}

/* Sources */

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static GSource *
attach_source (MeteredWebsocket *self,
               GSource          *source,
               GSourceFunc       func)
{
  /* The sources never outlive the connection (dispose destroys them), so
   * they hold no reference to it. Idles too run at the default priority:
   * at G_PRIORITY_DEFAULT_IDLE a busy main loop would never flush. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_all_sources (MeteredWebsocket *self)
{
  clear_source (&self->input_source);
  clear_source (&self->resume_source);
  clear_source (&self->flush_source);
  clear_source (&self->output_source);
  clear_source (&self->keepalive_source);
  clear_source (&self->close_timeout_source);
}

static void
start_input_source (MeteredWebsocket *self)
{
  if (self->input_source != NULL)
    return;

  self->input_source = attach_source (self,
                                      g_pollable_input_stream_create_source (self->input, NULL),
                                      G_SOURCE_FUNC (on_input_ready));
}

static gboolean
on_resume (gpointer data)
{
  MeteredWebsocket *self = g_object_ref (data);

  clear_source (&self->resume_source);
  read_input (self);
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

/* Handles what is already buffered from an idle, for reading resumed or
 * bytes left over from the handshake: the input source fires only for new
 * bytes on the stream. */
static void
schedule_resume (MeteredWebsocket *self)
{
  if (self->resume_source == NULL)
    self->resume_source = attach_source (self, g_idle_source_new (), on_resume);
}

/* Writing */

static OutBlock *
out_block_new (MeteredWebsocket *self)
{
  OutBlock *block = g_steal_pointer (&self->out_spare);

  if (block == NULL)
    {
      g_mutex_lock (&free_blocks_lock);
      block = free_blocks;
      if (block != NULL)
        {
          free_blocks = block->next;
          n_free_blocks--;
        }
      g_mutex_unlock (&free_blocks_lock);
    }

  if (block == NULL)
    block = g_new (OutBlock, 1);

  block->next = NULL;
  block->start = 0;
  block->end = 0;

  return block;
}

static void
out_block_free (OutBlock *block)
{
  g_mutex_lock (&free_blocks_lock);
  if (n_free_blocks < OUT_FREE_BLOCKS_MAX)
    {
      block->next = free_blocks;
      free_blocks = block;
      n_free_blocks++;
      block = NULL;
    }
  g_mutex_unlock (&free_blocks_lock);

  g_free (block);
}

static void
out_clear (MeteredWebsocket *self)
{
  while (self->out_head != NULL)
    {
      OutBlock *block = self->out_head;

      self->out_head = block->next;
      out_block_free (block);
    }

  if (self->out_spare != NULL)
    out_block_free (g_steal_pointer (&self->out_spare));

  self->out_tail = NULL;
  self->out_pending = 0;
}

/* Appends @length bytes to the queue, masked with @mask (nullable) as if
 * they started @mask_offset bytes into a payload. */
static void
out_append (MeteredWebsocket *self,
            const guint8     *data,
            gsize             length,
            const guint8     *mask,
            guint64           mask_offset)
{
  while (length > 0)
    {
      OutBlock *tail = self->out_tail;
      gsize n;

      if (tail == NULL || tail->end == OUT_BLOCK_BYTES)
        {
          OutBlock *block = out_block_new (self);

          if (tail == NULL)
            self->out_head = block;
          else
            tail->next = block;
          self->out_tail = tail = block;
        }

      n = MIN (length, OUT_BLOCK_BYTES - tail->end);
      memcpy (tail->data + tail->end, data, n);
      if (mask != NULL)
        metered_websocket_frame_apply_mask (tail->data + tail->end, n, mask, mask_offset);

      tail->end += n;
      self->out_pending += n;
      data += n;
      length -= n;
      mask_offset += n;
    }
}

/* Drops @length written bytes from the front of the queue. */
static void
out_consume (MeteredWebsocket *self,
             gsize             length)
{
  self->out_pending -= length;

  while (length > 0)
    {
      OutBlock *block = self->out_head;
      gsize n = MIN (length, block->end - block->start);

      block->start += n;
      length -= n;
      if (block->start == block->end)
        {
          self->out_head = block->next;
          if (self->out_head == NULL)
            self->out_tail = NULL;
          if (self->out_spare == NULL && block->end >= OUT_SPARE_MIN_FILL)
            self->out_spare = block;
          else
            out_block_free (block);
        }
    }
}

static void
write_some (MeteredWebsocket *self)
{
  while (self->out_head != NULL)
    {
      GOutputVector vectors[WRITE_VECTORS];
      GError *error = NULL;
      GPollableReturn result;
      OutBlock *block;
      gsize n_vectors = 0;
      gsize written = 0;

      for (block = self->out_head; block != NULL && n_vectors < WRITE_VECTORS; block = block->next)
        {
          vectors[n_vectors].buffer = block->data + block->start;
          vectors[n_vectors].size = block->end - block->start;
          n_vectors++;
        }

      result = g_pollable_output_stream_writev_nonblocking (self->output, vectors, n_vectors,
                                                            &written, NULL, &error);
      if (result == G_POLLABLE_RETURN_FAILED)
        {
          /* Reported from the flush source, never from inside a send call. */
          g_clear_error (&self->write_error);
          self->write_error = error;
          out_clear (self);
          return;
        }

      if (written > 0)
        {
          out_consume (self, written);
          self->wrote = TRUE;
        }

      /* The output source waits for room and writes the rest. */
      if (result == G_POLLABLE_RETURN_WOULD_BLOCK || written == 0)
        break;
    }
}

static void flush_output (MeteredWebsocket *self);

static gboolean
on_flush (gpointer data)
{
  MeteredWebsocket *self = g_object_ref (data);

  clear_source (&self->flush_source);
  flush_output (self);
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_output_ready (GObject  *pollable,
                 gpointer  data)
{
  MeteredWebsocket *self = g_object_ref (data);

  clear_source (&self->output_source);
  flush_output (self);
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_flush (MeteredWebsocket *self)
{
  if (self->flush_source == NULL && self->output_source == NULL && !self->stream_closing)
    self->flush_source = attach_source (self, g_idle_source_new (), on_flush);
}

static void
handle_io_error (MeteredWebsocket *self,
                 GError           *error)
{
  gboolean report = !self->close_received && !self->stream_closing;

  close_stream (self);

  /* Once the peer's close frame is in, the connection ended as agreed: a
   * reset after it is not worth reporting. */
  if (report && !self->disposed)
    g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

/* Runs from sources only, never inside a public call, because it emits. */
static void
flush_output (MeteredWebsocket *self)
{
  if (self->stream_closing)
    return;

  write_some (self);

  if (self->write_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&self->write_error);

      handle_io_error (self, error);
      return;
    }

  if (self->out_head != NULL)
    {
      if (self->output_source == NULL)
        self->output_source = attach_source (self,
                                             g_pollable_output_stream_create_source (self->output, NULL),
                                             G_SOURCE_FUNC (on_output_ready));
      return;
    }

  if (self->wrote)
    {
      self->wrote = FALSE;
      if (!self->disposed)
        g_signal_emit (self, signals[SIGNAL_DRAINED], 0);
    }

  if (self->close_after_flush && self->out_head == NULL)
    close_stream (self);
}

static void
output_queued (MeteredWebsocket *self)
{
  /* Waiting for room: the output source writes everything once there is. */
  if (self->output_source != NULL)
    return;

  if (self->out_pending >= WRITE_NOW_BYTES)
    write_some (self);

  /* Even after a write, the flush source reports errors and ::drained. */
  schedule_flush (self);
}

static void
queue_frame (MeteredWebsocket       *self,
             MeteredWebsocketOpcode  opcode,
             const void             *payload,
             gsize                   length)
{
  guint8 header[METERED_WEBSOCKET_MAX_HEADER_BYTES];
  gsize header_length;

  if (self->role == METERED_WEBSOCKET_ROLE_CLIENT)
    {
      guint32 random = g_rand_int (self->rand);
      guint8 mask[4];

      memcpy (mask, &random, sizeof mask);
      header_length = metered_websocket_frame_write_header (header, TRUE, opcode, length, mask);
      out_append (self, header, header_length, NULL, 0);
      out_append (self, payload, length, mask, 0);
    }
  else
    {
      header_length = metered_websocket_frame_write_header (header, TRUE, opcode, length, NULL);
      out_append (self, header, header_length, NULL, 0);
      out_append (self, payload, length, NULL, 0);
    }

  output_queued (self);
}

/* Closing */

static gboolean
close_code_is_valid (guint code)
{
  /* RFC 6455 §7.4: the codes defined for use in a close frame, the ones
   * registered since (1012–1014), and the registered and private ranges. */
  if (code >= 3000 && code <= 4999)
    return TRUE;

  switch (code)
    {
    case 1000: case 1001: case 1002: case 1003:
    case 1007: case 1008: case 1009: case 1010: case 1011:
    case 1012: case 1013: case 1014:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
close_code_is_sendable (guint code)
{
  return code >= 1000 && code <= 4999 &&
         code != 1004 && code != 1005 && code != 1006 && code != 1015;
}

static void
on_stream_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(MeteredWebsocket) self = data;

  /* A failure to close still leaves the stream closed. */
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);

  self->state = METERED_WEBSOCKET_STATE_CLOSED;
  if (!self->disposed)
    g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static void
on_orphan_stream_closed (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
}

static void
close_stream_async (MeteredWebsocket    *self,
                    GAsyncReadyCallback  callback,
                    gpointer             data)
{
  /* Results are delivered to the thread-default context; make it ours even
   * when this runs from a source dispatched without pushing it. Only a last
   * unref from another thread finds the context owned elsewhere; that close
   * has no callback of ours to run. */
  gboolean acquired = g_main_context_acquire (self->context);

  if (acquired)
    g_main_context_push_thread_default (self->context);
  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, callback, data);
  if (acquired)
    {
      g_main_context_pop_thread_default (self->context);
      g_main_context_release (self->context);
    }
}

static void
close_stream (MeteredWebsocket *self)
{
  if (self->stream_closing)
    return;

  self->stream_closing = TRUE;
  self->input_done = TRUE;
  if (self->state == METERED_WEBSOCKET_STATE_OPEN)
    self->state = METERED_WEBSOCKET_STATE_CLOSING;

  clear_all_sources (self);
  out_clear (self);
  g_clear_pointer (&self->message, g_byte_array_unref);
  self->in_frame = FALSE;

  close_stream_async (self, on_stream_closed, g_object_ref (self));
}

static gboolean
on_close_timeout (gpointer data)
{
  MeteredWebsocket *self = g_object_ref (data);

  clear_source (&self->close_timeout_source);
  g_debug ("The peer did not finish the closing handshake in time");
  close_stream (self);
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static void
queue_close (MeteredWebsocket *self,
             gushort           code,
             const char       *reason)
{
  guint8 payload[2 + MAX_CLOSE_REASON];
  gsize length = 0;

  if (code != 0)
    {
      payload[0] = code >> 8;
      payload[1] = code & 0xFF;
      length = 2;

      if (reason != NULL)
        {
          const char *end;

          /* The longest valid UTF-8 prefix that fits: a character cut in
           * two ends the prefix like any invalid byte. */
          g_utf8_validate_len (reason, strnlen (reason, MAX_CLOSE_REASON), &end);
          memcpy (payload + 2, reason, end - reason);
          length += end - reason;
        }
    }

  self->close_sent = TRUE;
  if (self->state == METERED_WEBSOCKET_STATE_OPEN)
    self->state = METERED_WEBSOCKET_STATE_CLOSING;
  clear_source (&self->keepalive_source);

  queue_frame (self, METERED_WEBSOCKET_OPCODE_CLOSE, payload, length);

  if (self->close_timeout_source == NULL)
    self->close_timeout_source = attach_source (self,
                                                g_timeout_source_new_seconds (CLOSE_TIMEOUT_SECONDS),
                                                on_close_timeout);
}

/* After a protocol error: a close frame with @close_code if none was sent
 * yet, then the stream is closed as soon as it is written. */
static void
fail (MeteredWebsocket      *self,
      MeteredWebsocketError  code,
      gushort                close_code,
      const char            *problem)
{
  g_autoptr(GError) error = NULL;

  if (self->stream_closing)
    return;

  error = g_error_new (METERED_WEBSOCKET_ERROR, code, "WebSocket: %s", problem);
  g_debug ("Closing with %u: %s", close_code, problem);

  self->input_done = TRUE;
  clear_source (&self->input_source);
  clear_source (&self->resume_source);
  g_clear_pointer (&self->message, g_byte_array_unref);
  self->in_frame = FALSE;

  if (!self->close_sent)
    queue_close (self, close_code, problem);
  self->close_after_flush = TRUE;
  if (self->out_head == NULL)
    close_stream (self);

  if (!self->disposed)
    g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
}

/* Reading */

/* A message's payload, with a NUL after its last byte that the GBytes'
 * size does not count, so that text can be used as a C string without
 * another copy (as libsoup did). */
static GBytes *
message_bytes_new (const guint8 *data,
                   gsize         length)
{
  guint8 *copy = g_malloc (length + 1);

  memcpy (copy, data, length);
  copy[length] = '\0';
  return g_bytes_new_take (copy, length);
}

static GBytes *
message_bytes_steal (GByteArray *message)
{
  gsize length = message->len;

  g_byte_array_append (message, (const guint8 *) "", 1);
  return g_bytes_new_take (g_byte_array_free (message, FALSE), length);
}

static void
emit_message (MeteredWebsocket       *self,
              MeteredWebsocketOpcode  opcode,
              GBytes                 *payload)
{
  g_signal_emit (self, signals[SIGNAL_MESSAGE], 0,
                 opcode == METERED_WEBSOCKET_OPCODE_TEXT ? METERED_WEBSOCKET_DATA_TEXT
                                                         : METERED_WEBSOCKET_DATA_BINARY,
                 payload);
}

/* RFC 3629 UTF-8, in which U+0000 is a character like any other.
 * g_utf8_validate_len() stops at NUL bytes, so it runs between them. */
static gboolean
utf8_is_valid (const guint8 *data,
               gsize         length)
{
  const char *p = (const char *) data;
  const char *end;

  /* An empty message may have no buffer at all. */
  if (length == 0)
    return TRUE;

  end = p + length;
  while (p < end)
    {
      const char *stop;

      if (g_utf8_validate_len (p, end - p, &stop))
        return TRUE;
      if (*stop != '\0')
        return FALSE;
      p = stop + 1;
    }

  return TRUE;
}

/* Checked before any copy: a bad message costs no allocation. */
static gboolean
check_message (MeteredWebsocket       *self,
               MeteredWebsocketOpcode  opcode,
               const guint8           *data,
               gsize                   length)
{
  if (opcode == METERED_WEBSOCKET_OPCODE_TEXT && !utf8_is_valid (data, length))
    {
      fail (self, METERED_WEBSOCKET_ERROR_BAD_DATA, 1007, "a text message is not valid UTF-8");
      return FALSE;
    }

  return TRUE;
}

static gboolean
receive_close (MeteredWebsocket *self,
               const guint8     *payload,
               gsize             length)
{
  gushort code = CLOSE_NO_STATUS;

  if (length == 1)
    {
      fail (self, METERED_WEBSOCKET_ERROR_PROTOCOL, 1002, "a close frame with a 1-byte payload");
      return FALSE;
    }

  if (length >= 2)
    {
      code = ((gushort) payload[0] << 8) | payload[1];
      if (!close_code_is_valid (code))
        {
          fail (self, METERED_WEBSOCKET_ERROR_PROTOCOL, 1002, "an invalid close code");
          return FALSE;
        }
      if (!utf8_is_valid (payload + 2, length - 2))
        {
          fail (self, METERED_WEBSOCKET_ERROR_PROTOCOL, 1002, "a close reason that is not UTF-8");
          return FALSE;
        }
    }

  self->close_received = TRUE;
  self->peer_close_code = code;
  g_clear_pointer (&self->peer_close_reason, g_free);
  if (length > 2)
    self->peer_close_reason = g_strndup ((const char *) payload + 2, length - 2);

  /* A fragmented message cut short by the close is dropped. */
  g_clear_pointer (&self->message, g_byte_array_unref);
  self->in_frame = FALSE;

  if (self->close_sent)
    {
      /* Our close frame was answered. The server hangs up; the client
       * waits for it to, under the timeout that is already running. */
      if (self->role == METERED_WEBSOCKET_ROLE_SERVER)
        {
          close_stream (self);
          return FALSE;
        }
      return TRUE;
    }

  self->state = METERED_WEBSOCKET_STATE_CLOSING;
  clear_source (&self->keepalive_source);
  if (!self->disposed)
    g_signal_emit (self, signals[SIGNAL_CLOSING], 0);

  if (self->stream_closing)
    return FALSE;

  /* Echo the code, unless a ::closing handler answered with its own. */
  if (!self->close_sent)
    queue_close (self, code == CLOSE_NO_STATUS ? 0 : code, NULL);

  if (self->role == METERED_WEBSOCKET_ROLE_SERVER)
    {
      self->close_after_flush = TRUE;
      if (self->out_head == NULL)
        close_stream (self);
    }

  return !self->input_done;
}

static gboolean
handle_control (MeteredWebsocket       *self,
                MeteredWebsocketOpcode  opcode,
                const guint8           *payload,
                gsize                   length)
{
  switch (opcode)
    {
    case METERED_WEBSOCKET_OPCODE_PING:
      if (!self->close_sent)
        queue_frame (self, METERED_WEBSOCKET_OPCODE_PONG, payload, length);
      return TRUE;

    case METERED_WEBSOCKET_OPCODE_PONG:
      {
        g_autoptr(GBytes) bytes = g_bytes_new (payload, length);

        if (!self->disposed)
          g_signal_emit (self, signals[SIGNAL_PONG], 0, bytes);
        return TRUE;
      }

    case METERED_WEBSOCKET_OPCODE_CLOSE:
      return receive_close (self, payload, length);

    case METERED_WEBSOCKET_OPCODE_CONTINUATION:
    case METERED_WEBSOCKET_OPCODE_TEXT:
    case METERED_WEBSOCKET_OPCODE_BINARY:
    default:
      break;
    }

  g_assert_not_reached ();
  return FALSE;
}

static guint64
effective_cap (MeteredWebsocket *self)
{
  if (self->max_incoming_payload == 0)
    return MESSAGE_HARD_CAP;
  return MIN (self->max_incoming_payload, MESSAGE_HARD_CAP);
}

/* Handles every whole frame in the buffer. Returns FALSE when reading
 * stops (turned off, failed, closing); what is left stays buffered. */
static gboolean
parse_input (MeteredWebsocket *self)
{
  gboolean expect_masked = self->role == METERED_WEBSOCKET_ROLE_SERVER;

  for (;;)
    {
      MeteredWebsocketFrameHeader header;
      MeteredWebsocketParseResult result;
      const char *problem = NULL;
      guint8 *data;
      gsize available;
      gsize already;

      if (!self->reading || self->input_done)
        return FALSE;

      data = self->in_data + self->in_start;
      available = self->in_end - self->in_start;

      /* Nothing follows a close frame; the client reads on only to see
       * the server hang up. */
      if (self->close_received)
        {
          self->in_start = self->in_end;
          break;
        }

      if (self->in_frame)
        {
          guint64 left = self->frame.payload_length - self->frame_done;
          gsize take = MIN (available, left);

          if (take > 0)
            {
              gsize at = self->message->len;

              g_byte_array_append (self->message, data, take);
              if (self->frame.masked)
                metered_websocket_frame_apply_mask (self->message->data + at, take,
                                                    self->frame.mask, self->frame_done);
              self->in_start += take;
              self->frame_done += take;
            }

          if (self->frame_done < self->frame.payload_length)
            break;

          self->in_frame = FALSE;
          if (self->frame.fin)
            {
              g_autoptr(GBytes) payload = NULL;

              if (!check_message (self, self->message_opcode, self->message->data, self->message->len))
                return FALSE;
              payload = message_bytes_steal (g_steal_pointer (&self->message));
              emit_message (self, self->message_opcode, payload);
            }
          continue;
        }

      if (available == 0)
        break;

      result = metered_websocket_frame_parse_header (data, available, expect_masked, &header, &problem);
      if (result == METERED_WEBSOCKET_PARSE_NEED_MORE)
        break;
      if (result == METERED_WEBSOCKET_PARSE_ERROR)
        {
          fail (self, METERED_WEBSOCKET_ERROR_PROTOCOL, 1002, problem);
          return FALSE;
        }

      if ((header.opcode & 0x08) != 0)
        {
          guint8 *payload = data + header.header_length;
          gsize length = header.payload_length;

          if (available - header.header_length < length)
            break;

          if (header.masked)
            metered_websocket_frame_apply_mask (payload, length, header.mask, 0);
          self->in_start += header.header_length + length;
          if (!handle_control (self, header.opcode, payload, length))
            return FALSE;
          continue;
        }

      if (header.opcode == METERED_WEBSOCKET_OPCODE_CONTINUATION && self->message == NULL)
        {
          fail (self, METERED_WEBSOCKET_ERROR_PROTOCOL, 1002, "a continuation frame outside a message");
          return FALSE;
        }
      if (header.opcode != METERED_WEBSOCKET_OPCODE_CONTINUATION && self->message != NULL)
        {
          fail (self, METERED_WEBSOCKET_ERROR_PROTOCOL, 1002, "a new message inside a fragmented one");
          return FALSE;
        }

      /* Refused on the header alone, before any of the payload is read. */
      already = self->message != NULL ? self->message->len : 0;
      if (header.payload_length > effective_cap (self) - already)
        {
          fail (self, METERED_WEBSOCKET_ERROR_TOO_BIG, 1009, "a message over the size limit");
          return FALSE;
        }

      if (self->message == NULL && header.fin)
        {
          guint64 total = header.header_length + header.payload_length;

          if (total <= available)
            {
              guint8 *payload = data + header.header_length;
              gsize length = header.payload_length;
              g_autoptr(GBytes) bytes = NULL;

              if (header.masked)
                metered_websocket_frame_apply_mask (payload, length, header.mask, 0);
              self->in_start += total;
              if (!check_message (self, header.opcode, payload, length))
                return FALSE;
              bytes = message_bytes_new (payload, length);
              emit_message (self, header.opcode, bytes);
              continue;
            }

          /* It will fit once the buffer is compacted: wait for the rest. */
          if (total <= self->in_size)
            break;
        }

      if (self->message == NULL)
        {
          self->message = g_byte_array_sized_new ((guint) MIN (header.payload_length, MESSAGE_RESERVE_BYTES));
          self->message_opcode = header.opcode;
        }
      self->frame = header;
      self->frame_done = 0;
      self->in_frame = TRUE;
      self->in_start += header.header_length;
    }

  if (self->in_start == self->in_end)
    self->in_start = self->in_end = 0;

  return TRUE;
}

static void
handle_eof (MeteredWebsocket *self)
{
  gboolean clean = self->close_sent || self->close_received;

  close_stream (self);

  /* A hang-up before any close frame is abnormal (1006 to the reader). */
  if (!clean && !self->disposed)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                                     "The peer closed the connection without a close frame");

      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
    }
}

static void
read_input (MeteredWebsocket *self)
{
  gsize budget = READ_BUDGET_BYTES;

  if (!parse_input (self))
    return;

  while (budget > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      if (self->in_start > 0)
        {
          memmove (self->in_data, self->in_data + self->in_start, self->in_end - self->in_start);
          self->in_end -= self->in_start;
          self->in_start = 0;
        }

      /* parse_input() leaves less than a buffer: a partial header, control
       * frame, or a frame that fits once more bytes arrive. */
      g_assert (self->in_end < self->in_size);

      n = g_pollable_input_stream_read_nonblocking (self->input,
                                                    self->in_data + self->in_end,
                                                    self->in_size - self->in_end,
                                                    NULL, &error);
      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            handle_io_error (self, error);
          return;
        }

      if (n == 0)
        {
          handle_eof (self);
          return;
        }

      self->in_end += n;
      budget -= MIN (budget, (gsize) n);

      if (self->in_end == self->in_size && self->in_size < READ_BUFFER_BYTES)
        {
          self->in_size = READ_BUFFER_BYTES;
          self->in_data = g_realloc (self->in_data, self->in_size);
        }

      if (!parse_input (self))
        return;
    }
}

static gboolean
on_input_ready (GObject  *pollable,
                gpointer  data)
{
  MeteredWebsocket *self = g_object_ref (data);

  read_input (self);
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

/* Keepalive */

static gboolean
on_keepalive (gpointer data)
{
  MeteredWebsocket *self = data;

  if (self->state == METERED_WEBSOCKET_STATE_OPEN)
    queue_frame (self, METERED_WEBSOCKET_OPCODE_PING, NULL, 0);

  return G_SOURCE_CONTINUE;
}

/* GObject */

static void
metered_websocket_dispose (GObject *object)
{
  MeteredWebsocket *self = METERED_WEBSOCKET (object);

  self->disposed = TRUE;
  clear_all_sources (self);

  /* Dropped while open: hang up without a handshake or any signal. The
   * close keeps its own reference to the stream. */
  if (self->stream != NULL && !self->stream_closing)
    {
      self->stream_closing = TRUE;
      close_stream_async (self, on_orphan_stream_closed, NULL);
    }

  G_OBJECT_CLASS (metered_websocket_parent_class)->dispose (object);
}

static void
metered_websocket_finalize (GObject *object)
{
  MeteredWebsocket *self = METERED_WEBSOCKET (object);

  g_clear_object (&self->stream);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->in_data);
  g_clear_pointer (&self->message, g_byte_array_unref);
  out_clear (self);
  g_clear_error (&self->write_error);
  g_clear_pointer (&self->rand, g_rand_free);
  g_free (self->peer_close_reason);

  G_OBJECT_CLASS (metered_websocket_parent_class)->finalize (object);
}

static void
metered_websocket_class_init (MeteredWebsocketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = metered_websocket_dispose;
  object_class->finalize = metered_websocket_finalize;

  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  marshal_message,
                  G_TYPE_NONE, 2,
                  G_TYPE_INT,
                  G_TYPE_BYTES | G_SIGNAL_TYPE_STATIC_SCOPE);
  g_signal_set_va_marshaller (signals[SIGNAL_MESSAGE], G_TYPE_FROM_CLASS (klass), marshal_messagev);

  signals[SIGNAL_PONG] =
    g_signal_new ("pong",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1,
                  G_TYPE_BYTES);
  g_signal_set_va_marshaller (signals[SIGNAL_PONG], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);

  signals[SIGNAL_CLOSING] =
    g_signal_new ("closing",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__VOID,
                  G_TYPE_NONE, 0);

  signals[SIGNAL_ERROR] =
    g_signal_new ("error",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__BOXED,
                  G_TYPE_NONE, 1,
                  G_TYPE_ERROR);
  g_signal_set_va_marshaller (signals[SIGNAL_ERROR], G_TYPE_FROM_CLASS (klass),
                              g_cclosure_marshal_VOID__BOXEDv);

  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__VOID,
                  G_TYPE_NONE, 0);

  signals[SIGNAL_DRAINED] =
    g_signal_new ("drained",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL,
                  g_cclosure_marshal_VOID__VOID,
                  G_TYPE_NONE, 0);
}

static void
metered_websocket_init (MeteredWebsocket *self)
{
  self->state = METERED_WEBSOCKET_STATE_OPEN;
  self->reading = TRUE;
}

/* Public API */

MeteredWebsocket *
metered_websocket_new (GIOStream            *stream,
                       MeteredWebsocketRole  role,
                       GBytes               *leftover)
{
  MeteredWebsocket *self;
  GInputStream *input;
  GOutputStream *output;
  gsize leftover_length = 0;
  const guint8 *leftover_data = NULL;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (role == METERED_WEBSOCKET_ROLE_CLIENT || role == METERED_WEBSOCKET_ROLE_SERVER, NULL);

  input = g_io_stream_get_input_stream (stream);
  output = g_io_stream_get_output_stream (stream);
  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (input) &&
                        g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (output) &&
                        g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (output)), NULL);

  self = g_object_new (METERED_TYPE_WEBSOCKET, NULL);
  self->stream = g_object_ref (stream);
  self->input = G_POLLABLE_INPUT_STREAM (input);
  self->output = G_POLLABLE_OUTPUT_STREAM (output);
  self->role = role;
  self->context = g_main_context_ref_thread_default ();

  /* Seeded from /dev/urandom: masks must not be predictable (RFC 6455 §5.3). */
  if (role == METERED_WEBSOCKET_ROLE_CLIENT)
    self->rand = g_rand_new ();

  if (leftover != NULL)
    leftover_data = g_bytes_get_data (leftover, &leftover_length);

  self->in_size = MAX (READ_BUFFER_START_BYTES, leftover_length + 1);
  self->in_data = g_malloc (self->in_size);
  if (leftover_length > 0)
    {
      memcpy (self->in_data, leftover_data, leftover_length);
      self->in_end = leftover_length;
      schedule_resume (self);
    }

  start_input_source (self);

  return self;
}

GIOStream *
metered_websocket_get_io_stream (MeteredWebsocket *self)
{
  g_return_val_if_fail (METERED_IS_WEBSOCKET (self), NULL);

  return self->stream;
}

MeteredWebsocketState
metered_websocket_get_state (MeteredWebsocket *self)
{
  g_return_val_if_fail (METERED_IS_WEBSOCKET (self), METERED_WEBSOCKET_STATE_CLOSED);

  return self->state;
}

gushort
metered_websocket_get_close_code (MeteredWebsocket *self)
{
  g_return_val_if_fail (METERED_IS_WEBSOCKET (self), 0);

  return self->peer_close_code;
}

const char *
metered_websocket_get_close_reason (MeteredWebsocket *self)
{
  g_return_val_if_fail (METERED_IS_WEBSOCKET (self), NULL);

  return self->peer_close_reason;
}

void
metered_websocket_set_max_incoming_payload (MeteredWebsocket *self,
                                            guint64           max_bytes)
{
  g_return_if_fail (METERED_IS_WEBSOCKET (self));

  self->max_incoming_payload = max_bytes;
}

void
metered_websocket_set_keepalive_interval (MeteredWebsocket *self,
                                          guint             seconds)
{
  g_return_if_fail (METERED_IS_WEBSOCKET (self));

  clear_source (&self->keepalive_source);

  if (seconds > 0 && self->state == METERED_WEBSOCKET_STATE_OPEN)
    self->keepalive_source = attach_source (self, g_timeout_source_new_seconds (seconds), on_keepalive);
}

void
metered_websocket_set_reading (MeteredWebsocket *self,
                               gboolean          reading)
{
  g_return_if_fail (METERED_IS_WEBSOCKET (self));

  reading = !!reading;
  if ((guint) reading == self->reading)
    return;

  self->reading = reading;

  if (!reading)
    {
      clear_source (&self->input_source);
      clear_source (&self->resume_source);
      return;
    }

  if (self->input_done)
    return;

  start_input_source (self);
  if (self->in_end > self->in_start)
    schedule_resume (self);
}

void
metered_websocket_send_text (MeteredWebsocket *self,
                             const char       *text,
                             gssize            length)
{
  g_return_if_fail (METERED_IS_WEBSOCKET (self));
  g_return_if_fail (text != NULL || length == 0);

  if (self->state != METERED_WEBSOCKET_STATE_OPEN)
    return;

  if (length < 0)
    length = strlen (text);

  queue_frame (self, METERED_WEBSOCKET_OPCODE_TEXT, text, length);
}

void
metered_websocket_send_binary (MeteredWebsocket *self,
                               const void       *data,
                               gsize             length)
{
  g_return_if_fail (METERED_IS_WEBSOCKET (self));
  g_return_if_fail (data != NULL || length == 0);

  if (self->state != METERED_WEBSOCKET_STATE_OPEN)
    return;

  queue_frame (self, METERED_WEBSOCKET_OPCODE_BINARY, data, length);
}

void
metered_websocket_send_raw (MeteredWebsocket *self,
                            const void       *data,
                            gsize             length)
{
  g_return_if_fail (METERED_IS_WEBSOCKET (self));
  g_return_if_fail (data != NULL || length == 0);

  if (self->state != METERED_WEBSOCKET_STATE_OPEN || length == 0)
    return;

  out_append (self, data, length, NULL, 0);
  output_queued (self);
}

gsize
metered_websocket_get_pending_output (MeteredWebsocket *self)
{
  g_return_val_if_fail (METERED_IS_WEBSOCKET (self), 0);

  return self->out_pending;
}

void
metered_websocket_close (MeteredWebsocket *self,
                         gushort           code,
                         const char       *reason)
{
  g_return_if_fail (METERED_IS_WEBSOCKET (self));
  g_return_if_fail (code == 0 || close_code_is_sendable (code));

  if (self->close_sent || self->stream_closing)
    return;

  queue_close (self, code, reason);

  /* Called from a ::closing handler: this is the answer to the peer. */
  if (self->close_received && self->role == METERED_WEBSOCKET_ROLE_SERVER)
    self->close_after_flush = TRUE;
}
