/* inspector-log-store.c: the message log, a compact append-only list model
 *
 * Messages can arrive tens of thousands of times a second and the log keeps
 * up to a million rows, so a row is a small struct in a segment, strings
 * are packed into string chunks, and the GObject a view sees is built only
 * when it asks for it (get_item). Appends are invisible until the next
 * flush, which runs at most once per frame and emits one items-changed for
 * everything that arrived in between.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-log-store"

#include <string.h>

#include "inspector-log-store-private.h"

/* About one frame at 60 Hz. */
#define FLUSH_INTERVAL_MS 16

struct _InspectorLogStore
{
  GObject                parent_instance;

  GPtrArray             *segments;      /* InspectorLogSegment, all full but the last */
  InspectorLogInterned  *interned;
  guint64                base_seq;      /* seq of the first record of segments[0] */
  guint64                first_seq;     /* seq of the first row kept */
  guint64                next_seq;      /* seq the next append gets */
  guint64                visible_end;   /* rows below this seq are in n_items */
  GArray                *changed;       /* guint64 seqs whose status changed */
  GHashTable            *alive;         /* seq → InspectorLogEntry, weak */
  GHashTable            *channels;      /* name → ChannelInfo */

  guint                  next_watch_id;
  guint                  dispatching;   /* depth of watch calls */
  gboolean               watches_removed; /* while dispatching */

  guint                  max_entries;
  guint64                max_bytes;
  guint64                n_bytes;       /* the rows kept, as counted by record->bytes */
  guint64                n_dropped;
  gint64                 start_time;
  guint                  flush_source;
  guint                  paused : 1;
};

/* What the store knows of one channel name: it replaces interning the
 * name, so the lookup per row is the one interning cost anyway, and it
 * carries the link to the channel's last message and the watches. */
typedef struct {
  char       *name;            /* the key */
  const char *interned;        /* in the current generation, or NULL */
  guint64     last_message;    /* seq of the newest message row */
  gboolean    has_last;
  GPtrArray  *watches;         /* Watch, nullable */
} ChannelInfo;

typedef struct {
  guint                  id;
  InspectorLogWatchFunc  func;     /* NULL once removed */
  gpointer               user_data;
  GDestroyNotify         destroy;
} Watch;

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (InspectorLogStore, inspector_log_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_PAUSED,
  PROP_MAX_ENTRIES,
  PROP_MAX_BYTES,
  PROP_N_HELD,
  PROP_N_DROPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
interned_clear (gpointer data)
{
  InspectorLogInterned *interned = data;

  g_string_chunk_free (*interned);
}

static InspectorLogInterned *
interned_new (void)
{
  InspectorLogInterned *interned = g_rc_box_new (InspectorLogInterned);

  *interned = g_string_chunk_new (4096);

  return interned;
}

static void
interned_unref (InspectorLogInterned *interned)
{
  g_rc_box_release_full (interned, interned_clear);
}

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  if (watch->destroy != NULL)
    watch->destroy (watch->user_data);
  g_free (watch);
}

static void
channel_info_free (gpointer data)
{
  ChannelInfo *info = data;

  g_clear_pointer (&info->watches, g_ptr_array_unref);
  g_free (info->name);
  g_free (info);
}

static void
segment_clear (gpointer data)
{
  InspectorLogSegment *segment = data;

  g_string_chunk_free (segment->text);
  interned_unref (segment->interned);
}

InspectorLogSegment *
inspector_log_segment_ref (InspectorLogSegment *segment)
{
  return g_rc_box_acquire (segment);
}

void
inspector_log_segment_unref (InspectorLogSegment *segment)
{
  g_rc_box_release_full (segment, segment_clear);
}

static InspectorLogSegment *
segment_new (InspectorLogInterned *interned)
{
  /* Not zeroed: a record is written before n_records counts it. */
  InspectorLogSegment *segment = g_rc_box_alloc (sizeof (InspectorLogSegment));

  segment->interned = g_rc_box_acquire (interned);
  segment->text = g_string_chunk_new (64 * 1024);
  segment->n_records = 0;

  return segment;
}

