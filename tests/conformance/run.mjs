#!/usr/bin/env node
// Conformance suite: drives metered-devserver with the official
// @metered-ca/realtime SDK and with raw `ws` sockets.
//
//   node run.mjs --devserver /path/to/metered-devserver [--filter substr] [--jobs N] [--verbose]
//
// Prints one line per test (`ok - name` / `FAIL - name: reason`, followed by
// the server log for failures) and, last, `N passed, N failed`. --verbose
// also prints the measurements tests note (timings) for passing tests.

import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function usage(msg) {
  console.log(`error: ${msg}`);
  console.log('usage: node run.mjs --devserver /path/to/metered-devserver [--filter substr] [--jobs N] [--verbose]');
  console.log('0 passed, 1 failed');
  process.exit(2);
}

function parseArgs(argv) {
  const args = { devserver: null, filter: null, jobs: 6, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--devserver') args.devserver = value();
    else if (a === '--filter') args.filter = value();
    else if (a === '--jobs') args.jobs = Number(value());
    else if (a === '--verbose') args.verbose = true;
    else usage(`unknown argument ${a}`);
  }
  if (!args.devserver) usage('--devserver is required');
  if (!Number.isInteger(args.jobs) || args.jobs < 1) usage('--jobs must be a positive integer');
  return args;
}

const args = parseArgs(process.argv.slice(2));

// Dependencies come from `npm ci` in this folder; without them nothing can run,
// and that must be a visible failure, not a skip.
const required = ['@metered-ca/realtime', 'ws'];
const missing = required.filter((p) => !existsSync(join(here, 'node_modules', p, 'package.json')));
if (missing.length) {
  console.log(`FAIL - setup: node_modules is missing ${missing.join(', ')} in ${here}; run \`npm ci\` in that folder first`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
try {
  accessSync(args.devserver, constants.X_OK);
} catch {
  console.log(`FAIL - setup: devserver binary ${args.devserver} does not exist or is not executable`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// A stray rejection from a test's leftover promise must not kill the run
// before the summary line.
process.on('unhandledRejection', (err) => {
  console.log(`# unhandled rejection: ${err && err.message ? err.message : err}`);
});

const { Runner } = await import('./lib/harness.mjs');
const groups = ['auth', 'welcome', 'requests', 'errors', 'presence', 'fanout', 'keepalive', 'limits', 'expiry', 'reconnect', 'shutdown', 'rest', 'hooks'];

const runner = new Runner({ exe: args.devserver, filter: args.filter, concurrency: args.jobs, verbose: args.verbose });
for (const group of groups) {
  const mod = await import(`./cases/${group}.mjs`);
  runner.add(mod.tests);
}

const started = Date.now();
let result;
try {
  result = await runner.run();
} catch (err) {
  console.log(`FAIL - harness: ${err && err.stack ? err.stack : err}`);
  result = { passed: 0, failed: 1 };
}
console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed > 0 || result.passed === 0 ? 1 : 0);
