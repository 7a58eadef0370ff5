/* inspector-log-filter-model.c: the rows of a log store that match a search
 *
 * GtkFilterListModel would ask the store for an item object per row to
 * match it: a million allocations per keystroke. This model matches the
 * store's compact records instead and keeps the matching rows as an array
 * of sequence numbers; item objects are only built for rows on screen.
 *
 * A new search runs on worker threads over a snapshot of the store (the
 * segments are append-only and shared, so a snapshot is a few hundred
 * references), while the view keeps showing the previous result; rows that
 * arrive meanwhile are matched when the result is swapped in. New rows of a
 * live log are matched here, a frame's worth at a time.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-log-filter-model"

#include "inspector-log-filter-model.h"
#include "inspector-log-store-private.h"

/* Below this many rows a second thread is not worth starting. */
#define PARALLEL_MIN_ROWS 65536
#define CANCEL_CHECK_ROWS 4096

struct _InspectorLogFilterModel
{
  GObject            parent_instance;

  InspectorLogStore *store;
  InspectorLogFilter *filter;
  InspectorLogQuery *query;      /* NULL: every row of the store */
  GArray            *seqs;       /* guint64, matching rows from index head */
  guint              head;
  guint64            matched_end; /* rows below this seq were considered */

  /* While a new result is swapped in, first only the old rows go: the
   * new ones at hidden_at are left out until the second change. */
  guint              hidden_at;
  guint              hidden_n;

  GCancellable      *cancellable; /* the search running on a worker */
  gint64             search_started;
  gint64             last_search_time;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (InspectorLogFilterModel, inspector_log_filter_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_PENDING,
  PROP_LAST_SEARCH_TIME,
  N_PROPS
};

enum {
  SIGNAL_RESETTING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static guint
n_matches (InspectorLogFilterModel *self)
{
  return self->seqs->len - self->head;
}

/* The rows of the current result, hidden ones included. */
static guint
get_n_rows (InspectorLogFilterModel *self)
{
  if (self->store == NULL)
    return 0;
  if (self->query == NULL)
    return g_list_model_get_n_items (G_LIST_MODEL (self->store));

  return n_matches (self);
}

static guint
get_n_items (GListModel *model)
{
  InspectorLogFilterModel *self = INSPECTOR_LOG_FILTER_MODEL (model);

  return get_n_rows (self) - self->hidden_n;
}

static GType
get_item_type (GListModel *model)
{
  return INSPECTOR_TYPE_LOG_ENTRY;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  InspectorLogFilterModel *self = INSPECTOR_LOG_FILTER_MODEL (model);
  guint64 seq;

  if (self->store == NULL)
    return NULL;
  if (position >= self->hidden_at)
    position += self->hidden_n;
  if (self->query == NULL)
    return g_list_model_get_item (G_LIST_MODEL (self->store), position);
  if (position >= n_matches (self))
    return NULL;

  seq = g_array_index (self->seqs, guint64, self->head + position);

  return g_list_model_get_item (G_LIST_MODEL (self->store),
                                (guint) (seq - inspector_log_store_get_first_seq (self->store)));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Forgets matches the store dropped; returns how many. */
static guint
trim_front (InspectorLogFilterModel *self,
            GArray                  *seqs,
            guint                   *head)
{
  guint64 first = inspector_log_store_get_first_seq (self->store);
  guint lo = *head;
  guint hi = seqs->len;
  guint removed;

  /* The first index whose seq is still kept. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (seqs, guint64, mid) < first)
        lo = mid + 1;
      else
        hi = mid;
    }

  removed = lo - *head;
  *head = lo;

  /* Compact once the dead front is as large as the live part. */
  if (*head > 4096 && *head > seqs->len / 2)
    {
      g_array_remove_range (seqs, 0, *head);
      *head = 0;
    }

  return removed;
}

static guint
match_new_rows (InspectorLogFilterModel *self,
                InspectorLogQuery       *query,
                GArray                  *seqs,
                guint64                  from)
{
  guint64 end = inspector_log_store_get_visible_end (self->store);
  guint added = 0;
  g_autoptr(InspectorLogMatchCache) cache = inspector_log_match_cache_new ();

  for (guint64 seq = MAX (from, inspector_log_store_get_first_seq (self->store)); seq < end; seq++)
    {
      const InspectorLogRecord *record = inspector_log_store_lookup (self->store, seq);

      if (record != NULL && inspector_log_query_match_cached (query, record, cache))
        {
          g_array_append_val (seqs, seq);
          added++;
        }
    }

  return added;
}

static guint
find_index (GArray  *seqs,
            guint    head,
            guint64  seq)
{
  guint lo = head;
  guint hi = seqs->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guint64 value = g_array_index (seqs, guint64, mid);

      if (value == seq)
        return mid - head;
      if (value < seq)
        lo = mid + 1;
      else
        hi = mid;
    }

  return G_MAXUINT;
}

static void
on_store_items_changed (InspectorLogFilterModel *self,
                        guint                    position,
                        guint                    removed,
                        guint                    added,
                        GListModel              *store)
{
  guint dropped;
  guint appended;
  guint before;

  if (self->query == NULL)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
      return;
    }

