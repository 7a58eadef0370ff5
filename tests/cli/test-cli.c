/* test-cli.c: the metered command-line tool, driven as a user drives it
 *
 * Every test runs the real `metered` binary against a real
 * metered-devserver (port 0, a configuration with known keys, test hooks
 * on its stdin): a subscriber in one process, publishers and senders in
 * others, and the subscriber's stdout parsed line by line and compared
 * with the expected JSON exactly. Everything any `metered` run prints, on
 * stdout or stderr, is checked for the credentials it was given.
 *
 * SPDX-License-Identifier: MIT
 */

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

/* Generous: nothing here takes more than a few milliseconds unless broken. */
#define TIMEOUT_MS 10000

#define API_KEY     "pk_live_cli_test_key_4f1e"
#define REVOKED_KEY "pk_live_cli_revoked_key_9a2b"
#define SECRET_ID   "sk_id_cli"
#define SECRET      "sk_secret_cli_signing_7c3d"

static const char config_json[] =
  "{\n"
  "  \"publishableKeys\": [\n"
  "    { \"key\": \"" API_KEY "\" },\n"
  "    { \"key\": \"" REVOKED_KEY "\", \"revoked\": true }\n"
  "  ],\n"
  "  \"secretKeys\": [ { \"id\": \"" SECRET_ID "\", \"secret\": \"" SECRET "\" } ]\n"
  "}\n";

typedef struct {
  char             *tmpdir;
  GSubprocess      *server;
  GDataInputStream *server_out;
  GOutputStream    *server_in;
  char             *url;
  /* Strings no `metered` run may print: keys, secrets, tokens. */
  GPtrArray        *secrets;
} Fixture;

typedef struct {
  GSubprocess      *process;
  GDataInputStream *out;
  char             *err_path;
} Cli;

/* A test that fails aborts: its servers and subscribers must not outlive it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return launcher;
}

/* Main-loop helpers */

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
cancel_on_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until *@slot is set or @cancellable is cancelled by
 * the timeout; returns FALSE on timeout. */
static gboolean
wait_result (GAsyncResult **slot,
             GCancellable  *cancellable)
{
  guint timeout = g_timeout_add (TIMEOUT_MS, cancel_on_timeout, cancellable);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;

  g_source_remove (timeout);
  return TRUE;
}

static char *
read_line (GDataInputStream *stream)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, cancellable, store_result, &result);
  if (!wait_result (&result, cancellable))
    g_error ("no line within %d ms", TIMEOUT_MS);

  line = g_data_input_stream_read_line_finish_utf8 (stream, result, NULL, &error);
  g_assert_no_error (error);
  return line;
}

/* Fixture: one devserver per test */

static void
check_no_secrets (Fixture    *fixture,
                  const char *text)
{
  for (guint i = 0; i < fixture->secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (fixture->secrets, i);

      if (strstr (text, secret) != NULL)
        g_error ("a credential was printed:\n%s", text);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *line = NULL;
  const char *prefix = "metered-devserver listening on ";

  fixture->tmpdir = g_dir_make_tmp ("test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  config_path = g_build_filename (fixture->tmpdir, "config.json", NULL);
  g_file_set_contents (config_path, config_json, -1, &error);
  g_assert_no_error (error);

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                           G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  fixture->server = g_subprocess_launcher_spawn (launcher, &error, DEVSERVER_PATH,
                                                 "--port", "0", "--config", config_path,
                                                 "--test-hooks", NULL);
  g_assert_no_error (error);
  fixture->server_in = g_object_ref (g_subprocess_get_stdin_pipe (fixture->server));
  fixture->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->server));

  line = read_line (fixture->server_out);
  g_assert_true (g_str_has_prefix (line, prefix));
  fixture->url = g_strdup (line + strlen (prefix));

  fixture->secrets = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (fixture->secrets, g_strdup (API_KEY));
  g_ptr_array_add (fixture->secrets, g_strdup (REVOKED_KEY));
  g_ptr_array_add (fixture->secrets, g_strdup (SECRET));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *config_path = g_build_filename (fixture->tmpdir, "config.json", NULL);

  g_subprocess_send_signal (fixture->server, SIGTERM);
  g_subprocess_wait_async (fixture->server, cancellable, store_result, &result);
  if (!wait_result (&result, cancellable))
    {
      g_subprocess_force_exit (fixture->server);
      g_error ("the devserver did not stop");
    }

  g_unlink (config_path);
  g_rmdir (fixture->tmpdir);
  g_clear_pointer (&fixture->tmpdir, g_free);
  g_clear_pointer (&fixture->url, g_free);
  g_clear_pointer (&fixture->secrets, g_ptr_array_unref);
  g_clear_object (&fixture->server_in);
  g_clear_object (&fixture->server_out);
  g_clear_object (&fixture->server);
}

/* Sends one --test-hooks line to the server and returns its answer. */
static char *
hook (Fixture    *fixture,
      const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strconcat (line, "\n", NULL);

  g_output_stream_write_all (fixture->server_in, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);

  return read_line (fixture->server_out);
}

/* Running `metered` */

/* The test's environment without any METERED_ variable, plus @env
 * ("NAME=VALUE" entries; NULL-terminated, nullable). */
static char **
make_environ (const char * const *env)
{
  char **environ_ = g_get_environ ();

  environ_ = g_environ_unsetenv (environ_, "METERED_URL");
  environ_ = g_environ_unsetenv (environ_, "METERED_API_KEY");
  environ_ = g_environ_unsetenv (environ_, "METERED_TOKEN");
  environ_ = g_environ_unsetenv (environ_, "METERED_SECRET");

  for (gsize i = 0; env != NULL && env[i] != NULL; i++)
    {
      const char *equals = strchr (env[i], '=');
      g_autofree char *name = g_strndup (env[i], equals - env[i]);

      environ_ = g_environ_setenv (environ_, name, equals + 1, TRUE);
    }

  return environ_;
}

