/* inspector-log-cell.h: one line of text in a message log cell
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define INSPECTOR_TYPE_LOG_CELL (inspector_log_cell_get_type ())

G_DECLARE_FINAL_TYPE (InspectorLogCell, inspector_log_cell, INSPECTOR, LOG_CELL, GtkWidget)

GtkWidget  *inspector_log_cell_new       (float               xalign,
                                          PangoEllipsizeMode  ellipsize);
const char *inspector_log_cell_get_text  (InspectorLogCell   *self);
void        inspector_log_cell_set_text  (InspectorLogCell   *self,
                                          const char         *text);
void        inspector_log_cell_take_text (InspectorLogCell   *self,
                                          char               *text);

G_END_DECLS
