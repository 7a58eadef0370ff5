/* inspector-log-view.c: the message log as a table
 *
 * A GtkColumnView over selection > filter model > the connection's log
 * store, as in Sysprof. Rows are built by the store as they scroll into
 * view; the store batches appends, so the table changes at most once a
 * frame. The filter model matches the store's records, not item objects,
 * and searches on worker threads, so a search over a million rows never
 * blocks the window.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-log-view"

#include <glib/gi18n.h>

#include "inspector-config.h"

#include "inspector-enum-types.h"
#include "inspector-log-cell.h"
#include "inspector-log-filter.h"
#include "inspector-log-filter-model.h"
#include "inspector-log-view.h"

/* How long the outcome of an export stays on screen. */
#define EXPORT_RESULT_SECONDS 8

struct _InspectorLogView
{
  GtkWidget            parent_instance;

  InspectorConnection *connection;
  InspectorLogFilter      *filter;
  InspectorLogFilterModel *filter_model;
  GtkSingleSelection      *selection;
  InspectorLogEntry       *selected;
  guint64                  reselect_seq;   /* across a new search; G_MAXUINT64 for none */

  InspectorTimestampFormat timestamp_format;

  GCancellable            *export_cancellable;
  guint                    export_hide_source;
  guint                    pin_source;

  /* The template's one direct child, disposed with it. */
  GtkWidget           *box;
  GtkSearchEntry      *search_entry;
  GtkLabel            *status_label;
  GtkScrolledWindow   *scroller;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *time_column;
  GtkColumnViewColumn *kind_column;
  GtkColumnViewColumn *channel_column;
  GtkColumnViewColumn *peer_column;
  GtkColumnViewColumn *size_column;
  GtkColumnViewColumn *preview_column;
  GtkLabel            *dropped_label;
  GtkRevealer         *export_revealer;
  GtkLabel            *export_label;
  GtkProgressBar      *export_progress;

  guint                auto_scroll : 1;
  guint                scrolling : 1;
  guint                front_dropped : 1;
};

G_DEFINE_FINAL_TYPE (InspectorLogView, inspector_log_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_SELECTED_ENTRY,
  PROP_PAUSED,
  PROP_AUTO_SCROLL,
  PROP_TIMESTAMP_FORMAT,
  PROP_EXPORTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static InspectorLogStore *
get_store (InspectorLogView *self)
{
  return self->connection != NULL ? inspector_connection_get_log (self->connection) : NULL;
}

static void
update_status (InspectorLogView *self)
{
  InspectorLogStore *store = get_store (self);
  g_autoptr(GString) status = g_string_new (NULL);
  guint n_total;
  guint n_shown;

  if (store == NULL)
    {
      gtk_label_set_label (self->status_label, "");
      return;
    }

  n_total = g_list_model_get_n_items (G_LIST_MODEL (store));
  n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  if (n_shown == n_total)
    g_string_append_printf (status, g_dngettext (GETTEXT_PACKAGE, "%u row", "%u rows", n_total), n_total);
  else
    /* Translators: rows matching the filter, of all rows */
    g_string_append_printf (status, g_dngettext (GETTEXT_PACKAGE, "%u of %u row", "%u of %u rows", n_total),
                            n_shown, n_total);

  if (inspector_log_store_get_paused (store))
    {
      guint64 held = inspector_log_store_get_n_held (store);
      g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, held);

      g_string_append (status, " · ");
      /* Translators: %s is the number of rows recorded while the log is paused */
      g_string_append_printf (status, g_dngettext (GETTEXT_PACKAGE, "paused, %s new row held", "paused, %s new rows held",
                                                   (gulong) MIN (held, G_MAXULONG)),
                              number);
    }

  gtk_label_set_label (self->status_label, status->str);
}

static void
update_dropped (InspectorLogView *self)
{
  InspectorLogStore *store = get_store (self);
  guint64 dropped = store != NULL ? inspector_log_store_get_n_dropped (store) : 0;
  g_autofree char *number = NULL;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->dropped_label), dropped > 0);
  if (dropped == 0)
    return;

  /* With the locale's digit grouping: 12,345. */
  number = g_strdup_printf ("%'" G_GUINT64_FORMAT, dropped);
  /* Translators: %s is the number of rows removed to keep the log within its retention limits */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s older entry dropped", "%s older entries dropped",
                                       (gulong) MIN (dropped, G_MAXULONG)),
                          number);
  gtk_label_set_label (self->dropped_label, text);
}