static GPtrArray *
make_argv (const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) METERED_PATH);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  return argv;
}

/* The command line for the test log, credentials left out.
 * Returns: (transfer none): valid until the next call */
static const char *
describe_args (Fixture            *fixture,
               const char * const *args)
{
  static char *text;
  g_autoptr(GString) line = g_string_new (NULL);

  for (gsize i = 0; args[i] != NULL; i++)
    g_string_append_printf (line, "%s%s", i > 0 ? " " : "", args[i]);
  for (guint i = 0; i < fixture->secrets->len; i++)
    g_string_replace (line, g_ptr_array_index (fixture->secrets, i), "[secret]", 0);

  g_free (text);
  text = g_string_free (g_steal_pointer (&line), FALSE);
  return text;
}

static int
exit_status (GSubprocess *process)
{
  if (!g_subprocess_get_if_exited (process))
    g_error ("metered was killed by signal %d", g_subprocess_get_term_sig (process));

  return g_subprocess_get_exit_status (process);
}

/* Runs `metered ARGS…` to its end with @input on stdin (nullable) and
 * returns its exit status; @out and @err get what it printed. */
static int
run (Fixture            *fixture,
     const char * const *env,
     const char         *input,
     const char * const *args,
     char              **out,
     char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) argv = make_argv (args);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) environ_ = make_environ (env);
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                           G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, environ_);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, input != NULL ? input : "", cancellable, store_result, &result);
  if (!wait_result (&result, cancellable))
    {
      g_subprocess_force_exit (process);
      g_error ("metered %s did not finish within %d ms", describe_args (fixture, args), TIMEOUT_MS);
    }

  g_subprocess_communicate_utf8_finish (process, result, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);

  g_test_message ("metered %s: stdout:\n%sstderr:\n%s", describe_args (fixture, args), stdout_text, stderr_text);
  check_no_secrets (fixture, stdout_text);
  check_no_secrets (fixture, stderr_text);

  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  return exit_status (process);
}

/* Starts `metered ARGS…` in the background; its stdout is read line by
 * line with cli_expect(), its stderr collected in a file. */
static Cli *
cli_spawn (Fixture            *fixture,
           const char * const *env,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = make_argv (args);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) environ_ = make_environ (env);
  g_autofree char *name = g_strdup_printf ("stderr-%u", g_random_int ());
  Cli *cli = g_new0 (Cli, 1);

  cli->err_path = g_build_filename (fixture->tmpdir, name, NULL);
  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_environ (launcher, environ_);
  g_subprocess_launcher_set_stderr_file_path (launcher, cli->err_path);
  cli->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  cli->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli->process));

  return cli;
}

static void
cli_free (Cli *cli)
{
  g_unlink (cli->err_path);
  g_free (cli->err_path);
  g_clear_object (&cli->out);
  g_clear_object (&cli->process);
  g_free (cli);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cli, cli_free)

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  if (node == NULL)
    g_error ("not JSON: %s: %s", text, error != NULL ? error->message : "empty");

  return node;
}

static gboolean json_matches (JsonNode *actual,
                              JsonNode *expected);

/* Presence rosters come in no particular order. */
static gboolean
array_matches_unordered (JsonArray *actual,
                         JsonArray *expected)
{
  guint n = json_array_get_length (expected);
  g_autofree gboolean *used = g_new0 (gboolean, n);

  if (json_array_get_length (actual) != n)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < n && !found; j++)
        {
          if (!used[j] && json_matches (json_array_get_element (actual, j), json_array_get_element (expected, i)))
            used[j] = found = TRUE;
        }
      if (!found)
        return FALSE;
    }

  return TRUE;
}

static gboolean
object_matches (JsonObject *actual,
                JsonObject *expected)
{
  g_autoptr(GList) members = json_object_get_members (expected);

  if (json_object_get_size (actual) != json_object_get_size (expected))
    return FALSE;

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *actual_member = json_object_get_member (actual, name);
      JsonNode *expected_member = json_object_get_member (expected, name);

      if (actual_member == NULL)
        return FALSE;

      if ((g_str_equal (name, "joined") || g_str_equal (name, "left")) &&
          JSON_NODE_HOLDS_ARRAY (actual_member) && JSON_NODE_HOLDS_ARRAY (expected_member))
        {
          if (!array_matches_unordered (json_node_get_array (actual_member), json_node_get_array (expected_member)))
            return FALSE;
        }
      else if (!json_matches (actual_member, expected_member))
        {
          return FALSE;
        }
    }

  return TRUE;
}

/* Exact equality, except that the string "*" in @expected stands for any
 * string (the random peer id of a publishable-key connection). */
static gboolean
json_matches (JsonNode *actual,
              JsonNode *expected)
{
  if (JSON_NODE_HOLDS_VALUE (expected) && json_node_get_value_type (expected) == G_TYPE_STRING &&
      g_str_equal (json_node_get_string (expected), "*"))
    return JSON_NODE_HOLDS_VALUE (actual) && json_node_get_value_type (actual) == G_TYPE_STRING;

  if (JSON_NODE_HOLDS_OBJECT (expected))
    return JSON_NODE_HOLDS_OBJECT (actual) &&
           object_matches (json_node_get_object (actual), json_node_get_object (expected));

  if (JSON_NODE_HOLDS_ARRAY (expected))
    {
      JsonArray *actual_array;
      JsonArray *expected_array = json_node_get_array (expected);

      if (!JSON_NODE_HOLDS_ARRAY (actual))
        return FALSE;
      actual_array = json_node_get_array (actual);
      if (json_array_get_length (actual_array) != json_array_get_length (expected_array))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (expected_array); i++)
        {
          if (!json_matches (json_array_get_element (actual_array, i), json_array_get_element (expected_array, i)))
            return FALSE;
        }
      return TRUE;
    }

  return json_node_equal (actual, expected);
}

