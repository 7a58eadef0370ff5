// The REST control plane under /v1.

import assert from 'node:assert/strict';
import { SCOPED_KEYS } from '../lib/configs.mjs';
import { mintJwt, verifyJwt } from '../lib/jwt.mjs';
import { rawWelcome } from '../lib/raw.mjs';
import { encodeChannel, rest } from '../lib/rest.mjs';
import { nowSec, show, sleep, uid } from '../lib/util.mjs';
import { assertAck, sortPeers } from './common.mjs';

// The publish response body is not specified; any 2xx is success.
function assertOk(res, what) {
  assert.ok(res.status >= 200 && res.status < 300, `${what}: HTTP ${res.status} ${res.text}`);
}

function assertRestError(res, status, code, what) {
  assert.equal(res.status, status, `${what}: HTTP ${res.status} ${res.text}, expected ${status}`);
  assert.ok(res.json && typeof res.json === 'object', `${what}: body is not a JSON object: ${show(res.text)}`);
  assert.equal(res.json.error, code, `${what}: body ${res.text}`);
  if ('message' in res.json) assert.equal(typeof res.json.message, 'string', `${what}: message must be a string`);
}

const bearer = (k) => `${k.id}:${k.secret}`;

export const tests = [
  {
    name: 'rest/tokens-validation-400',
    run: async (ctx) => {
      const server = await ctx.server();
      const bad = {
        'empty object': { body: {} },
        'peerId not a string': { body: { peerId: 5 } },
        'empty peerId': { body: { peerId: '' } },
        'peerId over 128 bytes': { body: { peerId: 'p'.repeat(129) } },
        'body not JSON': { rawBody: 'peerId=x' },
        'body a JSON array': { body: ['x'] },
        'channels not an array': { body: { peerId: 'x', channels: 'room' } },
        'over 100 channels': { body: { peerId: 'x', channels: Array.from({ length: 101 }, (_, i) => `c${i}`) } },
        'unknown permission': { body: { peerId: 'x', permissions: ['fly'] } },
        'expiresInSec not a number': { body: { peerId: 'x', expiresInSec: 'soon' } },
        'peerMetadata not an object': { body: { peerId: 'x', peerMetadata: 'Alice' } },
      };
      for (const [what, opts] of Object.entries(bad)) {
        assertRestError(await rest(server, 'POST', '/v1/tokens', opts), 400, 'invalid_request', `POST /v1/tokens with ${what}`);
      }
    },
  },
  {
    name: 'rest/tokens-401-unauthorized',
    run: async (ctx) => {
      const server = await ctx.server();
      const creds = {
        'a publishable key': 'pk_live_dev',
        'a wrong secret': 'sk_id_dev:sk_secret_wrong',
        'a key id alone': 'sk_id_dev',
        'an unknown key id': 'sk_id_unknown:sk_secret_dev',
        'no Authorization header': null,
      };
      for (const [what, auth] of Object.entries(creds)) {
        const res = await rest(server, 'POST', '/v1/tokens', { auth, body: { peerId: 'x' } });
        assertRestError(res, 401, 'unauthorized', `POST /v1/tokens with ${what}`);
        assert.ok(!res.text.includes('sk_secret'), `a secret leaked into the response: ${res.text}`);
      }
      assertRestError(await rest(server, 'GET', '/v1/usage', { auth: 'pk_live_dev' }), 401, 'unauthorized', 'GET /v1/usage with a pk key');
    },
  },
  {
    name: 'rest/tokens-defaults-and-connect',
    run: async (ctx) => {
      const server = await ctx.server();
      const peerId = uid('default-exp');
      const before = nowSec();
      const res = await rest(server, 'POST', '/v1/tokens', { body: { peerId } });
      assert.equal(res.status, 200, res.text);
      assert.ok(Math.abs(res.json.expiresAt - (before + 3600)) <= 3, `default lifetime 3600 s: expiresAt ${res.json.expiresAt}, now ${before}`);
      const { payload } = verifyJwt(res.json.token, 'sk_secret_dev');
      assert.equal(payload.sub, peerId);
      assert.equal(payload.exp, res.json.expiresAt);
      const peer = await ctx.connect(server, { token: res.json.token });
      assert.equal((await peer.next('connected')).peerId, peerId);
      await peer.client.subscribe(uid('any'));
      // A scoped secret key mints too (scoped config).
      const scoped = await ctx.server('scoped');
      const r2 = await rest(scoped, 'POST', '/v1/tokens', { auth: bearer(SCOPED_KEYS.full), body: { peerId, expiresInSec: 60 } });
      assert.equal(r2.status, 200, r2.text);
      assert.equal(verifyJwt(r2.json.token, SCOPED_KEYS.full.secret).header.kid, SCOPED_KEYS.full.id);
    },
  },
  {
    name: 'rest/channel-peers',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = `${uid('room')}/lobby`;
      const sub = uid('member');
      const meta = { name: 'Member' };
      const a = await ctx.connect(server, { token: mintJwt({ sub, peerMetadata: meta }) });
      const b = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      await a.client.subscribe(channel);
      await b.client.subscribe(channel);
      const res = await rest(server, 'GET', `/v1/channels/${encodeChannel(channel)}/peers`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.channel, channel, res.text);
      assert.deepEqual(sortPeers(res.json.peers), sortPeers([{ peerId: sub, metadata: meta }, { peerId: b.peerId }]), res.text);
      const empty = `${uid('room')}/nobody`;
      const r2 = await rest(server, 'GET', `/v1/channels/${encodeChannel(empty)}/peers`);
      assert.equal(r2.status, 200, r2.text);
      assert.deepEqual(r2.json, { channel: empty, peers: [] });
      await b.client.unsubscribe(channel);
      const r3 = await rest(server, 'GET', `/v1/channels/${encodeChannel(channel)}/peers`);
      assert.deepEqual(r3.json.peers, [{ peerId: sub, metadata: meta }], r3.text);
    },
  },
  {
    name: 'rest/channel-publish',
    run: async (ctx) => {
      const server = await ctx.server();
      const channel = `${uid('news')}/today`;
      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      const { client: raw } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      await peer.client.subscribe(channel);
      assertAck(await raw.request({ type: 'subscribe', channel }, 's'), 's');
      const r1 = await rest(server, 'POST', `/v1/channels/${encodeChannel(channel)}/publish`, { body: { data: { headline: 'hi' }, from: 'backend' } });
      assertOk(r1, 'REST publish with from');
      assert.deepEqual(await peer.next('message'), { channel, from: 'backend', data: { headline: 'hi' } });
      const m = await raw.next('message');
      assert.deepEqual(m, { type: 'message', channel, from: 'backend', data: { headline: 'hi' } }, show(m));
      const r2 = await rest(server, 'POST', `/v1/channels/${encodeChannel(channel)}/publish`, { body: { data: [1, 2] } });
      assertOk(r2, 'REST publish without from');
      assert.deepEqual(await peer.next('message'), { channel, from: 'system', data: [1, 2] }, 'from defaults to "system"');
    },
  },
  {
    name: 'rest/delete-peer-closes-all-4020-terminal',
    run: async (ctx) => {
      const server = await ctx.server();
      const sub = uid('kicked');
      let calls = 0;
      const tokenProvider = async () => {
        calls += 1;
        return mintJwt({ sub });
      };
      const p1 = await ctx.connect(server, { tokenProvider });
      const p2 = await ctx.connect(server, { tokenProvider });
      const { client: raw } = await rawWelcome(ctx, server, { token: mintJwt({ sub }) });
      const bystander = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      const res = await rest(server, 'DELETE', `/v1/peers/${encodeURIComponent(sub)}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, { peerId: sub, closed: 3 }, res.text);
      const info = await raw.waitClosed();
      assert.equal(info.code, 4020, `raw close code ${info.code}`);
      for (const p of [p1, p2]) {
        const disc = await p.next('disconnected');
        assert.equal(disc.code, 4020, show(disc));
        assert.equal(disc.willReconnect, false, '4020 is terminal for the SDK');
      }
      const callsAfter = calls;
      await sleep(700);
      assert.equal(calls, callsAfter, 'the SDK asked for a new token after 4020');
      for (const p of [p1, p2]) {
        assert.equal(p.client.state, 'closed');
        assert.equal(p.all('connected').length, 1);
      }
      assert.equal(bystander.client.state, 'connected');
      const again = await rest(server, 'DELETE', `/v1/peers/${encodeURIComponent(sub)}`);
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.json, { peerId: sub, closed: 0 });
    },
  },
  {
    name: 'rest/usage-shape-and-counters',
    run: async (ctx) => {
      const server = await ctx.spawn(null);
      const a = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      const b = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      const channel = uid('usage');
      await b.client.subscribe(channel);
      await a.client.publish(channel, 1);
      await a.client.publish(channel, 2);
      await a.client.send(b.peerId, 3);
      const res = await rest(server, 'GET', '/v1/usage');
      assert.equal(res.status, 200, res.text);
      const u = res.json;
      assert.equal(typeof u.appId, 'string', res.text);
      assert.ok(Number.isInteger(u.periodStartUnix), `periodStartUnix: ${res.text}`);
      assert.ok(u.periodEndUnix === null || Number.isInteger(u.periodEndUnix), `periodEndUnix: ${res.text}`);
      for (const k of ['concurrentNow', 'peakConcurrent', 'messagesUsed', 'overageMessages', 'overageConnections']) {
        assert.ok(Number.isInteger(u[k]) && u[k] >= 0, `${k}: ${res.text}`);
      }
      assert.equal(u.concurrentNow, 2, res.text);
      assert.ok(u.peakConcurrent >= 2, res.text);
      assert.equal(u.messagesUsed, 3, `two publishes and one send: ${res.text}`);
      assert.ok(u.plan && typeof u.plan === 'object', res.text);
      assert.equal(typeof u.plan.name, 'string', res.text);
      for (const k of ['maxConcurrentConnections', 'maxMessagesPerPeriod']) {
        assert.ok(u.plan[k] === null || Number.isInteger(u.plan[k]), `plan.${k}: ${res.text}`);
      }
      for (const k of ['overagesAllowed', 'overagesEnabled']) assert.equal(typeof u.plan[k], 'boolean', `plan.${k}: ${res.text}`);
      await b.close();
      await sleep(200);
      const r2 = await rest(server, 'GET', '/v1/usage');
      assert.equal(r2.json.concurrentNow, 1, r2.text);
      assert.ok(r2.json.peakConcurrent >= 2, r2.text);
    },
  },
  {
    name: 'rest/unknown-endpoint-404',
    run: async (ctx) => {
      const server = await ctx.server();
      for (const [method, path] of [['GET', '/v1/nope'], ['POST', '/v1/channels'], ['GET', '/v2/usage'], ['GET', '/v1/channels/x/peers/extra']]) {
        assertRestError(await rest(server, method, path), 404, 'not_found', `${method} ${path}`);
      }
    },
  },
  {
    name: 'rest/body-over-32k-413',
    run: async (ctx) => {
      const server = await ctx.server();
      const big = { peerId: 'x', peerMetadata: { pad: 'x'.repeat(40 * 1024) } };
      assertRestError(await rest(server, 'POST', '/v1/tokens', { body: big }), 413, 'invalid_request', 'POST /v1/tokens with a 40 KB body');
      const pub = { data: 'y'.repeat(40 * 1024) };
      assertRestError(await rest(server, 'POST', `/v1/channels/${uid('c')}/publish`, { body: pub }), 413, 'invalid_request', 'publish with a 40 KB body');
      // Just under the cap is fine.
      const ok = await rest(server, 'POST', `/v1/channels/${uid('c')}/publish`, { body: { data: 'z'.repeat(30 * 1024) } });
      assertOk(ok, 'REST publish with a 30 KB body');
    },
  },
  {
    name: 'rest/channel-reserved-400',
    run: async (ctx) => {
      const server = await ctx.server();
      for (const prefix of ['_metered/', '_internal/', '_system/']) {
        const ch = encodeChannel(`${prefix}x`);
        assertRestError(await rest(server, 'POST', `/v1/channels/${ch}/publish`, { body: { data: 1 } }), 400, 'channel_reserved', `publish to ${prefix}x`);
        assertRestError(await rest(server, 'GET', `/v1/channels/${ch}/peers`), 400, 'channel_reserved', `peers of ${prefix}x`);
      }
    },
  },
  {
    name: 'rest/scoped-key-403',
    run: async (ctx) => {
      const server = await ctx.server('scoped');
      const auth = bearer(SCOPED_KEYS.appPublish); // app/**, publish only
      const appCh = encodeChannel(`app/${uid('r')}`);
      assertRestError(await rest(server, 'GET', `/v1/channels/${appCh}/peers`, { auth }), 403, 'action_not_permitted', 'peers without the presence action');
      assertRestError(await rest(server, 'POST', `/v1/channels/${encodeChannel('other/x')}/publish`, { auth, body: { data: 1 } }), 403, 'channel_not_authorized', 'publish outside app/**');
      assertOk(await rest(server, 'POST', `/v1/channels/${appCh}/publish`, { auth, body: { data: 1 } }), 'publish inside app/**');
      const full = await rest(server, 'GET', `/v1/channels/${appCh}/peers`, { auth: bearer(SCOPED_KEYS.full) });
      assert.equal(full.status, 200, full.text);
    },
  },
];
