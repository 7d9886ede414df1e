import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import { makeTempDir, removeDir } from '../apps/git-fixtures.js';
import { type AppRepo, makeAppRepo } from '../apps-e2e/app-repo.js';
import {
  cleanupHome,
  fixture,
  guv,
  makeHome,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';
import {
  HOSTILE_APP_NAMES,
  HOSTILE_PROCESS_NAMES,
  type HostileCase,
  hostileRefs,
  hostileRepoUrls,
} from '../helpers/hostile-input.js';

// Held case (issue 12): hostile URLs, refs, app and process names, through the real CLI and
// the real socket, against a real daemon. Every one is refused in one `guv:` line with a
// non-zero exit; no injected command runs; nothing is written outside the home.

let home: TestHome;
let client: GuvClient;
/** Outside the home: the CLI's working folder, the origin repository, the marker's folder. */
let outside: string;
let marker: string;
let repo: AppRepo;
let outsideBefore: string[];
let homeBefore: string[];

/** Every path under `dir` (folders end with "/"), for "nothing was written here". */
function tree(dir: string): string[] {
  const paths: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const shown = relative(dir, path);
      if (entry.isDirectory()) {
        paths.push(`${shown}/`);
        walk(path);
      } else paths.push(shown);
    }
  };
  walk(dir);
  return paths.sort();
}

/** The home's files that hostile input could add to: its top level and the apps folder. */
function homeEntries(): string[] {
  const apps = join(home.dir, 'apps');
  return [...readdirSync(home.dir), ...readdirSync(apps).map((name) => `apps/${name}`)].sort();
}

beforeAll(async () => {
  home = makeHome();
  outside = await makeTempDir('guv-held-inj-');
  marker = join(outside, 'marker');
  repo = await makeAppRepo(outside);
  client = await startDaemon(home);
  // An installed app, so setref has something to aim a hostile ref at.
  const keep = await guv(home, ['install', repo.url, 'keep'], { cwd: outside, timeoutMs: 120_000 });
  expect(keep.code, keep.stderr).toBe(0);
  outsideBefore = tree(outside);
  homeBefore = homeEntries();
}, 180_000);

afterAll(async () => {
  await cleanupHome(home);
  await removeDir(outside);
}, 60_000);

/** A command line cannot carry a NUL byte: such values go only through the socket. */
const fitsArgv = (value: string) => !value.includes('\0');

/**
 * What a one-line message must not carry raw: C0 and C1 controls and DEL (a newline forges
 * a second line, an escape sequence drives the terminal), Unicode line separators, and bidi
 * overrides (which make the line read as something else).
 */
const ONE_CLEAN_LINE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the failure
  /^guv: [^\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]*\n$/;

/** Non-zero exit, nothing on stdout, and stderr exactly one clean `guv: …` line. */
async function refusedByCli(args: string[]): Promise<void> {
  const result = await guv(home, args, { cwd: outside, timeoutMs: 60_000 });
  const shown = `guv ${args.map((a) => JSON.stringify(a.slice(0, 80))).join(' ')}`;
  expect(result.code, `${shown}: ${result.stderr}`).not.toBe(0);
  expect(result.code, shown).not.toBeNull();
  expect(result.stdout, shown).toBe('');
  expect(result.stderr, shown).toMatch(ONE_CLEAN_LINE);
}

/** The daemon itself refuses the value with a GUV_ code naming the problem, never GUV_INTERNAL. */
async function refusedBySocket(method: string, params: Record<string, unknown>): Promise<void> {
  const error = await client.requestUnchecked(method, params, 60_000).then(
    () => null,
    (e: { code?: string }) => e,
  );
  expect(error, `${method} was accepted`).not.toBeNull();
  expect(error?.code, method).toMatch(/^GUV_/);
  expect(error?.code, method).not.toBe('GUV_INTERNAL');
}

/** Runs `check` for every case, a few at a time: each one spawns a CLI. */
async function forEach(cases: readonly HostileCase[], check: (value: string) => Promise<void>) {
  const queue = [...cases];
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        await check(next[1]).catch((error: Error) =>
          failures.push(`${next[0]}: ${error.message.split('\n')[0]}`),
        );
      }
    }),
  );
  expect(failures).toEqual([]);
}

function nothingRanOrWritten(): void {
  expect(existsSync(marker), 'an injected command ran').toBe(false);
  expect(tree(outside)).toEqual(outsideBefore);
  expect(homeEntries()).toEqual(homeBefore);
}

describe('held: hostile input through the real CLI and socket is refused, nothing runs', () => {
  it('git URLs (--upload-pack, ext::, file:// with "-", newline, NUL, 100 kB)', async () => {
    await forEach(hostileRepoUrls(marker), async (url) => {
      if (fitsArgv(url)) await refusedByCli(['install', '--', url, 'x']);
      await refusedBySocket('installApp', { url, name: 'x', cwd: outside });
    });
    nothingRanOrWritten();
  }, 240_000);

  it('refs (-x, --output=…, .., @{, control characters, refs/../), at install and setref', async () => {
    await forEach(hostileRefs(marker), async (ref) => {
      if (fitsArgv(ref)) {
        await refusedByCli(['setref', 'keep', '--', ref]);
        await refusedByCli(['install', repo.url, 'y', `--ref=${ref}`]);
      }
      await refusedBySocket('setRef', { name: 'keep', ref });
      await refusedBySocket('installApp', { url: repo.url, name: 'y', ref });
    });
    nothingRanOrWritten();
    const ref = await guv(home, ['ref', 'keep']);
    expect(ref.stdout).toBe(`main ${repo.commit('main')}\n`);
    expect(statSync(join(home.dir, 'apps', 'keep', 'server.js')).isFile()).toBe(true);
  }, 240_000);

  it('app names (../x, .hidden, a/b, NUL, 300 characters, lookalike Unicode)', async () => {
    await forEach(HOSTILE_APP_NAMES, async (name) => {
      if (fitsArgv(name)) {
        await refusedByCli(['install', '--', repo.url, name]);
        await refusedByCli(['rmapp', '--', name]);
      }
      await refusedBySocket('installApp', { url: repo.url, name });
      await refusedBySocket('removeApp', { name, force: true });
      await refusedBySocket('setRef', { name, ref: 'main' });
    });
    nothingRanOrWritten();
    expect((await guv(home, ['lsapps'])).stdout).toMatch(/^keep\b/m);
  }, 240_000);

  it('process names (../x, .hidden, a/b, NUL, 300 characters, lookalike Unicode, digits)', async () => {
    const script = fixture('hello.js');
    await forEach(HOSTILE_PROCESS_NAMES, async (name) => {
      if (fitsArgv(name)) {
        await refusedByCli(['start', script, `--name=${name}`]);
        await refusedByCli(['stop', '--', name]);
      }
      await refusedBySocket('start', { target: script, name, cwd: outside, env: home.childEnv });
      await refusedBySocket('info', { target: name });
    });
    nothingRanOrWritten();
    expect(await client.listProcesses()).toEqual([]);
    // guv's own logs only (the daemon's, the keeper's): no file named after a hostile name.
    const ownLogs = new Set(['daemon.log', 'keeper.log']);
    expect(readdirSync(join(home.dir, 'logs')).filter((name) => !ownLogs.has(name))).toEqual([]);
  }, 240_000);
});
