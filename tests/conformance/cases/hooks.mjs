// The --test-hooks stdin protocol, exercised for what tests rely on.

import assert from 'node:assert/strict';
import { mintJwt } from '../lib/jwt.mjs';
import { RawClient, connectUrl, rawWelcome } from '../lib/raw.mjs';
import { show, sleep, uid } from '../lib/util.mjs';
import { assertAck, expectCloseBeforeWelcome } from './common.mjs';

export const tests = [
  {
    name: 'hooks/ack-mode-swallow-delay-normal',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('acks');
      const { client, welcome } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const { client: sub } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertAck(await sub.request({ type: 'subscribe', channel }, 's'), 's');
      const me = welcome.peerId;

      const a1 = await server.hook({ hook: 'ackMode', peerId: me, mode: 'swallow' });
      assert.equal(a1.affected, 1, show(a1));
      client.send({ type: 'publish', channel, data: 'swallowed', requestId: 'p1' });
      client.send({ type: 'publish', channel, requestId: 'p1e' }); // would be an error (missing_data)
      // The frame is still processed…
      assert.equal((await sub.next('message')).data, 'swallowed');
      // …but neither ack nor error comes back.
      await client.expectNone((f) => f.requestId === 'p1' || f.requestId === 'p1e', 1000, 'answer in swallow mode');

      await server.hook({ hook: 'ackMode', peerId: me, mode: 'delay', delayMs: 500 });
      const t0 = Date.now();
      client.send({ type: 'publish', channel, data: 'delayed', requestId: 'p2' });
      assertAck(await client.next((f) => f.requestId === 'p2', 3000), 'p2');
      const waited = Date.now() - t0;
      assert.ok(waited >= 450 && waited < 1500, `ack after ${waited} ms in delay mode 500 ms`);

      await server.hook({ hook: 'ackMode', peerId: me, mode: 'normal' });
      const t1 = Date.now();
      assertAck(await client.request({ type: 'publish', channel, data: 'normal' }, 'p3'), 'p3');
      assert.ok(Date.now() - t1 < 300, 'normal mode answers at once');
      assert.equal(client.all((f) => f.requestId === 'p1' || f.requestId === 'p1e').length, 0, 'swallowed answers must never arrive');
    },
  },
  {
    name: 'hooks/close-with-code-and-reason',
    run: async (ctx) => {
      const server = await ctx.server();
      const sub = uid('closeme');
      const peer = await ctx.connect(server, { token: mintJwt({ sub }) });
      const { client: raw } = await rawWelcome(ctx, server, { token: mintJwt({ sub }) });
      const answer = await server.hook({ hook: 'close', peerId: sub, code: 4011, reason: 'r' });
      assert.equal(answer.affected, 2, show(answer));
      const info = await raw.waitClosed();
      assert.deepEqual([info.code, info.reason], [4011, 'r']);
      const disc = await peer.next('disconnected');
      assert.deepEqual([disc.code, disc.reason, disc.willReconnect], [4011, 'r', true]);
      await peer.next('connected', (c) => c.isReconnect, 5000);
    },
  },
  {
    name: 'hooks/send-raw-verbatim',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client, welcome } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const text = '{"type":"custom","x":[1,2],"s":"é"}';
      const answer = await server.hook({ hook: 'sendRaw', peerId: welcome.peerId, text });
      assert.equal(answer.affected, 1, show(answer));
      const f = await client.next((x) => x.type === 'custom');
      assert.equal(f.__raw, text, 'sendRaw must deliver the text unchanged');
      await server.hook({ hook: 'sendRaw', peerId: welcome.peerId, text: 'not json' });
      await client.next((x) => x.__text === 'not json');
    },
  },
  {
    name: 'hooks/stall-starves-sdk-watchdog',
    run: async (ctx) => {
      const server = await ctx.server();
      const sub = uid('stalled');
      // closeTimeout: a stalled server never answers the client's close frame.
      const peer = await ctx.connect(server, { token: mintJwt({ sub }), inactivityTimeoutMs: 1500, wsOptions: { closeTimeout: 500 } });
      const answer = await server.hook({ hook: 'stall', peerId: sub, stalled: true });
      assert.equal(answer.affected, 1, show(answer));
      // The SDK's keepalive pings go unanswered, so its watchdog gives up on
      // the link (close 4000, which the stalled server never acknowledges).
      const t0 = Date.now();
      const disc = await peer.next('disconnected', () => true, 5000);
      ctx.note(`SDK disconnected ${Date.now() - t0} ms after the stall: ${show(disc)}`);
      assert.ok([4000, 1006].includes(disc.code), show(disc));
      assert.equal(disc.willReconnect, true);
      const again = await peer.next('connected', (c) => c.isReconnect, 5000);
      assert.equal(again.peerId, sub);
      // A stalled raw connection gets no answers; un-stalled, it works again.
      // (What happens to frames sent during the stall is left open.)
      const { client, welcome } = await rawWelcome(ctx, server, { token: mintJwt({ sub: uid('stall2') }) });
      await server.hook({ hook: 'stall', peerId: welcome.peerId, stalled: true });
      client.send({ type: 'subscribe', channel: uid('c'), requestId: 'while-stalled' });
      client.send({ type: 'ping' });
      await client.expectNone((f) => f.type !== 'welcome', 500, 'frame from a stalled connection');
      await server.hook({ hook: 'stall', peerId: welcome.peerId, stalled: false });
      assertAck(await client.request({ type: 'subscribe', channel: uid('c') }, 'after-stall', 2000), 'after-stall');
    },
  },
  {
    name: 'hooks/connections-count',
    run: async (ctx) => {
      const server = await ctx.spawn(null);
      assert.equal((await server.hook({ hook: 'connections' })).affected, 0);
      const { client: a } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      await ctx.connect(server, { apiKey: 'pk_live_dev' });
      assert.equal((await server.hook({ hook: 'connections' })).affected, 2);
      a.terminate();
      await a.closed;
      let n = -1;
      for (let i = 0; i < 20 && n !== 1; i++) {
        n = (await server.hook({ hook: 'connections' })).affected;
        if (n !== 1) await sleep(50);
      }
      assert.equal(n, 1, 'a dropped connection must leave the count');
    },
  },
  {
    name: 'hooks/reject-connections',
    run: async (ctx) => {
      const server = await ctx.spawn(null);
      const { client: existing } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      await server.hook({ hook: 'rejectConnections', code: 4010 });
      await expectCloseBeforeWelcome(ctx, server, { key: 'pk_live_dev' }, 4010);
      assert.equal(existing.closeInfo, null, 'existing connections are untouched');
      await server.hook({ hook: 'rejectConnections', code: 0 });
      await rawWelcome(ctx, server, { key: 'pk_live_dev' });
    },
  },
  {
    name: 'hooks/suspend-account',
    run: async (ctx) => {
      const server = await ctx.spawn(null);
      await server.hook({ hook: 'suspend', suspended: true });
      await expectCloseBeforeWelcome(ctx, server, { key: 'pk_live_dev' }, 4012);
      await server.hook({ hook: 'suspend', suspended: false });
      await rawWelcome(ctx, server, { key: 'pk_live_dev' });
    },
  },
  {
    name: 'hooks/bad-requests-get-error-answers',
    run: async (ctx) => {
      // Own server: a missing answer would shift every later answer.
      const server = await ctx.spawn(null);
      const unknown = await server.hookRaw(JSON.stringify({ hook: 'explode' }));
      assert.equal(typeof unknown.error, 'string', `unknown hook: ${show(unknown)}`);
      const notJson = await server.hookRaw('this is not json');
      assert.equal(typeof notJson.error, 'string', `non-JSON line: ${show(notJson)}`);
      const badMode = await server.hookRaw(JSON.stringify({ hook: 'ackMode', peerId: 'x', mode: 'sideways' }));
      assert.equal(typeof badMode.error, 'string', `bad ackMode: ${show(badMode)}`);
      // Unknown peers are not an error: nothing is affected.
      const none = await server.hook({ hook: 'drop', peerId: uid('nobody') });
      assert.equal(none.affected, 0);
      // The server is still fine.
      const c = ctx.track(await RawClient.open(connectUrl(server, { key: 'pk_live_dev' })));
      await c.next('welcome');
    },
  },
];
