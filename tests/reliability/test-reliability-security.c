/* test-reliability-security.c: forged tokens, scopes, URLs, TLS, secrets
 *
 * - Forged and out-of-date JWTs (alg none, other algorithms, unknown kid,
 *   wrong secret, tampered payload or signature, expired, future nbf,
 *   unreadable) are refused before welcome, and the first connect fails
 *   with the documented close code without retrying.
 * - Channels outside the token's `channels`, reserved prefixes and control
 *   characters are refused, and the connection stays usable.
 * - ws:// to anything but loopback is refused when the client is built.
 * - A wss:// devserver (in-process and the binary, with --tls-certificate
 *   or the configuration's `tls`) with a private CA's certificate is
 *   refused unless that CA is the client's tls-database. The certificates
 *   are made at test time with openssl.
 * - Log messages (every level and domain, as G_MESSAGES_DEBUG=all would
 *   show them), error messages, the CLI's output and the inspector's log
 *   rows never contain the publishable key, a token or the signing
 *   secret.
 *
 * SPDX-License-Identifier: MIT
 */

#define G_LOG_DOMAIN "test-reliability"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "reliability-util.h"

#include "inspector-connection.h"
#include "inspector-log-entry.h"

/* Secrets that appear nowhere else, so a match is a leak. */
#define SECRET_PK      "pk_live_Zr8PublishableKey"
#define SECRET_KEY_ID  "sk_id_faults"
#define SECRET_SECRET  "sk_secret_Zr8SigningSecret"
#define CONFIG_JSON                                                         \
  "{\"publishableKeys\":[{\"key\":\"" SECRET_PK "\",\"channelPatterns\":[\"**\"]}],"  \
  "\"secretKeys\":[{\"id\":\"" SECRET_KEY_ID "\",\"secret\":\"" SECRET_SECRET "\","  \
  "\"channelPatterns\":[\"**\"]}]}"
/* The first bytes of every token metered_jwt_sign() makes: the encoded
 * `{"alg":"HS256","typ":"JWT","kid":`. */
#define TOKEN_PREFIX   "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6"

/* Everything logged in this process, at every level. */
static GString *captured_logs;
/* Everything else that must stay clean: error messages, event texts. */
static GPtrArray *captured_texts;
/* Tokens minted here. */
static GPtrArray *tokens;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
        {
          g_string_append (captured_logs, fields[i].value);
          g_string_append_c (captured_logs, '\n');
        }
    }

  return g_log_writer_default (log_level, fields, n_fields, data);
}

static void
capture_text (const char *text)
{
  if (text != NULL)
    g_ptr_array_add (captured_texts, g_strdup (text));
}

static void
capture_error (const GError *error)
{
  if (error != NULL)
    capture_text (error->message);
}

/* A leak check of @text: no key, no secret, no token (not even a token's
 * signature). */
static void
assert_clean (const char *what,
              const char *text)
{
  const char * const fixed[] = { SECRET_PK, SECRET_SECRET, TOKEN_PREFIX, NULL };

  if (text == NULL)
    return;

  for (guint i = 0; fixed[i] != NULL; i++)
    if (strstr (text, fixed[i]) != NULL)
      g_error ("%s contains a secret (%.12s…): %s", what, fixed[i], text);

  for (guint i = 0; i < tokens->len; i++)
    {
      const char *token = g_ptr_array_index (tokens, i);
      const char *signature = strrchr (token, '.');

      if (strstr (text, token) != NULL || (signature != NULL && strlen (signature) > 8 && strstr (text, signature + 1) != NULL))
        g_error ("%s contains a token: %s", what, text);
    }
}

