/* inspector-log-io.c: the message log to and from files
 *
 * Export takes a snapshot of the rows on the main thread (references to
 * the store's segments and the list of rows, no copies of the text) and
 * writes on a worker thread. Import parses on a worker thread and hands
 * rows to the main thread in batches, where they are appended to an
 * offline connection's log.
 *
 * JSON Lines: one object per row, members in this order:
 *   time       wall-clock microseconds since 1970 (integer; exact)
 *   timestamp  the same time in ISO 8601, UTC (informative; import ignores it)
 *   kind       message, direct, presence, state, welcome, close, error,
 *              going-away, token-error, subscribe, unsubscribe, publish, send
 *   status     none, pending, acked, failed
 *   rtt        round trip of an acked request in microseconds (integer)
 *   channel, peer, text, metadata, note, frame
 *              strings or null; text is the payload (or event details) as
 *              JSON text, kept verbatim as a string so it reads back byte
 *              for byte
 *
 * CSV (RFC 4180, CRLF line ends, a header row): timestamp, time_us, kind,
 * status, rtt_us, channel, peer, size, text, note, metadata. Fields that
 * contain a comma, a quote, a line break or edge spaces are quoted, with
 * quotes doubled.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-log-io"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "inspector-connection.h"
#include "inspector-log-filter-model.h"
#include "inspector-log-io.h"
#include "inspector-log-store-private.h"

#define WRITE_CHUNK       (64 * 1024)
#define PROGRESS_INTERVAL 100  /* ms */
#define IMPORT_BATCH      2048
#define MAX_LINE_LENGTH   (16 * 1024 * 1024)
#define MAX_REPORTED_BAD  5

static const char * const status_names[] = {
  [INSPECTOR_LOG_STATUS_NONE] = "none",
  [INSPECTOR_LOG_STATUS_PENDING] = "pending",
  [INSPECTOR_LOG_STATUS_ACKED] = "acked",
  [INSPECTOR_LOG_STATUS_FAILED] = "failed",
};

/* Progress, read by a timeout on the caller's context while a worker
 * counts. */
typedef struct {
  InspectorLogProgress callback;
  gpointer             user_data;
  guint64              done;   /* atomic */
  guint64              total;  /* atomic */
  GSource             *source;
} Progress;

static gboolean
on_progress_tick (gpointer data)
{
  Progress *progress = data;

  progress->callback ((guint64) g_atomic_pointer_get ((gpointer *) &progress->done),
                      (guint64) g_atomic_pointer_get ((gpointer *) &progress->total),
                      progress->user_data);

  return G_SOURCE_CONTINUE;
}

static void
progress_start (Progress             *progress,
                InspectorLogProgress  callback,
                gpointer              user_data)
{
  progress->callback = callback;
  progress->user_data = user_data;

  if (callback == NULL)
    return;

  progress->source = g_timeout_source_new (PROGRESS_INTERVAL);
  g_source_set_callback (progress->source, on_progress_tick, progress, NULL);
  g_source_set_static_name (progress->source, "[inspector] log io progress");
  g_source_attach (progress->source, g_main_context_get_thread_default ());
}

static void
progress_set (Progress *progress,
              guint64   done,
              guint64   total)
{
  /* guint64 fits a pointer on the 64-bit machines the inspector runs on;
   * elsewhere progress is merely coarse. */
  g_atomic_pointer_set ((gpointer *) &progress->done, (gpointer) (guintptr) done);
  g_atomic_pointer_set ((gpointer *) &progress->total, (gpointer) (guintptr) total);
}

static void
progress_stop (Progress *progress)
{
  if (progress->source != NULL)
    {
      g_source_destroy (progress->source);
      g_clear_pointer (&progress->source, g_source_unref);
      /* The last word: everything. */
      on_progress_tick (progress);
    }
}

/* Writing. */

