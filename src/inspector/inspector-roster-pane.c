/* inspector-roster-pane.c: who is in the selected channel
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-roster-pane"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "inspector-config.h"

#include "inspector-roster-pane.h"

struct _InspectorRosterPane
{
  GtkWidget         parent_instance;

  InspectorChannel *channel;
  GtkNoSelection   *selection;

  /* The template's one direct child, disposed with it. */
  GtkWidget        *box;
  GtkLabel         *title_label;
  GtkLabel         *count_label;
  GtkLabel         *empty_label;
  GtkStack         *stack;
  GtkListView      *list_view;
};

G_DEFINE_FINAL_TYPE (InspectorRosterPane, inspector_roster_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHANNEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update (InspectorRosterPane *self)
{
  g_autofree char *title = NULL;
  g_autofree char *count = NULL;
  guint n_peers;

  if (self->channel == NULL)
    {
      gtk_label_set_label (self->title_label, _("Peers"));
      gtk_label_set_label (self->count_label, "");
      gtk_label_set_label (self->empty_label, _("Select a channel to see who is in it"));
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  n_peers = inspector_channel_get_n_peers (self->channel);
  /* Translators: the heading of the roster, with the channel name */
  title = g_strdup_printf (_("Peers in %s"), inspector_channel_get_name (self->channel));
  count = g_strdup_printf ("%u", n_peers);

  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->count_label, count);
  gtk_label_set_label (self->empty_label, _("Nobody else is in this channel"));
  gtk_stack_set_visible_child_name (self->stack, n_peers > 0 ? "list" : "empty");
}

static void
inspector_roster_pane_dispose (GObject *object)
{
  InspectorRosterPane *self = (InspectorRosterPane *)object;

  g_clear_object (&self->channel);
  g_clear_object (&self->selection);
  gtk_widget_dispose_template (GTK_WIDGET (self), INSPECTOR_TYPE_ROSTER_PANE);

  G_OBJECT_CLASS (inspector_roster_pane_parent_class)->dispose (object);
}

static void
inspector_roster_pane_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  InspectorRosterPane *self = INSPECTOR_ROSTER_PANE (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      g_value_set_object (value, self->channel);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_roster_pane_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  InspectorRosterPane *self = INSPECTOR_ROSTER_PANE (object);

  switch (prop_id)
    {
    case PROP_CHANNEL:
      inspector_roster_pane_set_channel (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_roster_pane_class_init (InspectorRosterPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = inspector_roster_pane_dispose;
  object_class->get_property = inspector_roster_pane_get_property;
  object_class->set_property = inspector_roster_pane_set_property;

  properties[PROP_CHANNEL] =
    g_param_spec_object ("channel", NULL, NULL,
                         INSPECTOR_TYPE_CHANNEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (INSPECTOR_TYPE_PEER);
  g_type_ensure (ADW_TYPE_AVATAR);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/inspector-roster-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, InspectorRosterPane, box);
  gtk_widget_class_bind_template_child (widget_class, InspectorRosterPane, title_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorRosterPane, count_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorRosterPane, empty_label);
  gtk_widget_class_bind_template_child (widget_class, InspectorRosterPane, stack);
  gtk_widget_class_bind_template_child (widget_class, InspectorRosterPane, list_view);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "rosterpane");
}

static void
inspector_roster_pane_init (InspectorRosterPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_no_selection_new (NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  update (self);
}

InspectorChannel *
inspector_roster_pane_get_channel (InspectorRosterPane *self)
{
  g_return_val_if_fail (INSPECTOR_IS_ROSTER_PANE (self), NULL);

  return self->channel;
}

void
inspector_roster_pane_set_channel (InspectorRosterPane *self,
                                   InspectorChannel    *channel)
{
  g_return_if_fail (INSPECTOR_IS_ROSTER_PANE (self));
  g_return_if_fail (channel == NULL || INSPECTOR_IS_CHANNEL (channel));

  if (self->channel == channel)
    return;

  if (self->channel != NULL)
    g_signal_handlers_disconnect_by_data (self->channel, self);

  g_set_object (&self->channel, channel);
  gtk_no_selection_set_model (self->selection, channel != NULL ? inspector_channel_get_roster (channel) : NULL);

  if (channel != NULL)
    g_signal_connect_object (channel, "notify::n-peers", G_CALLBACK (update), self, G_CONNECT_SWAPPED);

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
}
