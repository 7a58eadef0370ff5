/* metered-frame-private.h: the JSON frame codec shared by client and server
 *
 * Parsing is strict about shapes (protocol §3, §4, §17); building writes
 * compact JSON with a single allocation per frame. Payloads (`data`,
 * metadata) are passed to the builders as already-serialized JSON text so a
 * payload fanned out to many peers is serialized once.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "metered-version-macros.h"

G_BEGIN_DECLS

typedef enum {
  METERED_FRAME_INVALID = 0,
  /* client -> server */
  METERED_FRAME_SUBSCRIBE,
  METERED_FRAME_UNSUBSCRIBE,
  METERED_FRAME_PUBLISH,
  METERED_FRAME_SEND,
  METERED_FRAME_PING,
  /* server -> client */
  METERED_FRAME_WELCOME,
  METERED_FRAME_ACK,
  METERED_FRAME_ERROR,
  METERED_FRAME_MESSAGE,
  METERED_FRAME_DIRECT,
  METERED_FRAME_PRESENCE,
  METERED_FRAME_GOING_AWAY,
  METERED_FRAME_PONG,
} MeteredFrameType;

typedef struct {
  char       *peer_id;
  JsonObject *metadata;          /* nullable */
} MeteredFramePeer;

/* One parsed frame. Which fields are set depends on @type; unset strings are
 * NULL, unset objects NULL. @data is NULL when the key is absent and a
 * JSON null node when the payload is null.
 *
 * @data_text is set by metered_frame_parse_server_frame() for message and
 * direct frames: the text of `data` as it was in the frame (escapes, number
 * spellings and characters untouched) minus any whitespace between tokens,
 * so it is compact JSON and, from a server that writes compact JSON, the
 * received bytes exactly. Copying it out of the frame text is much cheaper
 * than writing it again from @data. With METERED_FRAME_PARSE_LAZY_DATA it
 * is all the frame holds of the payload (@data stays NULL). */
typedef struct {
  MeteredFrameType  type;
  char             *request_id;          /* requests, ack, error */
  char             *channel;             /* subscribe, unsubscribe, publish, message, presence */
  char             *peer_id;             /* send: `to`; message/direct: `from`; welcome: `peerId` */
  JsonNode         *data;                /* publish, send, message, direct */
  char             *data_text;           /* message, direct (server frames) */
  JsonObject       *metadata;            /* welcome `metadata`; message/direct `fromMetadata` */
  gboolean          include_sender_metadata; /* subscribe */
  char             *code;                /* error */
  char             *message;             /* error, nullable */
  gint64            server_time;         /* welcome */
  gint64            expires_at;          /* welcome; meaningful when has_expires_at */
  gboolean          has_expires_at;      /* welcome: FALSE for JSON null (pk keys) */
  gint64            max_message_size;    /* welcome */
  gint64            retry_after_ms;      /* going_away; 1000 when missing or <= 0 */
  GPtrArray        *joined;              /* presence: MeteredFramePeer */
  GPtrArray        *left;                /* presence: MeteredFramePeer */
} MeteredFrame;

METERED_INTERNAL
void          metered_frame_clear               (MeteredFrame   *frame);

/* Parses a frame the server sent (the client side). Anything that does not
 * have exactly the shape of §17 fails with METERED_CLIENT_ERROR_PROTOCOL and
 * leaves @frame cleared. Both parsers overwrite @frame without reading it
 * (it need not be initialized); clear it with metered_frame_clear(). */
METERED_INTERNAL
gboolean      metered_frame_parse_server_frame  (const char     *text,
                                                 gssize          len,
                                                 MeteredFrame   *frame,
                                                 GError        **error);

typedef enum {
  METERED_FRAME_PARSE_DEFAULT    = 0,
  /* The caller checked that @text is UTF-8 (a WebSocket does for every
   * text message); NUL bytes are still refused. */
  METERED_FRAME_PARSE_UTF8_VALID = 1 << 0,
  /* Leave @data NULL for message and direct frames: the payload is only
   * checked, and @data_text is all the frame holds of it. Build the node
   * when needed with metered_json_parse_validated (@data_text). */
  METERED_FRAME_PARSE_LAZY_DATA  = 1 << 1,
} MeteredFrameParseFlags;

/* metered_frame_parse_server_frame() with @flags; it refuses exactly the
 * same frames. */
METERED_INTERNAL
gboolean      metered_frame_parse_server_frame_full (const char              *text,
                                                     gssize                   len,
                                                     MeteredFrameParseFlags   flags,
                                                     MeteredFrame            *frame,
                                                     GError                 **error);

