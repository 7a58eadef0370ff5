/* bench-util.h: clocks, percentiles and payloads for the benchmark programs
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A point in wall-clock and CPU time of this process. */
typedef struct {
  gint64 wall_us;
  gint64 cpu_us;   /* user + system */
} BenchMark;

void    bench_mark          (BenchMark       *mark);
double  bench_mark_seconds  (const BenchMark *start,
                             const BenchMark *end);
double  bench_mark_cpu      (const BenchMark *start,
                             const BenchMark *end);
/* Peak resident set size of this process so far. */
long    bench_max_rss_kb    (void);

/* The @fraction percentile of @values (gint64), which get sorted; 0 when
 * empty. */
double  bench_percentile    (GArray          *values,
                             double           fraction);

/* {"seq":0,"pad":"xx…"} of @size bytes (more when @size is tiny). */
char   *bench_make_payload  (gsize            size);

/* Raises the descriptor limit to the hard limit; returns the new soft one. */
guint64 bench_raise_fd_limit (void);

/* The resident set of process @pid in KiB, from /proc; -1 if unknown. */
gint64  bench_process_rss_kb (int             pid);
/* CPU seconds process @pid (all its threads) used so far; -1 if unknown. */
double  bench_process_cpu    (int             pid);

G_END_DECLS
