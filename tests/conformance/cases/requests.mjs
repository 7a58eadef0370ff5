// Request/ack correlation, idempotent subscribe, JSON keepalive, uncorrelated errors.

import assert from 'node:assert/strict';
import { mintJwt } from '../lib/jwt.mjs';
import { rawWelcome } from '../lib/raw.mjs';
import { show, sleep, uid } from '../lib/util.mjs';
import { assertAck } from './common.mjs';

export const tests = [
  {
    name: 'requests/acks-raw-exact-shape',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client: a } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const { client: b, welcome: bw } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const channel = uid('acks');
      assertAck(await a.request({ type: 'subscribe', channel }, 'sub-1'), 'sub-1');
      assertAck(await a.request({ type: 'publish', channel, data: { n: 1 } }, 'pub-1'), 'pub-1');
      assertAck(await a.request({ type: 'send', to: bw.peerId, data: 'hi' }, 'send-1'), 'send-1');
      assertAck(await a.request({ type: 'unsubscribe', channel }, 'unsub-1'), 'unsub-1');
      // A long requestId (128 bytes) is echoed verbatim.
      const longId = 'r'.repeat(128);
      assertAck(await a.request({ type: 'subscribe', channel }, longId), longId);
      await b.next('direct');
    },
  },
  {
    name: 'requests/acks-through-sdk',
    run: async (ctx) => {
      const server = await ctx.server();
      const a = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      const b = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      const channel = uid('sdkacks');
      await a.client.subscribe(channel);
      await a.client.publish(channel, { hello: 'world' });
      await a.client.send(b.peerId, { ping: true });
      await a.client.unsubscribe(channel);
      const direct = await b.next('direct');
      assert.equal(direct.from, a.peerId);
    },
  },
  {
    name: 'requests/subscribe-idempotent-no-duplicate-join',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('idem');
      const { client: watcher } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertAck(await watcher.request({ type: 'subscribe', channel }, 'w'), 'w');
      const { client: a, welcome: aw } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertAck(await a.request({ type: 'subscribe', channel }, 'first'), 'first');
      assertAck(await a.request({ type: 'subscribe', channel }, 'second'), 'second');
      await sleep(400);
      const joins = watcher.all((f) => f.type === 'presence' && (f.joined ?? []).some((p) => p.peerId === aw.peerId));
      assert.equal(joins.length, 1, `the other subscriber must see exactly one join for a double subscribe, saw ${joins.length}: ${watcher.describe()}`);
      // Still subscribed exactly once: one message per publish.
      assertAck(await watcher.request({ type: 'publish', channel, data: 1 }, 'p'), 'p');
      await a.next((f) => f.type === 'message' && f.channel === channel);
      await a.expectNone((f) => f.type === 'message', 300, 'second copy of the message');
    },
  },
  {
    name: 'requests/include-sender-metadata-last-subscribe-wins',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('lastwins');
      const senderMeta = { name: 'Sender', tags: ['x'] };
      const { client: sender, welcome: sw } = await rawWelcome(ctx, server, { token: mintJwt({ sub: uid('sender'), peerMetadata: senderMeta }) });
      const { client: r } = await rawWelcome(ctx, server, { token: mintJwt({ sub: uid('recv') }) });
      assertAck(await r.request({ type: 'subscribe', channel, includeSenderMetadata: true }, 's1'), 's1');
      assertAck(await r.request({ type: 'subscribe', channel, includeSenderMetadata: false }, 's2'), 's2');
      assertAck(await sender.request({ type: 'publish', channel, data: 'one' }, 'p1'), 'p1');
      const m1 = await r.next((f) => f.type === 'message' && f.data === 'one');
      assert.ok(!('fromMetadata' in m1), `after re-subscribing with includeSenderMetadata:false, fromMetadata must be gone: ${show(m1)}`);
      assertAck(await r.request({ type: 'subscribe', channel, includeSenderMetadata: true }, 's3'), 's3');
      assertAck(await sender.request({ type: 'publish', channel, data: 'two' }, 'p2'), 'p2');
      const m2 = await r.next((f) => f.type === 'message' && f.data === 'two');
      assert.equal(m2.from, sw.peerId);
      assert.deepEqual(m2.fromMetadata, senderMeta, `after re-subscribing with includeSenderMetadata:true: ${show(m2)}`);
    },
  },
  {
    name: 'requests/unsubscribe-not-subscribed-is-acked',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertAck(await client.request({ type: 'unsubscribe', channel: uid('never') }, 'u1'), 'u1');
      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      await peer.client.unsubscribe(uid('never-sdk'));
    },
  },
  {
    name: 'requests/json-ping-pong',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      client.send({ type: 'ping' });
      const pong = await client.next();
      assert.deepEqual(pong, { type: 'pong' }, `answer to {"type":"ping"}: ${show(pong)}`);
    },
  },
  {
    name: 'requests/sdk-keepalive-keeps-idle-link',
    // The SDK pings every max(1 s, inactivity/3) on an idle link; pongs keep
    // its 2.5 s watchdog from firing over 4 s of silence.
    run: async (ctx) => {
      const server = await ctx.server();
      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev', inactivityTimeoutMs: 2500 });
      await peer.expectNone('disconnected', () => true, 4000, 'disconnect of an idle SDK connection (pong missing?)');
      assert.equal(peer.client.state, 'connected');
    },
  },
  {
    name: 'requests/uncorrelated-errors-reach-sdk-server-error',
    run: async (ctx) => {
      const server = await ctx.server();
      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      // Frames the SDK would never build, written straight to its socket.
      peer.socket.send('this is not json');
      const e1 = await peer.next('server-error');
      assert.equal(e1.code, 'malformed_message', show(e1));
      assert.ok(!('requestId' in e1), `no requestId expected: ${show(e1)}`);
      peer.socket.send(JSON.stringify({ type: 'publish', channel: '_system/x', data: 1 }));
      const e2 = await peer.next('server-error');
      assert.equal(e2.code, 'channel_reserved', show(e2));
      assert.ok(!('requestId' in e2));
      assert.equal(peer.client.state, 'connected', 'errors leave the connection open');
      await peer.client.subscribe(uid('still-open'));
    },
  },
];