/* Columns. During a flood the list rebinds its ~200 rows every frame,
 * so a cell is a plain InspectorLogCell filled in C: no template to parse
 * and no expressions to watch per row. */

typedef enum {
  COLUMN_TIME,
  COLUMN_KIND,
  COLUMN_CHANNEL,
  COLUMN_PEER,
  COLUMN_SIZE,
  COLUMN_PREVIEW,
} Column;

static GQuark column_quark;
static GQuark kind_style_quark;

static Column
get_column (gpointer object)
{
  return GPOINTER_TO_INT (g_object_get_qdata (object, column_quark));
}

static void
set_kind_style (GtkWidget         *cell,
                InspectorLogEntry *entry)
{
  InspectorLogKind kind = inspector_log_entry_get_kind (entry);
  gboolean failed = inspector_log_entry_get_status (entry) == INSPECTOR_LOG_STATUS_FAILED;
  guint style = ((guint) kind + 1) << 1 | (failed ? 1 : 0);
  g_autofree char *kind_class = NULL;
  const char *classes[4] = { "kind-badge", NULL, NULL, NULL };

  /* Restyling a cell costs more than filling it: only when it changes. */
  if (GPOINTER_TO_UINT (g_object_get_qdata (G_OBJECT (cell), kind_style_quark)) == style)
    return;

  kind_class = g_strconcat ("kind-", inspector_log_kind_to_string (kind), NULL);
  classes[1] = kind_class;
  classes[2] = failed ? "failed" : NULL;
  gtk_widget_set_css_classes (cell, classes);
  g_object_set_qdata (G_OBJECT (cell), kind_style_quark, GUINT_TO_POINTER (style));
}

/* The cells that show a request's outcome. */
static void
fill_status_cell (GtkWidget         *cell,
                  InspectorLogEntry *entry)
{
  InspectorLogCell *log_cell = INSPECTOR_LOG_CELL (cell);
  gboolean failed = inspector_log_entry_get_status (entry) == INSPECTOR_LOG_STATUS_FAILED;

  switch (get_column (cell))
    {
    case COLUMN_KIND:
      inspector_log_cell_set_text (log_cell, inspector_log_entry_get_kind_name (entry));
      set_kind_style (cell, entry);
      break;

    case COLUMN_SIZE:
      inspector_log_cell_take_text (log_cell, inspector_log_entry_dup_size_label (entry));
      break;

    case COLUMN_PREVIEW:
      inspector_log_cell_take_text (log_cell, inspector_log_entry_dup_preview (entry));
      if (failed != gtk_widget_has_css_class (cell, "error"))
        {
          if (failed)
            gtk_widget_add_css_class (cell, "error");
          else
            gtk_widget_remove_css_class (cell, "error");
        }
      break;

    case COLUMN_TIME:
    case COLUMN_CHANNEL:
    case COLUMN_PEER:
    default:
      break;
    }
}

static void
on_entry_status (InspectorLogEntry *entry,
                 GParamSpec        *pspec,
                 GtkWidget         *cell)
{
  fill_status_cell (cell, entry);
}