/* Weak notifications run from dispose, before finalize: the entry can
 * still be read. */
static void
on_entry_disposed (gpointer  data,
                   GObject  *where_the_object_was)
{
  InspectorLogStore *self = data;
  guint64 seq = inspector_log_entry_get_seq ((InspectorLogEntry *) where_the_object_was);

  if (g_hash_table_lookup (self->alive, &seq) == (gpointer) where_the_object_was)
    g_hash_table_remove (self->alive, &seq);
}

static void
forget_entry (gpointer key,
              gpointer value,
              gpointer user_data)
{
  g_object_weak_unref (value, on_entry_disposed, user_data);
}

static guint
n_visible (InspectorLogStore *self)
{
  return (guint) (self->visible_end - self->first_seq);
}

static InspectorLogRecord *
lookup (InspectorLogStore    *self,
        guint64               seq,
        InspectorLogSegment **segment_out,
        guint                *index_out)
{
  InspectorLogSegment *segment;
  guint64 offset;

  if (seq < self->first_seq || seq >= self->next_seq)
    return NULL;

  offset = seq - self->base_seq;
  segment = g_ptr_array_index (self->segments, offset / INSPECTOR_LOG_SEGMENT_SIZE);

  if (segment_out != NULL)
    *segment_out = segment;
  if (index_out != NULL)
    *index_out = offset % INSPECTOR_LOG_SEGMENT_SIZE;

  return &segment->records[offset % INSPECTOR_LOG_SEGMENT_SIZE];
}

static GType
inspector_log_store_get_item_type (GListModel *model)
{
  return INSPECTOR_TYPE_LOG_ENTRY;
}

static guint
inspector_log_store_get_n_items (GListModel *model)
{
  return n_visible (INSPECTOR_LOG_STORE (model));
}

static InspectorLogEntry *
dup_entry (InspectorLogStore *self,
           guint64            seq)
{
  InspectorLogSegment *segment;
  InspectorLogEntry *entry;
  guint index;

  if (lookup (self, seq, &segment, &index) == NULL)
    return NULL;

  /* A row has one object while anyone holds it, so selections, which
   * compare items, survive a row being updated. */
  if ((entry = g_hash_table_lookup (self->alive, &seq)) != NULL)
    return g_object_ref (entry);

  entry = inspector_log_entry_new (segment, index, seq);
  g_hash_table_insert (self->alive, g_memdup2 (&seq, sizeof seq), entry);
  g_object_weak_ref (G_OBJECT (entry), on_entry_disposed, self);

  return entry;
}