  /* A row updated in place (a request's outcome). */
  if (removed == added && removed == 1)
    {
      guint index = find_index (self->seqs, self->head, inspector_log_store_get_first_seq (self->store) + position);

      if (index != G_MAXUINT)
        g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 1);
      return;
    }

  dropped = trim_front (self, self->seqs, &self->head);
  if (dropped > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, dropped, 0);

  before = n_matches (self);
  appended = match_new_rows (self, self->query, self->seqs, self->matched_end);
  self->matched_end = MAX (self->matched_end, inspector_log_store_get_visible_end (self->store));
  if (appended > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, appended);
}

/* Searching a snapshot, on a worker. */

typedef struct {
  InspectorLogSnapshot *snapshot;
  InspectorLogQuery    *query;
  GCancellable         *cancellable;
  guint64               from;
  guint64               to;
  GArray               *seqs;
} Slice;

typedef struct {
  InspectorLogSnapshot *snapshot;
  InspectorLogQuery    *query;
} Search;

static void
search_free (Search *search)
{
  g_clear_pointer (&search->snapshot, inspector_log_snapshot_free);
  g_clear_pointer (&search->query, inspector_log_query_unref);
  g_free (search);
}

static gpointer
match_slice (gpointer data)
{
  Slice *slice = data;
  g_autoptr(InspectorLogMatchCache) cache = inspector_log_match_cache_new ();

  for (guint64 seq = slice->from; seq < slice->to; seq++)
    {
      if ((seq & (CANCEL_CHECK_ROWS - 1)) == 0 && g_cancellable_is_cancelled (slice->cancellable))
        break;

      /* The snapshot holds the strings the cache points at. */
      if (inspector_log_query_match_cached (slice->query, inspector_log_snapshot_lookup (slice->snapshot, seq), cache))
        g_array_append_val (slice->seqs, seq);
    }

  return NULL;
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Search *search = task_data;
  guint64 first = search->snapshot->first_seq;
  guint64 end = search->snapshot->end_seq;
  guint64 middle = end - first >= PARALLEL_MIN_ROWS ? first + (end - first) / 2 : end;
  Slice low = { search->snapshot, search->query, cancellable, first, middle, NULL };
  Slice high = { search->snapshot, search->query, cancellable, middle, end, NULL };
  GThread *helper = NULL;

  /* Room for every row: a search every row matches then never copies
   * its result while growing it, and pages never written are never
   * touched. */
  low.seqs = g_array_sized_new (FALSE, FALSE, sizeof (guint64), (guint) (end - first));
  high.seqs = g_array_sized_new (FALSE, FALSE, sizeof (guint64), (guint) (end - middle));

  if (middle < end)
    helper = g_thread_new ("log-search", match_slice, &high);
  match_slice (&low);
  if (helper != NULL)
    g_thread_join (helper);

  g_array_append_vals (low.seqs, high.seqs->data, high.seqs->len);
  g_array_unref (high.seqs);

  if (g_task_return_error_if_cancelled (task))
    g_array_unref (low.seqs);
  else
    g_task_return_pointer (task, low.seqs, (GDestroyNotify) g_array_unref);
}

/* The row at @position of a result; without a query, every shown row. */
static guint64
seq_at (InspectorLogFilterModel *self,
        InspectorLogQuery       *query,
        GArray                  *seqs,
        guint                    head,
        guint                    position)
{
  if (query == NULL)
    return inspector_log_store_get_first_seq (self->store) + position;

  return g_array_index (seqs, guint64, head + position);
}