static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item)
{
  Column column = get_column (factory);
  GtkWidget *cell;

  switch (column)
    {
    case COLUMN_TIME:
      cell = inspector_log_cell_new (0.0f, PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (cell, "numeric");
      gtk_widget_add_css_class (cell, "dim-label");
      break;

    case COLUMN_CHANNEL:
    case COLUMN_PEER:
      cell = inspector_log_cell_new (0.0f, PANGO_ELLIPSIZE_MIDDLE);
      break;

    case COLUMN_SIZE:
      cell = inspector_log_cell_new (1.0f, PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (cell, "numeric");
      gtk_widget_add_css_class (cell, "dim-label");
      break;

    case COLUMN_PREVIEW:
      cell = inspector_log_cell_new (0.0f, PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (cell, "preview");
      break;

    case COLUMN_KIND:
    default:
      cell = inspector_log_cell_new (0.0f, PANGO_ELLIPSIZE_END);
      break;
    }

  g_object_set_qdata (G_OBJECT (cell), column_quark, GINT_TO_POINTER (column));
  gtk_list_item_set_child (item, cell);
}

static void
on_cell_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              InspectorLogView         *self)
{
  InspectorLogEntry *entry = gtk_list_item_get_item (item);
  GtkWidget *cell = gtk_list_item_get_child (item);
  InspectorLogStore *store = get_store (self);

  switch (get_column (factory))
    {
    case COLUMN_TIME:
      inspector_log_cell_take_text (INSPECTOR_LOG_CELL (cell),
                                    inspector_log_format_time (inspector_log_entry_get_time (entry), self->timestamp_format,
                                                               store != NULL ? inspector_log_store_get_start_time (store) : 0));
      break;

    case COLUMN_CHANNEL:
      inspector_log_cell_set_text (INSPECTOR_LOG_CELL (cell), inspector_log_entry_get_channel (entry));
      break;

    case COLUMN_PEER:
      inspector_log_cell_set_text (INSPECTOR_LOG_CELL (cell), inspector_log_entry_get_peer (entry));
      break;

    case COLUMN_KIND:
    case COLUMN_SIZE:
    case COLUMN_PREVIEW:
    default:
      fill_status_cell (cell, entry);
      g_signal_connect (entry, "notify::status", G_CALLBACK (on_entry_status), cell);
      break;
    }
}

static void
on_cell_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item)
{
  InspectorLogEntry *entry = gtk_list_item_get_item (item);

  if (entry != NULL)
    g_signal_handlers_disconnect_by_func (entry, on_entry_status, gtk_list_item_get_child (item));
}

static void
set_column_factory (InspectorLogView    *self,
                    GtkColumnViewColumn *column,
                    Column               kind)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_object_set_qdata (G_OBJECT (factory), column_quark, GINT_TO_POINTER (kind));
  g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup), NULL);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_cell_bind), self, 0);
  /* Also at teardown, whether or not an unbind came first. */
  g_signal_connect (factory, "unbind", G_CALLBACK (on_cell_unbind), NULL);
  g_signal_connect (factory, "teardown", G_CALLBACK (on_cell_unbind), NULL);
  gtk_column_view_column_set_factory (column, factory);
}

/* A new factory rebinds every row on screen, in the new format. */
static void
reset_time_factory (InspectorLogView *self)
{
  set_column_factory (self, self->time_column, COLUMN_TIME);
}

/* Selection across a new search. */

static void
on_filter_resetting (InspectorLogView *self)
{
  self->reselect_seq = self->selected != NULL ? inspector_log_entry_get_seq (self->selected) : G_MAXUINT64;
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

static void
scroll_to_end (InspectorLogView *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  self->scrolling = TRUE;
  /* The list keeps its place by a row it tracks, not by the offset. Once
   * the log is at its cap, rows dropped at the front move that row up while
   * the bottom offset stays the same, so setting the same value would not
   * reach the list: it would keep showing, and rebuilding, ever older rows
   * until retention drops them under it. Announcing the value again makes
   * it take its place from the offset, at the end. */
  if (gtk_adjustment_get_value (adjustment) != bottom)
    gtk_adjustment_set_value (adjustment, bottom);
  else
    g_signal_emit_by_name (adjustment, "value-changed");
  self->scrolling = FALSE;
}

static void
on_filter_items_changed (InspectorLogView *self,
                         guint             position,
                         guint             removed,
                         guint             added)
{
  guint reselect;

  /* Half-way through a new search's result: the second change follows. */
  if (inspector_log_filter_model_get_swapping (self->filter_model))
    return;

  update_status (self);

  if (removed > 0)
    g_clear_handle_id (&self->pin_source, g_source_remove);

  /* Once the log is at its cap, rows dropped at the front and rows added
   * at the end leave the height, and so the scroll range, unchanged:
   * following the end cannot rely on notify::upper alone. The list can
   * only place itself again once the new rows are in, as the range it
   * knows is the old one until its next layout. */
  /* A search swapping its result is skipped above until its rows are
   * in; re-pinning half-way could ask the list for a place before it has
   * laid out the new rows. */
  if (removed > 0 && added == 0 && position == 0 && g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) > 0)
    self->front_dropped = TRUE;
  else if (added > 0 && self->front_dropped)
    {
      self->front_dropped = FALSE;
      if (self->auto_scroll)
        scroll_to_end (self);
    }

  if (self->reselect_seq == G_MAXUINT64)
    return;

  reselect = inspector_log_filter_model_find_seq (self->filter_model, self->reselect_seq);
  self->reselect_seq = G_MAXUINT64;
  if (reselect != G_MAXUINT)
    gtk_single_selection_set_selected (self->selection, reselect);
}