static gpointer
inspector_log_store_get_item (GListModel *model,
                              guint       position)
{
  InspectorLogStore *self = INSPECTOR_LOG_STORE (model);

  if (position >= n_visible (self))
    return NULL;

  return dup_entry (self, self->first_seq + position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = inspector_log_store_get_item_type;
  iface->get_n_items = inspector_log_store_get_n_items;
  iface->get_item = inspector_log_store_get_item;
}

/* The least a drop takes: each drop at the front costs the list view a
 * relayout and a re-pin, so at 50,000 rows a second a drop should come a
 * few times a second, not every frame. The default cap of 1,000,000 rows
 * drops this many as its 1% anyway; smaller caps would otherwise drop far
 * more often. */
#define MIN_DROP_ROWS 10000

/* Where a drop stops: 1% below the limit, or @min_chunk below it if that is
 * more, but never more than 10% below it, so a small cap (1,000 rows)
 * loses a tenth of its rows at a time, not all of them. */
static guint64
low_water_mark (guint64 limit,
                guint64 min_chunk)
{
  guint64 chunk = MAX (limit / 100, MIN (min_chunk, limit / 10));

  return limit - chunk;
}

/* Nothing goes until the log is over a limit; then rows go one by one,
 * oldest first, until it is below both low-water marks. A log at its cap
 * thus loses its front a few times a second, in chunks, instead of a few
 * rows every frame: every removal at the front costs a list view a
 * relayout, and the rebuild of its rows if they were on screen. The byte
 * limit's chunk is MIN_DROP_ROWS rows at the log's average row size. A
 * segment's memory goes with its last row. */
static guint64
drop_old_rows (InspectorLogStore *self)
{
  guint64 n_rows = self->next_seq - self->first_seq;
  guint64 max_entries;
  guint64 max_bytes;
  guint64 dropped = 0;

  if (n_rows <= self->max_entries && self->n_bytes <= self->max_bytes)
    return 0;

  max_entries = low_water_mark (self->max_entries, MIN_DROP_ROWS);
  max_bytes = low_water_mark (self->max_bytes, self->n_bytes / MAX (n_rows, 1) * MIN_DROP_ROWS);

  while (self->first_seq < self->next_seq &&
         (self->next_seq - self->first_seq > max_entries || self->n_bytes > max_bytes))
    {
      InspectorLogSegment *segment = g_ptr_array_index (self->segments, 0);
      guint index = (guint) (self->first_seq - self->base_seq);

      self->n_bytes -= segment->records[index].bytes;
      self->first_seq++;
      dropped++;

      if (index + 1 == INSPECTOR_LOG_SEGMENT_SIZE)
        {
          g_ptr_array_remove_index (self->segments, 0);
          self->base_seq += INSPECTOR_LOG_SEGMENT_SIZE;
        }
    }

  return dropped;
}

static void
flush (InspectorLogStore *self)
{
  guint64 dropped;
  guint removed = 0;
  guint old_visible;
  guint added = 0;
  g_autoptr(GArray) changed = NULL;

  g_clear_handle_id (&self->flush_source, g_source_remove);

  old_visible = n_visible (self);
  dropped = drop_old_rows (self);
  if (dropped > 0)
    {
      /* Rows dropped before they were ever shown were never announced. */
      removed = MIN (dropped, old_visible);
      self->visible_end = MAX (self->visible_end, self->first_seq);
      self->n_dropped += dropped;
    }

  changed = g_steal_pointer (&self->changed);
  self->changed = g_array_new (FALSE, FALSE, sizeof (guint64));

  /* Each change is announced with the model as it is right after it: the
   * front gone, then the new rows there. */
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);

  if (!self->paused && self->visible_end < self->next_seq)
    {
      added = (guint) (self->next_seq - self->visible_end);
      self->visible_end = self->next_seq;
      g_list_model_items_changed (G_LIST_MODEL (self), n_visible (self) - added, 0, added);
    }

  for (guint i = 0; i < changed->len; i++)
    {
      guint64 seq = g_array_index (changed, guint64, i);
      InspectorLogEntry *entry = g_hash_table_lookup (self->alive, &seq);

      if (entry != NULL)
        inspector_log_entry_emit_changed (entry);

      if (seq >= self->first_seq && seq < self->visible_end)
        g_list_model_items_changed (G_LIST_MODEL (self), (guint) (seq - self->first_seq), 1, 1);
    }

  if (dropped > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);
  if (added > 0 || self->paused)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_HELD]);
}

