// Small helpers shared by the harness and the test cases.

import { randomBytes } from 'node:crypto';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const nowSec = () => Math.floor(Date.now() / 1000);

// A short unique suffix so tests sharing one server never share a channel or peer id.
export function uid(prefix = 'x') {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TimeoutError extends Error {
  constructor(what, ms) {
    super(`timed out after ${ms} ms waiting for ${what}`);
    this.name = 'TimeoutError';
  }
}

// @what: text, or a function producing it when the timeout fires (so it can
// describe what had happened by then).
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(typeof what === 'function' ? what() : what, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Resolves with the rejection of @promise; fails if it resolves.
export async function rejectionOf(promise, what) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`${what}: expected a rejection, but it succeeded`);
}

// Compact one-line rendering of a value for failure messages.
export function show(v, limit = 600) {
  let s;
  try {
    s = JSON.stringify(v);
  } catch {
    s = String(v);
  }
  if (s === undefined) s = String(v);
  return s.length > limit ? `${s.slice(0, limit)}…` : s;
}

// Waits until the next wall-clock second has just begun, so a token whose
// `exp` is `nowSec() + n` expires almost exactly n seconds later.
export async function alignToSecond(offsetMs = 20) {
  const ms = Date.now() % 1000;
  await sleep(1000 - ms + offsetMs);
}