static void
append_json_string_len (GString    *out,
                        const char *text,
                        gsize       len)
{
  static const char hex[] = "0123456789abcdef";

  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      guchar c = text[i];

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20)
            {
              g_string_append (out, "\\u00");
              g_string_append_c (out, hex[c >> 4]);
              g_string_append_c (out, hex[c & 0xf]);
            }
          else
            g_string_append_c (out, c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_json_member (GString    *out,
                    const char *name,
                    const char *value,
                    gssize      len)
{
  g_string_append_printf (out, ",\"%s\":", name);
  if (value == NULL)
    g_string_append (out, "null");
  else
    append_json_string_len (out, value, len >= 0 ? (gsize) len : strlen (value));
}

static char *
dup_iso_utc (gint64 time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);
  g_autofree char *seconds = NULL;

  if (utc == NULL)
    return g_strdup ("");

  seconds = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%06dZ", seconds, (int) (((time % G_USEC_PER_SEC) + G_USEC_PER_SEC) % G_USEC_PER_SEC));
}

static const char *
status_name (guint status)
{
  return status < G_N_ELEMENTS (status_names) ? status_names[status] : "none";
}

static void
write_jsonl_row (GString                  *out,
                 const InspectorLogRecord *record)
{
  g_autofree char *timestamp = dup_iso_utc (record->time);

  g_string_append_printf (out, "{\"time\":%" G_GINT64_FORMAT, record->time);
  append_json_member (out, "timestamp", timestamp, -1);
  append_json_member (out, "kind", inspector_log_kind_to_string (record->kind), -1);
  append_json_member (out, "status", status_name (record->status), -1);
  g_string_append_printf (out, ",\"rtt\":%u", record->rtt);
  append_json_member (out, "channel", record->channel, -1);
  append_json_member (out, "peer", record->peer, -1);
  append_json_member (out, "text", record->text, record->size);
  append_json_member (out, "metadata", record->metadata, -1);
  append_json_member (out, "note", record->note, -1);
  append_json_member (out, "frame", record->frame, -1);
  g_string_append (out, "}\n");
}

static void
append_csv_field (GString    *out,
                  const char *value,
                  gssize      len)
{
  gsize n;
  gboolean quote;

  g_string_append_c (out, ',');

  if (value == NULL)
    return;

  n = len >= 0 ? (gsize) len : strlen (value);
  quote = n > 0 && (value[0] == ' ' || value[n - 1] == ' ');
  for (gsize i = 0; i < n && !quote; i++)
    quote = value[i] == ',' || value[i] == '"' || value[i] == '\n' || value[i] == '\r';

  if (!quote)
    {
      g_string_append_len (out, value, n);
      return;
    }

  g_string_append_c (out, '"');
  for (gsize i = 0; i < n; i++)
    {
      if (value[i] == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, value[i]);
    }
  g_string_append_c (out, '"');
}

static void
write_csv_row (GString                  *out,
               const InspectorLogRecord *record)
{
  g_autofree char *timestamp = dup_iso_utc (record->time);
  char number[32];

  /* The first field has no comma before it. */
  g_string_append (out, timestamp);
  g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, record->time);
  append_csv_field (out, number, -1);
  append_csv_field (out, inspector_log_kind_to_string (record->kind), -1);
  append_csv_field (out, status_name (record->status), -1);
  g_snprintf (number, sizeof number, "%u", record->rtt);
  append_csv_field (out, number, -1);
  append_csv_field (out, record->channel, -1);
  append_csv_field (out, record->peer, -1);
  g_snprintf (number, sizeof number, "%u", record->size);
  append_csv_field (out, number, -1);
  append_csv_field (out, record->text, record->size);
  append_csv_field (out, record->note, -1);
  append_csv_field (out, record->metadata, -1);
  g_string_append (out, "\r\n");
}

