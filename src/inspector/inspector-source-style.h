/* inspector-source-style.h: JSON highlighting that follows dark mode
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtksourceview/gtksource.h>

G_BEGIN_DECLS

void inspector_source_style_follow (GtkSourceBuffer *buffer);
void inspector_source_style_set_json (GtkSourceBuffer *buffer,
                                      gboolean         json);

G_END_DECLS