static void
assert_json_equal (const char *actual,
                   const char *expected)
{
  g_autoptr(JsonNode) actual_node = parse_json (actual);
  g_autoptr(JsonNode) expected_node = parse_json (expected);

  if (!json_matches (actual_node, expected_node))
    g_error ("expected %s\n     got %s", expected, actual);
}

/* The next stdout line of @cli must be the JSON @expected. */
static void
cli_expect (Fixture    *fixture,
            Cli        *cli,
            const char *expected)
{
  g_autofree char *line = read_line (cli->out);

  if (line == NULL)
    g_error ("metered exited early; expected %s", expected);

  check_no_secrets (fixture, line);
  assert_json_equal (line, expected);
}

/* Stops @cli with @signal_number, checks that nothing but @remaining was
 * left on its stdout, and returns its exit status. @err gets its stderr. */
static int
cli_stop (Fixture             *fixture,
          Cli                 *cli,
          int                  signal_number,
          const char * const  *remaining,
          char               **err)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stderr_text = NULL;
  g_autofree char *last = NULL;

  if (signal_number != 0)
    g_subprocess_send_signal (cli->process, signal_number);

  for (gsize i = 0; remaining != NULL && remaining[i] != NULL; i++)
    cli_expect (fixture, cli, remaining[i]);

  last = read_line (cli->out);
  if (last != NULL)
    g_error ("unexpected output: %s", last);

  g_subprocess_wait_async (cli->process, cancellable, store_result, &result);
  if (!wait_result (&result, cancellable))
    {
      g_subprocess_force_exit (cli->process);
      g_error ("metered did not exit");
    }

  g_file_get_contents (cli->err_path, &stderr_text, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("background metered: stderr:\n%s", stderr_text);
  check_no_secrets (fixture, stderr_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  return exit_status (cli->process);
}

/* `metered token` for @peer_id with @extra options; the token is
 * remembered as a secret from then on. */
static char *
mint (Fixture            *fixture,
      const char         *peer_id,
      const char * const *extra)
{
  const char * const env[] = { "METERED_SECRET=" SECRET, NULL };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (args, (gpointer) "token");
  g_ptr_array_add (args, (gpointer) "--secret-id=" SECRET_ID);
  g_ptr_array_add (args, (gpointer) "--sub");
  g_ptr_array_add (args, (gpointer) peer_id);
  for (gsize i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) extra[i]);
  g_ptr_array_add (args, NULL);

  status = run (fixture, env, NULL, (const char * const *) args->pdata, &out, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_strstrip (out);
  g_assert_nonnull (strchr (out, '.'));

  /* Later runs must not echo it. */
  g_ptr_array_add (fixture->secrets, g_strdup (out));
  return g_steal_pointer (&out);
}

/* A subscriber with a minted token for @peer_id on @channel, waited for
 * until subscribed (its state lines and presence snapshot read). */
static Cli *
subscribe (Fixture    *fixture,
           const char *token,
           const char *channel,
           const char *snapshot)
{
  g_autofree char *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  g_autofree char *token_env = g_strconcat ("METERED_TOKEN=", token, NULL);
  const char * const env[] = { url_env, token_env, NULL };
  const char * const args[] = { "sub", "--sender-metadata", channel, "--verbose", NULL };
  Cli *cli = cli_spawn (fixture, env, args);

  cli_expect (fixture, cli, "{\"event\":\"state\",\"from\":\"idle\",\"to\":\"connecting\"}");
  cli_expect (fixture, cli, "{\"event\":\"state\",\"from\":\"connecting\",\"to\":\"connected\"}");
  cli_expect (fixture, cli, snapshot);

  return cli;
}

static const char *
api_key_env (Fixture *fixture,
             char   **url_env)
{
  *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  return "METERED_API_KEY=" API_KEY;
}

#define EMPTY_SNAPSHOT(channel) \
  "{\"event\":\"presence\",\"channel\":\"" channel "\",\"joined\":[],\"left\":[]}"

static const char closed_line[] = "{\"event\":\"state\",\"from\":\"connected\",\"to\":\"closed\"}";

/* Tests */

static void
test_help (Fixture       *fixture,
           gconstpointer  data)
{
  const char * const commands[] = { "sub", "pub", "send", "presence", "token", "devserver" };
  const char * const args[] = { "--help", NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (run (fixture, NULL, NULL, args, &out, NULL), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (out, commands[i]));
  /* The exit statuses are documented. */
  g_assert_nonnull (strstr (out, "Exit status:"));
  g_assert_nonnull (strstr (out, "  3  could not connect"));
  g_assert_nonnull (strstr (out, "  4  the server refused a request"));

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char * const command_args[] = { commands[i], "--help", NULL };
      g_autofree char *command_out = NULL;
      g_autofree char *usage = g_strdup_printf ("metered %s [OPTION", commands[i]);

      g_assert_cmpint (run (fixture, NULL, NULL, command_args, &command_out, NULL), ==, 0);
      g_assert_nonnull (strstr (command_out, usage));
    }
}

/* Each case must fail with status 2 and a message containing a word. */
typedef struct {
  const char *env[4];
  const char *input;
  const char *args[8];
  const char *word;
} UsageCase;

static void
check_usage_cases (Fixture         *fixture,
                   const UsageCase *cases,
                   gsize            n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run (fixture, cases[i].env, cases[i].input, cases[i].args, &out, &err);

      if (status != 2 || strstr (err, cases[i].word) == NULL)
        g_error ("case %" G_GSIZE_FORMAT " (%s): status %d, stderr: %s", i, cases[i].args[0], status, err);
      g_assert_cmpstr (out, ==, "");
    }
}

