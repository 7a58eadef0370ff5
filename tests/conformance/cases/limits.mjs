// Frame size cap, binary frames, per-connection message rate.

import assert from 'node:assert/strict';
import { OversizedPayloadError } from '@metered-ca/realtime';
import { withDevKeys } from '../lib/configs.mjs';
import { rawWelcome } from '../lib/raw.mjs';
import { rejectionOf, show, uid } from '../lib/util.mjs';
import { assertAck } from './common.mjs';

// A publish frame of exactly @size bytes (ASCII).
function publishFrameOfSize(channel, requestId, size) {
  const base = JSON.stringify({ type: 'publish', channel, data: '', requestId });
  const text = JSON.stringify({ type: 'publish', channel, data: 'x'.repeat(size - base.length), requestId });
  assert.equal(Buffer.byteLength(text), size);
  return text;
}

export const tests = [
  {
    name: 'limits/frame-of-64k-accepted-larger-closed-1009',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('big');
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const { client: sub } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertAck(await sub.request({ type: 'subscribe', channel }, 's'), 's');
      client.send(publishFrameOfSize(channel, 'exact', 65536));
      assertAck(await client.next('ack'), 'exact');
      const m = await sub.next('message');
      assert.equal(m.data.length, 65536 - JSON.stringify({ type: 'publish', channel, data: '', requestId: 'exact' }).length);
      client.send(publishFrameOfSize(channel, 'over', 65537));
      const info = await client.waitClosed(3000, 'close 1009 for a 65537-byte frame');
      assert.equal(info.code, 1009, `close code ${info.code} (${show(info.reason)}), expected 1009`);
      assert.equal(client.all((f) => f.type === 'ack' && f.requestId === 'over').length, 0);
      assert.equal(sub.closeInfo, null, 'only the offending connection is closed');
    },
  },
  {
    name: 'limits/configured-max-message-size',
    run: async (ctx) => {
      const server = await ctx.spawn(withDevKeys({ limits: { maxMessageSize: 1024 } }));
      const { client, welcome } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assert.equal(welcome.maxMessageSize, 1024, `welcome.maxMessageSize must advertise the configured cap: ${show(welcome)}`);
      client.send(publishFrameOfSize(uid('c'), 'ok', 1024));
      assertAck(await client.next('ack'), 'ok');
      client.send(publishFrameOfSize(uid('c'), 'over', 1025));
      const info = await client.waitClosed();
      assert.equal(info.code, 1009, `close code ${info.code}, expected 1009`);
      // The SDK learns the cap from welcome and refuses larger payloads locally.
      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      assert.equal((await peer.next('connected')).maxMessageSize, 1024);
      const err = await rejectionOf(peer.client.publish(uid('c'), 'y'.repeat(2000)), 'oversized SDK publish');
      assert.ok(err instanceof OversizedPayloadError, `${err.name}: ${err.message}`);
      assert.equal(peer.client.state, 'connected');
    },
  },
  {
    name: 'limits/binary-frame-closed-1008',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      client.ws.send(Buffer.from(JSON.stringify({ type: 'subscribe', channel: 'x', requestId: 'b' })), { binary: true });
      const info = await client.waitClosed(3000, 'close 1008 for a binary frame');
      assert.equal(info.code, 1008, `close code ${info.code} (${show(info.reason)}), expected 1008`);
    },
  },
  {
    name: 'limits/rate-under-burst-is-fine',
    run: async (ctx) => {
      const server = await ctx.server('ratelimit'); // 5/s, burst 10
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const channel = uid('calm');
      for (let i = 0; i < 8; i++) client.send({ type: 'publish', channel, data: i, requestId: `p${i}` });
      for (let i = 0; i < 8; i++) await client.next((f) => f.type === 'ack' && f.requestId === `p${i}`);
      await client.expectNone(() => false, 300);
      assert.equal(client.closeInfo, null, 'eight frames are within a burst of ten');
    },
  },
  {
    name: 'limits/rate-burst-closes-4011-raw',
    run: async (ctx) => {
      const server = await ctx.server('ratelimit');
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const channel = uid('flood');
      for (let i = 0; i < 40; i++) client.send({ type: 'publish', channel, data: i, requestId: `p${i}` });
      const info = await client.waitClosed(3000, 'close 4011 after 40 publishes against burst 10');
      assert.equal(info.code, 4011, `close code ${info.code} (${show(info.reason)}), expected 4011`);
      const acks = client.all((f) => f.type === 'ack').length;
      assert.ok(acks >= 9 && acks <= 12, `about the burst (10) should have been acked before the close, got ${acks}`);
    },
  },
  {
    name: 'limits/rate-burst-4011-sdk-reconnects',
    run: async (ctx) => {
      const server = await ctx.server('ratelimit');
      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      const channel = uid('sdkflood');
      const sends = [];
      for (let i = 0; i < 40; i++) sends.push(peer.client.publish(channel, i).catch((e) => e));
      const disc = await peer.next('disconnected');
      assert.equal(disc.code, 4011, `SDK disconnected: ${show(disc)}`);
      assert.equal(disc.willReconnect, true, '4011 is not terminal');
      const again = await peer.next('connected', (c) => c.isReconnect, 5000);
      assert.equal(again.isReconnect, true);
      const results = await Promise.all(sends);
      assert.ok(results.some((r) => r instanceof Error && r.name === 'DisconnectedError'), 'requests in flight at the close fail with DisconnectedError');
      await peer.client.publish(channel, 'after reconnect');
    },
  },
];