/* Export. */

static gboolean
on_export_hide (gpointer user_data)
{
  InspectorLogView *self = user_data;

  self->export_hide_source = 0;
  gtk_revealer_set_reveal_child (self->export_revealer, FALSE);

  return G_SOURCE_REMOVE;
}

static void
on_export_progress (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  InspectorLogView *self = user_data;

  if (self->export_cancellable == NULL)
    return;

  gtk_progress_bar_set_fraction (self->export_progress, total > 0 ? (double) done / total : 0.0);
}

static void
set_exporting (InspectorLogView *self,
               GCancellable     *cancellable)
{
  g_set_object (&self->export_cancellable, cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.cancel-export", cancellable != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.export", cancellable == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->export_progress), cancellable != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORTING]);
}

static void
on_export_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(InspectorLogView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  guint64 n_rows = 0;

  if (inspector_log_export_finish (result, &n_rows, &error))
    {
      g_autofree char *number = g_strdup_printf ("%'" G_GUINT64_FORMAT, n_rows);

      /* Translators: %s is a number of rows */
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %s row", "Exported %s rows",
                                              (gulong) MIN (n_rows, G_MAXULONG)),
                                 number);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    message = g_strdup (_("Export cancelled; the file was not changed"));
  else
    /* Translators: why the export failed */
    message = g_strdup_printf (_("Could not export: %s"), error->message);

  if (self->export_revealer == NULL)
    return;

  set_exporting (self, NULL);
  gtk_label_set_label (self->export_label, message);
  g_clear_handle_id (&self->export_hide_source, g_source_remove);
  self->export_hide_source = g_timeout_add_seconds (EXPORT_RESULT_SECONDS, on_export_hide, self);
}

/**
 * inspector_log_view_export:
 * @file: where to write
 *
 * Exports the rows shown (after the search) to @file, with a progress bar
 * and a cancel button in the view. Does nothing while an export runs.
 */
void
inspector_log_view_export (InspectorLogView   *self,
                           GFile              *file,
                           InspectorLogFormat  format)
{
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->export_cancellable != NULL)
    return;

  cancellable = g_cancellable_new ();
  set_exporting (self, cancellable);

  name = g_file_get_basename (file);
  /* Translators: %s is a file name */
  message = g_strdup_printf (_("Exporting to %s…"), name);
  gtk_label_set_label (self->export_label, message);
  gtk_progress_bar_set_fraction (self->export_progress, 0.0);
  g_clear_handle_id (&self->export_hide_source, g_source_remove);
  gtk_revealer_set_reveal_child (self->export_revealer, TRUE);

  inspector_log_export_async (G_LIST_MODEL (self->filter_model), file, format, cancellable,
                              on_export_progress, on_export_done, g_object_ref (self));
}

gboolean
inspector_log_view_get_exporting (InspectorLogView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_VIEW (self), FALSE);

  return self->export_cancellable != NULL;
}