static void
test_usage_arguments (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  const char *key_env = "METERED_API_KEY=" API_KEY;
  const UsageCase cases[] = {
    { { NULL }, NULL, { "frobnicate", NULL }, "unknown command" },
    { { NULL }, NULL, { NULL }, "no command" },
    { { NULL }, NULL, { "--bogus", "sub", "c", NULL }, "Unknown option" },
    { { url_env, key_env }, NULL, { "sub", "--bogus", "c", NULL }, "Unknown option" },
    { { url_env, key_env }, NULL, { "sub", NULL }, "channel" },
    { { url_env, key_env }, NULL, { "sub", "", NULL }, "invalid channel" },
    { { url_env, key_env }, NULL, { "pub", NULL }, "channel" },
    { { url_env, key_env }, NULL, { "pub", "c", "1", "2", NULL }, "unexpected argument" },
    { { url_env, key_env }, NULL, { "pub", "--lines", "c", "1", NULL }, "--lines" },
    { { url_env, key_env }, NULL, { "presence", NULL }, "one channel" },
    { { url_env, key_env }, NULL, { "send", "bad\001peer", "1", NULL }, "invalid peer id" },
    { { NULL }, NULL, { "token", "--sub", "p", NULL }, "--secret-id" },
    { { NULL }, NULL, { "token", "--secret-id", SECRET_ID, "--sub", "p", NULL }, "METERED_SECRET" },
    { { "METERED_SECRET=" SECRET }, NULL, { "token", "--secret-id", SECRET_ID, "--sub", "p", "--permissions", "fly", NULL }, "unknown permission" },
    { { "METERED_SECRET=" SECRET }, NULL, { "token", "--secret-id", SECRET_ID, "--sub", "p", "--ttl", "0", NULL }, "--ttl" },
    { { "METERED_SECRET=" SECRET }, NULL, { "token", "--secret-id", SECRET_ID, "--sub", "p", "--peer-metadata", "[1]", NULL }, "JSON object" },
  };

  check_usage_cases (fixture, cases, G_N_ELEMENTS (cases));
}

static void
test_usage_credentials (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  g_autofree char *url_arg = g_strconcat ("--url=", fixture->url, NULL);
  const UsageCase cases[] = {
    /* Missing. */
    { { url_env }, NULL, { "pub", "c", "1", NULL }, "no credentials" },
    { { url_env, "METERED_API_KEY=" }, NULL, { "pub", "c", "1", NULL }, "no credentials" },
    { { url_env }, NULL, { "pub", "--api-key", "", "c", "1", NULL }, "--api-key is empty" },
    /* More than one. */
    { { url_env }, NULL, { "--api-key", API_KEY, "--token", "a.b.c", "pub", "c", "1", NULL }, "cannot be combined" },
    { { url_env }, NULL, { "--api-key", API_KEY, "pub", "--token-command", "true", "c", "1", NULL }, "cannot be combined" },
    { { url_env, "METERED_API_KEY=" API_KEY, "METERED_TOKEN=a.b.c" }, NULL, { "pub", "c", "1", NULL }, "both" },
    /* A bad URL, never quoted back (it may hold a secret). */
    { { "METERED_API_KEY=" API_KEY }, NULL, { "--url", "http://127.0.0.1:1", "pub", "c", "1", NULL }, "invalid service URL" },
    { { "METERED_API_KEY=" API_KEY }, NULL, { "--url", "wss://user:" SECRET "@example.org", "pub", "c", "1", NULL }, "user information" },
    { { "METERED_API_KEY=" API_KEY, "METERED_URL=ws://example.org" }, NULL, { "pub", "c", "1", NULL }, "localhost" },
    { { "METERED_API_KEY=" API_KEY }, NULL, { "pub", "c", "1", "--url", "ws://127.0.0.1:1/v1?key=" API_KEY, NULL }, "query" },
    { { "METERED_API_KEY=" API_KEY }, NULL, { url_arg, "pub", "c", "1", "--url", "", NULL }, "--url is empty" },
  };

  check_usage_cases (fixture, cases, G_N_ELEMENTS (cases));
}

static char *
nested_arrays (guint depth)
{
  GString *text = g_string_sized_new (2 * depth);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');

  return g_string_free (text, FALSE);
}

static void
test_usage_bad_json (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *url_env = NULL;
  const char *key_env = api_key_env (fixture, &url_env);
  /* json-glib on its own overflows the stack on the first; the second is
   * within the 4 KB metadata cap. */
  g_autofree char *deep = nested_arrays (100000);
  g_autofree char *levels = nested_arrays (1000);
  g_autofree char *deep_metadata = g_strdup_printf ("{\"a\":%s}", levels);
  const UsageCase cases[] = {
    { { url_env, key_env }, deep, { "pub", "c", NULL }, "stdin: invalid JSON: nested deeper than" },
    { { url_env, key_env }, NULL, { "pub", "c", "{'a':1}", NULL }, "DATA: invalid JSON" },
    { { url_env, key_env }, NULL, { "pub", "c", "0x10", NULL }, "DATA: invalid JSON" },
    { { "METERED_SECRET=" SECRET }, NULL, { "token", "--secret-id", SECRET_ID, "--sub", "p", "--peer-metadata",
                                            deep_metadata, NULL }, "--peer-metadata: invalid JSON: nested deeper than" },
    { { url_env, key_env }, NULL, { "pub", "c", "{bad", NULL }, "DATA: invalid JSON" },
    { { url_env, key_env }, NULL, { "pub", "c", "1 2", NULL }, "DATA: invalid JSON" },
    { { url_env, key_env }, NULL, { "send", "p", "", NULL }, "DATA: no JSON value" },
    { { url_env, key_env }, "{\"a\":", { "pub", "c", NULL }, "stdin: invalid JSON" },
    { { url_env, key_env }, "  \n", { "pub", "c", NULL }, "stdin: no JSON value" },
    { { url_env, key_env }, "{\"a\":1}\n{oops\n2\n", { "pub", "--lines", "c", NULL }, "stdin line 2: invalid JSON" },
    { { url_env, key_env }, "\n\n[1,\n", { "send", "-l", "p", NULL }, "stdin line 3: invalid JSON" },
  };

  check_usage_cases (fixture, cases, G_N_ELEMENTS (cases));
}

