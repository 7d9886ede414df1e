import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GuvClient, ProcessSummary } from '../../src/client/api.js';
import {
  type CliResult,
  eventually,
  fixture,
  guv,
  processesRunning,
  useSharedDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

// pm2 ecosystem files through the real CLI and a real daemon (issue 14).

const folder = fixture('ecosystem');
let home: TestHome;
let client: GuvClient;

useSharedDaemon((shared) => {
  home = shared.home;
  client = shared.client;
});

function inFolder(args: string[]): Promise<CliResult> {
  return guv(home, args, { cwd: folder });
}

async function listJson(): Promise<ProcessSummary[]> {
  const result = await guv(home, ['list', '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ProcessSummary[];
}

function readLog(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** A failure the user can read: one `guv: ` line on stderr, no stack. */
function oneLineError(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(1);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^guv: /);
  expect(lines[0]).toMatch(pattern);
}

describe('guv start <ecosystem file>', () => {
  it('starts both apps (one a cluster of 2) with env_production, and names every unsupported key', async () => {
    const started = await inFolder([
      'start',
      'ecosystem.config.js',
      '--env',
      'production',
      '--env',
      'EXTRA=cli',
    ]);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^eco-web \[[\w-]+\] is running/m);
    expect(started.stdout).toMatch(/^eco-worker \[[\w-]+\] is running/m);
    // max_memory_restart and watch are honoured now: no warning names them.
    expect(started.stderr).not.toContain('max_memory_restart');
    expect(started.stderr).not.toContain('watch');
    expect(started.stderr).toContain('guv: warning: deploy is not supported');

    const list = await listJson();
    const web = list.find((p) => p.name === 'eco-web');
    expect(web).toMatchObject({ kind: 'cluster', instances: 2 });
    expect(list.find((p) => p.name === 'eco-worker')).toMatchObject({
      kind: 'process',
      status: 'running',
    });
    // The config itself never ran as an app.
    expect(list.map((p) => p.name)).toEqual(expect.arrayContaining(['eco-web', 'eco-worker']));
    expect(list.some((p) => p.name.startsWith('ecosystem'))).toBe(false);

    // env, then env_production over it, then --env K=V: in each worker and in the fork.
    const line = 'env NODE_ENV=production GREETING=from-production ONLY_ENV=kept EXTRA=cli';
    for (const worker of [0, 1]) {
      const log = join(home.dir, 'logs/eco-web', `worker-${worker}.out.log`);
      await eventually(() => readLog(log).includes(line), `worker ${worker}'s env line`);
    }
    await eventually(
      () =>
        readLog(home.logFile('eco-worker')).includes('env NODE_ENV=production GREETING=undefined'),
      "eco-worker's env line",
    );
  }, 90_000);

  it('guv stop <ecosystem file> stops both apps', async () => {
    const stopped = await inFolder(['stop', 'ecosystem.config.js']);
    expect(stopped).toMatchObject({ code: 0, stderr: '' });
    expect(stopped.stdout).toBe('eco-web stopped\neco-worker stopped\n');
    const list = await listJson();
    for (const name of ['eco-web', 'eco-worker'])
      expect(list.find((p) => p.name === name)?.status).toBe('stopped');
    expect(processesRunning(home, 'env-app.js')).toEqual([]);
  }, 60_000);

  it('a file that looks like a config is never run as a script', async () => {
    // Named like one but listing no apps: refused in one line.
    oneLineError(await inFolder(['start', 'broken.config.js']), /broken\.config\.js: .*"apps"/);
    // Named like a script but exporting `apps`: its apps start, not the file.
    const byContent = await inFolder(['start', 'apps-by-content.js']);
    expect(byContent.code).toBe(0);
    expect(byContent.stdout).toMatch(/^eco-content \[[\w-]+\] is running/m);
    const names = (await listJson()).map((p) => p.name);
    expect(names).toContain('eco-content');
    expect(names.filter((name) => /broken|apps-by-content/.test(name))).toEqual([]);
    expect(processesRunning(home, 'broken.config.js')).toEqual([]);
    expect(processesRunning(home, 'apps-by-content.js')).toEqual([]);
    expect((await inFolder(['remove', 'apps-by-content.js'])).stdout).toBe('eco-content removed\n');
  }, 60_000);

  it('the daemon refuses to run a file named like an apps file, whoever asks', async () => {
    const file = join(folder, 'ecosystem.config.js');
    await expect(client.startProcess(file, { env: home.childEnv })).rejects.toMatchObject({
      code: 'GUV_BAD_ARGUMENT',
      message: expect.stringContaining('is an apps file, not a script'),
    });
    expect(processesRunning(home, 'ecosystem.config.js')).toEqual([]);
  }, 60_000);
});

describe('guv validate <ecosystem file>', () => {
  it('prints each process, its policy numbers, env names (not values) and warnings, starting nothing', async () => {
    const result = await inFolder(['validate', 'ecosystem.config.js', '--env', 'production']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const out = result.stdout;
    expect(out).toContain('ecosystem.config.js: 2 processes');
    expect(out).toMatch(/^eco-web: a cluster of 2 workers: node \S+\/env-app\.js$/m);
    expect(out).toMatch(/^eco-worker: one process: node \S+\/env-app\.js$/m);
    expect(out).toContain('more than 4 failures in 10 min abort; stable after 5 s up');
    expect(out).toContain('SIGKILL after 3 s');
    expect(out).toContain('backoff 200 ms first, then ×1.5 up to 15 s');
    expect(out).toContain('env: GREETING, NODE_ENV, ONLY_ENV');
    expect(out).not.toContain('from-production');
    expect(out).not.toContain('max_memory_restart');
    expect(out).toContain('deploy is not supported by guv (ignored)');
  }, 60_000);

  it('starts nothing, and exits 1 with one line on a bad file', async () => {
    const file = join(home.dir, 'only-validated.config.json');
    writeFileSync(file, JSON.stringify({ apps: [{ name: 'eco-validated', script: 'x.js' }] }));
    expect((await guv(home, ['validate', file])).code).toBe(0);
    expect((await listJson()).some((p) => p.name === 'eco-validated')).toBe(false);

    const bad = join(home.dir, 'bad.config.json');
    writeFileSync(
      bad,
      JSON.stringify({ apps: [{ name: 'eco-bad', script: 'x.js', instances: 'lots' }] }),
    );
    oneLineError(await guv(home, ['validate', bad]), /eco-bad: instances must be a number/);
    writeFileSync(bad, '{ "apps": [ // a comment\n] }');
    oneLineError(await guv(home, ['validate', bad]), /is not valid JSON/);
  }, 60_000);
});

describe("guv start guv.config.json (guv's own names)", () => {
  const configFolder = fixture('guv-config');

  it('starts an app once what it dependsOn runs, with its env_file, and refuses a cycle in one line', async () => {
    const started = await guv(home, ['start', 'guv.config.json'], { cwd: configFolder });
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(started.stdout).toMatch(/^gc-db \[[\w-]+\] is running.*\ngc-api \[[\w-]+\] is running/);
    await eventually(
      () => readLog(home.logFile('gc-api')).includes('GREETING=from-env-file ONLY_ENV=from-config'),
      "gc-api's env line",
    );
    expect((await guv(home, ['stop', 'guv.config.json'], { cwd: configFolder })).code).toBe(0);

    const cycle = join(home.dir, 'guv.config.json');
    writeFileSync(
      cycle,
      JSON.stringify({
        apps: [
          { name: 'gc-a', script: 'a.js', dependsOn: ['gc-b'] },
          { name: 'gc-b', script: 'b.js', dependsOn: ['gc-a'] },
        ],
      }),
    );
    oneLineError(await guv(home, ['start', cycle]), /dependsOn makes a cycle: gc-a → gc-b → gc-a/);
  }, 90_000);
});