static char *
base64url (const char *data,
           gsize       len)
{
  g_autofree char *plain = g_base64_encode ((const guchar *) data, len);
  GString *out = g_string_new (NULL);

  for (const char *p = plain; *p != '\0'; p++)
    {
      if (*p == '+')
        g_string_append_c (out, '-');
      else if (*p == '/')
        g_string_append_c (out, '_');
      else if (*p != '=')
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/* A token with any header, signed with HMAC-SHA256 by @secret (NULL: an
 * empty signature). */
static char *
forge_token (const char *header,
             const char *payload,
             const char *secret)
{
  g_autofree char *h = base64url (header, strlen (header));
  g_autofree char *p = base64url (payload, strlen (payload));
  g_autofree char *input = g_strdup_printf ("%s.%s", h, p);
  g_autofree char *signature = NULL;
  char *token;

  if (secret != NULL)
    {
      g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
      guint8 digest[32];
      gsize digest_len = sizeof digest;

      g_hmac_update (hmac, (const guchar *) input, -1);
      g_hmac_get_digest (hmac, digest, &digest_len);
      signature = base64url ((const char *) digest, digest_len);
    }

  token = g_strdup_printf ("%s.%s", input, signature != NULL ? signature : "");
  g_ptr_array_add (tokens, g_strdup (token));

  return token;
}

static char *
claims_json (gint64 exp_delta,
             gint64 nbf_delta,
             const char *channels)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GString *out = g_string_new ("{\"sub\":\"security-peer\"");

  g_string_append_printf (out, ",\"exp\":%" G_GINT64_FORMAT, now + exp_delta);
  if (nbf_delta != 0)
    g_string_append_printf (out, ",\"nbf\":%" G_GINT64_FORMAT, now + nbf_delta);
  if (channels != NULL)
    g_string_append_printf (out, ",\"channels\":%s", channels);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

static char *
good_token (const char *channels)
{
  g_autofree char *claims = claims_json (3600, 0, channels);

  return forge_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}", claims, SECRET_SECRET);
}

static MeteredDevServer *
secure_server_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MeteredDevConfig) config = metered_dev_config_new_from_data (CONFIG_JSON, -1, &error);

  g_assert_no_error (error);
  return test_server_new (config);
}

static void
provide_fixed_token (MeteredClient       *client,
                     MeteredTokenRequest *request,
                     gpointer             data)
{
  metered_token_request_return_token (request, data);
}

static MeteredClient *
token_client_new (MeteredDevServer *server,
                  const char       *token)
{
  return test_client_new_with_provider (server, provide_fixed_token, (gpointer) token, NULL);
}

/* Forged tokens. */

static void
test_forged_tokens (void)
{
  g_autoptr(MeteredDevServer) server = secure_server_new ();
  g_autofree char *claims = claims_json (3600, 0, NULL);
  g_autofree char *expired_claims = claims_json (-60, 0, NULL);
  g_autofree char *future_claims = claims_json (3600, 600, NULL);
  g_autofree char *valid = good_token (NULL);
  g_autofree char *tampered_payload = NULL;
  g_autofree char *tampered_signature = g_strdup (valid);
  g_autofree char *other_payload = base64url ("{\"sub\":\"admin\",\"exp\":9999999999}", strlen ("{\"sub\":\"admin\",\"exp\":9999999999}"));
  struct {
    const char *name;
    char       *token;
    int         code;    /* the close code of the refusal; 1006 for HTTP 401 */
  } cases[] = {
    { "alg none", forge_token ("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}", claims, NULL), 4001 },
    { "alg none, signed", forge_token ("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}", claims, SECRET_SECRET), 4001 },
    { "alg HS512", forge_token ("{\"alg\":\"HS512\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}", claims, SECRET_SECRET), 4001 },
    { "alg hs256", forge_token ("{\"alg\":\"hs256\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}", claims, SECRET_SECRET), 4001 },
    { "unknown kid", forge_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"sk_id_other\"}", claims, SECRET_SECRET), 4001 },
    { "wrong secret", forge_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}", claims, "sk_secret_guess"), 4001 },
    { "expired", forge_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}", expired_claims, SECRET_SECRET), 4002 },
    { "nbf in the future", forge_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}", future_claims, SECRET_SECRET), 4001 },
    { "no kid", forge_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, SECRET_SECRET), 1006 },
    { "not a JWT", g_strdup ("not-a-token"), 1006 },
    { "tampered payload", NULL, 4001 },
    { "tampered signature", NULL, 4001 },
  };
  char **parts = g_strsplit (valid, ".", 3);

  /* The signature of one payload on another. */
  tampered_payload = g_strdup_printf ("%s.%s.%s", parts[0], other_payload, parts[2]);
  g_strfreev (parts);
  /* Swap one signature character for another base64url one: flipping a bit
   * could make it a character outside the alphabet, which is "not a JWT"
   * (HTTP 401) rather than a bad signature. */
  {
    char *c = &tampered_signature[strlen (tampered_signature) - 2];
    *c = *c == 'A' ? 'B' : 'A';
  }
  cases[10].token = g_strdup (tampered_payload);
  cases[11].token = g_strdup (tampered_signature);
  g_ptr_array_add (tokens, g_strdup (tampered_payload));
  g_ptr_array_add (tokens, g_strdup (tampered_signature));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MeteredClient) client = token_client_new (server, cases[i].token);
      g_autoptr(TestRecorder) rec = test_recorder_new (client);
      g_autoptr(GError) error = NULL;

      g_test_message ("forged token: %s", cases[i].name);
      g_assert_false (test_connect (client, &error));
      g_assert_error (error, METERED_CLOSE_ERROR, cases[i].code);
      capture_error (error);
      capture_text (metered_close_error_get_reason (error));
      /* A refused first connect is final: no retry loop. */
      test_run_for (0.2);
      g_assert_cmpint (metered_client_get_state (client), ==, METERED_CLIENT_STATE_CLOSED);
      g_assert_cmpuint (rec->connected->len, ==, 0);
      g_assert_cmpuint (rec->reconnects->len, ==, 0);
      g_free (cases[i].token);
    }

  /* The genuine token works. */
  {
    g_autoptr(MeteredClient) client = token_client_new (server, valid);

    test_connect_ok (client);
    g_assert_cmpstr (metered_client_get_peer_id (client), ==, "security-peer");
    test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  }
}

