/* inspector-source-style.c: JSON highlighting that follows dark mode
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-source-style"

#include <adwaita.h>

#include "inspector-source-style.h"

static void
update_scheme (GtkSourceBuffer *buffer)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (manager) ? "Adwaita-dark" : "Adwaita";
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (schemes, id);

  if (scheme != NULL)
    gtk_source_buffer_set_style_scheme (buffer, scheme);
}

/**
 * inspector_source_style_follow:
 *
 * Gives @buffer the Adwaita scheme matching the current light or dark
 * style, for as long as @buffer lives, and JSON highlighting.
 */
void
inspector_source_style_follow (GtkSourceBuffer *buffer)
{
  g_return_if_fail (GTK_SOURCE_IS_BUFFER (buffer));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_scheme), buffer, G_CONNECT_SWAPPED);
  update_scheme (buffer);
  inspector_source_style_set_json (buffer, TRUE);
}

/* Plain text is not worth colouring as JSON. */
void
inspector_source_style_set_json (GtkSourceBuffer *buffer,
                                 gboolean         json)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();

  g_return_if_fail (GTK_SOURCE_IS_BUFFER (buffer));

  gtk_source_buffer_set_language (buffer, json ? gtk_source_language_manager_get_language (languages, "json") : NULL);
}