static gboolean
on_flush_timeout (gpointer user_data)
{
  InspectorLogStore *self = user_data;

  self->flush_source = 0;
  flush (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_flush (InspectorLogStore *self)
{
  if (self->flush_source == 0)
    self->flush_source = g_timeout_add (FLUSH_INTERVAL_MS, on_flush_timeout, self);
}

static void
inspector_log_store_dispose (GObject *object)
{
  InspectorLogStore *self = (InspectorLogStore *)object;

  g_clear_handle_id (&self->flush_source, g_source_remove);
  /* Watches end with the store: their destroy notifies run now. */
  g_hash_table_remove_all (self->channels);

  G_OBJECT_CLASS (inspector_log_store_parent_class)->dispose (object);
}

static void
inspector_log_store_finalize (GObject *object)
{
  InspectorLogStore *self = (InspectorLogStore *)object;

  g_hash_table_foreach (self->alive, forget_entry, self);
  g_clear_pointer (&self->alive, g_hash_table_unref);
  g_clear_pointer (&self->channels, g_hash_table_unref);
  g_clear_pointer (&self->segments, g_ptr_array_unref);
  g_clear_pointer (&self->interned, interned_unref);
  g_clear_pointer (&self->changed, g_array_unref);

  G_OBJECT_CLASS (inspector_log_store_parent_class)->finalize (object);
}

static void
inspector_log_store_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  InspectorLogStore *self = INSPECTOR_LOG_STORE (object);

  switch (prop_id)
    {
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    case PROP_MAX_ENTRIES:
      g_value_set_uint (value, self->max_entries);
      break;

    case PROP_MAX_BYTES:
      g_value_set_uint64 (value, self->max_bytes);
      break;

    case PROP_N_HELD:
      g_value_set_uint64 (value, inspector_log_store_get_n_held (self));
      break;

    case PROP_N_DROPPED:
      g_value_set_uint64 (value, self->n_dropped);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_store_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  InspectorLogStore *self = INSPECTOR_LOG_STORE (object);

  switch (prop_id)
    {
    case PROP_PAUSED:
      inspector_log_store_set_paused (self, g_value_get_boolean (value));
      break;

    case PROP_MAX_ENTRIES:
      inspector_log_store_set_max_entries (self, g_value_get_uint (value));
      break;

    case PROP_MAX_BYTES:
      inspector_log_store_set_max_bytes (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_store_class_init (InspectorLogStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = inspector_log_store_dispose;
  object_class->finalize = inspector_log_store_finalize;
  object_class->get_property = inspector_log_store_get_property;
  object_class->set_property = inspector_log_store_set_property;

  /* While paused, new rows are kept but not shown: the view holds still
   * for reading, and resuming shows everything at once. */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MAX_ENTRIES] =
    g_param_spec_uint ("max-entries", NULL, NULL,
                       1, G_MAXUINT, INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Payloads, frames and notes plus the fixed cost of a row; channel
   * names and peer ids, stored once for all rows, are not counted. */
  properties[PROP_MAX_BYTES] =
    g_param_spec_uint64 ("max-bytes", NULL, NULL,
                         1, G_MAXUINT64, INSPECTOR_LOG_STORE_DEFAULT_MAX_BYTES,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_N_HELD] =
    g_param_spec_uint64 ("n-held", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_N_DROPPED] =
    g_param_spec_uint64 ("n-dropped", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_log_store_init (InspectorLogStore *self)
{
  self->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) inspector_log_segment_unref);
  self->interned = interned_new ();
  self->changed = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->alive = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, channel_info_free);
  self->max_entries = INSPECTOR_LOG_STORE_DEFAULT_MAX_ENTRIES;
  self->max_bytes = INSPECTOR_LOG_STORE_DEFAULT_MAX_BYTES;
  self->start_time = g_get_real_time ();
}

InspectorLogStore *
inspector_log_store_new (void)
{
  return g_object_new (INSPECTOR_TYPE_LOG_STORE, NULL);
}

static const char *
find_bytes (const char *haystack,
            const char *needle,
            gsize       needle_len)
{
  for (const char *p = strchr (haystack, needle[0]); p != NULL; p = strchr (p + 1, needle[0]))
    if (strncmp (p, needle, needle_len) == 0)
      return p;

  return NULL;
}

static const char *
intern (InspectorLogStore *self,
        const char        *text)
{
  return text != NULL ? g_string_chunk_insert_const (*self->interned, text) : NULL;
}

static ChannelInfo *
lookup_channel (InspectorLogStore *self,
                const char        *channel,
                gboolean           create)
{
  ChannelInfo *info = g_hash_table_lookup (self->channels, channel);

  if (info == NULL && create)
    {
      info = g_new0 (ChannelInfo, 1);
      info->name = g_strdup (channel);
      g_hash_table_insert (self->channels, info->name, info);
    }

  return info;
}

/* Watches removed from inside a watch are only marked; they go here, when
 * no loop over them is running. */
static void
compact_watches (InspectorLogStore *self)
{
  GHashTableIter iter;
  ChannelInfo *info;

  self->watches_removed = FALSE;

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &info))
    {
      if (info->watches == NULL)
        continue;

      for (guint i = info->watches->len; i > 0; i--)
        if (((Watch *) info->watches->pdata[i - 1])->func == NULL)
          g_ptr_array_remove_index (info->watches, i - 1);

      if (info->watches->len == 0)
        g_clear_pointer (&info->watches, g_ptr_array_unref);
    }
}

static void
dispatch_watches (InspectorLogStore        *self,
                  GPtrArray                *watches,
                  const InspectorLogRecord *record)
{
  /* The array is not freed while dispatching: a watch removed or added
   * by a watch is seen, or skipped, safely. */
  self->dispatching++;
  for (guint i = 0; i < watches->len; i++)
    {
      Watch *watch = watches->pdata[i];

      if (watch->func != NULL)
        watch->func (record->time, record->text, record->size, watch->user_data);
    }
  self->dispatching--;

  if (self->dispatching == 0 && self->watches_removed)
    compact_watches (self);
}

guint64
inspector_log_store_append_at (InspectorLogStore  *self,
                               gint64              time,
                               InspectorLogKind    kind,
                               InspectorLogStatus  status,
                               gint64              rtt_us,
                               const char         *channel,
                               const char         *peer,
                               const char         *text,
                               gssize              text_len,
                               const char         *metadata,
                               const char         *note,
                               const char         *frame)
{
  InspectorLogSegment *segment = NULL;
  InspectorLogRecord *record;
  ChannelInfo *info = NULL;
  const char *inside = NULL;
  gsize bytes = sizeof (InspectorLogRecord);
  guint64 seq;
  guint index;

  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), 0);

  if (self->segments->len > 0)
    segment = g_ptr_array_index (self->segments, self->segments->len - 1);
  else
    self->base_seq = self->next_seq;

  if (segment == NULL || segment->n_records == INSPECTOR_LOG_SEGMENT_SIZE)
    {
      segment = segment_new (self->interned);
      g_ptr_array_add (self->segments, segment);
    }

  if (text == NULL)
    text_len = 0;
  else if (text_len < 0)
    text_len = strlen (text);
  text_len = MIN ((gsize) text_len, G_MAXUINT32);

  seq = self->next_seq;
  index = segment->n_records;
  record = &segment->records[index];
  record->time = time;
  record->kind = kind;
  record->status = status;
  record->size = (guint32) text_len;
  record->rtt = (guint32) CLAMP (rtt_us, 0, G_MAXUINT32);
  record->channel = NULL;
  segment->previous[index] = 0;
  if (channel != NULL)
    {
      info = lookup_channel (self, channel, TRUE);
      if (info->interned == NULL)
        info->interned = intern (self, channel);
      record->channel = info->interned;

      /* Rows are kept fewer than 2^32 at a time, so a distance that does
       * not fit points at a row already gone. */
      if (info->has_last && seq - info->last_message <= G_MAXUINT32)
        segment->previous[index] = (guint32) (seq - info->last_message);
      if (kind == INSPECTOR_LOG_KIND_MESSAGE)
        {
          info->last_message = seq;
          info->has_last = TRUE;
        }
    }
  record->peer = intern (self, peer);
  record->metadata = intern (self, metadata);
  record->note = NULL;
  record->frame = NULL;

  if (note != NULL)
    {
      gsize len = strlen (note);

      record->note = g_string_chunk_insert_len (segment->text, note, len);
      bytes += len + 1;
    }

  if (frame != NULL)
    {
      gsize len = strlen (frame);

      record->frame = g_string_chunk_insert_len (segment->text, frame, len);
      bytes += len + 1;
      if (text != NULL && text_len > 0)
        inside = find_bytes (record->frame, text, text_len);
    }

  if (inside != NULL)
    record->text = inside;
  else if (text != NULL)
    {
      record->text = g_string_chunk_insert_len (segment->text, text, text_len);
      bytes += text_len + 1;
    }
  else
    record->text = NULL;

  record->bytes = (guint32) MIN (bytes, G_MAXUINT32);
  self->n_bytes += record->bytes;
  segment->n_records++;
  self->next_seq++;

  schedule_flush (self);

  /* Last, so that a watch sees the row in the store. */
  if (kind == INSPECTOR_LOG_KIND_MESSAGE && info != NULL && info->watches != NULL)
    dispatch_watches (self, info->watches, record);

  return seq;
}