/* Channel scope. */

static void
assert_server_error (MeteredClient *client,
                     const char    *channel,
                     gboolean       publish,
                     const char    *code)
{
  g_autoptr(GError) error = NULL;

  if (publish)
    g_assert_false (test_publish (client, channel, "1", &error));
  else
    g_assert_false (test_subscribe (client, channel, 0, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == METERED_SERVER_ERROR);
  g_assert_cmpstr (metered_server_error_get_code (error), ==, code);
  capture_error (error);
}

static void
test_channel_scope (void)
{
  const char * const controls[] = {
    "a\x01" "b", "tab\there", "new\nline", "del\x7f", "c1\xc2\x80" "x", "c1\xc2\x9f" "x", "nul-free\x1b[0m", "",
  };
  g_autoptr(MeteredDevServer) server = secure_server_new ();
  g_autofree char *token = good_token ("[\"room/*\",\"_metered/**\"]");
  g_autoptr(MeteredClient) client = token_client_new (server, token);
  g_autoptr(TestRecorder) rec = test_recorder_new (client);
  g_autoptr(GError) error = NULL;
  g_autofree char *long_name = g_strnfill (257, 'c');
  guint frames;

  test_connect_ok (client);
  g_assert_true (test_subscribe (client, "room/1", 0, &error));
  g_assert_no_error (error);
  g_assert_true (test_publish (client, "room/1", "1", &error));
  g_assert_no_error (error);

  /* Outside the token's channels: `*` stops at `/`. */
  assert_server_error (client, "lobby", FALSE, "channel_not_authorized");
  assert_server_error (client, "room/1/deeper", FALSE, "channel_not_authorized");
  assert_server_error (client, "room", TRUE, "channel_not_authorized");
  assert_server_error (client, "Room/1", TRUE, "channel_not_authorized");

  /* Reserved prefixes, even when a token pattern covers them. */
  assert_server_error (client, "_metered/x", FALSE, "channel_reserved");
  assert_server_error (client, "_internal/x", FALSE, "channel_reserved");
  assert_server_error (client, "_system/x", TRUE, "channel_reserved");

  /* Control characters and oversized names fail locally: nothing is sent. */
  frames = rec->frames_out->len;
  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    {
      g_clear_error (&error);
      g_assert_false (test_subscribe (client, controls[i], 0, &error));
      g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
      g_assert_false (test_publish (client, controls[i], "1", &error));
      g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
    }
  g_clear_error (&error);
  g_assert_false (test_subscribe (client, long_name, 0, &error));
  g_assert_error (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (rec->frames_out->len, ==, frames);
  g_clear_error (&error);

  /* None of it hurt the connection, and nothing invalid is tracked. */
  g_assert_true (test_publish (client, "room/2", "2", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rec->disconnected->len, ==, 0);
  {
    g_auto(GStrv) tracked = metered_client_dup_subscriptions (client);

    for (guint i = 0; tracked[i] != NULL; i++)
      g_assert_true (g_str_equal (tracked[i], "room/1") || g_str_equal (tracked[i], "lobby") ||
                     g_str_equal (tracked[i], "room/1/deeper") || g_str_equal (tracked[i], "_metered/x") ||
                     g_str_equal (tracked[i], "_internal/x"));
  }
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
}

/* URLs. */

static void
test_urls (void)
{
  const char * const refused[] = {
    "ws://example.com", "ws://example.com:8787", "WS://EXAMPLE.COM", "ws://10.0.0.1:8787",
    "ws://192.168.1.10", "ws://127.0.0.2", "ws://127.1", "ws://0x7f000001", "ws://2130706433",
    "ws://0.0.0.0", "ws://localhost.example.com", "ws://localhost.", "ws://127.0.0.1.nip.io",
    "ws://[::ffff:127.0.0.1]", "ws://[fe80::1]", "ws://localhost@example.com",
    "ws://example.com#@localhost", "ws://example.com/?@127.0.0.1", "http://127.0.0.1",
    "ftp://localhost", "ws:///", "ws://", "wss://", "ws://%6cocalhost.evil",
    "ws://example.com/?token=" SECRET_PK,
  };
  const char * const allowed[] = {
    "ws://localhost", "ws://LOCALHOST:1", "ws://127.0.0.1:8787", "ws://[::1]:8787", "wss://example.com",
    "wss://rms.metered.ca/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MeteredClient) client = metered_client_new (SECRET_PK, refused[i], &error);

      g_assert_null (client);
      if (!g_error_matches (error, METERED_CLIENT_ERROR, METERED_CLIENT_ERROR_INVALID_URL))
        g_error ("%s: %s", refused[i], error != NULL ? error->message : "accepted");
      capture_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MeteredClient) client = metered_client_new (SECRET_PK, allowed[i], &error);

      g_assert_no_error (error);
      g_assert_nonnull (client);
    }

  /* The inspector and the CLI apply the same rule. */
  {
    g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (INSPECTOR_AUTH_API_KEY);
    g_autoptr(GError) error = NULL;

    options->url = g_strdup ("ws://example.com");
    options->api_key = g_strdup (SECRET_PK);
    g_assert_false (inspector_connect_options_validate (options, &error));
    g_assert_nonnull (error);
    capture_error (error);
  }
  {
    const char * const argv[] = { METERED_CLI_PATH, "pub", "--url", "ws://example.com", "room", "1", NULL };
    const char * const env[] = { "METERED_API_KEY", SECRET_PK, NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (rel_run_command (argv, env, 30, &out, &err), ==, 2);
    capture_text (out);
    capture_text (err);
  }
}

/* TLS. */

typedef struct {
  char *dir;
  char *ca;          /* the CA the server's certificate chains to */
  char *other_ca;    /* an unrelated CA */
  char *cert;        /* for 127.0.0.1 only */
  char *key;
} Certs;

static gboolean
make_certs (Certs *certs)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[4];

  if (openssl == NULL)
    return FALSE;

  certs->dir = g_dir_make_tmp ("metered-tls-XXXXXX", &error);
  g_assert_no_error (error);
  certs->ca = g_build_filename (certs->dir, "ca.pem", NULL);
  certs->other_ca = g_build_filename (certs->dir, "other-ca.pem", NULL);
  certs->cert = g_build_filename (certs->dir, "server.pem", NULL);
  certs->key = g_build_filename (certs->dir, "server.key", NULL);

  /* P-256 keys: quick to make. A CA, a server certificate it signs for
   * IP 127.0.0.1 only, and a second CA that signs nothing. */
  script = g_strdup_printf (
    "set -e; cd '%s'\n"
    "ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'\n"
    "openssl req -x509 $ec -keyout ca.key -out ca.pem -days 3650 -subj '/CN=Metered Test CA' "
    "  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign\n"
    "openssl req -x509 $ec -keyout other-ca.key -out other-ca.pem -days 3650 -subj '/CN=Other CA' "
    "  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign\n"
    "openssl req $ec -keyout server.key -out server.csr -subj '/CN=127.0.0.1'\n"
    "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf\n"
    "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem "
    "  -days 3650 -extfile ext.cnf\n",
    certs->dir);

  argv[0] = "/bin/sh";
  argv[1] = "-c";
  argv[2] = script;
  argv[3] = NULL;
  if (rel_run_command (argv, NULL, 60, &out, &err) != 0)
    g_error ("openssl failed: %s", err);

  return TRUE;
}

static void
certs_clear (Certs *certs)
{
  const char * const names[] = {
    "ca.key", "ca.pem", "ca.srl", "other-ca.key", "other-ca.pem", "server.key", "server.csr", "server.pem",
    "ext.cnf", "config.json",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (certs->dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (certs->dir);
  g_free (certs->dir);
  g_free (certs->ca);
  g_free (certs->other_ca);
  g_free (certs->cert);
  g_free (certs->key);
}

static MeteredClient *
tls_client_new (const char *url,
                const char *ca_file)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) error = NULL;
  MeteredClient *client;

  if (ca_file != NULL)
    {
      database = g_tls_file_database_new (ca_file, &error);
      g_assert_no_error (error);
    }

  client = g_initable_new (METERED_TYPE_CLIENT, NULL, &error,
                           "url", url,
                           "api-key", TEST_API_KEY,
                           "tls-database", database,
                           "welcome-timeout", 5.0,
                           NULL);
  g_assert_no_error (error);

  return client;
}

/* Connects to @url trusting @ca_file (NULL: the system's CAs) and returns
 * whether it worked; a success also publishes. */
static gboolean
tls_connects (const char *url,
              const char *ca_file)
{
  g_autoptr(MeteredClient) client = tls_client_new (url, ca_file);
  g_autoptr(GError) error = NULL;

  if (!test_connect (client, &error))
    {
      /* Refused at the TLS handshake: no WebSocket, 1006. */
      g_assert_error (error, METERED_CLOSE_ERROR, METERED_CLOSE_CODE_ABNORMAL);
      capture_error (error);
      return FALSE;
    }

  g_assert_true (test_publish (client, "tls/works", "true", &error));
  g_assert_no_error (error);
  test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);

  return TRUE;
}

static void
assert_tls_policy (const char *url,
                   Certs      *certs)
{
  g_autofree char *localhost = NULL;
  g_autofree char *plain = NULL;
  const char *port = strrchr (url, ':');

  g_assert_true (g_str_has_prefix (url, "wss://127.0.0.1:"));
  g_assert_false (tls_connects (url, NULL));
  g_assert_false (tls_connects (url, certs->other_ca));
  g_assert_true (tls_connects (url, certs->ca));

  /* The right CA, the wrong name: the certificate is for 127.0.0.1. */
  localhost = g_strdup_printf ("wss://localhost%s", port);
  g_assert_false (tls_connects (localhost, certs->ca));

  /* No plain WebSocket on a TLS port. */
  plain = g_strdup_printf ("ws://127.0.0.1%s", port);
  g_assert_false (tls_connects (plain, NULL));
}

static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(MeteredDevServer) server = NULL;
  g_autofree char *url = NULL;
  Certs certs = { 0 };

  if (!make_certs (&certs))
    {
      g_test_skip ("openssl is not installed");
      return;
    }

  /* In process. */
  certificate = g_tls_certificate_new_from_files (certs.cert, certs.key, &error);
  g_assert_no_error (error);
  server = metered_dev_server_new (NULL);
  metered_dev_server_set_tls_certificate (server, certificate);
  g_assert_true (metered_dev_server_listen (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  url = metered_dev_server_dup_url (server);
  assert_tls_policy (url, &certs);
  g_clear_object (&server);

  /* The binary, with options. */
  {
    const char * const args[] = { "--tls-certificate", certs.cert, "--tls-key", certs.key, NULL };
    g_autoptr(RelServer) binary = rel_server_start (args, NULL);

    assert_tls_policy (binary->url, &certs);
  }

  /* The binary, with the configuration file's `tls`, relative to it. */
  {
    g_autofree char *config = g_build_filename (certs.dir, "config.json", NULL);
    const char * const args[] = { "--config", config, NULL };
    g_autoptr(RelServer) binary = NULL;

    g_file_set_contents (config, "{\"tls\":{\"certificate\":\"server.pem\",\"key\":\"server.key\"}}", -1, &error);
    g_assert_no_error (error);
    binary = rel_server_start (args, NULL);
    assert_tls_policy (binary->url, &certs);
  }

  /* Bad TLS options are usage errors. */
  {
    g_autofree char *missing = g_build_filename (certs.dir, "missing.pem", NULL);
    const char * const half[] = { DEVSERVER_PATH, "--port", "0", "--tls-certificate", certs.cert, NULL };
    const char * const absent[] = { DEVSERVER_PATH, "--port", "0", "--tls-certificate", missing, "--tls-key", certs.key, NULL };
    const char * const swapped[] = { DEVSERVER_PATH, "--port", "0", "--tls-certificate", certs.key, "--tls-key", certs.ca, NULL };
    const char * const *bad[] = { half, absent, swapped };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;

        g_autofree char *lower = NULL;

        g_assert_cmpint (rel_run_command (bad[i], NULL, 30, &out, &err), ==, 2);
        lower = g_ascii_strdown (err, -1);
        g_assert_nonnull (strstr (lower, "tls"));
        /* A private key is never echoed. */
        g_assert_null (strstr (err, "PRIVATE KEY"));
      }
  }

  /* And so are bad `tls` members, named in the message. */
  {
    const char * const configs[] = {
      "{\"tls\":{\"certificate\":5,\"key\":\"k\"}}",
      "{\"tls\":{\"certificate\":\"c\"}}",
      "{\"tls\":{\"certificate\":\"\",\"key\":\"k\"}}",
      "{\"tls\":{\"certificate\":\"c\",\"key\":\"k\",\"password\":\"p\"}}",
      "{\"tls\":true}",
    };
    g_autofree char *config = g_build_filename (certs.dir, "config.json", NULL);

    for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
      {
        const char * const argv[] = { DEVSERVER_PATH, "--port", "0", "--config", config, NULL };
        g_autofree char *out = NULL;
        g_autofree char *err = NULL;

        g_file_set_contents (config, configs[i], -1, &error);
        g_assert_no_error (error);
        g_assert_cmpint (rel_run_command (argv, NULL, 30, &out, &err), ==, 2);
        g_assert_nonnull (strstr (err, "tls"));
      }
  }

  certs_clear (&certs);
}

/* Secrets in output. */

static void
on_disconnected_capture (MeteredClient            *client,
                         MeteredDisconnectedEvent *event,
                         gpointer                  data)
{
  capture_text (metered_disconnected_event_get_reason (event));
}

static void
on_server_error_capture (MeteredClient           *client,
                         MeteredServerErrorEvent *event,
                         gpointer                 data)
{
  capture_text (metered_server_error_event_get_message (event));
  capture_text (metered_server_error_event_get_code (event));
}

/* A server that repeats the client's credential (@credential, its key or
 * its token) back: in close reasons, in error frames, in answers to
 * requests. */
static void
echo_secrets (MeteredDevServer *server,
              MeteredClient    *client,
              const char       *credential)
{
  g_autoptr(TestCall) call = test_call_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *echo = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(JsonNode) sent = NULL;
  TestRecorder *rec = test_recorder_new (client);
  const char *request_id;

  /* An error frame without a request: the server-error event. (The
   * signing secret is not the client's to know: no echo of it here.) */
  echo = g_strdup_printf ("{\"type\":\"error\",\"code\":\"internal_error\",\"message\":\"you sent %s\"}",
                          credential);
  metered_dev_server_hook_send_raw (server, NULL, echo);

  /* An error answering a request: the request's GError. */
  metered_dev_server_hook_set_ack_mode (server, metered_client_get_peer_id (client), METERED_DEV_ACKS_SWALLOW, 0);
  metered_client_publish_text_async (client, "echo", "1", NULL, test_call_cb, call);
  test_wait_for (rec->frames_out->len > 0, 5);
  sent = json_from_string (g_ptr_array_index (rec->frames_out, rec->frames_out->len - 1), NULL);
  request_id = json_object_get_string_member (json_node_get_object (sent), "requestId");
  answer = g_strdup_printf ("{\"type\":\"error\",\"requestId\":\"%s\",\"code\":\"backend_error\","
                            "\"message\":\"\\u001b[2J%s\"}", request_id, credential);
  metered_dev_server_hook_send_raw (server, NULL, answer);
  g_assert_false (metered_client_publish_text_finish (client, test_call_wait (call), &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == METERED_SERVER_ERROR);
  /* No terminal escapes from the server either. */
  g_assert_null (strchr (error->message, '\x1b'));
  capture_error (error);
  metered_dev_server_hook_set_ack_mode (server, NULL, METERED_DEV_ACKS_NORMAL, 0);

  /* A close reason (at most 123 bytes: a key fits, a token does not). */
  if (strlen (credential) < 100)
    {
      g_autofree char *reason = g_strdup_printf ("bye %s", credential);

      metered_dev_server_hook_close (server, metered_client_get_peer_id (client), 4000, reason);
    }
  else
    {
      metered_dev_server_hook_close (server, metered_client_get_peer_id (client), 4000, "bye");
    }
  test_wait_for (rec->disconnected->len > 0, 5);
  test_wait_for (metered_client_get_state (client) == METERED_CLIENT_STATE_CONNECTED, 10);
  test_recorder_free (rec);
}

static void
run_clients (MeteredDevServer *server)
{
  g_autofree char *url = test_server_url (server);
  g_autofree char *token = good_token (NULL);
  g_autofree char *bad = forge_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}",
                                      "{\"sub\":\"x\",\"exp\":9999999999}", "sk_secret_wrong");
  g_autoptr(GError) error = NULL;

  /* A publishable key, a token, then refusals of both. */
  {
    g_autoptr(MeteredClient) client = test_client_new (server, "api-key", SECRET_PK, NULL);

    g_signal_connect (client, "disconnected", G_CALLBACK (on_disconnected_capture), NULL);
    g_signal_connect (client, "server-error", G_CALLBACK (on_server_error_capture), NULL);
    test_connect_ok (client);
    g_assert_true (test_subscribe (client, "secrets", 0, &error));
    echo_secrets (server, client, SECRET_PK);
    test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  }
  {
    g_autoptr(MeteredClient) client = token_client_new (server, token);

    g_signal_connect (client, "disconnected", G_CALLBACK (on_disconnected_capture), NULL);
    g_signal_connect (client, "server-error", G_CALLBACK (on_server_error_capture), NULL);
    test_connect_ok (client);
    echo_secrets (server, client, token);
    test_close (client, METERED_CLOSE_CODE_NORMAL, NULL, NULL);
  }
  {
    g_autoptr(MeteredClient) client = test_client_new (server, "api-key", SECRET_PK "x", NULL);

    g_assert_false (test_connect (client, &error));
    capture_error (error);
    capture_text (metered_close_error_get_reason (error));
    g_clear_error (&error);
  }
  {
    g_autoptr(MeteredClient) client = token_client_new (server, bad);

    g_assert_false (test_connect (client, &error));
    capture_error (error);
    g_clear_error (&error);
  }
}

