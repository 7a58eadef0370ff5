/* inspector-log-entry.c: one row of the message log, as a view sees it
 *
 * Built on demand by the store's get_item and thrown away with the view's
 * row, so it copies nothing: it keeps its segment alive and reads the
 * record in place.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-log-entry"

#include <string.h>

#include <glib/gi18n.h>

#include "inspector-enum-types.h"
#include "inspector-log-store-private.h"

/* Enough to fill the preview column of a wide window. */
#define PREVIEW_CHARS 240

struct _InspectorLogEntry
{
  GObject              parent_instance;

  InspectorLogSegment *segment;
  InspectorLogRecord  *record;
  guint64              seq;
};

G_DEFINE_FINAL_TYPE (InspectorLogEntry, inspector_log_entry, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SEQ,
  PROP_KIND,
  PROP_KIND_NAME,
  PROP_STATUS,
  PROP_TIME_LABEL,
  PROP_CHANNEL,
  PROP_PEER,
  PROP_SIZE_LABEL,
  PROP_PREVIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const kind_names[] = {
  [INSPECTOR_LOG_KIND_MESSAGE] = "message",
  [INSPECTOR_LOG_KIND_DIRECT] = "direct",
  [INSPECTOR_LOG_KIND_PRESENCE] = "presence",
  [INSPECTOR_LOG_KIND_STATE] = "state",
  [INSPECTOR_LOG_KIND_WELCOME] = "welcome",
  [INSPECTOR_LOG_KIND_CLOSE] = "close",
  [INSPECTOR_LOG_KIND_SERVER_ERROR] = "error",
  [INSPECTOR_LOG_KIND_GOING_AWAY] = "going-away",
  [INSPECTOR_LOG_KIND_TOKEN_ERROR] = "token-error",
  [INSPECTOR_LOG_KIND_SUBSCRIBE] = "subscribe",
  [INSPECTOR_LOG_KIND_UNSUBSCRIBE] = "unsubscribe",
  [INSPECTOR_LOG_KIND_PUBLISH] = "publish",
  [INSPECTOR_LOG_KIND_SEND] = "send",
};

/**
 * inspector_log_kind_to_string:
 *
 * Returns: the name the log shows for @kind; also the enum's nick
 */
const char *
inspector_log_kind_to_string (InspectorLogKind kind)
{
  if ((guint) kind >= G_N_ELEMENTS (kind_names))
    return "unknown";

  return kind_names[kind];
}

/**
 * inspector_log_kind_from_string:
 * @kind: (out): the kind named @name
 *
 * Returns: whether @name is the name of a kind
 */
gboolean
inspector_log_kind_from_string (const char       *name,
                                InspectorLogKind *kind)
{
  g_return_val_if_fail (kind != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (name, kind_names[i]))
      {
        *kind = i;
        return TRUE;
      }

  return FALSE;
}

/* Looking the local zone up again for every row costs a readlink() of
 * /etc/localtime each time; rows are formatted by the thousand. */
static GTimeZone *
get_local_zone (void)
{
  static gsize zone;

  if (g_once_init_enter (&zone))
    g_once_init_leave (&zone, (gsize) g_time_zone_new_local ());

  return (GTimeZone *) zone;
}

/**
 * inspector_log_format_time:
 * @time: wall-clock microseconds
 * @origin: wall-clock microseconds relative times count from
 *
 * Returns: (transfer full): @time as the time column shows it
 */
char *
inspector_log_format_time (gint64                   time,
                           InspectorTimestampFormat format,
                           gint64                   origin)
{
  g_autoptr(GDateTime) local = NULL;
  int ms = (int) ((time % G_USEC_PER_SEC + G_USEC_PER_SEC) % G_USEC_PER_SEC) / 1000;

  if (format == INSPECTOR_TIMESTAMP_RELATIVE)
    {
      gint64 delta = time - origin;

      /* Translators: seconds since the log began, e.g. "+12.345 s" */
      return g_strdup_printf (_("%s%lld.%03d s"), delta < 0 ? "-" : "+",
                              (long long) (ABS (delta) / G_USEC_PER_SEC), (int) (ABS (delta) % G_USEC_PER_SEC) / 1000);
    }

  local = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);
  if (local != NULL)
    {
      GDateTime *utc = local;

      local = g_date_time_to_timezone (utc, get_local_zone ());
      g_date_time_unref (utc);
    }
  if (local == NULL)
    return g_strdup ("");

  switch (format)
    {
    case INSPECTOR_TIMESTAMP_TIME:
      return g_date_time_format (local, "%H:%M:%S");

    case INSPECTOR_TIMESTAMP_ISO8601:
      {
        g_autoptr(GDateTime) precise = g_date_time_add (local, time % G_USEC_PER_SEC);

        return g_date_time_format (precise, "%Y-%m-%dT%H:%M:%S.%f%:z");
      }

    case INSPECTOR_TIMESTAMP_TIME_MS:
    case INSPECTOR_TIMESTAMP_RELATIVE:
    default:
      return g_strdup_printf ("%02d:%02d:%02d.%03d",
                              g_date_time_get_hour (local),
                              g_date_time_get_minute (local),
                              g_date_time_get_second (local),
                              ms);
    }
}

