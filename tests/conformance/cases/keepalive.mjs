// Server control pings and the drop of silent connections (fastping: 1 s interval).

import assert from 'node:assert/strict';
import { rawWelcome } from '../lib/raw.mjs';
import { sleep } from '../lib/util.mjs';

const INTERVAL_S = 1;
const GRACE_S = 10;

export const tests = [
  {
    name: 'keepalive/server-sends-control-pings',
    run: async (ctx) => {
      const server = await ctx.server('fastping');
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      // Timers with whole-second granularity may fire up to a second late,
      // so allow for that on top of the 1 s interval.
      await sleep(3600);
      const gaps = client.pingTimes.map((t, i) => t - (i ? client.pingTimes[i - 1] : client.openedAt));
      ctx.note(`ping offsets (ms since open, then gaps): ${gaps.join(', ')}`);
      assert.ok(client.pings >= 2 && client.pings <= 5, `expected 2–5 WebSocket pings in 3.6 s at pingIntervalSeconds 1, got ${client.pings} (gaps ${gaps.join(', ')} ms)`);
      assert.equal(client.closeInfo, null, 'an answering client must stay connected');
    },
  },
  {
    name: 'keepalive/silent-connection-dropped-after-interval-plus-grace',
    slow: true,
    timeout: 20000,
    run: async (ctx) => {
      const server = await ctx.server('fastping');
      // autoPong off: the client reads pings but never answers, and sends nothing.
      const { client: silent } = await rawWelcome(ctx, server, { key: 'pk_live_dev' }, { autoPong: false });
      const { client: alive } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const opened = silent.openedAt;
      const info = await silent.waitClosed(16000, 'the server to drop a connection that never answers pings');
      const elapsed = (info.at - opened) / 1000;
      ctx.note(`silent connection closed after ${elapsed.toFixed(2)} s with code ${info.code}`);
      const lo = INTERVAL_S + GRACE_S - 1.0;
      const hi = INTERVAL_S + GRACE_S + 2.5;
      assert.ok(elapsed >= lo && elapsed <= hi, `silent connection closed after ${elapsed.toFixed(2)} s, expected about ${INTERVAL_S + GRACE_S} s (${lo}–${hi} s)`);
      assert.ok(silent.pings >= 5, `the silent client should have been pinged repeatedly, saw ${silent.pings}`);
      assert.equal(alive.closeInfo, null, 'a client that answers pings must not be dropped');
    },
  },
];