/**
 * inspector_log_store_append:
 * @text: (nullable): JSON text: the payload, or the details of an event
 * @text_len: the length of @text, or -1 if it is nul-terminated
 * @metadata: (nullable): the sender's metadata as compact JSON
 * @note: (nullable): a one-line description
 * @frame: (nullable): the whole frame as it travelled
 *
 * Records a row now; views see it at the next flush. A payload is almost
 * always a verbatim part of its frame, and is then stored only once.
 *
 * Returns: the row's sequence number, for inspector_log_store_set_status()
 */
guint64
inspector_log_store_append (InspectorLogStore *self,
                            InspectorLogKind   kind,
                            const char        *channel,
                            const char        *peer,
                            const char        *text,
                            gssize             text_len,
                            const char        *metadata,
                            const char        *note,
                            const char        *frame)
{
  return inspector_log_store_append_at (self, g_get_real_time (), kind, INSPECTOR_LOG_STATUS_NONE, 0,
                                        channel, peer, text, text_len, metadata, note, frame);
}

/**
 * inspector_log_store_set_status:
 * @rtt_us: the round trip, for %INSPECTOR_LOG_STATUS_ACKED
 * @note: (nullable): the outcome in words
 *
 * Completes a row the user caused. Rows that were dropped or cleared in
 * the meantime are ignored.
 */