/* Parses a frame a client sent (the server side). Fails with a
 * METERED_SERVER_ERROR code to send back (`malformed_message`,
 * `unknown_type`, `invalid_channel`, `invalid_peer_id`, `missing_data`);
 * when the frame carried a valid `requestId`, it is left in
 * @frame->request_id even on failure so the error can echo it. Channel and
 * peer-id *content* rules are checked here too, with metered-channel.h. */
METERED_INTERNAL
gboolean      metered_frame_parse_client_frame  (const char     *text,
                                                 gssize          len,
                                                 MeteredFrame   *frame,
                                                 GError        **error);

/* @frame->data written as compact JSON (NULL when absent), whatever text it
 * was parsed from. */
METERED_INTERNAL
char         *metered_frame_dup_data_text       (const MeteredFrame *frame);

/* client -> server */
METERED_INTERNAL
char *metered_frame_build_subscribe   (const char *channel,
                                       gboolean    include_sender_metadata,
                                       const char *request_id);
METERED_INTERNAL
char *metered_frame_build_unsubscribe (const char *channel,
                                       const char *request_id);
METERED_INTERNAL
char *metered_frame_build_publish     (const char *channel,
                                       const char *data_json,
                                       const char *request_id);
METERED_INTERNAL
char *metered_frame_build_send        (const char *to,
                                       const char *data_json,
                                       const char *request_id);
METERED_INTERNAL
char *metered_frame_build_ping        (void);

/* server -> client. Nullable arguments are left out of the frame when NULL;
 * @expires_at < 0 writes `"expiresAt": null`. */
METERED_INTERNAL
char *metered_frame_build_welcome     (const char *peer_id,
                                       gint64      expires_at,
                                       gint64      server_time,
                                       gint64      max_message_size,
                                       const char *metadata_json);
METERED_INTERNAL
char *metered_frame_build_ack         (const char *request_id);
METERED_INTERNAL
char *metered_frame_build_error       (const char *code,
                                       const char *message,
                                       const char *request_id);
METERED_INTERNAL
char *metered_frame_build_message     (const char *channel,
                                       const char *from,
                                       const char *data_json,
                                       const char *from_metadata_json);
METERED_INTERNAL
char *metered_frame_build_direct      (const char *from,
                                       const char *data_json,
                                       const char *from_metadata_json);
/* @joined and @left hold MeteredFramePeer; either may be NULL (written as []). */
METERED_INTERNAL
char *metered_frame_build_presence    (const char *channel,
                                       GPtrArray  *joined,
                                       GPtrArray  *left);
METERED_INTERNAL
char *metered_frame_build_going_away  (gint64      retry_after_ms);
METERED_INTERNAL
char *metered_frame_build_pong        (void);

/* Appends @text as a JSON string literal (quotes and escapes included). */
METERED_INTERNAL
void  metered_json_append_string      (GString    *out,
                                       const char *text);

/* Appends @node as compact JSON, members in insertion order. Doubles are
 * written with 15 significant digits when that reads back exactly, else 17
 * (0.1 stays "0.1"); non-finite doubles, which JSON cannot carry, as null. */
METERED_INTERNAL
void  metered_json_append_node        (GString    *out,
                                       JsonNode   *node);

/* Parses JSON text from outside (network, tokens, config files) safely:
 * strict RFC 8259 syntax, valid UTF-8, at most METERED_JSON_MAX_DEPTH
 * levels of nesting, no `\u0000` in strings and no number json-glib would
 * misread (integers beyond 64 bits, doubles beyond range). Fails with
 * JSON_PARSER_ERROR; the message never quotes the input. */
#define METERED_JSON_MAX_DEPTH 64

METERED_INTERNAL
JsonNode *metered_json_parse_untrusted (const char  *text,
                                        gssize       len,
                                        GError     **error);

/* The sealed node of NUL-terminated @text that metered_json_parse_untrusted()
 * (or a frame parse, as MeteredFrame.data_text) already accepted. Anything
 * else is undefined behaviour: it is not checked again. */
METERED_INTERNAL
JsonNode *metered_json_parse_validated (const char  *text);

METERED_INTERNAL
MeteredFramePeer *metered_frame_peer_new  (const char *peer_id,
                                           JsonObject *metadata);
METERED_INTERNAL
void              metered_frame_peer_free (MeteredFramePeer *peer);

G_END_DECLS
