/* inspector-preferences-window.c: the application's preferences
 *
 * Every row is bound to a key of the main settings schema; the tabs and
 * the application watch the keys, so a change shows at once everywhere.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-preferences-window"

#include <glib/gi18n.h>

#include "inspector-config.h"

#include "inspector-preferences-window.h"

struct _InspectorPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  GtkSpinButton        *retention_count_spin;
  GtkSpinButton        *retention_megabytes_spin;
  AdwComboRow          *timestamp_row;
  GtkSwitch            *auto_scroll_switch;
  AdwComboRow          *color_scheme_row;
};

G_DEFINE_FINAL_TYPE (InspectorPreferencesWindow, inspector_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo rows list the choices in the order of these nicks. */
static const char * const timestamp_nicks[] = { "time", "time-ms", "iso8601", "relative", NULL };
static const char * const color_scheme_nicks[] = { "follow", "light", "dark", NULL };

static gboolean
nick_to_position (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    {
      if (g_str_equal (nicks[i], nick))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
position_to_nick (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint position = g_value_get_uint (value);

  if (position >= g_strv_length ((char **) nicks))
    return NULL;

  return g_variant_new_string (nicks[position]);
}

static void
inspector_preferences_window_dispose (GObject *object)
{
  InspectorPreferencesWindow *self = (InspectorPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (inspector_preferences_window_parent_class)->dispose (object);
}

static void
inspector_preferences_window_class_init (InspectorPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorPreferencesWindow, retention_count_spin);
  gtk_widget_class_bind_template_child (widget_class, InspectorPreferencesWindow, retention_megabytes_spin);
  gtk_widget_class_bind_template_child (widget_class, InspectorPreferencesWindow, timestamp_row);
  gtk_widget_class_bind_template_child (widget_class, InspectorPreferencesWindow, auto_scroll_switch);
  gtk_widget_class_bind_template_child (widget_class, InspectorPreferencesWindow, color_scheme_row);
}

static void
inspector_preferences_window_init (InspectorPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (SCHEMA_ID);

  g_settings_bind (self->settings, "retention-count", self->retention_count_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "retention-megabytes", self->retention_megabytes_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "auto-scroll", self->auto_scroll_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "timestamp-format", self->timestamp_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_position, position_to_nick,
                                (gpointer) timestamp_nicks, NULL);
  g_settings_bind_with_mapping (self->settings, "color-scheme", self->color_scheme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_position, position_to_nick,
                                (gpointer) color_scheme_nicks, NULL);
}

/**
 * inspector_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 *
 * Returns: (transfer none): a new preferences window, not yet shown
 */
InspectorPreferencesWindow *
inspector_preferences_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (INSPECTOR_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
}
