/* metered-dev-hooks.h: the --test-hooks line protocol
 *
 * One JSON object per line in, one JSON line out per line in:
 *   {"hook":"drop","peerId":"p"}
 *   {"hook":"close","peerId":"p","code":4011,"reason":"r"}
 *   {"hook":"sendRaw","peerId":"p","text":"..."}
 *   {"hook":"sendBytes","peerId":"p","base64":"...","binary":false}
 *   {"hook":"ackMode","peerId":"p","mode":"normal|delay|swallow","delayMs":500}
 *   {"hook":"stall","peerId":"p","stalled":true}
 *   {"hook":"rejectConnections","code":4010}          (0 turns it off)
 *   {"hook":"suspend","suspended":true}
 *   {"hook":"connections"}
 *   {"hook":"flood","channel":"c","rate":0,"count":0,"payloadSize":200}
 *   {"hook":"floodStatus","floodId":1}
 *   {"hook":"stopFlood","floodId":1}
 * `peerId` left out selects every connection. Answers are
 * {"hook":NAME,"affected":N} (plus "connections":[{peerId,channels}] for
 * `connections`) or {"hook":NAME,"error":"..."}; NAME is null when the
 * line had none. The flood hooks answer {"hook":NAME,"floodId":ID,
 * "affected":0|1,"sent":N,"finished":BOOL} (affected 0: unknown flood).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "metered-dev-server.h"

G_BEGIN_DECLS

#define METERED_TYPE_DEV_HOOKS (metered_dev_hooks_get_type ())

G_DECLARE_FINAL_TYPE (MeteredDevHooks, metered_dev_hooks, METERED, DEV_HOOKS, GObject)

/* Carries out one line on @server's main context; returns the answer line,
 * without its newline. Never fails: bad lines get an error answer. */
char            *metered_dev_hooks_handle_line (MeteredDevServer *server,
                                                const char       *line);

/* Reads lines from @input until its end and writes each answer, with a
 * newline, to @output. */
MeteredDevHooks *metered_dev_hooks_new         (MeteredDevServer *server,
                                                GInputStream     *input,
                                                GOutputStream    *output);

G_END_DECLS
