/* raw-client.h: a WebSocket peer written by hand over a plain socket
 *
 * For tests that must send what no library would (unmasked, truncated or
 * oversized frames) or see the server's bytes and TCP segments exactly as
 * sent. Server frames are read with the shared header codec, which
 * asserts they are well-formed.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-dev-server.h"

G_BEGIN_DECLS

typedef struct {
  GSocket    *socket;
  GByteArray *in;                 /* read, not yet taken */
  gboolean    eof;
} RawClient;

/* Connects to /v1?@query and reads the 101 answer (asserted). A small
 * @rcvbuf (set before connecting, so the TCP window stays small) makes a
 * peer that stops reading fill up quickly; 0 keeps the default. */
RawClient *raw_connect          (MeteredDevServer *server,
                                 const char       *query,
                                 int               rcvbuf);
/* raw_connect() + reads welcome (asserted). */
RawClient *raw_connect_welcomed (MeteredDevServer *server,
                                 const char       *query,
                                 int               rcvbuf);
void       raw_free             (RawClient        *raw);

/* Reads whatever is available, without blocking. */
void       raw_pump             (RawClient        *raw);
/* Writes everything, letting the server run whenever the socket is full.
 * FALSE if the server hung up. */
gboolean   raw_write            (RawClient        *raw,
                                 const guint8     *data,
                                 gsize             len);
/* A frame with any first byte (FIN, RSV bits, opcode), masked or not. */
gboolean   raw_send_frame_full  (RawClient        *raw,
                                 guint8            first_byte,
                                 const guint8     *payload,
                                 gsize             len,
                                 gboolean          masked);
gboolean   raw_send_text        (RawClient        *raw,
                                 const char       *text,
                                 gsize             len);
/* Takes one whole server frame off the input: FALSE if incomplete. */
gboolean   raw_take_frame       (RawClient        *raw,
                                 guint8           *opcode,
                                 GBytes          **payload);
/* The next data frame's text, skipping pings; NULL at a close, at EOF or
 * after TEST_TIMEOUT_MS (@close_code, nullable, then holds the close
 * frame's code, or 0). */
char      *raw_next_text        (RawClient        *raw,
                                 gushort          *close_code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawClient, raw_free)

G_END_DECLS