void
inspector_log_store_set_status (InspectorLogStore  *self,
                                guint64             seq,
                                InspectorLogStatus  status,
                                gint64              rtt_us,
                                const char         *note)
{
  InspectorLogSegment *segment;
  InspectorLogRecord *record;

  g_return_if_fail (INSPECTOR_IS_LOG_STORE (self));

  if ((record = lookup (self, seq, &segment, NULL)) == NULL)
    return;

  record->status = status;
  record->rtt = (guint32) CLAMP (rtt_us, 0, G_MAXUINT32);
  if (note != NULL)
    {
      gsize len = strlen (note);

      record->note = g_string_chunk_insert_len (segment->text, note, len);
      record->bytes += len + 1;
      self->n_bytes += len + 1;
    }

  g_array_append_val (self->changed, seq);
  schedule_flush (self);
}

/* Channel names were interned in the chunk a clear drops; channels with
 * watches stay known. */
static void
forget_channels (InspectorLogStore *self)
{
  GHashTableIter iter;
  ChannelInfo *info;

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &info))
    {
      if (info->watches == NULL)
        g_hash_table_iter_remove (&iter);
      else
        {
          info->interned = NULL;
          info->has_last = FALSE;
        }
    }
}

void
inspector_log_store_clear (InspectorLogStore *self)
{
  guint removed;

  g_return_if_fail (INSPECTOR_IS_LOG_STORE (self));

  removed = n_visible (self);

  forget_channels (self);
  g_ptr_array_set_size (self->segments, 0);
  g_clear_pointer (&self->interned, interned_unref);
  self->interned = interned_new ();
  g_array_set_size (self->changed, 0);
  self->base_seq = self->next_seq;
  self->first_seq = self->next_seq;
  self->visible_end = self->next_seq;
  self->n_bytes = 0;

  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_HELD]);
}

/**
 * inspector_log_store_flush:
 *
 * Shows pending rows now instead of at the next frame; for tests and for
 * callers that must see their own row at once.
 */
void
inspector_log_store_flush (InspectorLogStore *self)
{
  g_return_if_fail (INSPECTOR_IS_LOG_STORE (self));

  flush (self);
}

/**
 * inspector_log_store_get_position:
 *
 * Returns: where the row with @seq is in the model, or %G_MAXUINT if it
 *   is not shown (dropped, cleared, or not flushed yet)
 */
guint
inspector_log_store_get_position (InspectorLogStore *self,
                                  guint64            seq)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), G_MAXUINT);

  if (seq < self->first_seq || seq >= self->visible_end)
    return G_MAXUINT;

  return (guint) (seq - self->first_seq);
}

gboolean
inspector_log_store_get_paused (InspectorLogStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), FALSE);

  return self->paused;
}

