/* devserver-test-util.h: an in-process server and raw libsoup clients
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "metered-dev-server.h"

G_BEGIN_DECLS

/* Stretches a failure deadline by $METERED_TEST_TIMEOUT_SCALE, a number
 * from 1 to 1000 (default 1), for slow runs such as valgrind. */
guint             test_scale_ms          (guint        ms);

#define TEST_TIMEOUT_MS (test_scale_ms (5000))

/* Runs the default main context until @done returns TRUE or @timeout_ms
 * passes; returns the last @done. */
gboolean          test_wait_until        (gboolean   (*done) (gpointer),
                                          gpointer     data,
                                          guint        timeout_ms);
/* Runs the main context for @ms. */
void              test_spin              (guint        ms);

/* A listening server on 127.0.0.1, port 0, with the configuration parsed
 * from @config_json (NULL: built-in development configuration). */
MeteredDevServer *test_server_new        (const char  *config_json);

typedef struct {
  SoupSession             *session;
  SoupMessage             *msg;
  SoupWebsocketConnection *ws;
  GQueue                   frames;        /* char *, oldest first */
  GError                  *error;         /* connect failure */
  gboolean                 done;          /* connect finished */
  gboolean                 closed;
  gushort                  close_code;
  char                    *close_reason;
  char                    *peer_id;       /* from welcome, when read */
} TestClient;

/* Connects to @server's /v1?@query and waits for the outcome (connected
 * or failed); does not read welcome. */
TestClient       *test_client_open       (MeteredDevServer *server,
                                          const char       *query);
/* test_client_open() + reads welcome (asserted), sets ->peer_id. */
TestClient       *test_client_connect    (MeteredDevServer *server,
                                          const char       *query);
/* The same for a server in another process, known by its port. */
TestClient       *test_client_open_port  (guint             port,
                                          const char       *query);
TestClient       *test_client_connect_port (guint           port,
                                            const char     *query);
void              test_client_free       (TestClient       *client);
void              test_client_send       (TestClient       *client,
                                          const char       *text);
/* The next frame, parsed (asserted within TEST_TIMEOUT_MS). */
JsonObject       *test_client_next       (TestClient       *client);
/* The next frame, asserted to be of @type. */
JsonObject       *test_client_expect     (TestClient       *client,
                                          const char       *type);
/* Asserts nothing arrives for @ms. */
void              test_client_expect_nothing (TestClient   *client,
                                              guint         ms);
/* Waits for the close (asserted) and returns its code. */
gushort           test_client_wait_closed (TestClient      *client);

/* Subscribes with a request id, asserts the ack and returns the snapshot. */
JsonObject       *test_client_subscribe  (TestClient       *client,
                                          const char       *channel,
                                          gboolean          include_sender_metadata);
/* Sends @text and asserts an error frame with @code comes back, echoing
 * @request_id (NULL: no requestId). */
void              test_client_expect_error (TestClient     *client,
                                            const char     *text,
                                            const char     *code,
                                            const char     *request_id);

/* A signed HS256 token for the development secret key. */
char             *test_make_token        (const char *kid,
                                          const char *secret,
                                          const char *claims_json);
/* A query string `token=…` (the token percent-encoded). */
char             *test_token_query       (const char *token);

/* Performs an HTTP request against @server and returns the status; @body
 * (nullable) receives the response body. */
guint             test_http              (MeteredDevServer *server,
                                          const char       *method,
                                          const char       *path,
                                          const char       *authorization,
                                          const char       *request_body,
                                          char            **body);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestClient, test_client_free)

G_END_DECLS