static void
on_export_chosen (GtkNativeDialog  *dialog,
                  int               response,
                  InspectorLogView *self)
{
  g_autoptr(GFile) file = NULL;
  GtkFileFilter *filter;
  InspectorLogFormat format = INSPECTOR_LOG_FORMAT_JSON_LINES;
  g_autofree char *name = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL)
    {
      /* The file type chosen, unless the name says otherwise. */
      filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (dialog));
      if (filter != NULL && g_strcmp0 (g_object_get_data (G_OBJECT (filter), "format"), "csv") == 0)
        format = INSPECTOR_LOG_FORMAT_CSV;

      name = g_file_get_basename (file);
      if (name != NULL && g_str_has_suffix (name, ".csv"))
        format = INSPECTOR_LOG_FORMAT_CSV;
      else if (name != NULL && (g_str_has_suffix (name, ".jsonl") || g_str_has_suffix (name, ".json")))
        format = INSPECTOR_LOG_FORMAT_JSON_LINES;

      inspector_log_view_export (self, file, format);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static GtkFileFilter *
new_file_filter (const char *name,
                 const char *pattern,
                 const char *format)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_pattern (filter, pattern);
  g_object_set_data (G_OBJECT (filter), "format", (gpointer) format);

  return filter;
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  InspectorLogView *self = INSPECTOR_LOG_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) jsonl = new_file_filter (_("JSON Lines"), "*.jsonl", "jsonl");
  g_autoptr(GtkFileFilter) csv = new_file_filter (_("CSV"), "*.csv", "csv");

  dialog = gtk_file_chooser_native_new (_("Export Log"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), jsonl);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), csv);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), "log.jsonl");

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_export_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
cancel_export_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  InspectorLogView *self = INSPECTOR_LOG_VIEW (widget);

  if (self->export_cancellable != NULL)
    g_cancellable_cancel (self->export_cancellable);
}

static void
dismiss_export_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  InspectorLogView *self = INSPECTOR_LOG_VIEW (widget);

  if (self->export_cancellable != NULL)
    g_cancellable_cancel (self->export_cancellable);
  g_clear_handle_id (&self->export_hide_source, g_source_remove);
  gtk_revealer_set_reveal_child (self->export_revealer, FALSE);
}

static gboolean
on_pin_idle (gpointer user_data)
{
  InspectorLogView *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  self->pin_source = 0;
  /* Rows that fit in the page leave nothing to follow, and the list finds
   * no row to take its place from (the middle of the page is empty). */
  if (self->auto_scroll && gtk_widget_get_mapped (GTK_WIDGET (self->column_view)) &&
      gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment))
    scroll_to_end (self);

  return G_SOURCE_REMOVE;
}

/* notify::upper comes from the list's own size allocation, while it
 * blocks its value-changed handler to configure the adjustment: a value
 * set in there moves the scrollbar but not the list, which keeps its
 * anchor, and so its ~200 live rows, where it was first put, at the top.
 * The first retention drop then removes all of them, and GTK 4.8 builds
 * them all anew for the new first rows. So re-pin once the allocation is
 * over, before the next frame, unless rows go first: then the range the
 * list knows is stale until its next layout, which notifies again. */
static void
on_upper_changed (InspectorLogView *self)
{
  if (self->auto_scroll && self->pin_source == 0)
    self->pin_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, on_pin_idle, self, NULL);
}

/* Scrolling up to read turns following off; the button turns it back on. */
static void
on_value_changed (InspectorLogView *self,
                  GtkAdjustment    *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (self->scrolling || !self->auto_scroll)
    return;

  if (gtk_adjustment_get_value (adjustment) < bottom - 2 * gtk_adjustment_get_page_size (adjustment) / 3)
    {
      self->auto_scroll = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_SCROLL]);
    }
}

static void
on_selection_changed (InspectorLogView *self)
{
  InspectorLogEntry *entry = gtk_single_selection_get_selected_item (self->selection);

  /* The store hands out one object per row while it is held, so an
   * updated row stays the same selection. */
  if (g_set_object (&self->selected, entry))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ENTRY]);
}

