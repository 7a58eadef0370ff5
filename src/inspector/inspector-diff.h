/* inspector-diff.h: a line diff of two texts
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  INSPECTOR_DIFF_SAME,
  INSPECTOR_DIFF_REMOVED,
  INSPECTOR_DIFF_ADDED,
} InspectorDiffOp;

typedef struct _InspectorDiff InspectorDiff;

InspectorDiff   *inspector_diff_new         (const char    *old_text,
                                             const char    *new_text);
void             inspector_diff_free        (InspectorDiff *self);
guint            inspector_diff_get_n_lines (InspectorDiff *self);
InspectorDiffOp  inspector_diff_get_line    (InspectorDiff *self,
                                             guint          i,
                                             const char   **text);
guint            inspector_diff_get_n_added   (InspectorDiff *self);
guint            inspector_diff_get_n_removed (InspectorDiff *self);
gboolean         inspector_diff_is_minimal  (InspectorDiff *self);
char            *inspector_diff_to_string   (InspectorDiff *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (InspectorDiff, inspector_diff_free)

G_END_DECLS
