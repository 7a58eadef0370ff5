/* inspector-json.h: JSON text helpers for the detail and compose panes
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char     *inspector_json_pretty         (const char  *text,
                                         gssize       len);
gboolean  inspector_json_measure        (const char  *text,
                                         gsize       *compact_size,
                                         GError     **error);
char     *inspector_json_dup_member     (const char  *object_text,
                                         const char  *member);

G_END_DECLS