static void
on_search_changed (InspectorLogView *self)
{
  inspector_log_filter_set_search (self->filter, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_stop_search (InspectorLogView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  InspectorLogView *self = INSPECTOR_LOG_VIEW (widget);
  InspectorLogStore *store = get_store (self);

  if (store != NULL)
    inspector_log_store_clear (store);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  inspector_log_view_focus_search (INSPECTOR_LOG_VIEW (widget));
}

static void
on_store_paused (InspectorLogView *self)
{
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

static void
inspector_log_view_dispose (GObject *object)
{
  InspectorLogView *self = (InspectorLogView *)object;

  inspector_log_view_set_connection (self, NULL);
  if (self->export_cancellable != NULL)
    g_cancellable_cancel (self->export_cancellable);
  g_clear_object (&self->export_cancellable);
  g_clear_handle_id (&self->export_hide_source, g_source_remove);
  g_clear_handle_id (&self->pin_source, g_source_remove);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  g_clear_object (&self->selected);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_LOG_VIEW);

  G_OBJECT_CLASS (inspector_log_view_parent_class)->dispose (object);
}

static void
inspector_log_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  InspectorLogView *self = INSPECTOR_LOG_VIEW (object);
  InspectorLogStore *store = get_store (self);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      g_value_set_object (value, self->connection);
      break;

    case PROP_SELECTED_ENTRY:
      g_value_set_object (value, self->selected);
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, store != NULL && inspector_log_store_get_paused (store));
      break;

    case PROP_AUTO_SCROLL:
      g_value_set_boolean (value, self->auto_scroll);
      break;

    case PROP_TIMESTAMP_FORMAT:
      g_value_set_enum (value, self->timestamp_format);
      break;

    case PROP_EXPORTING:
      g_value_set_boolean (value, self->export_cancellable != NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  InspectorLogView *self = INSPECTOR_LOG_VIEW (object);
  InspectorLogStore *store = get_store (self);

  switch (prop_id)
    {
    case PROP_CONNECTION:
      inspector_log_view_set_connection (self, g_value_get_object (value));
      break;

    case PROP_PAUSED:
      if (store != NULL)
        inspector_log_store_set_paused (store, g_value_get_boolean (value));
      break;

    case PROP_AUTO_SCROLL:
      if (self->auto_scroll != g_value_get_boolean (value))
        {
          self->auto_scroll = g_value_get_boolean (value);
          if (self->auto_scroll)
            scroll_to_end (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_TIMESTAMP_FORMAT:
      inspector_log_view_set_timestamp_format (self, g_value_get_enum (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_view_class_init (InspectorLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_log_view_dispose;
  object_class->get_property = inspector_log_view_get_property;
  object_class->set_property = inspector_log_view_set_property;

  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL,
                         INSPECTOR_TYPE_CONNECTION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SELECTED_ENTRY] =
    g_param_spec_object ("selected-entry", NULL, NULL,
                         INSPECTOR_TYPE_LOG_ENTRY,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_AUTO_SCROLL] =
    g_param_spec_boolean ("auto-scroll", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TIMESTAMP_FORMAT] =
    g_param_spec_enum ("timestamp-format", NULL, NULL,
                       INSPECTOR_TYPE_TIMESTAMP_FORMAT, INSPECTOR_TIMESTAMP_TIME_MS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_EXPORTING] =
    g_param_spec_boolean ("exporting", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (INSPECTOR_TYPE_LOG_ENTRY);
  column_quark = g_quark_from_static_string ("inspector-log-view-column");
  kind_style_quark = g_quark_from_static_string ("inspector-log-view-kind-style");

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, box);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, status_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, scroller);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, column_view);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, time_column);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, kind_column);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, channel_column);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, peer_column);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, size_column);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, preview_column);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, dropped_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, export_revealer);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, export_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorLogView, export_progress);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);

  gtk_widget_class_install_property_action (widget_class, "log.pause", "paused");
  gtk_widget_class_install_property_action (widget_class, "log.auto-scroll", "auto-scroll");
  gtk_widget_class_install_action (widget_class, "log.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "log.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "log.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "log.cancel-export", NULL, cancel_export_action);
  gtk_widget_class_install_action (widget_class, "log.dismiss-export", NULL, dismiss_export_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "logview");
}

