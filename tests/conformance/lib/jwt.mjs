// Independent HS256 JWT minting with node:crypto, so tokens the devserver
// accepts are checked against a second implementation of the format.

import { createHmac } from 'node:crypto';
import { nowSec } from './util.mjs';

export const DEV_SECRET_KEY = { id: 'sk_id_dev', secret: 'sk_secret_dev' };

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const HMAC_FOR_ALG = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

// @claims: payload (sub, channels, permissions, peerMetadata, metadata, …);
// `exp` defaults to ten minutes from now, pass `exp: undefined` explicitly
// via @opts.noExp to leave it out.
// @opts: { key: {id, secret}, alg, kid (overrides key.id; null leaves it out),
//          header (extra header fields), signature (override, base64url) }
export function mintJwt(claims, opts = {}) {
  const key = opts.key ?? DEV_SECRET_KEY;
  const alg = opts.alg ?? 'HS256';
  const header = { alg, typ: 'JWT', ...(opts.header ?? {}) };
  const kid = opts.kid === undefined ? key.id : opts.kid;
  if (kid !== null) header.kid = kid;
  const payload = { iat: nowSec(), ...claims };
  if (!('exp' in claims) && !opts.noExp) payload.exp = nowSec() + 600;
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  let signature;
  if (opts.signature !== undefined) {
    signature = opts.signature;
  } else if (alg === 'none') {
    signature = '';
  } else {
    signature = createHmac(HMAC_FOR_ALG[alg], key.secret).update(signingInput).digest('base64url');
  }
  return `${signingInput}.${signature}`;
}

// Splits and verifies an HS256 token with @secret; returns {header, payload}
// or throws with the reason.
export function verifyJwt(token, secret) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('token does not have three parts');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (header.alg !== 'HS256') throw new Error(`alg is ${header.alg}, not HS256`);
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest('base64url');
  if (expected !== parts[2]) throw new Error('HMAC-SHA256 signature does not verify');
  return { header, payload };
}