/* A publish with the revoked key, an unknown key or a token signed with
 * the wrong secret fails with status 3 and names close code 4001. */
static void
test_connect_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  g_autofree char *forged = NULL;
  const char * const env[] = { url_env, NULL };
  const char * const forge_env[] = { "METERED_SECRET=sk_secret_forged_1234", NULL };
  const char * const forge_args[] = { "token", "--secret-id", SECRET_ID, "--sub", "mallory", NULL };
  const char *credentials[][2] = {
    { "--api-key", REVOKED_KEY },
    { "--api-key", "pk_live_cli_unknown_key_5e6f" },
    { "--token", NULL },
  };

  g_ptr_array_add (fixture->secrets, g_strdup ("pk_live_cli_unknown_key_5e6f"));
  g_ptr_array_add (fixture->secrets, g_strdup ("sk_secret_forged_1234"));
  g_assert_cmpint (run (fixture, forge_env, NULL, forge_args, &forged, NULL), ==, 0);
  g_strstrip (forged);
  credentials[2][1] = forged;

  for (gsize i = 0; i < G_N_ELEMENTS (credentials); i++)
    {
      const char * const args[] = { "-v", credentials[i][0], credentials[i][1], "pub", "room", "1", NULL };
      g_autofree char *err = NULL;

      g_assert_cmpint (run (fixture, env, NULL, args, NULL, &err), ==, 3);
      g_assert_nonnull (strstr (err, "cannot connect to " ));
      g_assert_nonnull (strstr (err, "4001 invalid-token"));
    }

  /* The forged token was printed by `metered token`, but never again. */
  g_ptr_array_add (fixture->secrets, g_steal_pointer (&forged));
}

static void
test_connect_token_command (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  g_autofree char *command = g_strdup_printf ("'%s' token --secret-id %s --sub from-command", METERED_PATH, SECRET_ID);
  g_autofree char *token = mint (fixture, "subscriber", NULL);
  const char * const env[] = { url_env, "METERED_SECRET=" SECRET, NULL };
  const char * const failing[] = { "--token-command", "echo token service down >&2; exit 7", "pub", "room", "1", NULL };
  const char * const empty[] = { "--token-command", "true", "pub", "room", "1", NULL };
  const char * const working[] = { "--token-command", command, "-v", "pub", "room", "{\"via\":\"command\"}", NULL };
  g_autoptr(Cli) sub = subscribe (fixture, token, "room", EMPTY_SNAPSHOT ("room"));
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  /* The command's own stderr passes through. */
  g_assert_cmpint (run (fixture, env, NULL, failing, NULL, &err), ==, 3);
  g_assert_nonnull (strstr (err, "token service down"));
  g_assert_nonnull (strstr (err, "token command exited with status 7"));

  g_assert_cmpint (run (fixture, env, NULL, empty, NULL, &err2), ==, 3);
  g_assert_nonnull (strstr (err2, "token command printed nothing"));

  /* Each connect runs the command; here it mints with `metered token`. */
  g_assert_cmpint (run (fixture, env, NULL, working, NULL, NULL), ==, 0);
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"from-command\",\"data\":{\"via\":\"command\"}}");

  g_assert_cmpint (cli_stop (fixture, sub, SIGINT, (const char * const[]) { closed_line, NULL }, NULL), ==, 0);
}

