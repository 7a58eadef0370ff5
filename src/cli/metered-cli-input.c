/* metered-cli-input.c: reading JSON payloads from stdin
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "metered-cli"

#include <string.h>

#include "metered-cli-error.h"
#include "metered-cli-input.h"

#define CHUNK_SIZE (64 * 1024)

/**
 * MeteredCliLineReader:
 *
 * Splits a stream into lines asynchronously, for `pub --lines` and
 * `send --lines`: the input may be a producer that writes one line now and
 * the next in an hour, and the connection must stay served meanwhile.
 *
 * Lines end with LF (a CR before it is dropped); the last line need not
 * end with one. A line longer than %METERED_CLI_INPUT_MAX_BYTES is an
 * error rather than a reason to fill memory.
 */
struct _MeteredCliLineReader
{
  GObject       parent_instance;

  GInputStream *stream;
  GByteArray   *buffer;
  guint         line_number;
  gboolean      at_end;
  gboolean      reading;
};

G_DEFINE_FINAL_TYPE (MeteredCliLineReader, metered_cli_line_reader, G_TYPE_OBJECT)

static void
metered_cli_line_reader_finalize (GObject *object)
{
  MeteredCliLineReader *self = (MeteredCliLineReader *) object;

  g_clear_object (&self->stream);
  g_clear_pointer (&self->buffer, g_byte_array_unref);

  G_OBJECT_CLASS (metered_cli_line_reader_parent_class)->finalize (object);
}

static void
metered_cli_line_reader_class_init (MeteredCliLineReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = metered_cli_line_reader_finalize;
}

static void
metered_cli_line_reader_init (MeteredCliLineReader *self)
{
  self->buffer = g_byte_array_new ();
}

MeteredCliLineReader *
metered_cli_line_reader_new (GInputStream *stream)
{
  MeteredCliLineReader *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  self = g_object_new (METERED_TYPE_CLI_LINE_READER, NULL);
  self->stream = g_object_ref (stream);

  return self;
}

static char *
take_line (MeteredCliLineReader *self,
           gsize                 length,
           gsize                 consumed)
{
  char *line;

  if (length > 0 && self->buffer->data[length - 1] == '\r')
    length--;

  line = g_strndup ((const char *) self->buffer->data, length);
  g_byte_array_remove_range (self->buffer, 0, consumed);
  self->line_number++;

  return line;
}

static void read_more (MeteredCliLineReader *self,
                       GTask                *task);

/* Answers @task from the buffer if a whole line (or the end) is there,
 * else reads more. */
static void
try_complete (MeteredCliLineReader *self,
              GTask                *task)
{
  const guint8 *newline = NULL;
  char *line = NULL;

  if (self->buffer->len > 0)
    newline = memchr (self->buffer->data, '\n', self->buffer->len);

  if (newline == NULL && !self->at_end && self->buffer->len <= METERED_CLI_INPUT_MAX_BYTES)
    {
      read_more (self, task);
      return;
    }

  /* The callback may start the next read from within g_task_return_*(). */
  self->reading = FALSE;

  if (newline != NULL)
    {
      gsize length = newline - self->buffer->data;

      line = take_line (self, length, length + 1);
    }
  else if (self->buffer->len > METERED_CLI_INPUT_MAX_BYTES)
    {
      g_task_return_new_error (task, METERED_CLI_ERROR, METERED_CLI_EXIT_USAGE,
                               "line %u is longer than %u bytes",
                               self->line_number + 1, METERED_CLI_INPUT_MAX_BYTES);
      g_object_unref (task);
      return;
    }
  else if (self->buffer->len > 0)
    {
      line = take_line (self, self->buffer->len, self->buffer->len);
    }

  /* A NULL line is the end of the input. */
  g_task_return_pointer (task, line, g_free);
  g_object_unref (task);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  MeteredCliLineReader *self = g_task_get_source_object (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      self->reading = FALSE;
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (g_bytes_get_size (bytes) == 0)
    self->at_end = TRUE;
  else
    g_byte_array_append (self->buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  try_complete (self, task);
}

static void
read_more (MeteredCliLineReader *self,
           GTask                *task)
{
  g_input_stream_read_bytes_async (self->stream, CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_read, task);
}

/* One read at a time. */
void
metered_cli_line_reader_read_line_async (MeteredCliLineReader *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data)
{
  GTask *task;

  g_return_if_fail (METERED_IS_CLI_LINE_READER (self));
  g_return_if_fail (!self->reading);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, metered_cli_line_reader_read_line_async);
  self->reading = TRUE;
  try_complete (self, task);
}

/**
 * metered_cli_line_reader_read_line_finish:
 * @line_number: (out): the 1-based number of the line returned
 *
 * Returns: (transfer full) (nullable): the line without its end, or %NULL
 *   at the end of the input (without @error) or on error
 */
char *
metered_cli_line_reader_read_line_finish (MeteredCliLineReader  *self,
                                          GAsyncResult          *result,
                                          guint                 *line_number,
                                          GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  *line_number = self->line_number;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * metered_cli_input_read_all:
 *
 * Reads @stream to its end, blocking: for a single payload nothing else
 * is running yet.
 *
 * Returns: (transfer full) (nullable): the whole input, nul-terminated
 */
char *
metered_cli_input_read_all (GInputStream  *stream,
                            GError       **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();

  for (;;)
    {
      g_autoptr(GBytes) bytes = g_input_stream_read_bytes (stream, CHUNK_SIZE, NULL, error);

      if (bytes == NULL)
        return NULL;
      if (g_bytes_get_size (bytes) == 0)
        break;

      g_byte_array_append (buffer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      if (buffer->len > METERED_CLI_INPUT_MAX_BYTES)
        {
          g_set_error (error, METERED_CLI_ERROR, METERED_CLI_EXIT_USAGE,
                       "the input is longer than %u bytes", METERED_CLI_INPUT_MAX_BYTES);
          return NULL;
        }
    }

  g_byte_array_append (buffer, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&buffer), FALSE);
}
