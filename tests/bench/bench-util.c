/* bench-util.c: clocks, percentiles and payloads for the benchmark programs
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "bench-util"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench-util.h"

static gint64
timeval_us (const struct timeval *tv)
{
  return tv->tv_sec * G_USEC_PER_SEC + tv->tv_usec;
}

void
bench_mark (BenchMark *mark)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  mark->cpu_us = timeval_us (&usage.ru_utime) + timeval_us (&usage.ru_stime);
  mark->wall_us = g_get_monotonic_time ();
}

double
bench_mark_seconds (const BenchMark *start,
                    const BenchMark *end)
{
  return MAX (end->wall_us - start->wall_us, 1) / (double)G_USEC_PER_SEC;
}

double
bench_mark_cpu (const BenchMark *start,
                const BenchMark *end)
{
  return (end->cpu_us - start->cpu_us) / (double)G_USEC_PER_SEC;
}

long
bench_max_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

double
bench_percentile (GArray *values,
                  double  fraction)
{
  gsize index;

  if (values->len == 0)
    return 0;

  qsort (values->data, values->len, sizeof (gint64), compare_gint64);
  index = (gsize)(fraction * (values->len - 1) + 0.5);

  return g_array_index (values, gint64, MIN (index, values->len - 1));
}

char *
bench_make_payload (gsize size)
{
  /* {"seq":0,"pad":""} */
  const gsize overhead = 18;
  g_autofree char *pad = g_strnfill (size > overhead ? size - overhead : 0, 'x');

  return g_strdup_printf ("{\"seq\":0,\"pad\":\"%s\"}", pad);
}

guint64
bench_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return 0;

  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      getrlimit (RLIMIT_NOFILE, &limit);
    }

  return limit.rlim_cur;
}

gint64
bench_process_rss_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;

  line = strstr (contents, "\nVmRSS:");
  if (line == NULL)
    return -1;

  return g_ascii_strtoll (line + strlen ("\nVmRSS:"), NULL, 10);
}

double
bench_process_cpu (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/schedstat", pid);
  g_autofree char *contents = NULL;

  /* The first field is the time spent on a CPU, in nanoseconds: finer
   * than the clock ticks of /proc/PID/stat. */
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;

  return g_ascii_strtoull (contents, NULL, 10) / 1e9;
}