static void
inspector_log_view_init (InspectorLogView *self)
{
  GtkAdjustment *adjustment;

  self->auto_scroll = TRUE;
  self->reselect_seq = G_MAXUINT64;
  self->timestamp_format = INSPECTOR_TIMESTAMP_TIME_MS;

  gtk_widget_init_template (GTK_WIDGET (self));
  reset_time_factory (self);
  set_column_factory (self, self->kind_column, COLUMN_KIND);
  set_column_factory (self, self->channel_column, COLUMN_CHANNEL);
  set_column_factory (self, self->peer_column, COLUMN_PEER);
  set_column_factory (self, self->size_column, COLUMN_SIZE);
  set_column_factory (self, self->preview_column, COLUMN_PREVIEW);

  self->filter = inspector_log_filter_new ();
  self->filter_model = inspector_log_filter_model_new (self->filter);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->filter_model, "resetting", G_CALLBACK (on_filter_resetting), self);
  /* After the selection's own handler, which was connected first. */
  g_signal_connect_swapped (self->filter_model, "items-changed", G_CALLBACK (on_filter_items_changed), self);

  set_exporting (self, NULL);

  adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_swapped (adjustment, "notify::upper", G_CALLBACK (on_upper_changed), self);
  g_signal_connect_swapped (adjustment, "value-changed", G_CALLBACK (on_value_changed), self);

  update_status (self);
}

InspectorConnection *
inspector_log_view_get_connection (InspectorLogView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_VIEW (self), NULL);

  return self->connection;
}

void
inspector_log_view_set_connection (InspectorLogView    *self,
                                   InspectorConnection *connection)
{
  InspectorLogStore *store;

  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));
  g_return_if_fail (connection == NULL || INSPECTOR_IS_CONNECTION (connection));

  if (self->connection == connection)
    return;

  if ((store = get_store (self)) != NULL)
    g_signal_handlers_disconnect_by_data (store, self);

  g_set_object (&self->connection, connection);

  store = get_store (self);
  if (self->filter_model != NULL)
    inspector_log_filter_model_set_store (self->filter_model, store);

  if (store != NULL)
    {
      g_signal_connect_object (store, "notify::paused", G_CALLBACK (on_store_paused), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "notify::n-held", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "notify::n-dropped", G_CALLBACK (update_dropped), self, G_CONNECT_SWAPPED);
    }

  if (self->status_label != NULL)
    {
      update_status (self);
      update_dropped (self);
    }
  if (self->time_column != NULL)
    reset_time_factory (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

/**
 * inspector_log_view_get_selected_entry:
 *
 * Returns: (transfer none) (nullable): the selected row
 */
InspectorLogEntry *
inspector_log_view_get_selected_entry (InspectorLogView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_VIEW (self), NULL);

  return self->selected;
}

/**
 * inspector_log_view_get_model:
 *
 * Returns: (transfer none): the rows as shown, after the filter
 */
GListModel *
inspector_log_view_get_model (InspectorLogView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_VIEW (self), NULL);

  return G_LIST_MODEL (self->filter_model);
}

void
inspector_log_view_select (InspectorLogView *self,
                           guint             position)
{
  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));

  gtk_single_selection_set_selected (self->selection, position);
}

void
inspector_log_view_set_search (InspectorLogView *self,
                               const char       *search)
{
  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), search != NULL ? search : "");
}

void
inspector_log_view_focus_search (InspectorLogView *self)
{
  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

InspectorTimestampFormat
inspector_log_view_get_timestamp_format (InspectorLogView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_VIEW (self), INSPECTOR_TIMESTAMP_TIME_MS);

  return self->timestamp_format;
}

/**
 * inspector_log_view_set_timestamp_format:
 *
 * How the time column shows times; relative times count from the start
 * of the connection's log.
 */
void
inspector_log_view_set_timestamp_format (InspectorLogView         *self,
                                         InspectorTimestampFormat  format)
{
  g_return_if_fail (INSPECTOR_IS_LOG_VIEW (self));

  if (self->timestamp_format == format)
    return;

  self->timestamp_format = format;
  reset_time_factory (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMESTAMP_FORMAT]);
}

/**
 * inspector_log_view_get_filter_model:
 *
 * Returns: (transfer none): the rows as shown, after the search
 */
InspectorLogFilterModel *
inspector_log_view_get_filter_model (InspectorLogView *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_VIEW (self), NULL);

  return self->filter_model;
}
