// Presence: snapshot after subscribe, joined/left deltas.

import assert from 'node:assert/strict';
import { mintJwt } from '../lib/jwt.mjs';
import { rawWelcome } from '../lib/raw.mjs';
import { show, uid } from '../lib/util.mjs';
import { assertAck, sortPeers } from './common.mjs';

const onChannel = (channel) => (p) => p.channel === channel;

export const tests = [
  {
    name: 'presence/ack-then-empty-snapshot-exact-shape',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const channel = uid('empty');
      const start = client.frames.length;
      client.send({ type: 'subscribe', channel, requestId: 'r1' });
      await client.next((f) => f.type === 'presence');
      const after = client.frames.slice(start);
      assert.deepEqual(after[0], { type: 'ack', requestId: 'r1' }, `first frame after subscribe must be the ack: ${client.describe()}`);
      assert.deepEqual(after[1], { type: 'presence', channel, joined: [], left: [] }, `then the snapshot: ${client.describe()}`);
      // Without a requestId there is no ack, but the snapshot still comes.
      const channel2 = uid('empty2');
      client.send({ type: 'subscribe', channel: channel2 });
      const snap = await client.next((f) => f.type === 'presence' && f.channel === channel2);
      assert.deepEqual(snap, { type: 'presence', channel: channel2, joined: [], left: [] });
      await new Promise((r) => setTimeout(r, 300));
      const acks = client.all((f) => f.type === 'ack');
      assert.deepEqual(acks, [{ type: 'ack', requestId: 'r1' }], `a subscribe without requestId gets no ack: ${client.describe()}`);
    },
  },
  {
    name: 'presence/three-clients-snapshot-joined-left',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('room');
      const meta = { A: { name: 'Ann' }, B: { name: 'Bob', avatar: 'https://example.org/b.png' }, C: { name: 'Cid', n: 3 } };
      const subs = { A: uid('ann'), B: uid('bob'), C: uid('cid') };
      const peers = {};
      for (const k of ['A', 'B', 'C']) {
        peers[k] = await ctx.connect(server, { token: mintJwt({ sub: subs[k], peerMetadata: meta[k] }) });
      }
      const { A, B, C } = peers;

      await A.client.subscribe(channel);
      const snapA = await A.next('presence', onChannel(channel));
      assert.deepEqual(snapA, { channel, joined: [], left: [] }, 'first subscriber: empty snapshot');

      await B.client.subscribe(channel);
      const snapB = await B.next('presence', onChannel(channel));
      assert.deepEqual(snapB, { channel, joined: [{ peerId: subs.A, metadata: meta.A }], left: [] }, 'B snapshot lists A (with metadata), not B');
      const joinB = await A.next('presence', onChannel(channel));
      assert.deepEqual(joinB, { channel, joined: [{ peerId: subs.B, metadata: meta.B }], left: [] }, 'A sees B join');

      await C.client.subscribe(channel);
      const snapC = await C.next('presence', onChannel(channel));
      assert.deepEqual(sortPeers(snapC.joined), sortPeers([{ peerId: subs.A, metadata: meta.A }, { peerId: subs.B, metadata: meta.B }]), `C snapshot: ${show(snapC)}`);
      assert.deepEqual(snapC.left, []);
      for (const P of [A, B]) {
        const j = await P.next('presence', onChannel(channel));
        assert.deepEqual(j, { channel, joined: [{ peerId: subs.C, metadata: meta.C }], left: [] }, 'existing subscribers see C join');
      }

      // B unsubscribes: A and C see B leave; B gets nothing more on the channel.
      await B.client.unsubscribe(channel);
      for (const P of [A, C]) {
        const l = await P.next('presence', onChannel(channel));
        assert.deepEqual(l.joined, [], show(l));
        assert.deepEqual(l.left.map((p) => p.peerId), [subs.B], `left on unsubscribe: ${show(l)}`);
      }

      // C disconnects: A sees C leave.
      await C.close();
      const l2 = await A.next('presence', onChannel(channel));
      assert.deepEqual(l2.joined, []);
      assert.deepEqual(l2.left.map((p) => p.peerId), [subs.C], `left on disconnect: ${show(l2)}`);

      await A.expectNone('presence', onChannel(channel), 300, 'extra presence event');
      assert.equal(B.all('presence', onChannel(channel)).length, 2, `B saw only its snapshot and C's join: ${B.describe()}`);
    },
  },
  {
    name: 'presence/pk-peers-have-no-metadata-and-tcp-drop-leaves',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('pk');
      const { client: a } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertAck(await a.request({ type: 'subscribe', channel }, 'a'), 'a');
      await a.next('presence');
      const { client: b, welcome: bw } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertAck(await b.request({ type: 'subscribe', channel }, 'b'), 'b');
      const join = await a.next('presence');
      assert.deepEqual(join, { type: 'presence', channel, joined: [{ peerId: bw.peerId }], left: [] }, 'pk peers carry no metadata');
      b.terminate(); // no close frame
      const left = await a.next('presence');
      assert.equal(left.channel, channel);
      assert.deepEqual(left.joined, []);
      assert.deepEqual(left.left.map((p) => p.peerId), [bw.peerId], show(left));
    },
  },
];
