// Authentication at the upgrade: HTTP 401 refusals and 4xxx closes before welcome.

import assert from 'node:assert/strict';
import { SignallingConnectError } from '@metered-ca/realtime';
import { mintJwt } from '../lib/jwt.mjs';
import { RawClient, connectUrl, rawRefused, rawWelcome } from '../lib/raw.mjs';
import { SCOPED_KEYS, withDevKeys } from '../lib/configs.mjs';
import { nowSec, rejectionOf, show, sleep, uid } from '../lib/util.mjs';
import { expectCloseBeforeWelcome } from './common.mjs';

function assertInvalidToken401(res, what) {
  assert.equal(res.status, 401, `${what}: HTTP ${res.status}, expected 401 (body ${show(res.body)})`);
  let body;
  try {
    body = JSON.parse(res.body);
  } catch {
    assert.fail(`${what}: 401 body is not JSON: ${show(res.body)}`);
  }
  assert.equal(body.error, 'invalid_token', `${what}: body ${show(res.body)}`);
}

function unparsableTokens() {
  const noKid = mintJwt({ sub: 'no-kid' }, { kid: null });
  return {
    'garbage text': 'garbage',
    'three parts of junk': 'a.b.c',
    'two parts': 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0',
    'header not JSON': `${Buffer.from('{not json').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.c2ln`,
    'token without kid': noKid,
  };
}

export const tests = [
  {
    name: 'auth/http-401-missing-credential',
    run: async (ctx) => {
      const server = await ctx.server();
      assertInvalidToken401(await rawRefused(server, { query: '' }), '/v1 without a query');
      assertInvalidToken401(await rawRefused(server, { query: '?foo=bar' }), '/v1?foo=bar');
    },
  },
  {
    name: 'auth/http-401-unparsable-token',
    run: async (ctx) => {
      const server = await ctx.server();
      for (const [what, token] of Object.entries(unparsableTokens())) {
        assertInvalidToken401(await rawRefused(server, { token }), what);
      }
      // The SDK sees no WebSocket at all: its first connect() fails, no welcome.
      const peer = ctx.sdk(server, { token: 'garbage' });
      const err = await rejectionOf(peer.client.connect(), 'SDK connect() with an unparsable token');
      assert.ok(err instanceof SignallingConnectError, `expected SignallingConnectError, got ${err.name}: ${err.message}`);
      assert.notEqual(err.closeCode, 4001, 'a refused upgrade has no close frame, so no 4001');
      assert.equal(peer.all('connected').length, 0);
    },
  },
  {
    name: 'auth/close-4001-bad-signature',
    run: async (ctx) => {
      const server = await ctx.server();
      const token = mintJwt({ sub: uid('badsig') }, { key: { id: 'sk_id_dev', secret: 'not-the-secret' } });
      await expectCloseBeforeWelcome(ctx, server, { token }, 4001);
    },
  },
  {
    name: 'auth/close-4001-unknown-kid',
    run: async (ctx) => {
      const server = await ctx.server();
      const token = mintJwt({ sub: uid('kid') }, { key: { id: 'sk_id_unknown', secret: 'sk_secret_dev' } });
      await expectCloseBeforeWelcome(ctx, server, { token }, 4001);
    },
  },
  {
    name: 'auth/close-4001-unknown-pk-key',
    run: async (ctx) => {
      const server = await ctx.server();
      await expectCloseBeforeWelcome(ctx, server, { key: 'pk_live_unknown' }, 4001);
    },
  },
  {
    name: 'auth/close-4001-revoked-pk-key',
    run: async (ctx) => {
      const server = await ctx.server('scoped');
      await expectCloseBeforeWelcome(ctx, server, { key: SCOPED_KEYS.revoked }, 4001);
      // A non-revoked key of the same config still works.
      const { welcome } = await rawWelcome(ctx, server, { key: SCOPED_KEYS.app });
      assert.equal(welcome.type, 'welcome');
    },
  },
  {
    name: 'auth/close-4001-alg-hs512',
    run: async (ctx) => {
      const server = await ctx.server();
      await expectCloseBeforeWelcome(ctx, server, { token: mintJwt({ sub: uid('hs512') }, { alg: 'HS512' }) }, 4001);
    },
  },
  {
    name: 'auth/close-4001-alg-none',
    run: async (ctx) => {
      const server = await ctx.server();
      await expectCloseBeforeWelcome(ctx, server, { token: mintJwt({ sub: uid('none') }, { alg: 'none' }) }, 4001);
    },
  },
  {
    name: 'auth/close-4002-expired-token',
    run: async (ctx) => {
      const server = await ctx.server();
      const token = mintJwt({ sub: uid('expired'), exp: nowSec() - 60, iat: nowSec() - 120 });
      await expectCloseBeforeWelcome(ctx, server, { token }, 4002);
    },
  },
  {
    name: 'auth/close-4010-over-concurrent-limit',
    run: async (ctx) => {
      const server = await ctx.spawn(withDevKeys({ limits: { maxConcurrentConnections: 2 } }));
      const a = await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      await rawWelcome(ctx, server, { key: 'pk_live_dev' });
      await expectCloseBeforeWelcome(ctx, server, { key: 'pk_live_dev' }, 4010);
      // Freeing a slot lets the next connection in.
      a.client.ws.close(1000);
      await a.client.waitClosed();
      let welcomed = false;
      for (let i = 0; i < 20 && !welcomed; i++) {
        const c = ctx.track(await RawClient.open(connectUrl(server, { key: 'pk_live_dev' })));
        welcomed = await c.next('welcome', 1000).then(() => true, () => false);
        if (!welcomed) await sleep(100);
      }
      assert.ok(welcomed, 'after one of two connections closed, a new connection was still refused');
    },
  },
  {
    name: 'auth/close-4012-account-suspended',
    run: async (ctx) => {
      const server = await ctx.spawn(withDevKeys({ accountSuspended: true }));
      await expectCloseBeforeWelcome(ctx, server, { key: 'pk_live_dev' }, 4012);
      await expectCloseBeforeWelcome(ctx, server, { token: mintJwt({ sub: uid('susp') }) }, 4012);
    },
  },
];
