/* inspector-diff.c: a line diff of two texts
 *
 * Myers' O(ND) algorithm ("An O(ND) Difference Algorithm and Its
 * Variations", 1986) over line ids, after the common head and tail are
 * taken off: consecutive messages of a channel are mostly the same, so
 * what remains is small.
 *
 * Payloads are outside input, so the search is bounded: at most
 * %MAX_EDITS edits, and fewer for long texts so that lines × edits stays
 * under %WORK_BUDGET (a few tens of milliseconds). Past that the middle is
 * shown as removed and then added, and inspector_diff_is_minimal() says
 * so. Memory is linear in the text plus the edits squared.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "inspector-diff"

#include <string.h>

#include "inspector-diff.h"

#define MAX_EDITS   1000
#define WORK_BUDGET 20000000

typedef struct {
  guint8 op;     /* InspectorDiffOp */
  guint  line;   /* in the old text for SAME and REMOVED, the new one for ADDED */
} Entry;

struct _InspectorDiff
{
  char      *old_copy;
  char      *new_copy;
  GPtrArray *old_lines;   /* borrowed from old_copy */
  GPtrArray *new_lines;
  GArray    *entries;
  guint      n_added;
  guint      n_removed;
  gboolean   minimal;
};

/* Lines end at '\n', which is replaced by a nul; a final newline does not
 * start another line. */
static GPtrArray *
split_lines (char *text)
{
  GPtrArray *lines = g_ptr_array_new ();
  char *p = text;

  while (*p != '\0')
    {
      char *newline = strchr (p, '\n');

      g_ptr_array_add (lines, p);
      if (newline == NULL)
        break;
      *newline = '\0';
      p = newline + 1;
    }

  return lines;
}

static guint *
line_ids (GPtrArray  *lines,
          GHashTable *ids)
{
  guint *out = g_new (guint, MAX (lines->len, 1));

  for (guint i = 0; i < lines->len; i++)
    {
      gpointer id = g_hash_table_lookup (ids, lines->pdata[i]);

      if (id == NULL)
        {
          id = GUINT_TO_POINTER (g_hash_table_size (ids) + 1);
          g_hash_table_insert (ids, lines->pdata[i], id);
        }
      out[i] = GPOINTER_TO_UINT (id);
    }

  return out;
}

static void
push (GArray          *script,
      InspectorDiffOp  op,
      guint            line)
{
  Entry entry = { (guint8) op, line };

  g_array_append_val (script, entry);
}

/* Appends the edit script of a → b to @script, last line first, with
 * indices offset by @base; FALSE if it takes more than @max_d edits. */
static gboolean
myers (const guint *a,
       gint         n,
       const guint *b,
       gint         m,
       gint         max_d,
       guint        base,
       GArray      *script)
{
  gint offset = max_d + 1;
  g_autofree gint *v = g_new0 (gint, 2 * (gsize) max_d + 3);
  g_autoptr(GArray) trace = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean found = FALSE;
  gint d, x, y;

  for (d = 0; d <= max_d && !found; d++)
    {
      guint start = trace->len;

      /* What step d builds on: v[-(d-1) … d-1]. */
      g_array_append_val (starts, start);
      if (d > 0)
        g_array_append_vals (trace, &v[offset - (d - 1)], 2 * (guint) d - 1);

      for (gint k = -d; k <= d; k += 2)
        {
          if (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]))
            x = v[offset + k + 1];
          else
            x = v[offset + k - 1] + 1;
          y = x - k;

          while (x < n && y < m && a[x] == b[y])
            x++, y++;

          v[offset + k] = x;
          if (x >= n && y >= m)
            {
              found = TRUE;
              break;
            }
        }
    }

  if (!found)
    return FALSE;

  x = n;
  y = m;
  for (d = d - 1; d > 0; d--)
    {
      const gint *vd = &g_array_index (trace, gint, g_array_index (starts, guint, d)) + (d - 1);
      gint k = x - y;
      gint prev_k, prev_x, prev_y;

      g_assert (k >= -d && k <= d);

      if (k == -d || (k != d && vd[k - 1] < vd[k + 1]))
        prev_k = k + 1;
      else
        prev_k = k - 1;
      prev_x = vd[prev_k];
      prev_y = prev_x - prev_k;

      for (; x > prev_x && y > prev_y; x--, y--)
        push (script, INSPECTOR_DIFF_SAME, base + (guint) x - 1);

      if (x == prev_x)
        push (script, INSPECTOR_DIFF_ADDED, base + (guint) prev_y);
      else
        push (script, INSPECTOR_DIFF_REMOVED, base + (guint) prev_x);

      x = prev_x;
      y = prev_y;
    }

  for (; x > 0 && y > 0; x--, y--)
    push (script, INSPECTOR_DIFF_SAME, base + (guint) x - 1);

  return TRUE;
}

