/* inspector-log-cell.c: one line of text in a message log cell
 *
 * GTK 4.8's list views keep about 200 rows alive around the one they
 * scroll to, and during a flood rebind all of them every frame; a
 * GtkLabel lays its text out with Pango to measure itself, so each
 * frame shaped some thousand strings, most of them off screen. This cell
 * is one line high whatever its text, so measuring it costs nothing, and
 * lays its text out only when it is drawn: for the rows on screen.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-log-cell"

#include "inspector-log-cell.h"

struct _InspectorLogCell
{
  GtkWidget           parent_instance;

  char               *text;
  PangoLayout        *layout;        /* built when first drawn */
  PangoFontDescription *font;        /* line_height is for it */
  int                 layout_width;
  int                 line_height;   /* -1 until measured for the current font */
  float               xalign;
  PangoEllipsizeMode  ellipsize;
};

G_DEFINE_FINAL_TYPE (InspectorLogCell, inspector_log_cell, GTK_TYPE_WIDGET)

/* Font (and resolution) → the height of one line: every cell of a column
 * shares its font, so this is laid out once per font, not per cell. */
static GHashTable *line_heights;

static int
compute_line_height (InspectorLogCell *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  const PangoFontDescription *font = pango_context_get_font_description (context);
  g_autofree char *font_name = pango_font_description_to_string (font);
  g_autofree char *key = g_strdup_printf ("%s@%g", font_name, pango_cairo_context_get_resolution (context));
  gpointer height;

  if (line_heights == NULL)
    line_heights = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!g_hash_table_lookup_extended (line_heights, key, NULL, &height))
    {
      g_autoptr(PangoLayout) layout = pango_layout_new (context);
      int line_height;

      pango_layout_set_text (layout, "Ag", -1);
      pango_layout_get_pixel_size (layout, NULL, &line_height);
      height = GINT_TO_POINTER (line_height);
      g_hash_table_insert (line_heights, g_steal_pointer (&key), height);
    }

  return GPOINTER_TO_INT (height);
}

static void
inspector_log_cell_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  InspectorLogCell *self = INSPECTOR_LOG_CELL (widget);

  /* The columns give the width; the text is cut to it. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = *natural = 0;
      return;
    }

  if (self->line_height < 0)
    {
      const PangoFontDescription *font = pango_context_get_font_description (gtk_widget_get_pango_context (widget));

      self->line_height = compute_line_height (self);
      g_clear_pointer (&self->font, pango_font_description_free);
      self->font = font != NULL ? pango_font_description_copy (font) : NULL;
    }

  *minimum = *natural = self->line_height;
}

static void
inspector_log_cell_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  InspectorLogCell *self = INSPECTOR_LOG_CELL (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  PangoRectangle logical;
  GdkRGBA color;
  float xalign = self->xalign;

  if (self->text == NULL || self->text[0] == '\0' || width <= 0)
    return;

  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (widget, self->text);
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
      pango_layout_set_ellipsize (self->layout, self->ellipsize);
      self->layout_width = -1;
    }

  if (self->layout_width != width)
    {
      pango_layout_set_width (self->layout, width * PANGO_SCALE);
      self->layout_width = width;
    }

  pango_layout_get_pixel_extents (self->layout, NULL, &logical);
  if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
    xalign = 1.0f - xalign;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (floorf ((width - logical.width) * xalign) - logical.x,
                                                floorf ((height - logical.height) / 2.0f) - logical.y));
  gtk_snapshot_append_layout (snapshot, self->layout, &color);
  gtk_snapshot_restore (snapshot);
}

/* A new font (a style class, a theme, a text scale) or direction. */
static void
invalidate (InspectorLogCell *self)
{
  g_clear_object (&self->layout);
  g_clear_pointer (&self->font, pango_font_description_free);
  self->line_height = -1;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* Selecting or hovering a row restyles its cells: only a new font needs
 * a new layout and height, a new colour only a redraw. */
static void
inspector_log_cell_css_changed (GtkWidget         *widget,
                                GtkCssStyleChange *change)
{
  InspectorLogCell *self = INSPECTOR_LOG_CELL (widget);
  const PangoFontDescription *font;

  GTK_WIDGET_CLASS (inspector_log_cell_parent_class)->css_changed (widget, change);

  font = pango_context_get_font_description (gtk_widget_get_pango_context (widget));
  if (self->font != NULL && font != NULL && pango_font_description_equal (self->font, font))
    gtk_widget_queue_draw (widget);
  else
    invalidate (self);
}

static void
inspector_log_cell_direction_changed (GtkWidget        *widget,
                                      GtkTextDirection  previous_direction)
{
  GTK_WIDGET_CLASS (inspector_log_cell_parent_class)->direction_changed (widget, previous_direction);

  invalidate (INSPECTOR_LOG_CELL (widget));
}

static void
inspector_log_cell_finalize (GObject *object)
{
  InspectorLogCell *self = (InspectorLogCell *)object;

  g_clear_object (&self->layout);
  g_clear_pointer (&self->font, pango_font_description_free);
  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (inspector_log_cell_parent_class)->finalize (object);
}

static void
inspector_log_cell_class_init (InspectorLogCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = inspector_log_cell_finalize;

  widget_class->measure = inspector_log_cell_measure;
  widget_class->snapshot = inspector_log_cell_snapshot;
  widget_class->css_changed = inspector_log_cell_css_changed;
  widget_class->direction_changed = inspector_log_cell_direction_changed;

  /* Styled like the labels it replaces. */
  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
inspector_log_cell_init (InspectorLogCell *self)
{
  self->line_height = -1;
  self->ellipsize = PANGO_ELLIPSIZE_END;
}

GtkWidget *
inspector_log_cell_new (float              xalign,
                        PangoEllipsizeMode ellipsize)
{
  InspectorLogCell *self = g_object_new (INSPECTOR_TYPE_LOG_CELL, NULL);

  self->xalign = CLAMP (xalign, 0.0f, 1.0f);
  self->ellipsize = ellipsize;

  return GTK_WIDGET (self);
}

const char *
inspector_log_cell_get_text (InspectorLogCell *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_CELL (self), NULL);

  return self->text;
}

/**
 * inspector_log_cell_take_text:
 * @text: (transfer full) (nullable): the new text, one line
 */
void
inspector_log_cell_take_text (InspectorLogCell *self,
                              char             *text)
{
  g_return_if_fail (INSPECTOR_IS_LOG_CELL (self));

  if (g_strcmp0 (self->text, text) == 0)
    {
      g_free (text);
      return;
    }

  g_free (self->text);
  self->text = text;

  /* The height does not depend on the text: only a redraw. */
  if (self->layout != NULL)
    pango_layout_set_text (self->layout, text != NULL ? text : "", -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text != NULL ? text : "", -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
inspector_log_cell_set_text (InspectorLogCell *self,
                             const char       *text)
{
  g_return_if_fail (INSPECTOR_IS_LOG_CELL (self));

  if (g_strcmp0 (self->text, text) != 0)
    inspector_log_cell_take_text (self, g_strdup (text));
}