typedef struct {
  GFile                *file;
  InspectorLogFormat    format;
  InspectorLogSnapshot *snapshot;   /* keeps the records alive */
  GArray               *seqs;       /* rows of the snapshot, in order */
  GPtrArray            *entries;    /* or item objects, for other models */
  Progress              progress;
  guint64               n_written;
} Export;

static void
export_free (Export *export)
{
  progress_stop (&export->progress);
  g_clear_object (&export->file);
  g_clear_pointer (&export->snapshot, inspector_log_snapshot_free);
  g_clear_pointer (&export->seqs, g_array_unref);
  g_clear_pointer (&export->entries, g_ptr_array_unref);
  g_free (export);
}

static const InspectorLogRecord *
export_get_record (Export *export,
                   guint   i)
{
  if (export->entries != NULL)
    return inspector_log_entry_get_record (g_ptr_array_index (export->entries, i));

  return inspector_log_snapshot_lookup (export->snapshot, g_array_index (export->seqs, guint64, i));
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Export *export = task_data;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GString) out = g_string_sized_new (WRITE_CHUNK + 4096);
  g_autoptr(GError) error = NULL;
  guint n = export->entries != NULL ? export->entries->len : export->seqs->len;

  stream = g_file_replace (export->file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (export->format == INSPECTOR_LOG_FORMAT_CSV)
    g_string_append (out, "timestamp,time_us,kind,status,rtt_us,channel,peer,size,text,note,metadata\r\n");

  for (guint i = 0; i < n; i++)
    {
      const InspectorLogRecord *record = export_get_record (export, i);

      if (record == NULL)
        continue;

      if (export->format == INSPECTOR_LOG_FORMAT_CSV)
        write_csv_row (out, record);
      else
        write_jsonl_row (out, record);

      if (out->len >= WRITE_CHUNK || i + 1 == n)
        {
          if (!g_output_stream_write_all (G_OUTPUT_STREAM (stream), out->str, out->len, NULL, cancellable, &error))
            break;
          g_string_truncate (out, 0);
          progress_set (&export->progress, i + 1, n);
        }
    }

  if (error == NULL && out->len > 0)
    g_output_stream_write_all (G_OUTPUT_STREAM (stream), out->str, out->len, NULL, cancellable, &error);

  /* A cancelled close throws the temporary file away: the destination
   * keeps what it had. */
  if (error != NULL)
    {
      g_autoptr(GCancellable) abort = g_cancellable_new ();

      g_cancellable_cancel (abort);
      g_output_stream_close (G_OUTPUT_STREAM (stream), abort, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  export->n_written = n;
  g_task_return_boolean (task, TRUE);
}

/**
 * inspector_log_export_async:
 * @rows: the rows to write, a list of #InspectorLogEntry: an
 *   #InspectorLogStore or #InspectorLogFilterModel (snapshotted without
 *   building item objects) or any other model of log entries
 * @file: where to write; replaced atomically when the export succeeds
 * @progress: (nullable) (scope notified): called with rows written and
 *   rows in all, a few times a second and once at the end
 * @callback: called on the current thread-default main context
 *
 * Writes the rows as they are now; rows that arrive later are not
 * included. The rows are written on a worker thread.
 */
void
inspector_log_export_async (GListModel           *rows,
                            GFile                *file,
                            InspectorLogFormat    format,
                            GCancellable         *cancellable,
                            InspectorLogProgress  progress,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  Export *export;

  g_return_if_fail (G_IS_LIST_MODEL (rows));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (format == INSPECTOR_LOG_FORMAT_JSON_LINES || format == INSPECTOR_LOG_FORMAT_CSV);

  export = g_new0 (Export, 1);
  export->file = g_object_ref (file);
  export->format = format;

  if (INSPECTOR_IS_LOG_FILTER_MODEL (rows) &&
      inspector_log_filter_model_get_store (INSPECTOR_LOG_FILTER_MODEL (rows)) != NULL)
    {
      InspectorLogFilterModel *model = INSPECTOR_LOG_FILTER_MODEL (rows);

      export->snapshot = inspector_log_store_snapshot (inspector_log_filter_model_get_store (model));
      export->seqs = inspector_log_filter_model_dup_seqs (model);
    }
  else if (INSPECTOR_IS_LOG_STORE (rows))
    {
      InspectorLogStore *store = INSPECTOR_LOG_STORE (rows);

      export->snapshot = inspector_log_store_snapshot (store);
      export->seqs = g_array_sized_new (FALSE, FALSE, sizeof (guint64),
                                        export->snapshot->end_seq - export->snapshot->first_seq);
      for (guint64 seq = export->snapshot->first_seq; seq < export->snapshot->end_seq; seq++)
        g_array_append_val (export->seqs, seq);
    }
  else
    {
      guint n = g_list_model_get_n_items (rows);

      export->entries = g_ptr_array_new_full (n, g_object_unref);
      for (guint i = 0; i < n; i++)
        {
          gpointer item = g_list_model_get_item (rows, i);

          if (INSPECTOR_IS_LOG_ENTRY (item))
            g_ptr_array_add (export->entries, item);
          else
            g_clear_object (&item);
        }
    }

  progress_start (&export->progress, progress, user_data);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, inspector_log_export_async);
  g_task_set_task_data (task, export, (GDestroyNotify) export_free);
  g_task_run_in_thread (task, export_thread);
}

/**
 * inspector_log_export_finish:
 * @n_rows: (out) (optional): the rows written
 *
 * Returns: whether the file was written
 */
gboolean
inspector_log_export_finish (GAsyncResult  *result,
                             guint64       *n_rows,
                             GError       **error)
{
  Export *export;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == inspector_log_export_async, FALSE);

  export = g_task_get_task_data (G_TASK (result));
  progress_stop (&export->progress);

  if (n_rows != NULL)
    *n_rows = export->n_written;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading. */

typedef struct {
  gint64  time;
  guint8  kind;
  guint8  status;
  guint32 rtt;
  char   *channel;
  char   *peer;
  char   *text;
  gsize   text_len;
  char   *metadata;
  char   *note;
  char   *frame;
} ImportRow;

static void
import_row_clear (gpointer data)
{
  ImportRow *row = data;

  g_free (row->channel);
  g_free (row->peer);
  g_free (row->text);
  g_free (row->metadata);
  g_free (row->note);
  g_free (row->frame);
}

typedef struct {
  GFile               *file;
  InspectorConnection *connection;  /* touched on the main context only */
  GMainContext        *context;
  Progress             progress;
  guint64              n_rows;      /* atomic-free: main context only */
  guint                n_bad;
  GString             *bad;         /* the first few bad lines, described */
} Import;

static void
import_free (Import *import)
{
  progress_stop (&import->progress);
  g_clear_object (&import->file);
  g_clear_object (&import->connection);
  g_clear_pointer (&import->context, g_main_context_unref);
  if (import->bad != NULL)
    g_string_free (import->bad, TRUE);
  g_free (import);
}

typedef struct {
  Import *import;
  GArray *rows;   /* ImportRow */
} Batch;

static gboolean
append_batch (gpointer data)
{
  Batch *batch = data;
  InspectorLogStore *store = inspector_connection_get_log (batch->import->connection);

  for (guint i = 0; i < batch->rows->len; i++)
    {
      ImportRow *row = &g_array_index (batch->rows, ImportRow, i);

      inspector_log_store_append_at (store, row->time, row->kind, row->status, row->rtt,
                                     row->channel, row->peer, row->text, row->text_len,
                                     row->metadata, row->note, row->frame);
      inspector_connection_count_offline_row (batch->import->connection, row->kind, row->channel);
    }

  batch->import->n_rows += batch->rows->len;

  return G_SOURCE_REMOVE;
}

static void
batch_free (gpointer data)
{
  Batch *batch = data;

  g_array_unref (batch->rows);
  g_free (batch);
}

static void
send_batch (Import  *import,
            GArray **rows)
{
  Batch *batch;

  if ((*rows)->len == 0)
    return;

  batch = g_new0 (Batch, 1);
  batch->import = import;
  batch->rows = g_steal_pointer (rows);
  g_main_context_invoke_full (import->context, G_PRIORITY_DEFAULT, append_batch, batch, batch_free);

  *rows = g_array_sized_new (FALSE, TRUE, sizeof (ImportRow), IMPORT_BATCH);
  g_array_set_clear_func (*rows, import_row_clear);
}

/* A string member, or null; anything else is an error. */
static gboolean
get_string_member (JsonObject  *object,
                   const char  *name,
                   char       **value,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” is not a string"), name);
      return FALSE;
    }

  *value = json_node_dup_string (node);

  return TRUE;
}

