/* inspector-json.h: parsing JSON text from outside, and the views of it
 * in the detail and compose panes
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonNode *inspector_json_parse          (const char  *text,
                                         gssize       len,
                                         GError     **error);
char     *inspector_json_pretty         (const char  *text,
                                         gssize       len);
gboolean  inspector_json_measure        (const char  *text,
                                         gsize       *compact_size,
                                         GError     **error);
char     *inspector_json_dup_member     (const char  *object_text,
                                         const char  *member);

G_END_DECLS
