/* inspector-preferences-window.h: the application's preferences
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_PREFERENCES_WINDOW (inspector_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (InspectorPreferencesWindow, inspector_preferences_window, INSPECTOR, PREFERENCES_WINDOW, AdwPreferencesWindow)

InspectorPreferencesWindow *inspector_preferences_window_new (GtkWindow *parent);

G_END_DECLS
