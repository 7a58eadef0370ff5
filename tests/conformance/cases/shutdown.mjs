// Graceful shutdown on SIGTERM.

import assert from 'node:assert/strict';
import { rawWelcome } from '../lib/raw.mjs';
import { show, withTimeout } from '../lib/util.mjs';

export const tests = [
  {
    name: 'shutdown/sigterm-going-away-then-1001-exit-0',
    run: async (ctx) => {
      const server = await ctx.spawn(null);
      const sdkPeers = [];
      for (let i = 0; i < 2; i++) sdkPeers.push(await ctx.connect(server, { apiKey: 'pk_live_dev' }));
      const { client: raw } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      server.kill('SIGTERM');

      const info = await raw.waitClosed(4000, 'close 1001 after SIGTERM');
      assert.equal(info.code, 1001, `raw close code ${info.code} (${show(info.reason)})`);
      const after = raw.frames.slice(1);
      assert.equal(after.length, 1, `exactly one frame (going_away) before the close: ${raw.describe()}`);
      assert.equal(after[0].type, 'going_away', raw.describe());
      assert.ok(Number.isInteger(after[0].retryAfterMs) && after[0].retryAfterMs > 0, `retryAfterMs: ${show(after[0])}`);

      for (const peer of sdkPeers) {
        const ga = await peer.next('going-away');
        assert.ok(ga.retryAfterMs > 0);
        const disc = await peer.next('disconnected');
        assert.equal(disc.code, 1001, `SDK disconnected: ${show(disc)}`);
        const gaAt = peer.events.find((e) => e.event === 'going-away').at;
        const discAt = peer.events.find((e) => e.event === 'disconnected').at;
        assert.ok(gaAt <= discAt, 'going-away comes before the close');
        await peer.close(); // stop its reconnect attempts
      }

      const exit = await withTimeout(server.exited, 5000, 'the devserver to exit after SIGTERM');
      assert.equal(exit.signal, null, `devserver died from signal ${exit.signal}`);
      assert.equal(exit.code, 0, `devserver exit code ${exit.code}`);
    },
  },
];
