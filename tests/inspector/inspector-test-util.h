/* inspector-test-util.h: shared helpers of the inspector tests
 *
 * Waiting on the default main context, frames and screenshots of real
 * windows, and finding widgets and toplevels the way a user sees them.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*InspectorTestCondition) (gpointer data);

/* g_test_init(), and screenshots go next to the test program: the build
 * directory of tests/inspector. */
void       inspector_test_init              (int                    *argc,
                                             char                 ***argv);

/* For the programs that run the whole application: GTK on the display,
 * without assistive technology, and a private session bus, so the
 * application registers as it would in a desktop session and nothing leaks
 * to (or from) the user's bus. Exits with 77 (skipped) without a display
 * or dbus-daemon. Returns the bus, to stop at the end. */
GTestDBus *inspector_test_start_desktop     (void);

/* Iterates the default main context until @condition holds; FALSE after
 * 20 s (times $METERED_TEST_TIMEOUT_SCALE). */
gboolean   inspector_test_wait_until        (InspectorTestCondition  condition,
                                             gpointer                data);
/* Iterates the default main context for @ms. */
void       inspector_test_spin              (guint                   ms);

/* Conditions. @data points to a pointer that becomes non-NULL. */
gboolean   inspector_test_is_set            (gpointer                data);
/* @data points to a gboolean that becomes TRUE. */
gboolean   inspector_test_is_true           (gpointer                data);
/* @data is an InspectorConnection. */
gboolean   inspector_test_is_connected      (gpointer                data);
/* @data is an InspectorLogFilterModel with no search running. */
gboolean   inspector_test_search_done       (gpointer                data);

/* Queues a redraw of @widget and waits (asserted) for three frames. */
void       inspector_test_wait_frames       (GtkWidget              *widget);
/* Lets layout settle, then renders what @window shows with its own
 * renderer into @name (a PNG) in the screenshot directory. */
void       inspector_test_save_screenshot   (gpointer                window,
                                             const char             *name);

/* The first widget of @type in @root (@root included), in what the
 * window shows: the popovers of menu buttons are left out. */
GtkWidget *inspector_test_find_descendant   (GtkWidget              *root,
                                             GType                   type);
/* The first shown toplevel of @type, or NULL. */
GtkWindow *inspector_test_find_toplevel     (GType                   type);
/* Conditions; @data is a GType in GSIZE_TO_POINTER(): a toplevel of it is
 * shown, or none is left at all, shown or hidden. */
gboolean   inspector_test_toplevel_shown    (gpointer                data);
gboolean   inspector_test_toplevel_gone     (gpointer                data);

G_END_DECLS
