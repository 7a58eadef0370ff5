// publish fan-out and direct sends.

import assert from 'node:assert/strict';
import { mintJwt } from '../lib/jwt.mjs';
import { rawWelcome } from '../lib/raw.mjs';
import { show, uid } from '../lib/util.mjs';
import { assertAck } from './common.mjs';

export const tests = [
  {
    name: 'fanout/publish-reaches-others-not-publisher',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('fan');
      const peers = [];
      for (let i = 0; i < 4; i++) peers.push(await ctx.connect(server, { apiKey: 'pk_live_dev' }));
      const [P, A, B, O] = peers;
      for (const x of [P, A, B]) await x.client.subscribe(channel);
      await O.client.subscribe(uid('elsewhere'));
      const payloads = [{ text: 'hi', n: 1, nested: { list: [1, 2, 3] } }, 'a string', 42, [1, 'two', false], { unicode: 'héllo ✓ 日本' }];
      for (const data of payloads) await P.client.publish(channel, data);
      for (const R of [A, B]) {
        for (const data of payloads) {
          const m = await R.next('message');
          assert.deepEqual(m, { channel, from: P.peerId, data }, `message as received by a subscriber: ${show(m)}`);
        }
      }
      await P.expectNone('message', () => true, 300, 'message echoed to the publisher');
      assert.equal(O.all('message').length, 0, 'a non-subscriber got a message');
    },
  },
  {
    name: 'fanout/from-metadata-only-for-opted-in-subscribers',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('meta');
      const senderMeta = { username: 'Alice', profilePic: 'https://example.org/a.png' };
      const { client: sender, welcome: sw } = await rawWelcome(ctx, server, { token: mintJwt({ sub: uid('alice'), peerMetadata: senderMeta }) });
      const { client: optIn } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const { client: optOut } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertAck(await sender.request({ type: 'subscribe', channel }, 's'), 's');
      assertAck(await optIn.request({ type: 'subscribe', channel, includeSenderMetadata: true }, 'i'), 'i');
      assertAck(await optOut.request({ type: 'subscribe', channel }, 'o'), 'o');
      assertAck(await sender.request({ type: 'publish', channel, data: { x: 1 } }, 'p'), 'p');
      const mIn = await optIn.next('message');
      assert.deepEqual(mIn, { type: 'message', channel, from: sw.peerId, data: { x: 1 }, fromMetadata: senderMeta }, show(mIn));
      const mOut = await optOut.next('message');
      assert.deepEqual(mOut, { type: 'message', channel, from: sw.peerId, data: { x: 1 } }, show(mOut));
      // A pk-key sender has no peerMetadata, so even opted-in subscribers get none.
      assertAck(await optOut.request({ type: 'publish', channel, data: 'pk' }, 'p2'), 'p2');
      const mPk = await optIn.next((f) => f.type === 'message' && f.data === 'pk');
      assert.ok(!('fromMetadata' in mPk), `no fromMetadata for a sender without peerMetadata: ${show(mPk)}`);
      // Through the SDK.
      const sdkIn = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      await sdkIn.client.subscribe(channel, { includeSenderMetadata: true });
      assertAck(await sender.request({ type: 'publish', channel, data: 'sdk' }, 'p3'), 'p3');
      const m = await sdkIn.next('message');
      assert.deepEqual(m, { channel, from: sw.peerId, data: 'sdk', fromMetadata: senderMeta });
    },
  },
  {
    name: 'fanout/direct-to-every-connection-of-peer',
    run: async (ctx) => {
      const server = await ctx.server();
      const target = uid('bob');
      const senderMeta = { role: 'agent' };
      const senderSub = uid('agent');
      const t1 = await ctx.connect(server, { token: mintJwt({ sub: target }) });
      const t2 = await ctx.connect(server, { token: mintJwt({ sub: target }) });
      const { client: rawTarget } = await rawWelcome(ctx, server, { token: mintJwt({ sub: target }) });
      const sender = await ctx.connect(server, { token: mintJwt({ sub: senderSub, peerMetadata: senderMeta }) });
      const data = { type: 'task-result', payload: [1, 2, 3] };
      await sender.client.send(target, data);
      for (const t of [t1, t2]) {
        const d = await t.next('direct');
        assert.deepEqual(d, { from: senderSub, data, fromMetadata: senderMeta }, `direct via SDK: ${show(d)}`);
      }
      const rawDirect = await rawTarget.next('direct');
      assert.deepEqual(rawDirect, { type: 'direct', from: senderSub, data, fromMetadata: senderMeta }, `direct frame exact shape (no channel): ${show(rawDirect)}`);
      await sender.expectNone('direct', () => true, 200, 'direct echoed to the sender');
      // A pk-key sender has no metadata to stamp.
      const pk = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      await pk.client.send(target, 'plain');
      const d2 = await rawTarget.next('direct');
      assert.deepEqual(d2, { type: 'direct', from: pk.peerId, data: 'plain' }, show(d2));
    },
  },
];