static void
run_cli (MeteredDevServer *server)
{
  g_autofree char *url = test_server_url (server);
  g_autofree char *token = good_token (NULL);
  g_autofree char *bad = forge_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" SECRET_KEY_ID "\"}",
                                      "{\"sub\":\"x\",\"exp\":9999999999}", "sk_secret_wrong");
  struct {
    const char *args[8];
    const char *env[7];
    int         status;
  } runs[] = {
    { { "-v", "pub", "--url", url, "room", "1", NULL }, { "METERED_API_KEY", SECRET_PK, "G_MESSAGES_DEBUG", "all", NULL }, 0 },
    { { "-v", "pub", "--url", url, "--api-key", SECRET_PK, "room", "1" }, { "G_MESSAGES_DEBUG", "all", NULL }, 0 },
    { { "-v", "pub", "--url", url, "room", "1", NULL }, { "METERED_TOKEN", token, "G_MESSAGES_DEBUG", "all", NULL }, 0 },
    { { "-v", "pub", "--url", url, "room", "1", NULL }, { "METERED_TOKEN", bad, "G_MESSAGES_DEBUG", "all", NULL }, 3 },
    { { "-v", "pub", "--url", url, "room", "1", NULL }, { "METERED_API_KEY", SECRET_PK "x", "G_MESSAGES_DEBUG", "all", NULL }, 3 },
    { { "-v", "presence", "--url", url, "room", NULL }, { "METERED_API_KEY", SECRET_PK, "G_MESSAGES_DEBUG", "all", NULL }, 0 },
    /* Minting prints a token by design, never the secret. */
    { { "token", "--secret-id", SECRET_KEY_ID, "--sub", "cli", NULL }, { "METERED_SECRET", SECRET_SECRET, "G_MESSAGES_DEBUG", "all", NULL }, 0 },
    { { "token", "--secret-id", SECRET_KEY_ID, "--sub", "cli", "--peer-metadata", "{not json", NULL }, { "METERED_SECRET", SECRET_SECRET, NULL }, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status;

      g_ptr_array_add (argv, (char *) METERED_CLI_PATH);
      for (guint j = 0; j < G_N_ELEMENTS (runs[i].args) && runs[i].args[j] != NULL; j++)
        g_ptr_array_add (argv, (char *) runs[i].args[j]);
      g_ptr_array_add (argv, NULL);

      status = rel_run_command ((const char * const *) argv->pdata, runs[i].env, 30, &out, &err);
      if (status != runs[i].status)
        g_error ("metered %s exited with %d: %s", runs[i].args[1], status, err);

      if (g_str_equal (runs[i].args[0], "token"))
        {
          /* The minted token is the one thing stdout may hold. */
          g_assert_null (strstr (out, SECRET_SECRET));
          g_assert_null (strstr (err, SECRET_SECRET));
          capture_text (err);
          continue;
        }
      capture_text (out);
      capture_text (err);
    }
}

