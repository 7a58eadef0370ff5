/* reliability-util.h: the devserver as a real process, and memory figures
 *
 * The reliability tests kill, stop and restart the metered-devserver
 * binary, drive it through --test-hooks on its stdin, and watch resident
 * memory. Waiting uses test_wait_for() from the client tests' fixtures:
 * conditions, never bare sleeps.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "client-test-util.h"

G_BEGIN_DECLS

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *err;        /* a copy of everything on stderr */
  char             *url;        /* from the listening line */
  guint             port;
  gboolean          exited;
} RelServer;

/* Starts DEVSERVER_PATH with @args (NULL-terminated, nullable) plus
 * --test-hooks, waits for its listening line and parses the URL from it.
 * @messages_debug (nullable) becomes its G_MESSAGES_DEBUG. */
RelServer *rel_server_start      (const char * const *args,
                                  const char         *messages_debug);
/* Like rel_server_start() on a given port; retries while the port is
 * still held (a killed server's sockets), for at most @seconds. */
RelServer *rel_server_start_port (guint               port,
                                  const char * const *args,
                                  double              seconds);
/* Writes one hook line and returns the answer line. */
char      *rel_server_hook       (RelServer          *server,
                                  const char         *line);
/* The `affected` count of a hook answer (asserted present). */
guint      rel_server_hook_affected (RelServer       *server,
                                     const char      *line);
/* Sends @signum at once (SIGKILL, SIGSTOP, SIGCONT). */
void       rel_server_signal     (RelServer          *server,
                                  int                 signum);
/* Waits for the process to end (asserted within @seconds). */
void       rel_server_wait_exit  (RelServer          *server,
                                  double              seconds);
GPid       rel_server_get_pid    (RelServer          *server);
char      *rel_server_dup_stderr (RelServer          *server);
void       rel_server_free       (RelServer          *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RelServer, rel_server_free)

/* Resident set size in KiB of @pid (0: this process), from /proc. */
gsize      rel_rss_kib           (GPid                pid);

/* An unsigned number from the environment, or @fallback when unset. */
guint64    rel_env_number        (const char         *name,
                                  guint64             fallback);

/* Spawns @argv and collects its stdout and stderr, iterating the default
 * main context meanwhile (an in-process server keeps serving). Returns
 * the exit status (asserted normal exit within @seconds). */
int        rel_run_command       (const char * const *argv,
                                  const char * const *envp_extra,
                                  double              seconds,
                                  char              **out,
                                  char              **err);

/* A client of @url with the development publishable key, short reconnect
 * delays (50 ms doubling to 200 ms, no jitter) and the given timers in
 * seconds (0 inactivity disables the watchdog); initialized, not
 * connected. */
MeteredClient *rel_client_new    (const char         *url,
                                  double              inactivity_timeout,
                                  double              ack_timeout,
                                  double              welcome_timeout);

/* A GSpawnChildSetupFunc: the child dies with the test process. */
void       rel_child_setup       (gpointer            data);

/* test_init() (g_test_init and the log guard for the development
 * credentials), and SIGPIPE ignored: a killed server's pipes must not
 * kill the test. */
void       rel_init              (int                *argc,
                                  char             ***argv);

G_END_DECLS