static void
test_request_refused (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *url_env = NULL;
  const char *key_env = api_key_env (fixture, &url_env);
  const char * const env[] = { url_env, key_env, NULL };
  const struct {
    const char *args[6];
    const char *message;
  } cases[] = {
    { { "-v", "pub", "_metered/x", "1", NULL }, "publish to \"_metered/x\" refused by the server: channel_reserved" },
    { { "sub", "_system/x", NULL }, "subscribe to \"_system/x\" refused by the server: channel_reserved" },
    { { "presence", "_internal/x", NULL }, "refused by the server: channel_reserved" },
    { { "send", "nobody-here", "{}", NULL }, "send to \"nobody-here\" refused by the server: peer_not_found" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      int status = run (fixture, env, NULL, cases[i].args, NULL, &err);

      if (status != 4 || strstr (err, cases[i].message) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": status %d, stderr: %s", i, status, err);
    }
}

/* The payload of a JWT (base64url, unpadded). */
static JsonObject *
decode_claims (const char *token)
{
  g_auto(GStrv) parts = g_strsplit (token, ".", -1);
  g_autoptr(GString) base64 = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree guchar *payload = NULL;
  gsize len;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  base64 = g_string_new (parts[1]);
  g_string_replace (base64, "-", "+", 0);
  g_string_replace (base64, "_", "/", 0);
  while (base64->len % 4 != 0)
    g_string_append_c (base64, '=');

  payload = g_base64_decode (base64->str, &len);
  node = json_from_string ((const char *) payload, NULL);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return json_object_ref (json_node_get_object (node));
}

/* A token's claims are honoured: it is scoped to `room` and may not send. */
static void
test_token_claims (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const extra[] = { "--channels", "room,lobby/*", "--permissions=publish", "--permissions", "subscribe",
                                 "--peer-metadata", "{\"name\":\"Scoped\"}", "--ttl", "120", NULL };
  g_autofree char *scoped = mint (fixture, "scoped", extra);
  g_autofree char *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  g_autofree char *token_env = g_strconcat ("METERED_TOKEN=", scoped, NULL);
  const char * const env[] = { url_env, token_env, NULL };
  const char * const outside[] = { "pub", "elsewhere", "1", NULL };
  const char * const send[] = { "send", "scoped", "1", NULL };
  const char * const inside[] = { "pub", "lobby/a", "1", NULL };
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpint (run (fixture, env, NULL, inside, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, env, NULL, outside, NULL, &err), ==, 4);
  g_assert_nonnull (strstr (err, "channel_not_authorized"));
  g_assert_cmpint (run (fixture, env, NULL, send, NULL, &err2), ==, 4);
  g_assert_nonnull (strstr (err2, "action_not_permitted"));

  /* The claims themselves. */
  claims = decode_claims (scoped);
  g_assert_cmpint (json_object_get_int_member (claims, "exp") - json_object_get_int_member (claims, "iat"), ==, 120);
  json_object_remove_member (claims, "exp");
  json_object_remove_member (claims, "iat");
  text = json_to_string (json_node_init_object (json_node_alloc (), claims), FALSE);
  assert_json_equal (text, "{\"sub\":\"scoped\",\"channels\":[\"room\",\"lobby/*\"],"
                           "\"permissions\":[\"publish\",\"subscribe\"],\"peerMetadata\":{\"name\":\"Scoped\"}}");
}

/* sub in one process, pub and send in others: the exact lines. */
static void
test_pub_sub_send (Fixture       *fixture,
                   gconstpointer  data)
{
  const char * const sub_extra[] = { "--peer-metadata", "{\"role\":\"listener\"}", NULL };
  const char * const pub_extra[] = { "--peer-metadata", "{\"role\":\"talker\"}", NULL };
  g_autofree char *sub_token = mint (fixture, "listener", sub_extra);
  g_autofree char *pub_token = mint (fixture, "talker", pub_extra);
  g_autofree char *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  g_autofree char *token_arg = g_strconcat ("--token=", pub_token, NULL);
  const char * const env[] = { url_env, NULL };
  const char * const pub[] = { token_arg, "pub", "--verbose", "room", "{\"text\":\"hi\",\"n\":[1,2.5,null,true]}", NULL };
  const char * const pub_scalar[] = { "pub", token_arg, "room", "--", "-42", NULL };
  const char * const pub_other[] = { token_arg, "pub", "other-room", "\"not for you\"", NULL };
  const char * const send[] = { token_arg, "send", "listener", "{\"sdp\":\"v=0\"}", "-v", NULL };
  g_autoptr(Cli) sub = subscribe (fixture, sub_token, "room", EMPTY_SNAPSHOT ("room"));
  g_autofree char *err = NULL;

  g_assert_cmpint (run (fixture, env, NULL, pub, NULL, NULL), ==, 0);
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"talker\","
                            "\"data\":{\"text\":\"hi\",\"n\":[1,2.5,null,true]},\"fromMetadata\":{\"role\":\"talker\"}}");

  g_assert_cmpint (run (fixture, env, NULL, pub_other, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, env, NULL, pub_scalar, NULL, NULL), ==, 0);
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"talker\",\"data\":-42,"
                            "\"fromMetadata\":{\"role\":\"talker\"}}");

  g_assert_cmpint (run (fixture, env, NULL, send, NULL, NULL), ==, 0);
  cli_expect (fixture, sub, "{\"event\":\"direct\",\"from\":\"talker\",\"data\":{\"sdp\":\"v=0\"},"
                            "\"fromMetadata\":{\"role\":\"talker\"}}");

  /* SIGINT ends `sub` cleanly: the last state line, status 0. */
  g_assert_cmpint (cli_stop (fixture, sub, SIGINT, (const char * const[]) { closed_line, NULL }, &err), ==, 0);
  g_assert_nonnull (strstr (err, "connected as peer listener"));
}

static void
test_pub_stdin (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *sub_token = mint (fixture, "listener", NULL);
  g_autofree char *url_env = NULL;
  const char *key_env = api_key_env (fixture, &url_env);
  const char * const env[] = { url_env, key_env, NULL };
  const char * const whole[] = { "pub", "room", NULL };
  const char * const lines[] = { "pub", "--lines", "room", "--rate", "0", NULL };
  const char * const paced[] = { "send", "--lines", "listener", "--rate=100", NULL };
  const char * const marker[] = { "pub", "room", "\"marker\"", NULL };
  g_autoptr(Cli) sub = subscribe (fixture, sub_token, "room", EMPTY_SNAPSHOT ("room"));
  g_autofree char *err = NULL;
  g_autoptr(GString) many = g_string_new (NULL);

  /* The whole input is one value, however it is laid out. */
  g_assert_cmpint (run (fixture, env, "{\n  \"multi\": [\n    \"line\"\n  ]\n}\n", whole, NULL, NULL), ==, 0);
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"*\",\"data\":{\"multi\":[\"line\"]}}");

  /* One publish per line, in order; blank lines and CRLF endings are fine,
   * the last line needs no newline. */
  g_assert_cmpint (run (fixture, env, "1\n\n{\"two\":2}\r\n  \"three\"  \n[4]", lines, NULL, NULL), ==, 0);
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"*\",\"data\":1}");
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"*\",\"data\":{\"two\":2}}");
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"*\",\"data\":\"three\"}");
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"*\",\"data\":[4]}");

  /* An invalid line: nothing is sent, not even the valid lines before it. */
  g_assert_cmpint (run (fixture, env, "\"early\"\n\"ok\"\nnot json\n\"late\"\n", lines, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "stdin line 3: invalid JSON"));
  g_assert_nonnull (strstr (err, "nothing was sent"));
  g_assert_cmpint (run (fixture, env, NULL, marker, NULL, NULL), ==, 0);
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"*\",\"data\":\"marker\"}");

  /* Many lines as direct messages, each acked before the exit. */
  for (guint i = 0; i < 150; i++)
    g_string_append_printf (many, "{\"i\":%u}\n", i);
  g_assert_cmpint (run (fixture, env, many->str, paced, NULL, NULL), ==, 0);
  for (guint i = 0; i < 150; i++)
    {
      g_autofree char *expected = g_strdup_printf ("{\"event\":\"direct\",\"from\":\"*\",\"data\":{\"i\":%u}}", i);

      cli_expect (fixture, sub, expected);
    }

  g_assert_cmpint (cli_stop (fixture, sub, SIGTERM, (const char * const[]) { closed_line, NULL }, NULL), ==, 0);
}