static void
assert_rows_clean (InspectorConnection *connection)
{
  InspectorLogStore *log = inspector_connection_get_log (connection);
  guint n;

  inspector_log_store_flush (log);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  g_assert_cmpuint (n, >, 0);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(InspectorLogEntry) entry = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char *text = inspector_log_entry_dup_text (entry);
      g_autofree char *preview = inspector_log_entry_dup_preview (entry);

      assert_clean ("an inspector row's text", text);
      assert_clean ("an inspector row's preview", preview);
      assert_clean ("an inspector row's note", inspector_log_entry_get_note (entry));
      assert_clean ("an inspector row's frame", inspector_log_entry_get_frame (entry));
      assert_clean ("an inspector row's metadata", inspector_log_entry_get_metadata (entry));
      assert_clean ("an inspector row's channel", inspector_log_entry_get_channel (entry));
      assert_clean ("an inspector row's peer", inspector_log_entry_get_peer (entry));
    }

  assert_clean ("the inspector's last error", inspector_connection_get_last_error (connection));
  assert_clean ("the inspector's URL", inspector_connection_get_url (connection));
  assert_clean ("the inspector's label", inspector_connection_get_label (connection));
}

static void
run_inspector (MeteredDevServer *server)
{
  InspectorAuthMode modes[] = { INSPECTOR_AUTH_API_KEY, INSPECTOR_AUTH_TOKEN, INSPECTOR_AUTH_SIGNED_TOKEN };
  g_autofree char *token = good_token (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(InspectorConnectOptions) options = inspector_connect_options_new (modes[i]);
      g_autoptr(InspectorConnection) connection = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *echo = NULL;

      g_free (options->url);
      options->url = test_server_url (server);
      options->api_key = g_strdup (SECRET_PK);
      options->token = g_strdup (token);
      options->key_id = g_strdup (SECRET_KEY_ID);
      options->secret = g_strdup (SECRET_SECRET);
      options->subject = g_strdup ("inspector-peer");
      options->reconnect.initial_delay = 0.05;
      options->reconnect.max_delay = 0.2;
      connection = inspector_connection_new (options);
      inspector_connection_start (connection);
      test_wait_for (inspector_connection_get_state (connection) == METERED_CLIENT_STATE_CONNECTED, 15);
      g_assert_true (inspector_connection_subscribe (connection, "secrets", FALSE, &error));
      g_assert_no_error (error);

      /* The server repeats back what this connection was given: the key,
       * the token, or the signing secret (the inspector mints with it). */
      echo = g_strdup_printf ("{\"type\":\"error\",\"code\":\"internal_error\",\"message\":\"%s\"}",
                              modes[i] == INSPECTOR_AUTH_API_KEY ? SECRET_PK :
                              modes[i] == INSPECTOR_AUTH_TOKEN ? token : SECRET_SECRET);
      metered_dev_server_hook_send_raw (server, NULL, echo);
      metered_dev_server_hook_close (server, NULL, 4000,
                                     modes[i] == INSPECTOR_AUTH_API_KEY ? "bye " SECRET_PK : "bye");
      test_wait_for (inspector_connection_get_state (connection) != METERED_CLIENT_STATE_CONNECTED, 10);
      test_wait_for (inspector_connection_get_state (connection) == METERED_CLIENT_STATE_CONNECTED, 15);

      /* And refuses them. */
      metered_dev_server_hook_close (server, NULL, 4001,
                                     modes[i] == INSPECTOR_AUTH_API_KEY ? "invalid " SECRET_PK : "invalid");
      test_wait_for (inspector_connection_get_state (connection) == METERED_CLIENT_STATE_CLOSED, 10);
      test_run_for (0.1);

      assert_rows_clean (connection);
      inspector_connection_disconnect (connection);
    }
}