static void
swap_in (InspectorLogFilterModel *self,
         InspectorLogQuery       *query,
         GArray                  *seqs,
         guint64                  matched_end)
{
  guint old_n = get_n_items (G_LIST_MODEL (self));
  guint new_n = 0;
  guint prefix = 0;
  guint suffix = 0;
  guint head = 0;
  guint removed;
  guint added;

  if (query != NULL)
    {
      trim_front (self, seqs, &head);
      match_new_rows (self, query, seqs, matched_end);
    }

  /* Only the rows that differ are announced. GTK 4.8's list views look
   * for a removed scroll anchor among the added rows with one get_item()
   * per row: replacing a million rows by the same million (a search every
   * row matches) built a million entries and froze the window for
   * seconds. */
  if (self->store != NULL)
    new_n = query != NULL ? seqs->len - head : g_list_model_get_n_items (G_LIST_MODEL (self->store));
  while (prefix < MIN (old_n, new_n) &&
         seq_at (self, self->query, self->seqs, self->head, prefix) == seq_at (self, query, seqs, head, prefix))
    prefix++;
  while (suffix < MIN (old_n, new_n) - prefix &&
         seq_at (self, self->query, self->seqs, self->head, old_n - 1 - suffix) ==
         seq_at (self, query, seqs, head, new_n - 1 - suffix))
    suffix++;

  /* Views drop their selection here, while the old rows are still there:
   * GtkSingleSelection would otherwise look for the selected item among a
   * million new ones. Without a change they keep it. */
  if (prefix + suffix < MAX (old_n, new_n))
    g_signal_emit (self, signals[SIGNAL_RESETTING], 0);

  g_clear_pointer (&self->query, inspector_log_query_unref);
  self->query = query;
  g_array_unref (self->seqs);
  self->seqs = seqs;
  self->head = head;
  self->matched_end = self->store != NULL ? inspector_log_store_get_visible_end (self->store) : 0;

  removed = old_n - prefix - suffix;
  added = new_n - prefix - suffix;

  /* The old rows go first, then the new ones come. When a change removes
   * the row a GTK 4.8 list view scrolls by, it looks for that row among
   * the rows the same change adds, with one get_item() each: replacing
   * one row by a million built a million entries and froze the window
   * for over a second. */
  if (removed > 0 && added > 0)
    {
      self->hidden_at = prefix;
      self->hidden_n = added;
      g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, 0);
      self->hidden_at = 0;
      self->hidden_n = 0;
      g_list_model_items_changed (G_LIST_MODEL (self), prefix, 0, added);
    }
  else if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, added);
}

static void
on_search_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  InspectorLogFilterModel *self = INSPECTOR_LOG_FILTER_MODEL (source);
  Search *search = g_task_get_task_data (G_TASK (result));
  GArray *seqs = g_task_propagate_pointer (G_TASK (result), NULL);

  if (seqs == NULL)
    return;

  g_clear_object (&self->cancellable);
  swap_in (self, inspector_log_query_ref (search->query), seqs, search->snapshot->end_seq);

  self->last_search_time = g_get_monotonic_time () - self->search_started;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEARCH_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

static void
refilter (InspectorLogFilterModel *self)
{
  g_autoptr(InspectorLogQuery) query = inspector_log_filter_dup_query (self->filter);
  g_autoptr(GTask) task = NULL;
  gboolean was_pending = self->cancellable != NULL;
  Search *search;

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }

  self->search_started = g_get_monotonic_time ();

  if (query == NULL || self->store == NULL)
    {
      swap_in (self, g_steal_pointer (&query), g_array_new (FALSE, FALSE, sizeof (guint64)), 0);
      self->last_search_time = g_get_monotonic_time () - self->search_started;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEARCH_TIME]);
      if (was_pending)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
      return;
    }

  search = g_new0 (Search, 1);
  search->snapshot = inspector_log_store_snapshot (self->store);
  search->query = g_steal_pointer (&query);

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, on_search_done, NULL);
  g_task_set_source_tag (task, refilter);
  g_task_set_task_data (task, search, (GDestroyNotify) search_free);
  g_task_run_in_thread (task, search_thread);

  if (!was_pending)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