void
inspector_log_store_set_paused (InspectorLogStore *self,
                                gboolean           paused)
{
  g_return_if_fail (INSPECTOR_IS_LOG_STORE (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  if (!paused)
    flush (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

guint
inspector_log_store_get_max_entries (InspectorLogStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), 0);

  return self->max_entries;
}

void
inspector_log_store_set_max_entries (InspectorLogStore *self,
                                     guint              max_entries)
{
  g_return_if_fail (INSPECTOR_IS_LOG_STORE (self));
  g_return_if_fail (max_entries > 0);

  if (self->max_entries == max_entries)
    return;

  self->max_entries = max_entries;
  schedule_flush (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ENTRIES]);
}

guint64
inspector_log_store_get_max_bytes (InspectorLogStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), 0);

  return self->max_bytes;
}

void
inspector_log_store_set_max_bytes (InspectorLogStore *self,
                                   guint64            max_bytes)
{
  g_return_if_fail (INSPECTOR_IS_LOG_STORE (self));
  g_return_if_fail (max_bytes > 0);

  if (self->max_bytes == max_bytes)
    return;

  self->max_bytes = max_bytes;
  schedule_flush (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_BYTES]);
}

/**
 * inspector_log_store_set_retention:
 * @max_entries: the most rows kept
 * @max_bytes: the most bytes kept, see #InspectorLogStore:max-bytes
 *
 * Sets both limits. Once the log goes over either, the oldest rows go at
 * the next flush until it is below both by 1% or 10,000 rows' worth,
 * whichever is more but at most 10%, and #InspectorLogStore:n-dropped
 * counts them exactly.
 */
void
inspector_log_store_set_retention (InspectorLogStore *self,
                                   guint              max_entries,
                                   guint64            max_bytes)
{
  g_return_if_fail (INSPECTOR_IS_LOG_STORE (self));
  g_return_if_fail (max_entries > 0);
  g_return_if_fail (max_bytes > 0);

  g_object_freeze_notify (G_OBJECT (self));
  inspector_log_store_set_max_entries (self, max_entries);
  inspector_log_store_set_max_bytes (self, max_bytes);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The bytes the kept rows cost, as max-bytes counts them. */
guint64
inspector_log_store_get_n_bytes (InspectorLogStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), 0);

  return self->n_bytes;
}

/* Every row ever appended, kept or not: a cheap counter for rates. */
guint64
inspector_log_store_get_n_appended (InspectorLogStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), 0);

  return self->next_seq;
}

/* When the log began, in wall-clock microseconds: the origin of relative
 * timestamps. */
gint64
inspector_log_store_get_start_time (InspectorLogStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), 0);

  return self->start_time;
}

const InspectorLogRecord *
inspector_log_store_lookup (InspectorLogStore *self,
                            guint64            seq)
{
  if (seq >= self->visible_end)
    return NULL;

  return lookup (self, seq, NULL, NULL);
}

guint64
inspector_log_store_get_first_seq (InspectorLogStore *self)
{
  return self->first_seq;
}

guint64
inspector_log_store_get_visible_end (InspectorLogStore *self)
{
  return self->visible_end;
}

InspectorLogSnapshot *
inspector_log_store_snapshot (InspectorLogStore *self)
{
  InspectorLogSnapshot *snapshot = g_new0 (InspectorLogSnapshot, 1);

  snapshot->segments = g_ptr_array_new_full (self->segments->len, (GDestroyNotify) inspector_log_segment_unref);
  for (guint i = 0; i < self->segments->len; i++)
    g_ptr_array_add (snapshot->segments, inspector_log_segment_ref (g_ptr_array_index (self->segments, i)));
  snapshot->base_seq = self->base_seq;
  snapshot->first_seq = self->first_seq;
  snapshot->end_seq = MAX (self->visible_end, self->first_seq);

  return snapshot;
}

const InspectorLogRecord *
inspector_log_snapshot_lookup (const InspectorLogSnapshot *snapshot,
                               guint64                     seq)
{
  guint64 offset;
  InspectorLogSegment *segment;

  if (seq < snapshot->first_seq || seq >= snapshot->end_seq)
    return NULL;

  offset = seq - snapshot->base_seq;
  segment = g_ptr_array_index (snapshot->segments, offset / INSPECTOR_LOG_SEGMENT_SIZE);

  return &segment->records[offset % INSPECTOR_LOG_SEGMENT_SIZE];
}

