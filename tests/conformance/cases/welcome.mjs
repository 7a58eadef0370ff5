// The welcome frame for publishable keys, self-signed JWTs and REST-minted JWTs.

import assert from 'node:assert/strict';
import { mintJwt, verifyJwt } from '../lib/jwt.mjs';
import { rawWelcome } from '../lib/raw.mjs';
import { rest } from '../lib/rest.mjs';
import { UUID_RE, nowSec, show, uid } from '../lib/util.mjs';
import { expectSdkError } from './common.mjs';

const ICE_SERVERS = [
  { urls: ['stun:stun.example.org:3478'] },
  { urls: 'turn:turn.example.org:3478?transport=tcp', username: 'user-1', credential: 'cred-1' },
];

function assertWelcomeBasics(welcome) {
  assert.equal(welcome.type, 'welcome');
  assert.equal(typeof welcome.peerId, 'string', `welcome.peerId: ${show(welcome)}`);
  assert.ok(Number.isInteger(welcome.serverTime), `welcome.serverTime must be integer unix seconds: ${show(welcome)}`);
  assert.ok(Math.abs(welcome.serverTime - nowSec()) <= 5, `welcome.serverTime ${welcome.serverTime} is not close to now ${nowSec()}`);
  assert.equal(welcome.maxMessageSize, 65536, `welcome.maxMessageSize: ${show(welcome)}`);
  if ('metadata' in welcome) {
    assert.ok(welcome.metadata !== null && typeof welcome.metadata === 'object' && !Array.isArray(welcome.metadata), `welcome.metadata must be an object when present: ${show(welcome)}`);
  }
}

export const tests = [
  {
    name: 'welcome/pk-key-uuid-and-null-expiry',
    run: async (ctx) => {
      const server = await ctx.server();
      const { client, welcome } = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assert.equal(client.frames.indexOf(welcome), 0, `welcome must be the first frame: ${client.describe()}`);
      assertWelcomeBasics(welcome);
      assert.match(welcome.peerId, UUID_RE, 'pk-key peerId must be a UUID');
      assert.ok('expiresAt' in welcome, `welcome.expiresAt must be present (null) for pk keys: ${show(welcome)}`);
      assert.equal(welcome.expiresAt, null, `welcome.expiresAt for a pk key: ${show(welcome)}`);
      const second = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      assert.notEqual(second.welcome.peerId, welcome.peerId, 'every pk-key connection gets a fresh peerId');

      const peer = await ctx.connect(server, { apiKey: 'pk_live_dev' });
      const connected = await peer.next('connected');
      assert.match(connected.peerId, UUID_RE);
      assert.equal(connected.expiresAt, null);
      assert.equal(connected.isReconnect, false);
      assert.equal(connected.maxMessageSize, 65536);
    },
  },
  {
    name: 'welcome/jwt-sub-exp-metadata',
    run: async (ctx) => {
      const server = await ctx.server();
      const sub = uid('alice');
      const exp = nowSec() + 900;
      const metadata = { iceServers: ICE_SERVERS, app: { nested: [1, 'two', { three: null }], flag: true }, text: 'héllo ✓' };
      const token = mintJwt({ sub, exp, metadata, peerMetadata: { name: 'Alice' } });
      const { welcome } = await rawWelcome(ctx, server, { token });
      assertWelcomeBasics(welcome);
      assert.equal(welcome.peerId, sub);
      assert.equal(welcome.expiresAt, exp);
      assert.deepEqual(welcome.metadata, metadata, 'welcome.metadata must be the JWT metadata claim, untouched');

      const peer = await ctx.connect(server, { token });
      const connected = await peer.next('connected');
      assert.equal(connected.peerId, sub);
      assert.equal(connected.expiresAt, exp);
      assert.equal(connected.isReconnect, false);
      assert.deepEqual(connected.iceServers, ICE_SERVERS, `SDK connected.iceServers: ${show(connected)}`);
    },
  },
  {
    name: 'welcome/jwt-without-metadata',
    run: async (ctx) => {
      const server = await ctx.server();
      const sub = uid('plain');
      const { welcome } = await rawWelcome(ctx, server, { token: mintJwt({ sub }) });
      assertWelcomeBasics(welcome);
      assert.equal(welcome.peerId, sub);
      assert.ok(!('iceServers' in (welcome.metadata ?? {})), `no iceServers expected without a metadata claim: ${show(welcome)}`);
    },
  },
  {
    name: 'welcome/rest-minted-token',
    run: async (ctx) => {
      const server = await ctx.server();
      const peerId = uid('minted');
      const channel = `${uid('rest')}/room`;
      const before = nowSec();
      const res = await rest(server, 'POST', '/v1/tokens', {
        body: {
          peerId,
          channels: [`${channel.split('/')[0]}/**`],
          permissions: ['subscribe', 'publish'],
          expiresInSec: 120,
          metadata: { iceServers: ICE_SERVERS },
          peerMetadata: { name: 'Minted' },
        },
      });
      assert.equal(res.status, 200, `POST /v1/tokens: ${res.status} ${res.text}`);
      assert.equal(typeof res.json.token, 'string', `token response: ${res.text}`);
      assert.ok(Math.abs(res.json.expiresAt - (before + 120)) <= 3, `expiresAt ${res.json.expiresAt}, expected about ${before + 120}`);

      // Verified by our own HS256 implementation.
      const { header, payload } = verifyJwt(res.json.token, 'sk_secret_dev');
      assert.equal(header.kid, 'sk_id_dev', `JWT header: ${show(header)}`);
      assert.equal(payload.sub, peerId);
      assert.equal(payload.exp, res.json.expiresAt);
      assert.deepEqual(payload.channels, [`${channel.split('/')[0]}/**`]);
      assert.deepEqual([...payload.permissions].sort(), ['publish', 'subscribe']);
      assert.deepEqual(payload.peerMetadata, { name: 'Minted' });
      assert.deepEqual(payload.metadata, { iceServers: ICE_SERVERS });

      const peer = await ctx.connect(server, { token: res.json.token });
      const connected = await peer.next('connected');
      assert.equal(connected.peerId, peerId);
      assert.equal(connected.expiresAt, res.json.expiresAt);
      assert.deepEqual(connected.iceServers, ICE_SERVERS);
      // The minted scope is enforced.
      await peer.client.subscribe(channel);
      await expectSdkError(peer.client.subscribe(uid('elsewhere')), 'channel_not_authorized', 'subscribe outside the minted channels');
      const other = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      await expectSdkError(peer.client.send(other.welcome.peerId, { x: 1 }), 'action_not_permitted', 'send without the send permission');
    },
  },
];
