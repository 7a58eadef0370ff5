/* inspector-test-util.c: shared helpers of the inspector tests
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-inspector"

#include <stdlib.h>

#include "inspector-test-util.h"

#include <metered.h>

#include "inspector-connection.h"
#include "inspector-log-filter-model.h"
#include "test-timeout.h"

#define WAIT_TIMEOUT (20 * G_USEC_PER_SEC)

static char *screenshot_dir;

void
inspector_test_init (int    *argc,
                     char ***argv)
{
  g_free (screenshot_dir);
  screenshot_dir = g_path_get_dirname ((*argv)[0]);
  g_test_init (argc, argv, NULL);
}

GTestDBus *
inspector_test_start_desktop (void)
{
  g_autofree char *dbus_daemon = NULL;
  GTestDBus *bus;

  g_setenv ("GTK_A11Y", "none", TRUE);

  if (!gtk_init_check ())
    {
      g_test_skip ("no display; run under xvfb-run");
      exit (77);
    }

  if ((dbus_daemon = g_find_program_in_path ("dbus-daemon")) == NULL)
    {
      g_test_skip ("dbus-daemon is not installed");
      exit (77);
    }
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);

  return bus;
}

gboolean
inspector_test_wait_until (InspectorTestCondition condition,
                           gpointer               data)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (WAIT_TIMEOUT * test_timeout_scale ());

  /* Polled rather than blocking: some conditions change on other threads
   * without waking the main context. */
  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

void
inspector_test_spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

gboolean
inspector_test_is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

gboolean
inspector_test_is_true (gpointer data)
{
  return *(gboolean *) data;
}

gboolean
inspector_test_is_connected (gpointer data)
{
  return inspector_connection_get_state (data) == METERED_CLIENT_STATE_CONNECTED;
}

gboolean
inspector_test_search_done (gpointer data)
{
  return !inspector_log_filter_model_get_pending (data);
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  (*(guint *) user_data)++;

  return G_SOURCE_CONTINUE;
}

static gboolean
enough_frames (gpointer data)
{
  return *(guint *) data >= 3;
}

void
inspector_test_wait_frames (GtkWidget *widget)
{
  guint frames = 0;
  guint tick = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);

  gtk_widget_queue_draw (widget);
  g_assert_true (inspector_test_wait_until (enough_frames, &frames));
  gtk_widget_remove_tick_callback (widget, tick);
}

void
inspector_test_save_screenshot (gpointer    window,
                                const char *name)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width, height;

  g_assert_nonnull (screenshot_dir);

  /* Let pending layout, filtering and a few frames happen. */
  inspector_test_spin (400);
  inspector_test_wait_frames (widget);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (screenshot_dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

GtkWidget *
inspector_test_find_descendant (GtkWidget *root,
                                GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_POPOVER (child) && !G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        continue;
      if ((found = inspector_test_find_descendant (child, type)) != NULL)
        return found;
    }

  return NULL;
}

static GtkWindow *
find_toplevel (GType    type,
               gboolean shown_only)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      /* The list keeps the window alive. */
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) &&
          (!shown_only || gtk_widget_get_visible (GTK_WIDGET (window))))
        return window;
    }

  return NULL;
}

GtkWindow *
inspector_test_find_toplevel (GType type)
{
  return find_toplevel (type, TRUE);
}

gboolean
inspector_test_toplevel_shown (gpointer data)
{
  return find_toplevel (GPOINTER_TO_SIZE (data), TRUE) != NULL;
}

gboolean
inspector_test_toplevel_gone (gpointer data)
{
  return find_toplevel (GPOINTER_TO_SIZE (data), FALSE) == NULL;
}