void
inspector_log_snapshot_free (InspectorLogSnapshot *snapshot)
{
  g_ptr_array_unref (snapshot->segments);
  g_free (snapshot);
}

/* Rows recorded but not shown yet: while paused, the count the view is
 * behind by. */
guint64
inspector_log_store_get_n_held (InspectorLogStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), 0);

  return self->next_seq - self->visible_end;
}

guint64
inspector_log_store_get_n_dropped (InspectorLogStore *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), 0);

  return self->n_dropped;
}

/**
 * inspector_log_store_add_channel_watch:
 * @channel: a channel name
 * @func: (scope notified): called for each message on @channel
 * @user_data: (closure func): data for @func
 * @destroy: (nullable): frees @user_data when the watch is removed
 *
 * Sees every message row of @channel as it is appended, on the main
 * thread and in order, whether the log is paused or not and before any
 * flush: a consumer of a few channels (a chart) need not read every row of
 * a busy log. Appends to other channels cost nothing more.
 *
 * Returns: the watch's id, for inspector_log_store_remove_channel_watch()
 */
guint
inspector_log_store_add_channel_watch (InspectorLogStore     *self,
                                       const char            *channel,
                                       InspectorLogWatchFunc  func,
                                       gpointer               user_data,
                                       GDestroyNotify         destroy)
{
  ChannelInfo *info;
  Watch *watch;

  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), 0);
  g_return_val_if_fail (channel != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  info = lookup_channel (self, channel, TRUE);
  if (info->watches == NULL)
    info->watches = g_ptr_array_new_with_free_func (watch_free);

  watch = g_new0 (Watch, 1);
  watch->id = ++self->next_watch_id;
  watch->func = func;
  watch->user_data = user_data;
  watch->destroy = destroy;
  g_ptr_array_add (info->watches, watch);

  return watch->id;
}

/**
 * inspector_log_store_remove_channel_watch:
 * @watch_id: from inspector_log_store_add_channel_watch()
 *
 * Stops a watch and frees its data; the watch is not called again, even
 * when removed from inside a watch.
 */
void
inspector_log_store_remove_channel_watch (InspectorLogStore *self,
                                          guint              watch_id)
{
  GHashTableIter iter;
  ChannelInfo *info;

  g_return_if_fail (INSPECTOR_IS_LOG_STORE (self));
  g_return_if_fail (watch_id != 0);

  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &info))
    {
      for (guint i = 0; info->watches != NULL && i < info->watches->len; i++)
        {
          Watch *watch = info->watches->pdata[i];
          GDestroyNotify destroy = watch->destroy;

          if (watch->id != watch_id || watch->func == NULL)
            continue;

          watch->func = NULL;
          watch->destroy = NULL;
          if (destroy != NULL)
            destroy (watch->user_data);

          if (self->dispatching > 0)
            self->watches_removed = TRUE;
          else
            compact_watches (self);

          return;
        }
    }

  g_critical ("%s: no watch with id %u", G_STRFUNC, watch_id);
}

/**
 * inspector_log_store_find_previous:
 * @seq: a row kept in the log
 *
 * Finds the message before row @seq on the same channel by the link each
 * row gets when it is appended, however far back it is.
 *
 * Returns: (transfer full) (nullable): the previous message row of @seq's
 *   channel, or %NULL if there is none or it was dropped
 */
InspectorLogEntry *
inspector_log_store_find_previous (InspectorLogStore *self,
                                   guint64            seq)
{
  InspectorLogSegment *segment;
  guint index;

  g_return_val_if_fail (INSPECTOR_IS_LOG_STORE (self), NULL);

  if (lookup (self, seq, &segment, &index) == NULL || segment->previous[index] == 0)
    return NULL;

  /* lookup() answers NULL when retention dropped it. */
  return dup_entry (self, seq - segment->previous[index]);
}
