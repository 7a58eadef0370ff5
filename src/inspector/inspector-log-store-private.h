/* inspector-log-store-private.h: the compact rows shared by the store and its items
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "inspector-log-entry.h"
#include "inspector-log-store.h"

G_BEGIN_DECLS

/* Rows live in fixed-size segments, so that retention drops whole segments
 * and an item object can keep its segment alive by reference instead of
 * copying the payload. */
#define INSPECTOR_LOG_SEGMENT_SIZE 4096

typedef struct {
  gint64       time;       /* wall clock, microseconds */
  guint8       kind;       /* InspectorLogKind */
  guint8       status;     /* InspectorLogStatus */
  guint32      size;       /* bytes of text */
  guint32      rtt;        /* round trip in microseconds, for acked rows */
  guint32      bytes;      /* what the row costs, counted against max-bytes */
  const char  *channel;    /* interned, nullable */
  const char  *peer;       /* interned, nullable */
  const char  *text;       /* payload JSON or details, nullable, not nul-terminated */
  const char  *metadata;   /* interned compact JSON, nullable */
  const char  *note;       /* a human-readable remark, nullable */
  const char  *frame;      /* the frame as JSON text, nullable; may contain text */
} InspectorLogRecord;

/* Channel names, peer ids and sender metadata repeat endlessly: they are
 * stored once per store generation, in a chunk every segment references
 * (a GRcBox holding a GStringChunk *). */
typedef GStringChunk *InspectorLogInterned;

/* A GRcBox. */
typedef struct {
  InspectorLogInterned *interned;
  GStringChunk         *text;
  guint                 n_records;
  InspectorLogRecord    records[INSPECTOR_LOG_SEGMENT_SIZE];
  /* How many rows back the previous message on the record's channel is,
   * 0 for none; apart from the records, which keeps them 72 bytes. */
  guint32               previous[INSPECTOR_LOG_SEGMENT_SIZE];
} InspectorLogSegment;

InspectorLogSegment *inspector_log_segment_ref   (InspectorLogSegment *segment);
void                 inspector_log_segment_unref (InspectorLogSegment *segment);

InspectorLogEntry   *inspector_log_entry_new     (InspectorLogSegment *segment,
                                                  guint                index,
                                                  guint64              seq);
/* The record changed under the entry: tell its bindings. */
void                 inspector_log_entry_emit_changed (InspectorLogEntry *self);
const InspectorLogRecord *inspector_log_entry_get_record (InspectorLogEntry *self);

/* Appends a row as it was recorded elsewhere (an imported log). */
guint64              inspector_log_store_append_at    (InspectorLogStore  *self,
                                                       gint64              time,
                                                       InspectorLogKind    kind,
                                                       InspectorLogStatus  status,
                                                       gint64              rtt_us,
                                                       const char         *channel,
                                                       const char         *peer,
                                                       const char         *text,
                                                       gssize              text_len,
                                                       const char         *metadata,
                                                       const char         *note,
                                                       const char         *frame);

/* The shown rows at one moment, readable from any thread: segments are
 * append-only and their strings never move, so holding the segments is
 * enough. Rows appended later are not part of it. */
typedef struct {
  GPtrArray *segments;   /* InspectorLogSegment, refs */
  guint64    base_seq;   /* seq of segments[0]->records[0] */
  guint64    first_seq;  /* first row of the snapshot */
  guint64    end_seq;    /* one past the last row */
} InspectorLogSnapshot;

/* The record of a shown row, or NULL. */
const InspectorLogRecord *inspector_log_store_lookup    (InspectorLogStore          *self,
                                                         guint64                     seq);
/* The seq of the first shown row, and one past the last. */
guint64                   inspector_log_store_get_first_seq   (InspectorLogStore    *self);
guint64                   inspector_log_store_get_visible_end (InspectorLogStore    *self);

InspectorLogSnapshot     *inspector_log_store_snapshot  (InspectorLogStore          *self);
const InspectorLogRecord *inspector_log_snapshot_lookup (const InspectorLogSnapshot *snapshot,
                                                         guint64                     seq);
void                      inspector_log_snapshot_free   (InspectorLogSnapshot       *snapshot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (InspectorLogSnapshot, inspector_log_snapshot_free)

G_END_DECLS
