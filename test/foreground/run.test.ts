import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHome,
  eventually,
  fixture,
  guvBin,
  makeHome,
  processesRunning,
  repoRoot,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

// `guv run` for real: the bundled CLI, the daemon's supervision in its process, real children.

let home: TestHome | undefined;
let running: ChildProcess | undefined;

afterEach(async () => {
  if (running && running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
  running = undefined;
  if (home) await cleanupHome(home);
  home = undefined;
}, 60_000);

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(command, args, { env, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  running = child;
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** The app's own processes, not `guv run` (whose command line names the script too). */
function apps(home: TestHome, script: string) {
  return processesRunning(home, script).filter((p) => !p.cmdline.includes(' run '));
}

function guvRun(home: TestHome, args: string[]): Run {
  return run(process.execPath, [guvBin, 'run', ...args], home.env);
}

async function exitWithin(r: Run, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no exit within ${ms} ms; ${r.stderr()}`)), ms);
  });
  try {
    return await Promise.race([r.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function health(url: string): Promise<{ status: number; body: { apps: unknown[] } }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as { apps: unknown[] } };
}

describe('guv run: the apps and their supervision in the foreground (issue 16, containers)', () => {
  it('prints JSON lines by default: stdout lines on stdout, stderr lines on stderr; SIGTERM stops everything and exits 0', async () => {
    home = makeHome();
    const r = guvRun(home, [fixture('two-streams.js'), '--name', 'streams']);
    await eventually(
      () => r.stdout().includes('to stdout') && r.stderr().includes('to stderr'),
      'both lines',
      30_000,
    );
    const out = JSON.parse(
      r
        .stdout()
        .split('\n')
        .find((l) => l.includes('to stdout'))!,
    );
    expect(out).toMatchObject({ app_name: 'streams', type: 'out', message: 'to stdout' });
    expect(typeof out.process_id).toBe('string');
    const err = JSON.parse(
      r
        .stderr()
        .split('\n')
        .find((l) => l.includes('"to stderr"'))!,
    );
    expect(err).toMatchObject({ app_name: 'streams', type: 'err', message: 'to stderr' });
    // stdout holds nothing but the apps' JSON lines.
    for (const line of r.stdout().split('\n').filter(Boolean))
      expect(() => JSON.parse(line)).not.toThrow();
    expect(apps(home, 'two-streams.js')).toHaveLength(1);
    r.child.kill('SIGTERM');
    expect(await exitWithin(r, 60_000)).toEqual({ code: 0, signal: null });
    expect(apps(home, 'two-streams.js')).toHaveLength(0);
    // A foreground run neither restores nor saves the home's process list.
    expect(existsSync(home.processesFile)).toBe(false);
  }, 90_000);

  it('--raw prints "app | line" plain lines; SIGINT stops as SIGTERM does', async () => {
    home = makeHome();
    const r = guvRun(home, [fixture('two-streams.js'), '--name', 'streams', '--raw']);
    await eventually(
      () => r.stdout().includes('to stdout') && r.stderr().includes('to stderr'),
      'both lines',
      30_000,
    );
    expect(r.stdout()).toContain('streams | to stdout\n');
    expect(r.stderr()).toContain('streams | to stderr\n');
    expect(r.stdout()).not.toContain('{');
    r.child.kill('SIGINT');
    expect(await exitWithin(r, 60_000)).toEqual({ code: 0, signal: null });
    expect(r.stderr()).toContain('guv | streams killed by SIGTERM\n');
    expect(apps(home, 'two-streams.js')).toHaveLength(0);
  }, 90_000);

  it('opens the home socket: guv list works beside it', async () => {
    home = makeHome();
    const r = guvRun(home, [fixture('two-streams.js'), '--name', 'beside']);
    await eventually(() => r.stdout().includes('to stdout'), 'the app', 30_000);
    const list = run(process.execPath, [guvBin, 'list'], home.env);
    expect((await exitWithin(list, 30_000)).code).toBe(0);
    expect(list.stdout()).toMatch(/beside\s+\d+\s+running/);
    r.child.kill('SIGTERM');
    expect((await exitWithin(r, 60_000)).code).toBe(0);
  }, 90_000);

  it('the health endpoint answers from the charts: 503 while starting, 200 when every app runs, 503 after one failed', async () => {
    home = makeHome();
    const ready = join(home.dir, 'ready');
    const fail = join(home.dir, 'fail');
    const r = guvRun(home, [
      fixture('health-app.js'),
      '--name',
      'probed',
      '--wait-ready',
      '--listen-timeout',
      '2m',
      '--restart',
      'never',
      '--health-port',
      '0',
      '--',
      ready,
      fail,
    ]);
    const url = (
      await eventually(
        () => /health endpoint on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(r.stderr()),
        'the endpoint',
        30_000,
      )
    )[1]!;
    const starting = await health(url);
    expect(starting.status).toBe(503);
    writeFileSync(ready, '');
    const up = await eventually(
      async () => {
        const answer = await health(url);
        return answer.status === 200 ? answer : null;
      },
      '200',
      30_000,
    );
    expect(up.body).toEqual({ status: 'ok', apps: [{ name: 'probed', status: 'running' }] });
    writeFileSync(fail, '');
    const down = await eventually(
      async () => {
        const answer = await health(url);
        return answer.status === 503 ? answer : null;
      },
      '503 after the failure',
      30_000,
    );
    expect(down.body.apps).toHaveLength(1);
    // What supervision did is said on stderr, as a JSON line of its own kind.
    const fact = await eventually(
      () =>
        r
          .stderr()
          .split('\n')
          .find((line) => line.includes('"event":"process:exit"')),
      'the exit line',
    );
    expect(JSON.parse(fact)).toMatchObject({
      app_name: 'probed',
      type: 'guv',
      message: 'exited with code 1',
    });
    expect(r.exit).toBeInstanceOf(Promise);
    expect(r.child.exitCode).toBe(null);
    r.child.kill('SIGTERM');
    expect((await exitWithin(r, 60_000)).code).toBe(0);
  }, 120_000);

  it('an apps file starts every app it lists; the endpoint waits for all of them', async () => {
    home = makeHome();
    const file = join(home.dir, 'ecosystem.config.json');
    const script = fixture('two-streams.js');
    writeFileSync(
      file,
      JSON.stringify({
        apps: [
          { name: 'one', script },
          { name: 'two', script },
        ],
      }),
    );
    const r = guvRun(home, [file, '--raw', '--health-port', '0']);
    await eventually(
      () => r.stdout().includes('one | to stdout') && r.stdout().includes('two | to stdout'),
      'both apps',
      30_000,
    );
    const url = /health endpoint on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(r.stderr())![1]!;
    const answer = await eventually(
      async () => {
        const reply = await health(url);
        return reply.status === 200 ? reply : null;
      },
      '200',
      30_000,
    );
    expect(answer.body.apps).toHaveLength(2);
    r.child.kill('SIGTERM');
    expect(await exitWithin(r, 60_000)).toEqual({ code: 0, signal: null });
    expect(apps(home, 'two-streams.js')).toHaveLength(0);
  }, 90_000);

  it('a second signal does not wait for the kill timeout: everything is killed at once, exit 128+signal', async () => {
    home = makeHome();
    const r = guvRun(home, [
      fixture('ignore-sigterm.js'),
      '--name',
      'stubborn',
      '--kill-timeout',
      '5m',
    ]);
    await eventually(
      () => apps(home!, 'ignore-sigterm.js').length === 1 && /running/.test(r.stderr()),
      'the app',
      30_000,
    );
    r.child.kill('SIGTERM');
    await eventually(() => r.stderr().includes('SIGTERM: stopping every app'), 'the graceful stop');
    // The app ignores SIGTERM: without the second signal the stop would wait five minutes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(apps(home, 'ignore-sigterm.js')).toHaveLength(1);
    r.child.kill('SIGTERM');
    expect(await exitWithin(r, 30_000)).toEqual({ code: 143, signal: null });
    await eventually(() => apps(home!, 'ignore-sigterm.js').length === 0, 'the app killed');
  }, 90_000);

  it("refuses a home whose daemon runs: guv run needs a home of its own, and leaves that daemon's list alone", async () => {
    home = makeHome();
    const client = await startDaemon(home);
    await client.startProcess(fixture('hello.js'), { name: 'kept', env: home.childEnv });
    const r = guvRun(home, [fixture('two-streams.js')]);
    const exit = await exitWithin(r, 60_000);
    expect(exit.code).toBe(1);
    expect(r.stderr()).toMatch(/needs a home of its own/);
    expect((await client.listProcesses()).map((p) => p.name)).toEqual(['kept']);
  }, 90_000);

  it('an app that cannot start stops the run with a failure status', async () => {
    home = makeHome();
    const r = guvRun(home, [join(home.dir, 'no-such-app.js')]);
    const exit = await exitWithin(r, 60_000);
    expect(exit.code).not.toBe(0);
    expect(r.stderr()).toMatch(/guv: /);
  }, 90_000);
});

/** The processes of a PID namespace, read from its own /proc (nsenter). */
function namespaceProcesses(nsInit: number): Array<{ pid: number; state: string; comm: string }> {
  const r = spawnSync(
    'nsenter',
    ['-t', String(nsInit), '-p', '-m', 'sh', '-c', 'cat /proc/[0-9]*/stat 2>/dev/null'],
    { encoding: 'utf8' },
  );
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const close = line.lastIndexOf(')');
      return {
        pid: Number(line.slice(0, line.indexOf(' '))),
        comm: line.slice(line.indexOf('(') + 1, close),
        state: line.slice(close + 2, close + 3),
      };
    });
}

const root = process.getuid?.() === 0;
const hasUnshare = ['/usr/bin/unshare', '/bin/unshare'].some((path) => existsSync(path));

describe('guv run as PID 1 (unshare --pid --fork --mount-proc)', () => {
  // Creating a PID namespace needs root (CAP_SYS_ADMIN) and util-linux's unshare.
  it.skipIf(!root || !hasUnshare)(
    'guv-init as PID 1 reaps the orphans of a double-forking app, and SIGTERM to PID 1 stops everything and exits 0',
    async () => {
      home = makeHome();
      const r = run(
        'unshare',
        [
          '--pid',
          '--fork',
          '--mount-proc',
          join(repoRoot, 'bin/guv-init'),
          'run',
          fixture('double-fork.js'),
          '--name',
          'forker',
          '--raw',
        ],
        home.env,
      );
      await eventually(() => r.stdout().includes('forker | orphans made'), 'the orphans', 30_000);
      const nsInit = await eventually(() => {
        const children = readFileSync(
          `/proc/${r.child.pid}/task/${r.child.pid}/children`,
          'utf8',
        ).trim();
        return Number(children.split(' ')[0]) || null;
      }, 'the namespace init');
      // The orphans' sleep (0.3 s) is over: none may be left a zombie.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const inside = namespaceProcesses(nsInit);
      expect(inside.find((p) => p.pid === 1)?.comm).toBe('guv-init');
      expect(inside.filter((p) => p.comm === 'node').length).toBeGreaterThanOrEqual(2);
      expect(inside.filter((p) => p.state === 'Z')).toEqual([]);
      process.kill(nsInit, 'SIGTERM');
      expect(await exitWithin(r, 60_000)).toEqual({ code: 0, signal: null });
      expect(r.stderr()).toContain('SIGTERM: stopping every app');
      expect(apps(home, 'double-fork.js')).toHaveLength(0);
    },
    120_000,
  );
});