static gboolean
get_int_member (JsonObject  *object,
                const char  *name,
                gboolean     required,
                gint64       min,
                gint64       max,
                gint64      *value,
                GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = 0;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” is missing"), name);
      return !required;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < min || json_node_get_int (node) > max)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("“%s” is not a valid integer"), name);
      return FALSE;
    }

  *value = json_node_get_int (node);

  return TRUE;
}

static gboolean
parse_row (JsonParser  *parser,
           const char  *line,
           gsize        len,
           ImportRow   *row,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *status = NULL;
  JsonNode *root;
  JsonObject *object;
  InspectorLogKind parsed_kind;
  gint64 rtt;
  guint i;

  if (!json_parser_load_from_data (parser, line, len, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("not JSON: %s"), local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("not a JSON object"));
      return FALSE;
    }
  object = json_node_get_object (root);

  if (!get_int_member (object, "time", TRUE, G_MININT64, G_MAXINT64, &row->time, error) ||
      !get_int_member (object, "rtt", FALSE, 0, G_MAXUINT32, &rtt, error) ||
      !get_string_member (object, "kind", &kind, error) ||
      !get_string_member (object, "status", &status, error) ||
      !get_string_member (object, "channel", &row->channel, error) ||
      !get_string_member (object, "peer", &row->peer, error) ||
      !get_string_member (object, "text", &row->text, error) ||
      !get_string_member (object, "metadata", &row->metadata, error) ||
      !get_string_member (object, "note", &row->note, error) ||
      !get_string_member (object, "frame", &row->frame, error))
    return FALSE;

  if (!inspector_log_kind_from_string (kind, &parsed_kind))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("unknown kind “%s”"), kind != NULL ? kind : "");
      return FALSE;
    }
  row->kind = parsed_kind;
  row->rtt = (guint32) rtt;
  row->text_len = row->text != NULL ? strlen (row->text) : 0;

  row->status = INSPECTOR_LOG_STATUS_NONE;
  for (i = 0; status != NULL && i < G_N_ELEMENTS (status_names); i++)
    if (g_str_equal (status, status_names[i]))
      break;
  if (status != NULL && i == G_N_ELEMENTS (status_names))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("unknown status “%s”"), status);
      return FALSE;
    }
  if (status != NULL)
    row->status = i;

  return TRUE;
}

