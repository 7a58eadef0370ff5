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

struct _InspectorLogQuery
{
  GPtrArray *kinds;     /* folded words */
  GPtrArray *channels;
  GPtrArray *peers;
  GPtrArray *words;
  GArray    *word_lens; /* gsize, of words */
  GArray    *word_anchors; /* gsize, the byte of each word memchr looks for */
};

/* Words whose matches in a row's short fields are remembered. */
#define MAX_CACHED_WORDS 64

/* What the query says of one value of a short field (kind, channel,
 * peer): these repeat on nearly every row, and are interned, so the
 * answer for the last value seen is kept by its address. */
typedef struct {
  const char *value;
  gboolean    valid;
  gboolean    allowed;   /* passes the restriction on its column */
  guint64     words;     /* bit i: word i is in the value */
} FieldMatch;

struct _InspectorLogMatchCache
{
  FieldMatch kind;
  FieldMatch channel;
  FieldMatch peer;
};

struct _InspectorLogFilter
{
  GtkFilter          parent_instance;

  char              *search;
  InspectorLogQuery *query;     /* NULL: everything matches */
};

G_DEFINE_FINAL_TYPE (InspectorLogFilter, inspector_log_filter, GTK_TYPE_FILTER)

enum {
  PROP_0,
  PROP_SEARCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guchar fold_table[256];

static void
query_clear (gpointer data)
{
  InspectorLogQuery *query = data;

  g_ptr_array_unref (query->kinds);
  g_ptr_array_unref (query->channels);
  g_ptr_array_unref (query->peers);
  g_ptr_array_unref (query->words);
  g_array_unref (query->word_lens);
  g_array_unref (query->word_anchors);
}

InspectorLogQuery *
inspector_log_query_ref (InspectorLogQuery *query)
{
  return g_rc_box_acquire (query);
}

void
inspector_log_query_unref (InspectorLogQuery *query)
{
  g_rc_box_release_full (query, query_clear);
}

/* Letters from the most to the least common in English and in JSON keys. */
static const char letter_order[] = "etaoinsrhldcumfpgwybvkxjqz";

/* The byte of @needle to look for first: JSON punctuation and digits are
 * everywhere in payloads, letters much less so, and the rarest letter of
 * the needle gives the fewest false starts ("q" of "seq", not "s"). */
static gsize
anchor_index (const char *needle,
              gsize       needle_len)
{
  gsize best = needle_len;
  gsize best_rank = 0;

  for (gsize i = 0; i < needle_len; i++)
    if (g_ascii_isalpha (needle[i]))
      {
        const char *rank = strchr (letter_order, g_ascii_tolower (needle[i]));

        if (rank != NULL && (best == needle_len || (gsize) (rank - letter_order) > best_rank))
          {
            best = i;
            best_rank = rank - letter_order;
          }
      }
  if (best < needle_len)
    return best;

  for (gsize i = 0; i < needle_len; i++)
    if (strchr ("\"{}[]:, ", needle[i]) == NULL)
      return i;

  return 0;
}

/* @needle is folded to ASCII lower case. Candidates are found with
 * memchr on one byte of the needle, once per case, which is what makes a
 * million rows quick. */
static gboolean
contains_folded_at (const char *haystack,
                    gsize       haystack_len,
                    const char *needle,
                    gsize       needle_len,
                    gsize       anchor)
{
  const char *p;
  const char *last;
  guchar lower;
  guchar upper;

  if (haystack == NULL || needle_len > haystack_len)
    return FALSE;
  if (needle_len == 0)
    return TRUE;

  lower = needle[anchor];
  upper = g_ascii_toupper (lower);
  /* Where the anchor byte of the last possible match is. */
  last = haystack + haystack_len - needle_len + anchor;

  for (p = haystack + anchor; p <= last; p++)
    {
      const char *a = memchr (p, lower, last - p + 1);
      const char *b = upper != lower ? memchr (p, upper, (a != NULL ? a : last + 1) - p) : NULL;
      const char *start;
      gsize i;

      p = b != NULL ? b : a;
      if (p == NULL)
        return FALSE;

      start = p - anchor;
      for (i = 0; i < needle_len; i++)
        if (fold_table[(guchar) start[i]] != (guchar) needle[i])
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
  gsize needle_len = strlen (needle);

  return haystack != NULL &&
         contains_folded_at (haystack, strlen (haystack), needle, needle_len, anchor_index (needle, needle_len));
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

static void
refresh_field (const InspectorLogQuery *query,
               FieldMatch              *field,
               const char              *value,
               GPtrArray               *restriction,
               gboolean                 prefix_only)
{
  field->value = value;
  field->valid = TRUE;
  field->allowed = any_contained (restriction, value, prefix_only);
  field->words = 0;
  for (guint i = 0; i < MIN (query->words->len, MAX_CACHED_WORDS); i++)
    if (contains_folded (value, g_ptr_array_index (query->words, i)))
      field->words |= G_GUINT64_CONSTANT (1) << i;
}

/* Called for every row: the usual case, the same value as the row
 * before, is a comparison. */
static inline const FieldMatch *
match_field (const InspectorLogQuery *query,
             FieldMatch              *field,
             const char              *value,
             GPtrArray               *restriction,
             gboolean                 prefix_only)
{
  if (G_UNLIKELY (!field->valid || field->value != value))
    refresh_field (query, field, value, restriction, prefix_only);

  return field;
}

/**
 * inspector_log_match_cache_new:
 *
 * Returns: (transfer full): a cache for inspector_log_query_match_cached(),
 *   for one thread and one query, valid while the strings of the records
 *   it sees are (those of one snapshot)
 */
InspectorLogMatchCache *
inspector_log_match_cache_new (void)
{
  return g_new0 (InspectorLogMatchCache, 1);
}

void
inspector_log_match_cache_free (InspectorLogMatchCache *cache)
{
  g_free (cache);
}

/**
 * inspector_log_query_match_cached:
 * @cache: (nullable): what the query said of the previous record's kind,
 *   channel and peer
 *
 * Whether @record matches: safe from any thread, for records of a
 * snapshot. With a cache, a row costs the scan of its payload and little
 * else.
 */
gboolean
inspector_log_query_match_cached (const InspectorLogQuery  *query,
                                  const InspectorLogRecord *record,
                                  InspectorLogMatchCache   *cache)
{
  InspectorLogMatchCache local = { { 0 } };
  const char *kind = inspector_log_kind_to_string (record->kind);
  const FieldMatch *kind_match;
  const FieldMatch *channel_match;
  const FieldMatch *peer_match;
  guint64 in_fields;

  if (cache == NULL)
    cache = &local;

  if (!(kind_match = match_field (query, &cache->kind, kind, query->kinds, TRUE))->allowed ||
      !(channel_match = match_field (query, &cache->channel, record->channel, query->channels, FALSE))->allowed ||
      !(peer_match = match_field (query, &cache->peer, record->peer, query->peers, FALSE))->allowed)
    return FALSE;

  in_fields = kind_match->words | channel_match->words | peer_match->words;

  for (guint i = 0; i < query->words->len; i++)
    {
      const char *word = g_ptr_array_index (query->words, i);

      if (i < MAX_CACHED_WORDS
          ? (in_fields >> i) & 1
          : (contains_folded (kind, word) || contains_folded (record->channel, word) || contains_folded (record->peer, word)))
        continue;

      if (!contains_folded_at (record->text, record->size, word,
                               g_array_index (query->word_lens, gsize, i), g_array_index (query->word_anchors, gsize, i)) &&
          !contains_folded (record->note, word))
        return FALSE;
    }

  return TRUE;
}

/**
 * inspector_log_query_match:
 *
 * Whether @record matches: safe from any thread, for records of a
 * snapshot.
 */
gboolean
inspector_log_query_match (const InspectorLogQuery  *query,
                           const InspectorLogRecord *record)
{
  return inspector_log_query_match_cached (query, record, NULL);
}

static gboolean
inspector_log_filter_match (GtkFilter *filter,
                            gpointer   item)
{
  InspectorLogFilter *self = INSPECTOR_LOG_FILTER (filter);

  return self->query == NULL || inspector_log_query_match (self->query, inspector_log_entry_get_record (item));
}

static GtkFilterMatch
inspector_log_filter_get_strictness (GtkFilter *filter)
{
  InspectorLogFilter *self = INSPECTOR_LOG_FILTER (filter);

  return self->query == NULL ? GTK_FILTER_MATCH_ALL : GTK_FILTER_MATCH_SOME;
}

static void
inspector_log_filter_finalize (GObject *object)
{
  InspectorLogFilter *self = (InspectorLogFilter *)object;

  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->query, inspector_log_query_unref);

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

  for (guint i = 0; i < G_N_ELEMENTS (fold_table); i++)
    fold_table[i] = g_ascii_tolower (i);
}

static void
inspector_log_filter_init (InspectorLogFilter *self)
{
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
  InspectorLogQuery *query;

  g_return_if_fail (INSPECTOR_IS_LOG_FILTER (self));

  if (g_strcmp0 (self->search, search) == 0)
    return;

  g_free (self->search);
  self->search = g_strdup (search);

  query = g_rc_box_new0 (InspectorLogQuery);
  query->kinds = g_ptr_array_new_with_free_func (g_free);
  query->channels = g_ptr_array_new_with_free_func (g_free);
  query->peers = g_ptr_array_new_with_free_func (g_free);
  query->words = g_ptr_array_new_with_free_func (g_free);
  query->word_lens = g_array_new (FALSE, FALSE, sizeof (gsize));
  query->word_anchors = g_array_new (FALSE, FALSE, sizeof (gsize));

  words = g_strsplit_set (search != NULL ? search : "", " \t\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      gsize len = strlen (word);
      gsize anchor;

      if (word[0] == '\0' ||
          take_prefixed (query->kinds, word, "kind:") ||
          take_prefixed (query->channels, word, "channel:") ||
          take_prefixed (query->peers, word, "peer:"))
        continue;

      g_ptr_array_add (query->words, g_ascii_strdown (word, len));
      anchor = anchor_index (g_ptr_array_index (query->words, query->words->len - 1), len);
      g_array_append_val (query->word_lens, len);
      g_array_append_val (query->word_anchors, anchor);
    }

  g_clear_pointer (&self->query, inspector_log_query_unref);
  if (query->kinds->len + query->channels->len + query->peers->len + query->words->len > 0)
    self->query = query;
  else
    inspector_log_query_unref (query);

  gtk_filter_changed (GTK_FILTER (self), GTK_FILTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

/**
 * inspector_log_filter_dup_query:
 *
 * Returns: (transfer full) (nullable): the parsed search, or %NULL when
 *   every row matches
 */
InspectorLogQuery *
inspector_log_filter_dup_query (InspectorLogFilter *self)
{
  g_return_val_if_fail (INSPECTOR_IS_LOG_FILTER (self), NULL);

  return self->query != NULL ? inspector_log_query_ref (self->query) : NULL;
}
