import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GuvClient, ProcessSummary } from '../../src/client/api.js';
import {
  type CliResult,
  eventOf,
  eventually,
  fixture,
  guv,
  recordEvents,
  repoRoot,
  type TestHome,
  useSharedDaemon,
} from '../helpers/daemon-harness.js';

// Apps files through the real CLI and a real daemon (issue 14): a pm2 ecosystem file and a YAML
// one act on exactly their apps; guv.config.ts with the project's tsx, env_<name>, a
// "type": "module" app, and dependsOn's stop order.

const folder = fixture('apps-files');
let home: TestHome;
let client: GuvClient;

useSharedDaemon((shared) => {
  home = shared.home;
  client = shared.client;
});

function inFolder(args: string[], cwd = folder): Promise<CliResult> {
  return guv(home, args, { cwd });
}

async function list(): Promise<ProcessSummary[]> {
  const result = await guv(home, ['list', '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ProcessSummary[];
}

async function summary(name: string): Promise<ProcessSummary | undefined> {
  return (await list()).find((p) => p.name === name);
}

/** The pids serving `name`: its workers' for a cluster, else its own. */
async function pidsOf(name: string): Promise<number[]> {
  const p = await summary(name);
  if (!p) return [];
  const workers = (p.workers ?? []).filter((w) => w.role === 'serving').map((w) => w.pid);
  return (p.kind === 'cluster' ? workers : [p.pid]).filter((pid): pid is number => pid !== null);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Served {
  pid: number;
  NODE_ENV?: string;
  GREETING?: string;
  ONLY_ENV?: string;
}

async function get(port: number): Promise<Served> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  return (await response.json()) as Served;
}

/** Asks until two different workers answered; returns what each said. */
async function bothWorkers(port: number): Promise<Served[]> {
  const seen = new Map<number, Served>();
  await eventually(
    async () => {
      const served = await get(port).catch(() => null);
      if (served) seen.set(served.pid, served);
      return seen.size >= 2;
    },
    'answers from both workers',
    30_000,
  );
  return [...seen.values()];
}

function readLog(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

describe('guv <command> <pm2 ecosystem file>', () => {
  it('start --env production, restart, reload, stop, remove: exactly the apps of the file', async () => {
    const port = await freePort();
    const other = await guv(home, ['start', fixture('hello.js'), '-n', 'af-other']);
    expect(other.code).toBe(0);
    const otherPid = (await summary('af-other'))?.pid;
    expect(otherPid).toEqual(expect.any(Number));
    const untouched = async () =>
      expect(await summary('af-other')).toMatchObject({ status: 'running', pid: otherPid });

    const started = await inFolder([
      'start',
      'eco.config.js',
      '--env',
      'production',
      '--env',
      `PORT=${port}`,
    ]);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(started.stdout).toMatch(/^af-web \[[\w-]+\] is running/m);
    expect(started.stdout).toMatch(/^af-worker \[[\w-]+\] is running/m);
    expect(await summary('af-web')).toMatchObject({ kind: 'cluster', instances: 2 });
    expect(await summary('af-worker')).toMatchObject({ kind: 'process', status: 'running' });
    // Each worker of the cluster sees env_production over env.
    for (const served of await bothWorkers(port))
      expect(served).toMatchObject({
        NODE_ENV: 'production',
        GREETING: 'from-production',
        ONLY_ENV: 'kept',
      });
    await eventually(
      () => readLog(home.logFile('af-worker')).includes('env NODE_ENV=production'),
      "af-worker's env line",
    );

    const webBefore = await pidsOf('af-web');
    const workerBefore = await pidsOf('af-worker');
    const restarted = await inFolder(['restart', 'eco.config.js']);
    expect(restarted).toMatchObject({ code: 0, stderr: '' });
    expect(restarted.stdout).toMatch(
      /^af-web \[[\w-]+\] is running[^\n]*\naf-worker \[[\w-]+\] is running/,
    );
    const webRestarted = await pidsOf('af-web');
    expect(webRestarted).toHaveLength(2);
    expect(webRestarted.some((pid) => webBefore.includes(pid))).toBe(false);
    expect(await pidsOf('af-worker')).not.toEqual(workerBefore);
    await untouched();
    // A restart keeps the environment the file's start gave.
    for (const served of await bothWorkers(port))
      expect(served).toMatchObject({ NODE_ENV: 'production' });

    const workerRestarted = await pidsOf('af-worker');
    const reloaded = await inFolder(['reload', 'eco.config.js']);
    expect(reloaded).toMatchObject({ code: 0, stderr: '' });
    expect(reloaded.stdout).toMatch(/^af-web reloaded \(worker pids \d+, \d+\)$/m);
    expect(reloaded.stdout).toMatch(/^af-worker \[[\w-]+\] is running/m);
    const webReloaded = await pidsOf('af-web');
    expect(webReloaded.some((pid) => webRestarted.includes(pid))).toBe(false);
    expect(await pidsOf('af-worker')).not.toEqual(workerRestarted);
    await untouched();

    const stopped = await inFolder(['stop', 'eco.config.js']);
    expect(stopped).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'af-web stopped\naf-worker stopped\n',
    });
    expect((await summary('af-web'))?.status).toBe('stopped');
    expect((await summary('af-worker'))?.status).toBe('stopped');
    await untouched();

    const removed = await inFolder(['remove', 'eco.config.js']);
    expect(removed).toMatchObject({
      code: 0,
      stderr: '',
      stdout: 'af-web removed\naf-worker removed\n',
    });
    const names = (await list()).map((p) => p.name);
    expect(names).not.toContain('af-web');
    expect(names).not.toContain('af-worker');
    await untouched();
    await guv(home, ['remove', 'af-other']);
  }, 180_000);

  it('a YAML ecosystem file: start --env production, validate, stop, remove', async () => {
    const validated = await inFolder(['validate', 'eco.config.yaml', '--env', 'production']);
    expect(validated).toMatchObject({ code: 0, stderr: '' });
    expect(validated.stdout).toMatch(/^af-yaml: one process: node \S+\/env-app\.js$/m);
    expect(validated.stdout).toContain('af-yaml: vizion is not supported by guv (ignored)');

    const started = await inFolder(['start', 'eco.config.yaml', '--env', 'production']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^af-yaml \[[\w-]+\] is running/m);
    expect(started.stderr).toBe(
      'guv: warning: af-yaml: vizion is not supported by guv (ignored)\n',
    );
    await eventually(
      () => readLog(home.logFile('af-yaml')).includes('env NODE_ENV=production GREETING=from-yaml'),
      "af-yaml's env line",
    );
    expect(await inFolder(['stop', 'eco.config.yaml'])).toMatchObject({
      code: 0,
      stdout: 'af-yaml stopped\n',
    });
    expect(await inFolder(['remove', 'eco.config.yaml'])).toMatchObject({
      code: 0,
      stdout: 'af-yaml removed\n',
    });
  }, 90_000);
});

describe('a "type": "module" project', () => {
  const esm = fixture('esm-project');

  it('starts its ES module app from ecosystem.config.cjs', async () => {
    const started = await inFolder(['start', 'ecosystem.config.cjs', '--env', 'production'], esm);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(started.stdout).toMatch(/^esm-app \[[\w-]+\] is running/);
    await eventually(
      () => readLog(home.logFile('esm-app')).includes('esm app up NODE_ENV=production url=true'),
      "esm-app's line",
    );
    expect(await inFolder(['remove', 'ecosystem.config.cjs'], esm)).toMatchObject({
      code: 0,
      stdout: 'esm-app removed\n',
    });
  }, 60_000);

  it('module.exports in its ecosystem.config.js: one line saying to name it .cjs', async () => {
    const result = await inFolder(['start', 'ecosystem.config.js'], join(esm, 'commonjs-as-js'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^guv: \S+ecosystem\.config\.js uses module\.exports, but the nearest package\.json makes \.js files ES modules \("type": "module"\): rename it to ecosystem\.config\.cjs, or write export default\n$/,
    );
    expect(await summary('esm-wrong')).toBeUndefined();
  }, 60_000);
});

describe('guv start guv.config.ts', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the ts-config project (a "type": "module" app); with tsx linked in, or not. */
  function project(withTsx: boolean): string {
    const dir = mkdtempSync(join(tmpdir(), 'guv-ts-config-'));
    made.push(dir);
    cpSync(fixture('ts-config'), dir, { recursive: true });
    if (withTsx) {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(join(repoRoot, 'node_modules/tsx'), join(dir, 'node_modules/tsx'));
    }
    return dir;
  }

  it("starts its ES module app with the project's tsx, env_production selected by --env", async () => {
    const dir = project(true);
    const started = await inFolder(['start', 'guv.config.ts', '--env', 'production'], dir);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(started.stdout).toMatch(/^tsc-app \[[\w-]+\] is running/);
    await eventually(
      () => readLog(home.logFile('tsc-app')).includes('env GREETING=from-ts-production'),
      "tsc-app's env line",
    );
    expect(await inFolder(['remove', 'guv.config.ts'], dir)).toMatchObject({
      code: 0,
      stdout: 'tsc-app removed\n',
    });
  }, 90_000);

  it('without tsx in the project: one line saying how, nothing started', async () => {
    const dir = project(false);
    const result = await inFolder(['start', 'guv.config.ts'], dir);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^guv: guv\.config\.ts is TypeScript and no tsx was found above .*: run "npm i -D tsx" in the project, or write it as \.js or \.json\n$/,
    );
    expect(await summary('tsc-app')).toBeUndefined();
  }, 60_000);
});

