import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveHome } from '../../src/protocol/home.js';
import { makeTempDir, removeDir } from '../apps/git-fixtures.js';
import {
  cleanupHome,
  eventually,
  guv,
  makeHome,
  processesMentioning,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { createThrowawayUser, rootIt, runAs, type ThrowawayUser } from './helpers.js';

// Held case (issue 12): a symlink planted where the socket, or a deep home's socket folder
// under the temp dir, would go is never followed: the daemon refuses to start, and nothing
// is created, replaced or removed at the link's target.

let home: TestHome;
/** Where the planted links point: outside every home. */
let outside: string;
let extraDirs: string[] = [];
let attacker: ThrowawayUser | undefined;

beforeEach(async () => {
  home = makeHome();
  outside = await makeTempDir('guv-held-ln-');
});

afterEach(async () => {
  await cleanupHome(home);
  await removeDir(outside);
  for (const dir of extraDirs) rmSync(dir, { recursive: true, force: true });
  extraDirs = [];
}, 60_000);

afterAll(() => attacker?.remove());

/** The CLI (which starts the daemon on demand) fails in one `guv:` line; no daemon stays up. */
async function refusesToStart(target: TestHome): Promise<string> {
  const result = await guv(target, ['list']);
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^guv: [^\n]*\n$/);
  await eventually(() => processesMentioning(target.dir).length === 0, 'no daemon left running');
  return result.stderr;
}

/** A socket file nobody listens on (its server was killed), as a crashed daemon leaves. */
function deadSocket(path: string): void {
  const script = `require('node:net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))`;
  spawnSync(process.execPath, ['-e', script, path]);
  expect(lstatSync(path).isSocket()).toBe(true);
}

/** The socket's folder made ready (as a previous run would have), with `plant` at the socket. */
function plantAtSocket(plant: (socket: string) => void): string {
  const socket = resolveHome(home.env).socket;
  mkdirSync(join(home.dir, 'run'), { recursive: true, mode: 0o700 });
  plant(socket);
  return socket;
}

/** A home deep enough that its socket moves to `<tmp>/guv-<uid>-<hash>`. */
function deepHome(): { home: TestHome; socketDir: string } {
  const dir = join(home.dir, 'd'.repeat(100));
  const deep: TestHome = { ...home, dir, env: { ...home.env, GUV_HOME: dir } };
  const paths = resolveHome(deep.env);
  expect(paths.socketDir).not.toBe(paths.runtime);
  // Left over from an earlier run or another test: not ours to trust either way.
  rmSync(paths.socketDir, { recursive: true, force: true });
  extraDirs.push(paths.socketDir);
  return { home: deep, socketDir: paths.socketDir };
}

describe('held: a symlink where the socket goes is never followed', () => {
  it('a dangling link at the socket path: refused, nothing appears at its target', async () => {
    const target = join(outside, 'target.sock');
    const socket = plantAtSocket((path) => symlinkSync(target, path));
    await refusesToStart(home);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(outside)).toEqual([]);
    expect(lstatSync(socket).isSymbolicLink()).toBe(true);
  });

  it('a link to a file outside: refused, the file untouched', async () => {
    const precious = join(outside, 'precious');
    writeFileSync(precious, 'keep me');
    plantAtSocket((path) => symlinkSync(precious, path));
    await refusesToStart(home);
    expect(readFileSync(precious, 'utf8')).toBe('keep me');
    expect(readdirSync(outside)).toEqual(['precious']);
  });

  it('a link to a dead socket outside: refused, that socket is not removed in its stead', async () => {
    const stale = join(outside, 'stale.sock');
    deadSocket(stale);
    plantAtSocket((path) => symlinkSync(stale, path));
    await refusesToStart(home);
    expect(lstatSync(stale).isSocket()).toBe(true);
    expect(readdirSync(outside)).toEqual(['stale.sock']);
  });

  it('a deep home’s socket folder under the temp dir is a link to a folder outside: refused', async () => {
    const { home: deep, socketDir } = deepHome();
    symlinkSync(outside, socketDir);
    expect(await refusesToStart(deep)).toMatch(
      /is not a private folder owned by this user|refusing \S+: it is a symlink|refusing \S+: it belongs to uid \d+, not to uid \d+/,
    );
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a deep home’s socket folder is a dangling link: refused, nothing made at its target', async () => {
    const { home: deep, socketDir } = deepHome();
    const target = join(outside, 'made-by-guv');
    symlinkSync(target, socketDir);
    await refusesToStart(deep);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(outside)).toEqual([]);
  });

  rootIt(
    'another user plants the socket folder, as a link or as their own folder: refused',
    async () => {
      attacker ??= createThrowawayUser('s');
      const { home: deep, socketDir } = deepHome();
      const theirs = join(outside, 'theirs');
      mkdirSync(theirs, { mode: 0o777 });
      spawnSync('chown', [String(attacker.uid), theirs]);
      for (const plant of [
        ['ln', '-s', theirs, socketDir],
        ['mkdir', '-m', '0777', socketDir],
      ]) {
        const planted = runAs(attacker, plant[0]!, plant.slice(1));
        expect(planted.status, planted.stderr).toBe(0);
        expect(await refusesToStart(deep)).toMatch(
          /is not a private folder owned by this user|refusing \S+: it is a symlink|refusing \S+: it belongs to uid \d+, not to uid \d+/,
        );
        expect(readdirSync(theirs)).toEqual([]);
        expect(lstatSync(socketDir).uid).toBe(attacker.uid);
        rmSync(socketDir, { recursive: true, force: true });
      }
    },
  );
});
