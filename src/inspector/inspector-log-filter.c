/* inspector-log-filter.c: the message log's search
 *
 * A query is a list of words. `kind:`, `channel:` and `peer:` words
 * restrict that column (several words for the same column are
 * alternatives); any other word must appear somewhere in the row: kind,
 * channel, peer, payload or note. Matching ignores ASCII case.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-log-filter"

#include <string.h>

#include "inspector-log-entry.h"
#include "inspector-log-filter.h"

struct _InspectorLogFilter
{
  GtkFilter  parent_instance;

  char      *search;
  GPtrArray *kinds;     /* folded words */
  GPtrArray *channels;
  GPtrArray *peers;
  GPtrArray *words;
};

G_DEFINE_FINAL_TYPE (InspectorLogFilter, inspector_log_filter, GTK_TYPE_FILTER)

enum {
  PROP_0,
  PROP_SEARCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* @needle is already folded to ASCII lower case. */
static gboolean
contains_folded_len (const char *haystack,
                     gsize       haystack_len,
                     const char *needle)
{
  gsize needle_len = strlen (needle);

  if (haystack == NULL || needle_len > haystack_len)
    return FALSE;

  for (gsize start = 0; start <= haystack_len - needle_len; start++)
    {
      gsize i;

      if (g_ascii_tolower (haystack[start]) != needle[0])
        continue;

      for (i = 1; i < needle_len; i++)
        if (g_ascii_tolower (haystack[start + i]) != needle[i])
          break;

      if (i == needle_len)
        return TRUE;
    }

  return FALSE;
}

static gboolean
contains_folded (const char *haystack,
                 const char *needle)
{
  return haystack != NULL && contains_folded_len (haystack, strlen (haystack), needle);
}

static gboolean
any_contained (GPtrArray  *needles,
               const char *haystack,
               gboolean    prefix_only)
{
  if (needles->len == 0)
    return TRUE;

  for (guint i = 0; i < needles->len; i++)
    {
      const char *needle = g_ptr_array_index (needles, i);

      if (prefix_only ? (haystack != NULL && g_ascii_strncasecmp (haystack, needle, strlen (needle)) == 0)
                      : contains_folded (haystack, needle))
        return TRUE;
    }

  return FALSE;
}

static gboolean
inspector_log_filter_match (GtkFilter *filter,
                            gpointer   item)
{
  InspectorLogFilter *self = INSPECTOR_LOG_FILTER (filter);
  InspectorLogEntry *entry = item;
  const char *kind = inspector_log_entry_get_kind_name (entry);
  const char *channel = inspector_log_entry_get_channel (entry);
  const char *peer = inspector_log_entry_get_peer (entry);
  const char *text;
  gsize text_len;

  if (!any_contained (self->kinds, kind, TRUE) ||
      !any_contained (self->channels, channel, FALSE) ||
      !any_contained (self->peers, peer, FALSE))
    return FALSE;

  text = inspector_log_entry_get_text (entry, &text_len);

  for (guint i = 0; i < self->words->len; i++)
    {
      const char *word = g_ptr_array_index (self->words, i);

      if (!contains_folded (kind, word) &&
          !contains_folded (channel, word) &&
          !contains_folded (peer, word) &&
          !contains_folded_len (text, text_len, word) &&
          !contains_folded (inspector_log_entry_get_note (entry), word))
        return FALSE;
    }

  return TRUE;
}

static GtkFilterMatch
inspector_log_filter_get_strictness (GtkFilter *filter)
{
  InspectorLogFilter *self = INSPECTOR_LOG_FILTER (filter);

  if (self->kinds->len == 0 && self->channels->len == 0 &&
      self->peers->len == 0 && self->words->len == 0)
    return GTK_FILTER_MATCH_ALL;

  return GTK_FILTER_MATCH_SOME;
}

static void
inspector_log_filter_finalize (GObject *object)
{
  InspectorLogFilter *self = (InspectorLogFilter *)object;

  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->kinds, g_ptr_array_unref);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->peers, g_ptr_array_unref);
  g_clear_pointer (&self->words, g_ptr_array_unref);

  G_OBJECT_CLASS (inspector_log_filter_parent_class)->finalize (object);
}

static void
inspector_log_filter_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  InspectorLogFilter *self = INSPECTOR_LOG_FILTER (object);

  switch (prop_id)
    {
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_filter_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  InspectorLogFilter *self = INSPECTOR_LOG_FILTER (object);

  switch (prop_id)
    {
    case PROP_SEARCH:
      inspector_log_filter_set_search (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
inspector_log_filter_class_init (InspectorLogFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkFilterClass *filter_class = GTK_FILTER_CLASS (klass);

  object_class->finalize = inspector_log_filter_finalize;
  object_class->get_property = inspector_log_filter_get_property;
  object_class->set_property = inspector_log_filter_set_property;

  filter_class->match = inspector_log_filter_match;
  filter_class->get_strictness = inspector_log_filter_get_strictness;

  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
inspector_log_filter_init (InspectorLogFilter *self)
{
  self->kinds = g_ptr_array_new_with_free_func (g_free);
  self->channels = g_ptr_array_new_with_free_func (g_free);
  self->peers = g_ptr_array_new_with_free_func (g_free);
  self->words = g_ptr_array_new_with_free_func (g_free);
}

InspectorLogFilter *
inspector_log_filter_new (void)
{
  return g_object_new (INSPECTOR_TYPE_LOG_FILTER, NULL);
}

const char *
inspector_log_filter_get_search (InspectorLogFilter *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER (self), NULL);

  return self->search;
}

static gboolean
take_prefixed (GPtrArray  *array,
               const char *word,
               const char *prefix)
{
  gsize len = strlen (prefix);

  if (g_ascii_strncasecmp (word, prefix, len) != 0)
    return FALSE;

  /* "channel:" alone is a word being typed: it restricts nothing yet. */
  if (word[len] != '\0')
    g_ptr_array_add (array, g_ascii_strdown (word + len, -1));

  return TRUE;
}

void
inspector_log_filter_set_search (InspectorLogFilter *self,
                                 const char         *search)
{
  g_auto(GStrv) words = NULL;

  g_return_if_fail (INSPECTOR_IS_LOG_FILTER (self));

  if (g_strcmp0 (self->search, search) == 0)
    return;

  g_free (self->search);
  self->search = g_strdup (search);

  g_ptr_array_set_size (self->kinds, 0);
  g_ptr_array_set_size (self->channels, 0);
  g_ptr_array_set_size (self->peers, 0);
  g_ptr_array_set_size (self->words, 0);

  words = g_strsplit_set (search != NULL ? search : "", " \t\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];

      if (word[0] == '\0' ||
          take_prefixed (self->kinds, word, "kind:") ||
          take_prefixed (self->channels, word, "channel:") ||
          take_prefixed (self->peers, word, "peer:"))
        continue;

      g_ptr_array_add (self->words, g_ascii_strdown (word, -1));
    }

  gtk_filter_changed (GTK_FILTER (self), GTK_FILTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}
