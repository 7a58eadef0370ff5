/* inspector-connection-header.h: the connection's state and welcome details
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "inspector-connection.h"

G_BEGIN_DECLS

#define INSPECTOR_TYPE_CONNECTION_HEADER (inspector_connection_header_get_type ())

G_DECLARE_FINAL_TYPE (InspectorConnectionHeader, inspector_connection_header, INSPECTOR, CONNECTION_HEADER, GtkWidget)

InspectorConnection *inspector_connection_header_get_connection (InspectorConnectionHeader *self);
void                 inspector_connection_header_set_connection (InspectorConnectionHeader *self,
                                                                 InspectorConnection       *connection);

G_END_DECLS
