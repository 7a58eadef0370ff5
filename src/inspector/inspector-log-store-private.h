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
} InspectorLogSegment;

InspectorLogSegment *inspector_log_segment_ref   (InspectorLogSegment *segment);
void                 inspector_log_segment_unref (InspectorLogSegment *segment);

InspectorLogEntry   *inspector_log_entry_new     (InspectorLogSegment *segment,
                                                  guint                index,
                                                  guint64              seq);
/* The record changed under the entry: tell its bindings. */
void                 inspector_log_entry_emit_changed (InspectorLogEntry *self);

G_END_DECLS