static void
assert_captured_clean (void)
{
  assert_clean ("the log", captured_logs->str);
  for (guint i = 0; i < captured_texts->len; i++)
    assert_clean ("an error message or event text", g_ptr_array_index (captured_texts, i));
}

static void
test_no_secrets_client (void)
{
  g_autoptr(MeteredDevServer) server = secure_server_new ();
  guint texts = captured_texts->len;

  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  run_clients (server);
  g_unsetenv ("G_MESSAGES_DEBUG");

  /* The check saw something: events, errors, redacted URLs in the log. */
  g_assert_cmpuint (captured_texts->len, >, texts + 8);
  g_assert_nonnull (strstr (captured_logs->str, "token=REDACTED"));
  assert_captured_clean ();
}

static void
test_no_secrets_cli (void)
{
  g_autoptr(MeteredDevServer) server = secure_server_new ();

  run_cli (server);
  assert_captured_clean ();
}

static void
test_no_secrets_inspector (void)
{
  g_autoptr(MeteredDevServer) server = secure_server_new ();

  run_inspector (server);
  assert_captured_clean ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  signal (SIGPIPE, SIG_IGN);
  g_test_init (&argc, &argv, NULL);
  captured_logs = g_string_new (NULL);
  captured_texts = g_ptr_array_new_with_free_func (g_free);
  tokens = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/reliability/security/forged-tokens", test_forged_tokens);
  g_test_add_func ("/reliability/security/channel-scope", test_channel_scope);
  g_test_add_func ("/reliability/security/urls", test_urls);
  g_test_add_func ("/reliability/security/tls", test_tls);
  g_test_add_func ("/reliability/security/no-secrets/client", test_no_secrets_client);
  g_test_add_func ("/reliability/security/no-secrets/cli", test_no_secrets_cli);
  g_test_add_func ("/reliability/security/no-secrets/inspector", test_no_secrets_inspector);

  status = g_test_run ();

  g_string_free (captured_logs, TRUE);
  g_ptr_array_unref (captured_texts);
  g_ptr_array_unref (tokens);

  return status;
}