static void
inspector_log_entry_finalize (GObject *object)
{
  InspectorLogEntry *self = (InspectorLogEntry *)object;

  g_clear_pointer (&self->segment, inspector_log_segment_unref);

  G_OBJECT_CLASS (inspector_log_entry_parent_class)->finalize (object);
}

static void
inspector_log_entry_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  InspectorLogEntry *self = INSPECTOR_LOG_ENTRY (object);

  switch (prop_id)
    {
    case PROP_SEQ:
      g_value_set_uint64 (value, self->seq);
      break;

    case PROP_KIND:
      g_value_set_enum (value, self->record->kind);
      break;

    case PROP_KIND_NAME:
      g_value_set_static_string (value, inspector_log_entry_get_kind_name (self));
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->record->status);
      break;

    case PROP_TIME_LABEL:
      g_value_take_string (value, inspector_log_entry_dup_time_label (self));
      break;

    case PROP_CHANNEL:
      g_value_set_string (value, self->record->channel);
      break;

    case PROP_PEER:
      g_value_set_string (value, self->record->peer);
      break;

    case PROP_SIZE_LABEL:
      g_value_take_string (value, inspector_log_entry_dup_size_label (self));
      break;

    case PROP_PREVIEW:
      g_value_take_string (value, inspector_log_entry_dup_preview (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_entry_class_init (InspectorLogEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = inspector_log_entry_finalize;
  object_class->get_property = inspector_log_entry_get_property;

  properties[PROP_SEQ] =
    g_param_spec_uint64 ("seq", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL,
                       INSPECTOR_TYPE_LOG_KIND, INSPECTOR_LOG_KIND_MESSAGE,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_KIND_NAME] =
    g_param_spec_string ("kind-name", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       INSPECTOR_TYPE_LOG_STATUS, INSPECTOR_LOG_STATUS_NONE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TIME_LABEL] =
    g_param_spec_string ("time-label", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_CHANNEL] =
    g_param_spec_string ("channel", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_PEER] =
    g_param_spec_string ("peer", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_SIZE_LABEL] =
    g_param_spec_string ("size-label", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties[PROP_PREVIEW] =
    g_param_spec_string ("preview", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_log_entry_init (InspectorLogEntry *self)
{
}

InspectorLogEntry *
inspector_log_entry_new (InspectorLogSegment *segment,
                         guint                index,
                         guint64              seq)
{
  InspectorLogEntry *self;

  g_assert (segment != NULL);
  g_assert (index < segment->n_records);

  self = g_object_new (INSPECTOR_TYPE_LOG_ENTRY, NULL);
  self->segment = inspector_log_segment_ref (segment);
  self->record = &segment->records[index];
  self->seq = seq;

  return self;
}

void
inspector_log_entry_emit_changed (InspectorLogEntry *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PREVIEW]);
  g_object_thaw_notify (G_OBJECT (self));
}

const InspectorLogRecord *
inspector_log_entry_get_record (InspectorLogEntry *self)
{
  return self->record;
}

/* The row's identity: stable while the row exists, never reused. */
guint64
inspector_log_entry_get_seq (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), 0);

  return self->seq;
}

/* Wall-clock microseconds. */
gint64
inspector_log_entry_get_time (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), 0);

  return self->record->time;
}

InspectorLogKind
inspector_log_entry_get_kind (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), INSPECTOR_LOG_KIND_MESSAGE);

  return self->record->kind;
}

const char *
inspector_log_entry_get_kind_name (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  return inspector_log_kind_to_string (self->record->kind);
}

InspectorLogStatus
inspector_log_entry_get_status (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), INSPECTOR_LOG_STATUS_NONE);

  return self->record->status;
}

/* Microseconds from the request to its ack. */
gint64
inspector_log_entry_get_rtt (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), 0);

  return self->record->rtt;
}

const char *
inspector_log_entry_get_channel (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  return self->record->channel;
}

const char *
inspector_log_entry_get_peer (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  return self->record->peer;
}

/**
 * inspector_log_entry_get_text:
 * @len: (out): the length of the text
 *
 * JSON text: the payload of messages, directs, publishes and sends, the
 * details of everything else. It is usually part of the frame's text, so
 * it is not nul-terminated.
 *
 * Returns: (nullable): the text
 */
const char *
inspector_log_entry_get_text (InspectorLogEntry *self,
                              gsize             *len)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);
  g_return_val_if_fail (len != NULL, NULL);

  *len = self->record->size;

  return self->record->text;
}

