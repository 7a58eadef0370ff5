// Every request error code of protocol §7 reachable over the WebSocket.

import assert from 'node:assert/strict';
import { SCOPED_KEYS, withDevKeys } from '../lib/configs.mjs';
import { mintJwt } from '../lib/jwt.mjs';
import { rawWelcome } from '../lib/raw.mjs';
import { show, uid } from '../lib/util.mjs';
import { assertAck, assertErrorFrame, expectSdkError } from './common.mjs';

// Sends @frame without a requestId and returns the next error frame.
async function errorWithoutId(client, frame) {
  client.send(frame);
  return client.next('error');
}

export const tests = [
  {
    name: 'errors/malformed-message',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertErrorFrame(await errorWithoutId(client, 'not json at all'), 'malformed_message');
      assertErrorFrame(await errorWithoutId(client, '{"type":"subscribe",'), 'malformed_message');
      assertErrorFrame(await errorWithoutId(client, '[1,2,3]'), 'malformed_message');
      assertErrorFrame(await errorWithoutId(client, '{"channel":"x"}'), 'malformed_message');
      // Parsable, with a requestId but no type: the error echoes the requestId.
      assertErrorFrame(await client.request({ channel: 'x' }, 'no-type'), 'malformed_message', 'no-type');
      // Still open.
      assertAck(await client.request({ type: 'subscribe', channel: uid('after') }, 'ok'), 'ok');
    },
  },
  {
    name: 'errors/unknown-type',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertErrorFrame(await client.request({ type: 'bogus' }, 'u1'), 'unknown_type', 'u1');
      assertErrorFrame(await errorWithoutId(client, { type: 'teleport', channel: 'x' }), 'unknown_type');
    },
  },
  {
    name: 'errors/invalid-channel',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const bad = {
        empty: '',
        '257 ASCII bytes': 'c'.repeat(257),
        '258 UTF-8 bytes in 129 chars': 'é'.repeat(129),
        'control byte': `ch${String.fromCharCode(1)}x`,
        DEL: `ch${String.fromCharCode(0x7f)}x`,
        newline: 'ch\nx',
      };
      let n = 0;
      for (const [what, channel] of Object.entries(bad)) {
        for (const type of ['subscribe', 'publish']) {
          const rid = `${type}-${++n}`;
          const frame = type === 'publish' ? { type, channel, data: 1 } : { type, channel };
          const answer = await client.request(frame, rid);
          assert.equal(answer.code, 'invalid_channel', `${type} with ${what} channel: ${show(answer)}`);
          assertErrorFrame(answer, 'invalid_channel', rid);
        }
      }
      assertErrorFrame(await errorWithoutId(client, { type: 'subscribe', channel: '' }), 'invalid_channel');
      // The limits themselves are allowed.
      assertAck(await client.request({ type: 'subscribe', channel: `${uid('b')}-${'c'.repeat(300)}`.slice(0, 256) }, 'max-ascii'), 'max-ascii');
      assertAck(await client.request({ type: 'subscribe', channel: 'é'.repeat(128) }, 'max-utf8'), 'max-utf8');
    },
  },
  {
    name: 'errors/invalid-peer-id',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const bad = { empty: '', '129 bytes': 'p'.repeat(129), 'non-ASCII': 'pëer', 'control byte': `p${String.fromCharCode(2)}` };
      let n = 0;
      for (const [what, to] of Object.entries(bad)) {
        const rid = `send-${++n}`;
        const answer = await client.request({ type: 'send', to, data: { x: 1 } }, rid);
        assert.equal(answer.code, 'invalid_peer_id', `send to ${what} peer id: ${show(answer)}`);
        assertErrorFrame(answer, 'invalid_peer_id', rid);
      }
      assertErrorFrame(await errorWithoutId(client, { type: 'send', to: '', data: 1 }), 'invalid_peer_id');
    },
  },
  {
    name: 'errors/channel-not-authorized-key-patterns',
    run: async (ctx) => {
      const server = await ctx.server('scoped');
      const { client } = await rawWelcome(ctx, server, { key: SCOPED_KEYS.app });
      assertErrorFrame(await client.request({ type: 'subscribe', channel: 'other/x' }, 's1'), 'channel_not_authorized', 's1');
      assertErrorFrame(await client.request({ type: 'publish', channel: 'other/x', data: 1 }, 'p1'), 'channel_not_authorized', 'p1');
      assertErrorFrame(await client.request({ type: 'subscribe', channel: 'app' }, 's2'), 'channel_not_authorized', 's2');
      assertErrorFrame(await errorWithoutId(client, { type: 'subscribe', channel: 'apps/x' }), 'channel_not_authorized');
      assertAck(await client.request({ type: 'subscribe', channel: `app/${uid('deep')}/x` }, 's3'), 's3');
      assertAck(await client.request({ type: 'unsubscribe', channel: 'other/x' }, 'u1'), 'u1');
      // A JWT signed by a secret key limited to app/** gets the same limit.
      const token = mintJwt({ sub: uid('scoped'), permissions: ['publish'] }, { key: SCOPED_KEYS.appPublish });
      const { client: j } = await rawWelcome(ctx, server, { token });
      assertErrorFrame(await j.request({ type: 'publish', channel: 'other/x', data: 1 }, 'jp'), 'channel_not_authorized', 'jp');
      assertAck(await j.request({ type: 'publish', channel: `app/${uid('ok')}`, data: 1 }, 'jp2'), 'jp2');

      const peer = await ctx.connect(server, { apiKey: SCOPED_KEYS.app });
      await expectSdkError(peer.client.subscribe('other/y'), 'channel_not_authorized', 'SDK subscribe outside app/**');
      assert.equal(peer.client.state, 'connected');
    },
  },
  {
    name: 'errors/channel-not-authorized-jwt-channels-claim',
    run: async (ctx) => {
      const server = await ctx.server();
      const base = uid('claim');
      const token = mintJwt({ sub: uid('claimed'), channels: [`${base}/room-*`, `${base}/tasks/**`] });
      const peer = await ctx.connect(server, { token });
      await peer.client.subscribe(`${base}/room-1`);
      await peer.client.subscribe(`${base}/room-`);
      await peer.client.subscribe(`${base}/tasks/a/b/c`);
      await expectSdkError(peer.client.subscribe(`${base}/room-1/sub`), 'channel_not_authorized', '* must not cross /');
      await expectSdkError(peer.client.subscribe(`${base}/lobby`), 'channel_not_authorized', 'channel outside the claim');
      await expectSdkError(peer.client.subscribe(`${base}/Room-1`), 'channel_not_authorized', 'matching is case-sensitive');
      await expectSdkError(peer.client.publish(`${base}/admin-1`, { x: 1 }), 'channel_not_authorized', 'publish outside the claim');
      await peer.client.publish(`${base}/room-2`, { x: 1 });
    },
  },
  {
    name: 'errors/channel-reserved',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      let n = 0;
      for (const prefix of ['_metered/', '_internal/', '_system/']) {
        const channel = `${prefix}${uid('r')}`;
        assertErrorFrame(await client.request({ type: 'subscribe', channel }, `s${++n}`), 'channel_reserved', `s${n}`);
        assertErrorFrame(await client.request({ type: 'publish', channel, data: 1 }, `p${++n}`), 'channel_reserved', `p${n}`);
        await expectSdkError(peer.client.subscribe(channel), 'channel_reserved', `SDK subscribe ${channel}`);
        await expectSdkError(peer.client.publish(channel, 1), 'channel_reserved', `SDK publish ${channel}`);
      }
      // Only those exact prefixes are reserved.
      assertAck(await client.request({ type: 'subscribe', channel: `_meteredx/${uid('r')}` }, 'near-miss'), 'near-miss');
      assertAck(await client.request({ type: 'subscribe', channel: `x/_system/${uid('r')}` }, 'inner'), 'inner');
    },
  },
  {
    name: 'errors/channel-limit-exceeded',
    run: async (ctx) => {
      const server = await ctx.server('scoped'); // maxChannelsPerConnection 3
      const { client } = await rawWelcome(ctx, server, { key: SCOPED_KEYS.app });
      const ch = [1, 2, 3, 4].map((i) => `app/${uid('lim')}-${i}`);
      for (let i = 0; i < 3; i++) assertAck(await client.request({ type: 'subscribe', channel: ch[i] }, `s${i}`), `s${i}`);
      assertErrorFrame(await client.request({ type: 'subscribe', channel: ch[3] }, 's3'), 'channel_limit_exceeded', 's3');
      // Re-subscribing a held channel is not a new subscription.
      assertAck(await client.request({ type: 'subscribe', channel: ch[0] }, 'again'), 'again');
      assertAck(await client.request({ type: 'unsubscribe', channel: ch[1] }, 'u1'), 'u1');
      assertAck(await client.request({ type: 'subscribe', channel: ch[3] }, 's3b'), 's3b');
      const peer = await ctx.connect(server, { apiKey: SCOPED_KEYS.app });
      for (let i = 0; i < 3; i++) await peer.client.subscribe(`app/${uid('sdklim')}`);
      await expectSdkError(peer.client.subscribe(`app/${uid('sdklim')}`), 'channel_limit_exceeded', 'SDK 4th subscribe');
    },
  },
  {
    name: 'errors/peer-not-found',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assertErrorFrame(await client.request({ type: 'send', to: uid('nobody'), data: 1 }, 'n1'), 'peer_not_found', 'n1');
      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      await expectSdkError(peer.client.send(uid('nobody'), { x: 1 }), 'peer_not_found', 'SDK send to an offline peer');
    },
  },
  {
    name: 'errors/missing-data',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const { welcome: target } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const channel = uid('nodata');
      assertErrorFrame(await client.request({ type: 'publish', channel }, 'p'), 'missing_data', 'p');
      assertErrorFrame(await client.request({ type: 'send', to: target.peerId }, 's'), 'missing_data', 's');
      assertErrorFrame(await errorWithoutId(client, { type: 'publish', channel }), 'missing_data');
    },
  },
  {
    name: 'errors/action-not-permitted-key-actions',
    run: async (ctx) => {
      const server = await ctx.server('scoped');
      const { client } = await rawWelcome(ctx, server, { key: SCOPED_KEYS.subOnly });
      const channel = uid('subonly');
      assertAck(await client.request({ type: 'subscribe', channel }, 's'), 's');
      assertErrorFrame(await client.request({ type: 'publish', channel, data: 1 }, 'p'), 'action_not_permitted', 'p');
      const { welcome: other } = await rawWelcome(ctx, server, { key: SCOPED_KEYS.app });
      assertErrorFrame(await client.request({ type: 'send', to: other.peerId, data: 1 }, 'd'), 'action_not_permitted', 'd');
      const peer = await ctx.connect(server, { apiKey: SCOPED_KEYS.subOnly });
      await expectSdkError(peer.client.publish(channel, 1), 'action_not_permitted', 'SDK publish with a subscribe-only key');
    },
  },
  {
    name: 'errors/action-not-permitted-jwt-permissions',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = uid('perm');
      const { welcome: target } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const subOnly = await ctx.connect(server, { token: mintJwt({ sub: uid('subonly'), permissions: ['subscribe'] }) });
      await subOnly.client.subscribe(channel);
      await expectSdkError(subOnly.client.publish(channel, 1), 'action_not_permitted', 'publish without the publish permission');
      await expectSdkError(subOnly.client.send(target.peerId, 1), 'action_not_permitted', 'send without the send permission');
      const pubOnly = await ctx.connect(server, { token: mintJwt({ sub: uid('pubonly'), permissions: ['publish'] }) });
      await expectSdkError(pubOnly.client.subscribe(channel), 'action_not_permitted', 'subscribe without the subscribe permission');
      await pubOnly.client.publish(channel, { ok: true });
      const msg = await subOnly.next('message');
      assert.deepEqual(msg.data, { ok: true });
    },
  },
  {
    name: 'errors/over-message-quota-connection-stays-open',
    run: async (ctx) => {
      const server = await ctx.spawn(withDevKeys({ limits: { maxMessagesPerPeriod: 3 } }));
      const { client, welcome } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const { client: other, welcome: ow } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      const channel = uid('quota');
      assertAck(await client.request({ type: 'subscribe', channel }, 's'), 's');
      assertAck(await other.request({ type: 'subscribe', channel }, 'os'), 'os');
      assertAck(await client.request({ type: 'publish', channel, data: 1 }, 'p1'), 'p1');
      assertAck(await client.request({ type: 'publish', channel, data: 2 }, 'p2'), 'p2');
      assertAck(await client.request({ type: 'send', to: ow.peerId, data: 3 }, 'd1'), 'd1');
      assertErrorFrame(await client.request({ type: 'publish', channel, data: 4 }, 'p4'), 'over_message_quota', 'p4');
      assertErrorFrame(await client.request({ type: 'send', to: ow.peerId, data: 5 }, 'd2'), 'over_message_quota', 'd2');
      assertErrorFrame(await other.request({ type: 'send', to: welcome.peerId, data: 6 }, 'o1'), 'over_message_quota', 'o1');
      // The connection is still usable for everything else.
      assertAck(await client.request({ type: 'subscribe', channel: uid('more') }, 's2'), 's2');
      client.send({ type: 'ping' });
      await client.next('pong');
      assert.equal(client.closeInfo, null);
      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      await peer.client.subscribe(channel);
      await expectSdkError(peer.client.publish(channel, 'x'), 'over_message_quota', 'SDK publish over quota');
      assert.equal(peer.client.state, 'connected');
    },
  },
];
