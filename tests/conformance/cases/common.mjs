// Assertions several case files share.

import assert from 'node:assert/strict';
import { SignallingConnectError } from '@metered-ca/realtime';
import { rawRejected } from '../lib/raw.mjs';
import { rejectionOf, show } from '../lib/util.mjs';

// SDK options for a credential given as {key} or {token}.
export function sdkCred(cred) {
  return cred.key !== undefined ? { apiKey: cred.key } : { token: cred.token };
}

// The server must accept the upgrade, send no welcome, and close with @code;
// the SDK must see that as SignallingConnectError(@code) on its first connect().
export async function expectCloseBeforeWelcome(ctx, server, cred, code) {
  const raw = await rawRejected(ctx, server, cred);
  assert.equal(raw.code, code, `raw socket: close code ${raw.code} (${show(raw.reason)}), expected ${code}`);
  const welcome = raw.frames.find((f) => f.type === 'welcome');
  assert.equal(welcome, undefined, `raw socket: got a welcome before the close: ${show(welcome)}`);

  const peer = ctx.sdk(server, sdkCred(cred));
  const err = await rejectionOf(peer.client.connect(), 'SDK connect()');
  assert.ok(err instanceof SignallingConnectError, `SDK connect() rejected with ${err && err.name}: ${err && err.message}, expected SignallingConnectError`);
  assert.equal(err.closeCode, code, `SDK SignallingConnectError.closeCode ${err.closeCode}, expected ${code}`);
  assert.equal(peer.all('connected').length, 0, 'SDK emitted connected');
  const disc = await peer.next('disconnected');
  assert.equal(disc.code, code);
  assert.equal(disc.willReconnect, false, 'a failed first connect must not start reconnecting');
  return raw;
}

export function assertErrorFrame(frame, code, requestId) {
  assert.equal(frame.type, 'error', `expected an error frame with code ${code}, got ${show(frame)}`);
  assert.equal(frame.code, code, `expected error code ${code}, got ${show(frame)}`);
  if (requestId === undefined) {
    assert.ok(!('requestId' in frame), `an error for a frame without requestId must not carry one: ${show(frame)}`);
  } else {
    assert.equal(frame.requestId, requestId, `error must echo requestId ${requestId}: ${show(frame)}`);
  }
  if ('message' in frame) assert.equal(typeof frame.message, 'string', `error.message must be a string: ${show(frame)}`);
}

export function assertAck(frame, requestId) {
  assert.deepEqual(frame, { type: 'ack', requestId }, `expected exactly {type:"ack", requestId:"${requestId}"}, got ${show(frame)}`);
}

// An SDK request must fail with the server's error code (the SDK puts the
// code in err.name).
export async function expectSdkError(promise, code, what) {
  const err = await rejectionOf(promise, what);
  assert.equal(err.name, code, `${what}: rejected with ${err.name} (${err.message}), expected server code ${code}`);
  return err;
}

export const sortPeers = (list) => [...list].sort((a, b) => (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0));
