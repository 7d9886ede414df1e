import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveHome } from '../../src/protocol/home.js';
import { cleanupHome, makeHome, startDaemon, type TestHome } from '../helpers/daemon-harness.js';
import { createThrowawayUser, rootIt, runAs, type ThrowawayUser } from './helpers.js';

// Held case (issue 12): only the daemon's user (and, when configured, one group) can reach
// the socket. The socket is 0600 (0660 with socketGroup) in a 0700 folder; another local
// user's connect() fails with EACCES, at the folder and, were the folder open, at the socket.

let homes: TestHome[] = [];
let users: ThrowawayUser[] = [];
/** Socket folders outside a home (a deep home's), removed after each test. */
let extraDirs: string[] = [];

afterEach(async () => {
  // Newest first: a deep home lives inside the one made before it.
  for (const home of homes.reverse()) await cleanupHome(home);
  for (const dir of extraDirs) rmSync(dir, { recursive: true, force: true });
  homes = [];
  extraDirs = [];
}, 60_000);

afterAll(() => {
  for (const user of users) user.remove();
  users = [];
});

/** A home (its guv.json written first when `config` is given) and its running daemon. */
async function daemonWith(config?: object, home = makeHome()): Promise<string> {
  homes.push(home);
  if (config) {
    const file = join(resolveHome(home.env).config, 'guv.json');
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(config));
  }
  await startDaemon(home);
  return resolveHome(home.env).socket;
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** What `user` gets from connect() and a ping on `socket`: "ANSWER", or the error code. */
function connectAs(user: ThrowawayUser, socket: string): string {
  const script = `
    const s = require('node:net').connect(process.argv[1]);
    s.on('connect', () => s.write('{"id":1,"method":"ping"}\\n'));
    s.on('data', () => { console.log('ANSWER'); process.exit(0); });
    s.on('error', (e) => { console.log(e.code); process.exit(1); });
    setTimeout(() => { console.log('TIMEOUT'); process.exit(2); }, 20000);`;
  const result = runAs(user, process.execPath, ['-e', script, socket], {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
  });
  return `${result.stdout.trim()}${result.stderr.trim() ? ` (stderr: ${result.stderr.trim()})` : ''}`;
}

/** chmod each folder from `top` down to `socket`'s, as an admin loosening the home would. */
function openFoldersDownTo(top: string, socket: string, mode: number): void {
  for (let dir = dirname(socket); dir.startsWith(top); dir = dirname(dir)) chmodSync(dir, mode);
}

describe('held: only the socket owner (and a configured group) can talk to the daemon', () => {
  it('the socket is 0600 and the daemon user’s, in a 0700 folder', async () => {
    const socket = await daemonWith();
    expect(statSync(socket).isSocket()).toBe(true);
    expect(modeOf(socket)).toBe(0o600);
    expect(statSync(socket).uid).toBe(process.getuid?.());
    expect(modeOf(dirname(socket))).toBe(0o700);
  });

  it('a deep home’s socket, moved under the temp folder, is 0600 in a private 0700 folder', async () => {
    const base = makeHome();
    homes.push(base);
    const deep = join(base.dir, 'd'.repeat(100));
    const home: TestHome = { ...base, dir: deep, env: { ...base.env, GUV_HOME: deep } };
    const paths = resolveHome(home.env);
    expect(paths.socketDir).not.toBe(paths.runtime);
    extraDirs.push(paths.socketDir);
    const socket = await daemonWith(undefined, home);
    expect(socket).toBe(join(paths.socketDir, 'guv.sock'));
    expect(modeOf(socket)).toBe(0o600);
    expect(modeOf(paths.socketDir)).toBe(0o700);
    expect(statSync(paths.socketDir).uid).toBe(process.getuid?.());
  });

  it('with socketGroup configured: 0660, that group’s, still in a 0700 folder', async () => {
    const gid = process.getgid?.() ?? 0;
    const socket = await daemonWith({ socketGroup: gid });
    expect(modeOf(socket)).toBe(0o660);
    expect(statSync(socket).gid).toBe(gid);
    expect(modeOf(dirname(socket))).toBe(0o700);
  });

  describe('another local user', () => {
    let stranger: ThrowawayUser;
    let member: ThrowawayUser;
    beforeAll(() => {
      if (process.getuid?.() !== 0) return;
      stranger = createThrowawayUser('s');
      member = createThrowawayUser('s');
      users.push(stranger, member);
    });

    rootIt(
      'cannot connect (EACCES), even once the folders above the socket are opened',
      async () => {
        const home = makeHome();
        const socket = await daemonWith(undefined, home);
        expect(connectAs(stranger, socket)).toBe('EACCES');
        // The socket's own 0600 holds without the folder's 0700.
        openFoldersDownTo(home.dir, socket, 0o755);
        expect(modeOf(socket)).toBe(0o600);
        expect(connectAs(stranger, socket)).toBe('EACCES');
      },
    );

    rootIt(
      'with socketGroup: a member of that group gets through an opened folder, nobody else',
      async () => {
        const home = makeHome();
        const socket = await daemonWith({ socketGroup: member.gid }, home);
        expect(connectAs(member, socket)).toBe('EACCES');
        expect(connectAs(stranger, socket)).toBe('EACCES');
        openFoldersDownTo(home.dir, socket, 0o755);
        // The control: the same check, for a user the socket lets in, does get an answer.
        expect(connectAs(member, socket)).toBe('ANSWER');
        expect(connectAs(stranger, socket)).toBe('EACCES');
      },
    );
  });
});