describe('dependsOn: guv stop <guv config> stops dependents first', () => {
  it('stops gc-api (which depends on gc-db) before gc-db, and restarts in start order', async () => {
    const configFolder = fixture('guv-config');
    const started = await inFolder(['start', 'guv.config.json'], configFolder);
    expect(started.code).toBe(0);
    const events = await recordEvents(client, 'process:*');
    try {
      const restarted = await inFolder(['restart', 'guv.config.json'], configFolder);
      expect(restarted.code).toBe(0);
      expect(restarted.stdout).toMatch(/^gc-db \[[\w-]+\] is running[^\n]*\ngc-api \[/);

      const stopped = await inFolder(['stop', 'guv.config.json'], configFolder);
      expect(stopped).toMatchObject({ code: 0, stdout: 'gc-api stopped\ngc-db stopped\n' });
      await events.waitFor(eventOf('process:stopped', 'gc-db'), 'gc-db stopped');
      const stops = events.events
        .filter((e) => e.type === 'process:stopping' || e.type === 'process:stopped')
        .map((e) => `${e.type} ${(e.args[0] as { name: string }).name}`)
        .filter((line) => /gc-(api|db)$/.test(line));
      // The restart stopped each in turn too: look at the stop's events, the last four.
      expect(stops.slice(-4)).toEqual([
        'process:stopping gc-api',
        'process:stopped gc-api',
        'process:stopping gc-db',
        'process:stopped gc-db',
      ]);
    } finally {
      events.off();
      await inFolder(['remove', 'guv.config.json'], configFolder);
    }
  }, 90_000);
});
