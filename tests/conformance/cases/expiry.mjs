// JWT lifetime: the server closes with 4002 about 250 ms before exp.

import assert from 'node:assert/strict';
import { mintJwt } from '../lib/jwt.mjs';
import { rawWelcome } from '../lib/raw.mjs';
import { alignToSecond, nowSec, show, uid } from '../lib/util.mjs';

export const tests = [
  {
    name: 'expiry/close-4002-250ms-before-exp',
    run: async (ctx) => {
      const server = await ctx.server();
      await alignToSecond();
      const exp = nowSec() + 2; // about 1.98 s from now
      const { client } = await rawWelcome(ctx, server, { token: mintJwt({ sub: uid('short'), exp }) });
      const info = await client.waitClosed(4000, 'close 4002 before exp');
      const beforeExp = exp * 1000 - info.at;
      ctx.note(`closed ${beforeExp} ms before exp`);
      assert.equal(info.code, 4002, `close code ${info.code} (${show(info.reason)}), expected 4002`);
      assert.ok(beforeExp > 0, `the close came ${-beforeExp} ms after exp; it must come before`);
      assert.ok(beforeExp <= 550, `the close came ${beforeExp} ms before exp; expected about 250 ms`);
    },
  },
  {
    name: 'expiry/sdk-token-provider-reconnects-with-fresh-token',
    run: async (ctx) => {
      const server = await ctx.server();
      const sub = uid('refresh');
      const minted = [];
      await alignToSecond();
      const tokenProvider = async () => {
        // First token lives two seconds, later ones a minute.
        const exp = nowSec() + (minted.length === 0 ? 2 : 60);
        minted.push(exp);
        return mintJwt({ sub, exp });
      };
      const peer = await ctx.connect(server, { tokenProvider });
      const first = await peer.next('connected');
      assert.equal(first.expiresAt, minted[0]);
      const disc = await peer.next('disconnected', () => true, 4000);
      assert.equal(disc.code, 4002, `disconnected: ${show(disc)}`);
      assert.equal(disc.willReconnect, true, '4002 is retried with a fresh token');
      const second = await peer.next('connected', () => true, 4000);
      assert.equal(second.isReconnect, true);
      assert.equal(second.peerId, sub);
      assert.equal(minted.length, 2, `tokenProvider calls: ${minted.length}`);
      assert.equal(second.expiresAt, minted[1], 'the reconnect used the fresh token');
    },
  },
];