static void
test_presence (Fixture       *fixture,
               gconstpointer  data)
{
  const char * const extra[] = { "--peer-metadata", "{\"name\":\"Ann\"}", NULL };
  g_autofree char *ann = mint (fixture, "ann", extra);
  g_autofree char *bob = mint (fixture, "bob", NULL);
  g_autofree char *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  g_autofree char *bob_env = g_strconcat ("METERED_TOKEN=", bob, NULL);
  const char * const env[] = { url_env, bob_env, NULL };
  const char * const snapshot[] = { "presence", "hall", NULL };
  const char * const follow[] = { "presence", "--follow", "hall", NULL };
  const char * const pretty[] = { "--pretty", "presence", "hall", NULL };
  g_autoptr(Cli) ann_sub = subscribe (fixture, ann, "hall", EMPTY_SNAPSHOT ("hall"));
  g_autoptr(Cli) watcher = NULL;
  g_autoptr(Cli) carl_sub = NULL;
  g_autofree char *out = NULL;
  g_autofree char *pretty_out = NULL;
  g_autofree char *carl = mint (fixture, "carl", NULL);

  /* One line, the snapshot, then exit. */
  g_assert_cmpint (run (fixture, env, NULL, snapshot, &out, NULL), ==, 0);
  g_assert_true (g_str_has_suffix (out, "\n"));
  g_assert_true (strchr (out, '\n') == out + strlen (out) - 1);
  assert_json_equal (out, "{\"event\":\"presence\",\"channel\":\"hall\","
                          "\"joined\":[{\"peerId\":\"ann\",\"metadata\":{\"name\":\"Ann\"}}],\"left\":[]}");
  /* Ann saw bob come and go. */
  cli_expect (fixture, ann_sub, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[{\"peerId\":\"bob\"}],\"left\":[]}");
  cli_expect (fixture, ann_sub, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[],\"left\":[{\"peerId\":\"bob\"}]}");

  /* --pretty: the same object over several lines. */
  g_assert_cmpint (run (fixture, env, NULL, pretty, &pretty_out, NULL), ==, 0);
  g_assert_nonnull (strstr (pretty_out, "\n  \"event\" : \"presence\""));
  assert_json_equal (pretty_out, "{\"event\":\"presence\",\"channel\":\"hall\","
                                 "\"joined\":[{\"peerId\":\"ann\",\"metadata\":{\"name\":\"Ann\"}}],\"left\":[]}");
  cli_expect (fixture, ann_sub, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[{\"peerId\":\"bob\"}],\"left\":[]}");
  cli_expect (fixture, ann_sub, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[],\"left\":[{\"peerId\":\"bob\"}]}");

  /* --follow: the snapshot, then the changes, until SIGTERM. */
  watcher = cli_spawn (fixture, env, follow);
  cli_expect (fixture, watcher, "{\"event\":\"presence\",\"channel\":\"hall\","
                                "\"joined\":[{\"peerId\":\"ann\",\"metadata\":{\"name\":\"Ann\"}}],\"left\":[]}");
  cli_expect (fixture, ann_sub, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[{\"peerId\":\"bob\"}],\"left\":[]}");

  carl_sub = subscribe (fixture, carl, "hall",
                        "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":["
                        "{\"peerId\":\"ann\",\"metadata\":{\"name\":\"Ann\"}},{\"peerId\":\"bob\"}],\"left\":[]}");
  cli_expect (fixture, watcher, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[{\"peerId\":\"carl\"}],\"left\":[]}");
  g_assert_cmpint (cli_stop (fixture, carl_sub, SIGINT, (const char * const[]) { closed_line, NULL }, NULL), ==, 0);
  cli_expect (fixture, watcher, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[],\"left\":[{\"peerId\":\"carl\"}]}");

  g_assert_cmpint (cli_stop (fixture, watcher, SIGTERM, (const char * const[]) { closed_line, NULL }, NULL), ==, 0);

  /* Ann saw all of it. */
  cli_expect (fixture, ann_sub, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[{\"peerId\":\"carl\"}],\"left\":[]}");
  cli_expect (fixture, ann_sub, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[],\"left\":[{\"peerId\":\"carl\"}]}");
  cli_expect (fixture, ann_sub, "{\"event\":\"presence\",\"channel\":\"hall\",\"joined\":[],\"left\":[{\"peerId\":\"bob\"}]}");
  g_assert_cmpint (cli_stop (fixture, ann_sub, SIGINT, (const char * const[]) { closed_line, NULL }, NULL), ==, 0);
}

/* A close code without a name (the server may send any 3000-4999) is
 * reported by number, never as "(null)". */
static void
test_connect_refused_unnamed_code (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *url_env = NULL;
  const char *key_env = api_key_env (fixture, &url_env);
  const char * const env[] = { url_env, key_env, NULL };
  const char * const args[] = { "pub", "room", "1", NULL };
  g_autofree char *answer = hook (fixture, "{\"hook\":\"rejectConnections\",\"code\":4999}");
  g_autofree char *err = NULL;

  assert_json_equal (answer, "{\"hook\":\"rejectConnections\",\"affected\":0}");
  g_assert_cmpint (run (fixture, env, NULL, args, NULL, &err), ==, 3);
  g_assert_nonnull (strstr (err, "4999 unknown"));
  g_assert_null (strstr (err, "(null)"));
}

/* A close the server makes final (4020) ends `sub` with status 3. */
static void
test_sub_closed_by_server (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *token = mint (fixture, "victim", NULL);
  g_autoptr(Cli) sub = subscribe (fixture, token, "room", EMPTY_SNAPSHOT ("room"));
  g_autofree char *answer = hook (fixture, "{\"hook\":\"close\",\"peerId\":\"victim\",\"code\":4020,\"reason\":\"kicked\"}");
  g_autofree char *err = NULL;

  assert_json_equal (answer, "{\"hook\":\"close\",\"affected\":1}");
  g_assert_cmpint (cli_stop (fixture, sub, 0, (const char * const[]) { closed_line, NULL }, &err), ==, 3);
  g_assert_nonnull (strstr (err, "4020 admin-disconnect"));
}

/* A dropped link is not the end: `sub` reconnects and subscribes again. */
static void
test_sub_reconnects (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *token = mint (fixture, "steady", NULL);
  g_autoptr(Cli) sub = subscribe (fixture, token, "room", EMPTY_SNAPSHOT ("room"));
  g_autofree char *answer = hook (fixture, "{\"hook\":\"drop\",\"peerId\":\"steady\"}");
  g_autofree char *url_env = NULL;
  const char *key_env = api_key_env (fixture, &url_env);
  const char * const env[] = { url_env, key_env, NULL };
  const char * const pub[] = { "pub", "room", "\"after\"", NULL };

  assert_json_equal (answer, "{\"hook\":\"drop\",\"affected\":1}");
  cli_expect (fixture, sub, "{\"event\":\"state\",\"from\":\"connected\",\"to\":\"reconnecting\"}");
  cli_expect (fixture, sub, "{\"event\":\"state\",\"from\":\"reconnecting\",\"to\":\"connected\"}");
  cli_expect (fixture, sub, EMPTY_SNAPSHOT ("room"));

  g_assert_cmpint (run (fixture, env, NULL, pub, NULL, NULL), ==, 0);
  cli_expect (fixture, sub, "{\"event\":\"message\",\"channel\":\"room\",\"from\":\"*\",\"data\":\"after\"}");
  g_assert_cmpint (cli_stop (fixture, sub, SIGINT, (const char * const[]) { closed_line, NULL }, NULL), ==, 0);
}

/* `metered devserver` is the same server, in-process. */
static void
test_devserver (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const args[] = { "devserver", "--port", "0", NULL };
  g_autoptr(Cli) server = cli_spawn (fixture, NULL, args);
  g_autofree char *line = read_line (server->out);
  g_autofree char *url_env = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("^metered-devserver listening on (ws://127\\.0\\.0\\.1:[0-9]+)$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *url = NULL;
  const char * const pub[] = { "--api-key", "pk_live_dev", "pub", "room", "1", NULL };
  const char * const usage[] = { "devserver", "--port", "70000", NULL };

  g_assert_true (g_regex_match (regex, line, 0, &match));
  url = g_match_info_fetch (match, 1);
  url_env = g_strconcat ("METERED_URL=", url, NULL);
  g_assert_cmpint (run (fixture, (const char * const[]) { url_env, NULL }, NULL, pub, NULL, NULL), ==, 0);

  g_assert_cmpint (cli_stop (fixture, server, SIGTERM, NULL, NULL), ==, 0);
  g_assert_cmpint (run (fixture, NULL, NULL, usage, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--port"));
}

/* The README's example, verbatim. */
static void
test_readme_example (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *url_env = g_strconcat ("METERED_URL=", fixture->url, NULL);
  g_autofree char *metered_dir = g_path_get_dirname (METERED_PATH);
  g_autofree char *path_env = g_strdup_printf ("PATH=%s:%s", metered_dir, g_getenv ("PATH"));
  g_auto(GStrv) environ_ = make_environ ((const char * const[]) { url_env, "METERED_API_KEY=" API_KEY, path_env, NULL });
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                          G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *events = g_build_filename (fixture->tmpdir, "events.jsonl", NULL);
  g_auto(GStrv) lines = NULL;

  g_subprocess_launcher_set_environ (launcher, environ_);
  g_subprocess_launcher_set_cwd (launcher, fixture->tmpdir);
  process = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", README_EXAMPLE_PATH, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, cancellable, store_result, &result);
  if (!wait_result (&result, cancellable))
    {
      g_subprocess_force_exit (process);
      g_error ("the README example did not finish");
    }
  g_subprocess_communicate_utf8_finish (process, result, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("readme example: stdout:\n%sstderr:\n%s", out, err);
  check_no_secrets (fixture, out);
  check_no_secrets (fixture, err);

  g_assert_cmpint (exit_status (process), ==, 0);
  g_assert_cmpstr (err, ==, "");
  /* Its output is the message line, and only that. */
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[1], ==, "");
  assert_json_equal (lines[0], "{\"event\":\"message\",\"channel\":\"demo/room\",\"from\":\"*\",\"data\":{\"text\":\"hello\"}}");
  g_unlink (events);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/cli/help", test_help);
  ADD ("/cli/usage/arguments", test_usage_arguments);
  ADD ("/cli/usage/credentials", test_usage_credentials);
  ADD ("/cli/usage/bad-json", test_usage_bad_json);
  ADD ("/cli/connect/refused", test_connect_refused);
  ADD ("/cli/connect/refused-unnamed-code", test_connect_refused_unnamed_code);
  ADD ("/cli/connect/token-command", test_connect_token_command);
  ADD ("/cli/request/refused", test_request_refused);
  ADD ("/cli/token/claims", test_token_claims);
  ADD ("/cli/pub-sub-send", test_pub_sub_send);
  ADD ("/cli/pub/stdin", test_pub_stdin);
  ADD ("/cli/presence", test_presence);
  ADD ("/cli/sub/closed-by-server", test_sub_closed_by_server);
  ADD ("/cli/sub/reconnects", test_sub_reconnects);
  ADD ("/cli/devserver", test_devserver);
  ADD ("/cli/readme-example", test_readme_example);
#undef ADD

  return g_test_run ();
}