char *
inspector_log_entry_dup_text (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  if (self->record->text == NULL)
    return NULL;

  return g_strndup (self->record->text, self->record->size);
}

gsize
inspector_log_entry_get_size (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), 0);

  return self->record->size;
}

/* The sender's peer metadata as compact JSON, if the frame carried it. */
const char *
inspector_log_entry_get_metadata (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  return self->record->metadata;
}

const char *
inspector_log_entry_get_note (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  return self->record->note;
}

/* The whole frame as it travelled, if it was recorded. */
const char *
inspector_log_entry_get_frame (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  return self->record->frame;
}

/* Whether the text is an application payload (and the size column means
 * something), as opposed to event details the inspector wrote. */
gboolean
inspector_log_entry_has_payload (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), FALSE);

  switch ((InspectorLogKind) self->record->kind)
    {
    case INSPECTOR_LOG_KIND_MESSAGE:
    case INSPECTOR_LOG_KIND_DIRECT:
    case INSPECTOR_LOG_KIND_PUBLISH:
    case INSPECTOR_LOG_KIND_SEND:
      return self->record->text != NULL;

    case INSPECTOR_LOG_KIND_PRESENCE:
    case INSPECTOR_LOG_KIND_STATE:
    case INSPECTOR_LOG_KIND_WELCOME:
    case INSPECTOR_LOG_KIND_CLOSE:
    case INSPECTOR_LOG_KIND_SERVER_ERROR:
    case INSPECTOR_LOG_KIND_GOING_AWAY:
    case INSPECTOR_LOG_KIND_TOKEN_ERROR:
    case INSPECTOR_LOG_KIND_SUBSCRIBE:
    case INSPECTOR_LOG_KIND_UNSUBSCRIBE:
    default:
      return FALSE;
    }
}

char *
inspector_log_entry_dup_time_label (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  return inspector_log_format_time (self->record->time, INSPECTOR_TIMESTAMP_TIME_MS, 0);
}

char *
inspector_log_entry_dup_size_label (InspectorLogEntry *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  if (!inspector_log_entry_has_payload (self))
    return g_strdup ("");

  if (self->record->size < 1000)
    /* Translators: a payload size in bytes, e.g. "57 B" */
    return g_strdup_printf (_("%u B"), self->record->size);

  return g_format_size (self->record->size);
}

static char *
dup_outcome (InspectorLogEntry *self)
{
  switch ((InspectorLogStatus) self->record->status)
    {
    case INSPECTOR_LOG_STATUS_PENDING:
      return g_strdup (_("waiting for ack"));

    case INSPECTOR_LOG_STATUS_ACKED:
      if (self->record->rtt < 10000)
        /* Translators: the round trip of an acknowledged request */
        return g_strdup_printf (_("acked in %.1f ms"), self->record->rtt / 1000.0);
      return g_strdup_printf (_("acked in %u ms"), self->record->rtt / 1000);

    case INSPECTOR_LOG_STATUS_FAILED:
      return g_strdup (self->record->note != NULL ? self->record->note : _("failed"));

    case INSPECTOR_LOG_STATUS_NONE:
    default:
      return NULL;
    }
}

/* One line for the preview column: the payload flattened, or the note, and
 * for the user's own requests their outcome first. */
char *
inspector_log_entry_dup_preview (InspectorLogEntry *self)
{
  g_autofree char *outcome = NULL;
  GString *preview;
  const char *source;
  const char *end;

  g_return_val_if_fail (INSPECTOR_IS_LOG_ENTRY (self), NULL);

  preview = g_string_new (NULL);
  outcome = dup_outcome (self);

  if (outcome != NULL)
    g_string_append_printf (preview, "%s · ", outcome);

  if (inspector_log_entry_has_payload (self))
    {
      source = self->record->text;
      end = source + self->record->size;
    }
  else if (self->record->note != NULL && self->record->status != INSPECTOR_LOG_STATUS_FAILED)
    {
      source = self->record->note;
      end = source + strlen (source);
    }
  else
    source = end = NULL;

  if (source != NULL)
    {
      guint n_chars = 0;
      const char *p;

      for (p = source; p < end && n_chars < PREVIEW_CHARS; p = g_utf8_next_char (p), n_chars++)
        {
          gunichar c = g_utf8_get_char (p);

          /* Pretty-printed payloads would otherwise waste the line. */
          if (c == '\n' || c == '\r' || c == '\t')
            {
              if (preview->len > 0 && preview->str[preview->len - 1] != ' ')
                g_string_append_c (preview, ' ');
              continue;
            }
          if (c == ' ' && preview->len > 0 && preview->str[preview->len - 1] == ' ')
            continue;

          g_string_append_unichar (preview, c);
        }

      if (p < end)
        g_string_append (preview, "…");
    }
  else if (outcome != NULL)
    g_string_truncate (preview, preview->len - strlen (" · "));

  return g_string_free (preview, FALSE);
}
