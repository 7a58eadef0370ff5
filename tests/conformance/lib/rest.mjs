// Minimal REST client for the devserver's /v1 control plane (node:http).

import { request as httpRequest } from 'node:http';

export const DEV_BEARER = 'sk_id_dev:sk_secret_dev';

// @opts: {auth (bearer credential; null sends no Authorization), body (JSON
// value), rawBody (string/Buffer sent as is), headers}
// Resolves with {status, headers, text, json (undefined if not JSON)}.
export function rest(server, method, path, opts = {}) {
  const url = new URL(path, server.httpUrl);
  const headers = { ...(opts.headers ?? {}) };
  const auth = opts.auth === undefined ? DEV_BEARER : opts.auth;
  if (auth !== null) headers.Authorization = `Bearer ${auth}`;
  let payload = null;
  if (opts.rawBody !== undefined) payload = Buffer.from(opts.rawBody);
  else if (opts.body !== undefined) payload = Buffer.from(JSON.stringify(opts.body));
  if (payload !== null) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    // A server that answers early (413) may reset the rest of the upload;
    // that is not a failure as long as the response arrived.
    req.on('error', (err) => {
      if (!req.res) reject(err);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${path}: no response within 5 s`)));
    if (payload !== null) req.write(payload);
    req.end();
  });
}

export const encodeChannel = (channel) => encodeURIComponent(channel);
