import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { KeeperClient } from '../../src/keeper/client.js';
import { cleanupHome } from '../helpers/daemon-harness.js';
import { type KeeperHome, makeKeeperHome, startKeeper } from '../keeper/harness.js';
import { createThrowawayUser, isRoot, rootIt, runAs, type ThrowawayUser } from './helpers.js';

// The keeper runs the daemon's children (as root, for a root daemon): whoever may talk to it may
// start any program as anyone. Only the daemon's user, holding the keeper's token, may.

let home: KeeperHome;
let keeper: KeeperClient;
let user: ThrowawayUser | null = null;
let script: string;

beforeAll(async () => {
  home = makeKeeperHome();
  keeper = await startKeeper(home);
  if (isRoot) user = createThrowawayUser('kpr');
  // What another local user would try: connect, say hello with a guessed token, ask for facts.
  script = join(home.dir, 'intruder.cjs');
  writeFileSync(
    script,
    `const socket = require('node:net').createConnection(process.argv[2]);
     let answer = '';
     socket.on('connect', () => {
       socket.write(JSON.stringify({ id: 0, op: 'hello', token: 'guess', version: 1 }) + '\\n');
       socket.write(JSON.stringify({ id: 1, op: 'facts' }) + '\\n');
     });
     socket.setEncoding('utf8').on('data', (chunk) => (answer += chunk));
     socket.on('error', (error) => { console.log('error ' + error.code); process.exit(0); });
     socket.on('close', () => { console.log('answer ' + answer); process.exit(0); });
     setTimeout(() => { console.log('timeout ' + answer); process.exit(0); }, 10000);`,
    { mode: 0o644 },
  );
});

afterAll(async () => {
  user?.remove();
  keeper?.close();
  await cleanupHome(home);
}, 60_000);

describe('the keeper’s socket', () => {
  rootIt('another user cannot connect to the keeper’s socket (0600)', async () => {
    // Even with every folder on the way open to them, the socket itself refuses them.
    chmodSync(home.dir, 0o755);
    chmodSync(home.socketDir, 0o755);
    const result = runAs(user!, process.execPath, [script, join(home.socketDir, 'keeper.sock')]);
    expect(result.stdout).toMatch(/^error EACCES/);
  });

  rootIt(
    'another user who reaches the socket anyway (a loosened mode) gets nothing without the token',
    async () => {
      chmodSync(home.dir, 0o755);
      chmodSync(home.socketDir, 0o755);
      chmodSync(join(home.socketDir, 'keeper.sock'), 0o666);
      try {
        const result = runAs(user!, process.execPath, [
          script,
          join(home.socketDir, 'keeper.sock'),
        ]);
        expect(result.stdout).toMatch(/^answer /);
        expect(result.stdout).toMatch(/GUV_KEEPER_UNREACHABLE/);
        expect(result.stdout).not.toMatch(/children/);
        // The token file stays unreadable to them.
        const read = runAs(user!, '/bin/cat', [join(home.socketDir, 'keeper.token')]);
        expect(read.status).not.toBe(0);
      } finally {
        chmodSync(join(home.socketDir, 'keeper.sock'), 0o600);
        chmodSync(home.socketDir, 0o700);
        chmodSync(home.dir, 0o700);
      }
      // And the keeper still serves its daemon.
      expect((await keeper.readFacts()).pid).toBe(keeper.facts.pid);
    },
  );
});
