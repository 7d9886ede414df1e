import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessSummary } from '../../src/client/api.js';
import { freePort } from '../cluster/load.js';
import {
  alive,
  cleanupHome,
  crashDaemon,
  eventually,
  fixture,
  guv,
  makeHome,
  startDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';

// Processes with files of their own (`--out-file`, `--error-file`, `--log-time false`) run under
// the keeper too: it writes those files (as the app's user), with or without a daemon.

let home: TestHome | null = null;

afterEach(async () => {
  if (home) await cleanupHome(home);
  home = null;
}, 60_000);

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/** The whole lines of a file (a line still being written is left out). */
function lines(path: string): string[] {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  return text.split('\n').slice(0, -1);
}

function ticks(path: string, pattern = /tick (\d+)$/): number[] {
  return lines(path).flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

/** `1, 2, …, n`: every tick once, none missing, none twice. */
function expectEachOnce(found: number[], what: string): void {
  expect(found.length, what).toBeGreaterThan(0);
  expect(found, what).toEqual(Array.from({ length: found.length }, (_, i) => i + 1));
}

async function listJson(h: TestHome): Promise<Map<string, ProcessSummary>> {
  const result = await guv(h, ['list', '--json']);
  expect(result.stderr).toBe('');
  return new Map((JSON.parse(result.stdout) as ProcessSummary[]).map((p) => [p.name, p]));
}

/** Kills the daemon with SIGKILL once `path` has ticks, and waits for ticks written with none. */
async function crashWhileTicking(h: TestHome, count: () => number): Promise<void> {
  await eventually(() => count() >= 3, 'lines before the kill');
  await crashDaemon(h);
  const atDeath = count();
  await eventually(() => count() >= atDeath + 5, 'lines while no daemon runs');
}

function keptHome(): TestHome {
  home = makeHome();
  return home;
}

function appFolder(h: TestHome): string {
  const dir = join(h.dir, 'app');
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('processes with files of their own run under the keeper', () => {
  it('--out-file and --error-file: same pid after kill -9 of the daemon, each line once in its file', async () => {
    const h = keptHome();
    const dir = appFolder(h);
    const outFile = join(dir, 'out.log');
    const errorFile = join(dir, 'err.log');
    const client = await startDaemon(h);
    const started = await startTracked(client, h, fixture('keeper-child.js'), {
      name: 'files',
      outFile,
      errorFile,
    });
    const pid = started.pid as number;
    await client.disconnect();

    await crashWhileTicking(h, () => Math.max(0, ...ticks(outFile)));
    expect(alive(pid)).toBe(true);

    const now = (await listJson(h)).get('files');
    expect(now?.pid).toBe(pid);
    expect(now?.status).toBe('running');
    const afterRestart = Math.max(...ticks(outFile));
    await eventually(
      () => Math.max(...ticks(outFile)) >= afterRestart + 5,
      'lines after the restart',
    );
    expect((await guv(h, ['stop', 'files'])).code).toBe(0);
    await eventually(() => !alive(pid), 'the app stopped');

    const out = lines(outFile);
    for (const line of out) expect(line).toMatch(ISO);
    expect(out.filter((line) => line.endsWith(' up'))).toHaveLength(1);
    expectEachOnce(ticks(outFile), 'the out file');
    // guv's own file gets each line once too: the daemon does not write what the keeper does.
    expectEachOnce(ticks(h.logFile('files')), 'guv’s out.log');
    const err = lines(errorFile);
    expect(err.filter((line) => line.endsWith('a record through the wrapper'))).toHaveLength(1);
    expect(err.join('\n')).not.toMatch(/tick/);
  }, 90_000);

  it('--log-time false: same pid after kill -9 of the daemon, its lines raw and each once', async () => {
    const h = keptHome();
    const outFile = join(appFolder(h), 'raw.log');
    const client = await startDaemon(h);
    const started = await startTracked(client, h, fixture('keeper-child.js'), {
      name: 'raw',
      outFile,
      logTime: false,
    });
    const pid = started.pid as number;
    await client.disconnect();

    await crashWhileTicking(h, () => Math.max(0, ...ticks(outFile)));
    expect(alive(pid)).toBe(true);
    expect((await listJson(h)).get('raw')?.pid).toBe(pid);
    const afterRestart = Math.max(...ticks(outFile));
    await eventually(
      () => Math.max(...ticks(outFile)) >= afterRestart + 5,
      'lines after the restart',
    );

    const raw = lines(outFile);
    expect(raw[0]).toBe('up');
    for (const line of raw) expect(line).toMatch(/^(up|tick \d+)$/);
    expectEachOnce(ticks(outFile), 'the raw file');
    // guv's own files keep the prefix: `guv logs` reads it.
    for (const line of lines(h.logFile('raw'))) expect(line).toMatch(ISO);
  }, 90_000);

  it('a 2-worker cluster with --out-file: both workers’ lines in the one file, kept across kill -9 of the daemon', async () => {
    const h = keptHome();
    const outFile = join(appFolder(h), 'web.log');
    const client = await startDaemon(h);
    await startTracked(client, h, fixture('cluster-ticks.js'), {
      name: 'web',
      instances: 2,
      outFile,
      env: { PORT: String(await freePort()) },
    });
    await client.disconnect();
    const workerTicks = (slot: number) => ticks(outFile, new RegExp(`w${slot} tick (\\d+)$`));
    const fewest = () => Math.min(Math.max(0, ...workerTicks(0)), Math.max(0, ...workerTicks(1)));
    const before = await eventually(async () => {
      const web = (await listJson(h)).get('web');
      return web?.status === 'running' && web.workers?.length === 2 ? web : null;
    }, 'the cluster online');

    await crashWhileTicking(h, fewest);
    const after = await eventually(async () => {
      const web = (await listJson(h)).get('web');
      return web?.status === 'running' ? web : null;
    }, 'the cluster re-adopted');
    expect(after.pid).toBe(before.pid);
    expect(after.workers?.map((w) => w.pid).sort()).toEqual(
      before.workers?.map((w) => w.pid).sort(),
    );
    const afterRestart = fewest();
    await eventually(() => fewest() >= afterRestart + 5, 'lines after the restart');

    for (const line of lines(outFile)) expect(line).toMatch(ISO);
    expectEachOnce(workerTicks(0), 'worker 0 in the one file');
    expectEachOnce(workerTicks(1), 'worker 1 in the one file');
  }, 90_000);
});
