import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessDetails } from '../../src/protocol/replies.js';
import {
  cleanupHome,
  eventually,
  fixture,
  guv,
  makeHome,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome;
beforeEach(() => {
  home = makeHome();
});
afterEach(async () => {
  await cleanupHome(home);
}, 60_000);

async function details(name: string): Promise<ProcessDetails> {
  const result = await guv(home, ['info', name, '--json']);
  if (result.code !== 0) throw new Error(`guv info ${name}: ${result.stderr}`);
  return JSON.parse(result.stdout) as ProcessDetails;
}

async function startOk(args: string[], cwd?: string) {
  const result = await guv(home, ['start', ...args], cwd ? { cwd } : {});
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An app folder of its own under the home, with a script that idles. */
function appFolder(): string {
  const dir = join(home.dir, 'app');
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'server.js'), 'setInterval(() => {}, 1 << 30);\n');
  return dir;
}

describe('restart triggers with a real daemon', () => {
  it('--watch: one change restarts once; two changes within the delay restart once; node_modules never', async () => {
    const dir = appFolder();
    await startOk(['server.js', '-n', 'w', '--watch', '--watch-delay', '1s'], dir);
    await eventually(async () => (await details('w')).watching, 'the watcher in place', 30_000);

    writeFileSync(join(dir, 'data.txt'), 'one');
    await eventually(async () => (await details('w')).restarts === 1, 'one restart', 30_000);
    await sleep(3000);
    expect((await details('w')).restarts).toBe(1);

    await eventually(async () => (await details('w')).watching, 'the watcher back', 30_000);
    writeFileSync(join(dir, 'a.txt'), 'a');
    await sleep(200);
    writeFileSync(join(dir, 'b.txt'), 'b');
    await eventually(async () => (await details('w')).restarts === 2, 'a second restart', 30_000);
    await sleep(3000);
    const after = await details('w');
    expect(after.restarts).toBe(2);
    expect(after.status).toBe('running');

    await eventually(async () => (await details('w')).watching, 'the watcher back', 30_000);
    writeFileSync(join(dir, 'node_modules', 'dep.js'), 'x');
    await sleep(2500);
    expect((await details('w')).restarts).toBe(2);

    const why = await guv(home, ['why', 'w']);
    expect(why.stdout).toMatch(/restarted: (a|b)\.txt changed/);
    expect(why.stdout).toContain('restarted: data.txt changed');
  }, 150_000);

  it('--ignore-watch leaves out what its globs match', async () => {
    const dir = appFolder();
    await startOk(['server.js', '-n', 'iw', '--watch', '--ignore-watch', '*.log,tmp'], dir);
    await eventually(async () => (await details('iw')).watching, 'the watcher in place', 30_000);
    mkdirSync(join(dir, 'tmp'));
    writeFileSync(join(dir, 'tmp', 'x.txt'), 'x');
    writeFileSync(join(dir, 'out.log'), 'x');
    await sleep(2500);
    expect((await details('iw')).restarts).toBe(0);
    writeFileSync(join(dir, 'code.js'), 'x');
    await eventually(async () => (await details('iw')).restarts === 1, 'a restart', 30_000);
  }, 90_000);

  it('--max-memory-restart 80M restarts a process past it, says why, and never counts a failure', async () => {
    await startOk([fixture('alloc-memory.js'), '-n', 'mem', '--max-memory-restart', '80M']);
    await eventually(async () => (await details('mem')).restarts >= 1, 'a memory restart', 60_000);
    const why = await guv(home, ['why', 'mem']);
    expect(why.stdout).toMatch(/restarted: RSS \d+ MiB over the 80 MiB limit/);
    const info = await details('mem');
    expect(info.definition.triggers?.maxMemoryBytes).toBe(80 * 1024 ** 2);
    expect(why.stdout).not.toMatch(/failure/);
    expect(info.status).not.toBe('aborted');
  }, 90_000);

  it('--cron-restart with a per-second expression restarts it; info shows the next time', async () => {
    await startOk([fixture('hello.js'), '-n', 'cron', '--cron-restart', '*/3 * * * * *']);
    const first = await details('cron');
    expect(first.cronNextAt).toBeGreaterThan(Date.now() - 1000);
    expect(first.cronNextAt).toBeLessThanOrEqual(Date.now() + 3500);
    await eventually(async () => (await details('cron')).restarts >= 1, 'a cron restart', 20_000);
    const why = await guv(home, ['why', 'cron']);
    expect(why.stdout).toContain('restarted: cron "*/3 * * * * *"');
    const text = await guv(home, ['info', 'cron']);
    expect(text.stdout).toMatch(/cron restart\s+\*\/3 \* \* \* \* \* \(next \d{4}-/);
  }, 60_000);

  it('--max-memory-restart on a script that is not run by node is refused, not silently ignored', async () => {
    const result = await guv(home, ['start', fixture('script.sh'), '--max-memory-restart', '80M']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--max-memory-restart needs a Node script');
  });

  it('a bad cron expression is refused at the boundary in one line', async () => {
    const result = await guv(home, ['start', fixture('hello.js'), '--cron-restart', '0 3 * *']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--cron-restart must be a cron expression of 5 or 6 fields');
  });

  it('--restart-delay 2s waits 2 s before every restart', async () => {
    await startOk([fixture('exit-later.js'), '-n', 'rd', '--restart-delay', '2s']);
    await eventually(async () => (await details('rd')).restarts >= 2, 'two restarts', 40_000);
    const why = await guv(home, ['why', 'rd']);
    const waits = why.stdout.split('\n').filter((line) => line.includes('next start in'));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    for (const line of waits) expect(line).toContain('next start in 2 s');
  }, 60_000);

  it('a cluster worker past --max-memory-restart is replaced by a new worker; guv why says so', async () => {
    await startOk([
      fixture('alloc-memory.js'),
      '-n',
      'cmem',
      '-i',
      '2',
      '--max-memory-restart',
      '80M',
    ]);
    const why = await eventually(
      async () => {
        const result = await guv(home, ['why', 'cmem']);
        return /restarted: RSS \d+ MiB over the 80 MiB limit \(worker \d\)/.test(result.stdout)
          ? result.stdout
          : null;
      },
      'a worker replaced for its memory',
      60_000,
    );
    expect(why).toContain('reloading at');
    const info = await details('cmem');
    expect(info.status).toBe('running');
  }, 90_000);

  it('--watch on a cluster reloads it once per change', async () => {
    const dir = appFolder();
    await startOk(['server.js', '-n', 'cw', '-i', '2', '--watch'], dir);
    await eventually(async () => (await details('cw')).watching, 'the watcher in place', 30_000);
    writeFileSync(join(dir, 'data.txt'), 'one');
    const reloads = async () =>
      (await guv(home, ['why', 'cw'])).stdout
        .split('\n')
        .filter((line) => line.includes('restarted: data.txt changed')).length;
    await eventually(async () => (await reloads()) === 1, 'one reload', 30_000);
    await sleep(3000);
    expect(await reloads()).toBe(1);
    expect((await guv(home, ['why', 'cw'])).stdout).toContain('reloaded at');
  }, 90_000);

  it('the options are kept in the saved process list', async () => {
    const dir = appFolder();
    await startOk(
      [
        'server.js',
        '-n',
        'saved',
        '--watch=.',
        '--max-memory-restart',
        '1G',
        '--cron-restart',
        '0 3 * * *',
        '--exp-backoff-restart-delay',
        '100',
      ],
      dir,
    );
    const saved = await eventually(() => {
      const list = JSON.parse(readFileSync(home.processesFile, 'utf8')) as {
        processes: Array<{ definition: ProcessDetails['definition'] }>;
      };
      return list.processes.find((p) => p.definition.name === 'saved');
    }, 'the saved entry');
    expect(saved.definition.triggers).toEqual({
      watch: { paths: [dir], ignore: [], delayMs: 500 },
      maxMemoryBytes: 1024 ** 3,
      cronRestart: '0 3 * * *',
    });
    expect(saved.definition.policy).toMatchObject({ restartDelayMs: 100, backoffFactor: 1.5 });
  }, 60_000);
});