static void
note_bad_line (Import     *import,
               guint64     line_number,
               const char *reason)
{
  import->n_bad++;
  if (import->n_bad > MAX_REPORTED_BAD)
    return;

  if (import->bad->len > 0)
    g_string_append (import->bad, "; ");
  /* Translators: a line number of an imported file, then what is wrong with it */
  g_string_append_printf (import->bad, _("line %llu: %s"), (unsigned long long) line_number, reason);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Import *import = task_data;
  g_autoptr(GFileInputStream) file_stream = NULL;
  g_autoptr(GDataInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  guint64 total = 0;
  guint64 read = 0;
  guint64 line_number = 0;

  file_stream = g_file_read (import->file, cancellable, &error);
  if (file_stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  info = g_file_input_stream_query_info (file_stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  if (info != NULL)
    total = g_file_info_get_size (info);

  stream = g_data_input_stream_new (G_INPUT_STREAM (file_stream));
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (stream), 256 * 1024);
  g_data_input_stream_set_newline_type (stream, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  rows = g_array_sized_new (FALSE, TRUE, sizeof (ImportRow), IMPORT_BATCH);
  g_array_set_clear_func (rows, import_row_clear);

  for (;;)
    {
      g_autofree char *line = NULL;
      g_autoptr(GError) line_error = NULL;
      ImportRow row = { 0 };
      gsize len;

      line = g_data_input_stream_read_line (stream, &len, cancellable, &error);
      if (line == NULL)
        break;

      line_number++;
      read += len + 1;

      if (len == 0 || (len == 1 && line[0] == '\r'))
        continue;

      if (len > MAX_LINE_LENGTH)
        note_bad_line (import, line_number, _("the line is too long"));
      else if (!g_utf8_validate_len (line, len, NULL))
        note_bad_line (import, line_number, _("not valid UTF-8"));
      else if (!parse_row (parser, line, len, &row, &line_error))
        {
          note_bad_line (import, line_number, line_error->message);
          import_row_clear (&row);
        }
      else
        {
          g_array_append_val (rows, row);
          if (rows->len == IMPORT_BATCH)
            {
              send_batch (import, &rows);
              progress_set (&import->progress, read, total);
            }
        }
    }

  send_batch (import, &rows);
  progress_set (&import->progress, MIN (read, total), total);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * inspector_log_import_async:
 * @file: a JSON Lines file written by inspector_log_export_async()
 * @connection: where the rows go, usually from
 *   inspector_connection_new_offline()
 * @progress: (nullable) (scope notified): called with bytes read and the
 *   file's size, a few times a second and once at the end
 *
 * Reads @file on a worker thread and appends its rows to @connection's
 * log in batches on the current thread-default main context. Lines that
 * cannot be read are skipped and reported by the finish function; the
 * rows read before and after them are kept, as are rows read before a
 * cancellation.
 */
void
inspector_log_import_async (GFile                *file,
                            InspectorConnection  *connection,
                            GCancellable         *cancellable,
                            InspectorLogProgress  progress,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  Import *import;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (INSPECTOR_IS_CONNECTION (connection));

  import = g_new0 (Import, 1);
  import->file = g_object_ref (file);
  import->connection = g_object_ref (connection);
  import->context = g_main_context_ref_thread_default ();
  import->bad = g_string_new (NULL);
  progress_start (&import->progress, progress, user_data);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, inspector_log_import_async);
  g_task_set_task_data (task, import, (GDestroyNotify) import_free);
  g_task_run_in_thread (task, import_thread);
}

/**
 * inspector_log_import_finish:
 * @n_rows: (out) (optional): the rows imported, also when an error is
 *   returned
 *
 * Returns: %TRUE if every line was read; %FALSE with
 *   %G_IO_ERROR_INVALID_DATA naming the bad lines, or another error if
 *   the file could not be read or the import was cancelled
 */
gboolean
inspector_log_import_finish (GAsyncResult  *result,
                             guint64       *n_rows,
                             GError       **error)
{
  Import *import;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == inspector_log_import_async, FALSE);

  import = g_task_get_task_data (G_TASK (result));
  progress_stop (&import->progress);

  /* The batches were queued on this context before the result was, so
   * they are all in by now. */
  if (n_rows != NULL)
    *n_rows = import->n_rows;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  if (import->n_bad > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%u line could not be read (%s%s)",
                                "%u lines could not be read (%s%s)",
                                import->n_bad),
                   import->n_bad, import->bad->str, import->n_bad > MAX_REPORTED_BAD ? "; …" : "");
      return FALSE;
    }

  return TRUE;
}