/**
 * inspector_diff_new:
 * @old_text: the earlier text
 * @new_text: the later one
 *
 * Returns: (transfer full): the lines of both, each marked as in both,
 *   removed or added, in an order that reads as the old text turned into
 *   the new one
 */
InspectorDiff *
inspector_diff_new (const char *old_text,
                    const char *new_text)
{
  InspectorDiff *self;
  g_autoptr(GHashTable) ids = NULL;
  g_autofree guint *a = NULL;
  g_autofree guint *b = NULL;
  g_autoptr(GArray) middle = NULL;
  guint n, m, head = 0, tail = 0;
  gint max_d;

  g_return_val_if_fail (old_text != NULL, NULL);
  g_return_val_if_fail (new_text != NULL, NULL);

  self = g_new0 (InspectorDiff, 1);
  self->old_copy = g_strdup (old_text);
  self->new_copy = g_strdup (new_text);
  self->old_lines = split_lines (self->old_copy);
  self->new_lines = split_lines (self->new_copy);
  self->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  self->minimal = TRUE;

  ids = g_hash_table_new (g_str_hash, g_str_equal);
  a = line_ids (self->old_lines, ids);
  b = line_ids (self->new_lines, ids);
  n = self->old_lines->len;
  m = self->new_lines->len;

  while (head < n && head < m && a[head] == b[head])
    head++;
  while (tail < n - head && tail < m - head && a[n - 1 - tail] == b[m - 1 - tail])
    tail++;

  for (guint i = 0; i < head; i++)
    push (self->entries, INSPECTOR_DIFF_SAME, i);

  middle = g_array_new (FALSE, FALSE, sizeof (Entry));
  max_d = (gint) MIN ((guint64) MAX_EDITS, WORK_BUDGET / ((guint64) n + m + 1));

  if (!myers (a + head, (gint) (n - head - tail), b + head, (gint) (m - head - tail), max_d, head, middle))
    {
      self->minimal = FALSE;
      g_array_set_size (middle, 0);

      /* Reversed, like myers() writes it. */
      for (guint i = m - tail; i > head; i--)
        push (middle, INSPECTOR_DIFF_ADDED, i - 1);
      for (guint i = n - tail; i > head; i--)
        push (middle, INSPECTOR_DIFF_REMOVED, i - 1);
    }

  for (guint i = middle->len; i > 0; i--)
    {
      Entry entry = g_array_index (middle, Entry, i - 1);

      g_array_append_val (self->entries, entry);
      if (entry.op == INSPECTOR_DIFF_ADDED)
        self->n_added++;
      else if (entry.op == INSPECTOR_DIFF_REMOVED)
        self->n_removed++;
    }

  for (guint i = n - tail; i < n; i++)
    push (self->entries, INSPECTOR_DIFF_SAME, i);

  return self;
}

void
inspector_diff_free (InspectorDiff *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->old_lines);
  g_ptr_array_unref (self->new_lines);
  g_array_unref (self->entries);
  g_free (self->old_copy);
  g_free (self->new_copy);
  g_free (self);
}

guint
inspector_diff_get_n_lines (InspectorDiff *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entries->len;
}

/**
 * inspector_diff_get_line:
 * @text: (out) (transfer none): the line, without its newline
 */
InspectorDiffOp
inspector_diff_get_line (InspectorDiff  *self,
                         guint           i,
                         const char    **text)
{
  const Entry *entry;

  g_return_val_if_fail (self != NULL, INSPECTOR_DIFF_SAME);
  g_return_val_if_fail (i < self->entries->len, INSPECTOR_DIFF_SAME);
  g_return_val_if_fail (text != NULL, INSPECTOR_DIFF_SAME);

  entry = &g_array_index (self->entries, Entry, i);
  *text = entry->op == INSPECTOR_DIFF_ADDED ? self->new_lines->pdata[entry->line]
                                            : self->old_lines->pdata[entry->line];

  return entry->op;
}

guint
inspector_diff_get_n_added (InspectorDiff *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_added;
}

guint
inspector_diff_get_n_removed (InspectorDiff *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_removed;
}

/**
 * inspector_diff_is_minimal:
 *
 * Returns: %FALSE if the texts differed too much for the bounded search,
 *   and the differing middle is shown as all removed, then all added
 */
gboolean
inspector_diff_is_minimal (InspectorDiff *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->minimal;
}

/**
 * inspector_diff_to_string:
 *
 * Returns: (transfer full): every line prefixed with `  `, `- ` or `+ `,
 *   each ending in a newline
 */
char *
inspector_diff_to_string (InspectorDiff *self)
{
  static const char * const prefixes[] = { "  ", "- ", "+ " };
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < self->entries->len; i++)
    {
      const char *text;
      InspectorDiffOp op = inspector_diff_get_line (self, i, &text);

      g_string_append (out, prefixes[op]);
      g_string_append (out, text);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}