static void
inspector_log_filter_model_dispose (GObject *object)
{
  InspectorLogFilterModel *self = (InspectorLogFilterModel *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  if (self->filter != NULL)
    g_signal_handlers_disconnect_by_data (self->filter, self);
  g_clear_object (&self->filter);

  G_OBJECT_CLASS (inspector_log_filter_model_parent_class)->dispose (object);
}

static void
inspector_log_filter_model_finalize (GObject *object)
{
  InspectorLogFilterModel *self = (InspectorLogFilterModel *)object;

  g_clear_pointer (&self->query, inspector_log_query_unref);
  g_clear_pointer (&self->seqs, g_array_unref);

  G_OBJECT_CLASS (inspector_log_filter_model_parent_class)->finalize (object);
}

static void
inspector_log_filter_model_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  InspectorLogFilterModel *self = INSPECTOR_LOG_FILTER_MODEL (object);

  switch (prop_id)
    {
    case PROP_PENDING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;

    case PROP_LAST_SEARCH_TIME:
      g_value_set_int64 (value, self->last_search_time);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_filter_model_class_init (InspectorLogFilterModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = inspector_log_filter_model_dispose;
  object_class->finalize = inspector_log_filter_model_finalize;
  object_class->get_property = inspector_log_filter_model_get_property;

  /* A search is running; the model still shows the previous result. */
  properties[PROP_PENDING] =
    g_param_spec_boolean ("pending", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* How long the last search took to answer, in microseconds. */
  properties[PROP_LAST_SEARCH_TIME] =
    g_param_spec_int64 ("last-search-time", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * InspectorLogFilterModel::resetting:
   *
   * Emitted right before the model replaces all its rows with the result
   * of a new search.
   */
  signals[SIGNAL_RESETTING] =
    g_signal_new ("resetting",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);
}

static void
inspector_log_filter_model_init (InspectorLogFilterModel *self)
{
  self->seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
}

/**
 * inspector_log_filter_model_new:
 * @filter: the search to apply
 *
 * Returns: (transfer full): a model with no store yet
 */
InspectorLogFilterModel *
inspector_log_filter_model_new (InspectorLogFilter *filter)
{
  InspectorLogFilterModel *self;

  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER (filter), NULL);

  self = g_object_new (INSPECTOR_TYPE_LOG_FILTER_MODEL, NULL);
  self->filter = g_object_ref (filter);
  self->query = inspector_log_filter_dup_query (filter);
  g_signal_connect_object (filter, "changed", G_CALLBACK (refilter), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * inspector_log_filter_model_get_store:
 *
 * Returns: (transfer none) (nullable): the store filtered
 */
InspectorLogStore *
inspector_log_filter_model_get_store (InspectorLogFilterModel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER_MODEL (self), NULL);

  return self->store;
}

void
inspector_log_filter_model_set_store (InspectorLogFilterModel *self,
                                      InspectorLogStore       *store)
{
  guint old_n;

  g_return_if_fail (INSPECTOR_IS_LOG_FILTER_MODEL (self));
  g_return_if_fail (store == NULL || INSPECTOR_IS_LOG_STORE (store));

  if (self->store == store)
    return;

  old_n = get_n_items (G_LIST_MODEL (self));
  g_signal_emit (self, signals[SIGNAL_RESETTING], 0);

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);

  g_array_set_size (self->seqs, 0);
  self->head = 0;
  self->matched_end = 0;

  if (store != NULL)
    {
      g_signal_connect_object (store, "items-changed", G_CALLBACK (on_store_items_changed), self, G_CONNECT_SWAPPED);
      if (self->query != NULL)
        match_new_rows (self, self->query, self->seqs, 0);
      self->matched_end = inspector_log_store_get_visible_end (store);
    }

  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, get_n_items (G_LIST_MODEL (self)));
}

InspectorLogFilter *
inspector_log_filter_model_get_filter (InspectorLogFilterModel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER_MODEL (self), NULL);

  return self->filter;
}

gboolean
inspector_log_filter_model_get_pending (InspectorLogFilterModel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER_MODEL (self), FALSE);

  return self->cancellable != NULL;
}

/**
 * inspector_log_filter_model_find_seq:
 *
 * Returns: the position of the row @seq, or %G_MAXUINT if it is not
 *   shown
 */
guint
inspector_log_filter_model_find_seq (InspectorLogFilterModel *self,
                                     guint64                  seq)
{
  guint position;

  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER_MODEL (self), G_MAXUINT);

  if (self->store == NULL)
    return G_MAXUINT;
  if (self->query == NULL)
    position = inspector_log_store_get_position (self->store, seq);
  else
    position = find_index (self->seqs, self->head, seq);

  if (position == G_MAXUINT || position < self->hidden_at)
    return position;
  if (position < self->hidden_at + self->hidden_n)
    return G_MAXUINT;

  return position - self->hidden_n;
}

/**
 * inspector_log_filter_model_get_swapping:
 *
 * Returns: whether the model is between the two changes that swap in a
 *   new result: the old rows are gone, the new ones not announced yet
 */
gboolean
inspector_log_filter_model_get_swapping (InspectorLogFilterModel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER_MODEL (self), FALSE);

  return self->hidden_n > 0;
}

/* Microseconds from the search change to its answer, for the benchmark. */
gint64
inspector_log_filter_model_get_last_search_time (InspectorLogFilterModel *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER_MODEL (self), 0);

  return self->last_search_time;
}

/**
 * inspector_log_filter_model_dup_seqs:
 *
 * Returns: (transfer full): the seqs of the rows shown, in order
 */
GArray *
inspector_log_filter_model_dup_seqs (InspectorLogFilterModel *self)
{
  GArray *seqs;

  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER_MODEL (self), NULL);

  if (self->query != NULL)
    {
      seqs = g_array_sized_new (FALSE, FALSE, sizeof (guint64), n_matches (self));
      g_array_append_vals (seqs, &g_array_index (self->seqs, guint64, self->head), n_matches (self));
      return seqs;
    }

  seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (self->store != NULL)
    {
      guint64 end = inspector_log_store_get_visible_end (self->store);

      g_array_set_size (seqs, 0);
      for (guint64 seq = inspector_log_store_get_first_seq (self->store); seq < end; seq++)
        g_array_append_val (seqs, seq);
    }

  return seqs;
}
