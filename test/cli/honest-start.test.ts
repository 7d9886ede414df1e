import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  type CliResult,
  eventually,
  fixture,
  guv,
  useSharedDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

// Issue 14, "Honest results": a start answers with its outcome in words, through the real CLI
// and a real daemon.

let home: TestHome;

useSharedDaemon((shared) => {
  home = shared.home;
});

function start(args: string[]): Promise<CliResult> {
  return guv(home, ['start', ...args, '--env', `GUV_TEST_HOME=${home.dir}`]);
}

function environOf(pid: number): string {
  return readFileSync(`/proc/${pid}/environ`, 'utf8');
}

async function pidOf(name: string): Promise<number> {
  const list = JSON.parse((await guv(home, ['list', '--json'])).stdout) as Array<{
    name: string;
    pid: number | null;
  }>;
  const pid = list.find((p) => p.name === name)?.pid;
  if (typeof pid !== 'number') throw new Error(`${name} has no pid`);
  return pid;
}

describe('guv start answers with the outcome in words', () => {
  it('a port taken: exits non-zero with "failed: listen EADDRINUSE" and the app\'s file:line', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await start([
        fixture('listen-port.js'),
        '-n',
        'taken',
        '--env',
        `PORT=${port}`,
      ]);
      expect(result.code).not.toBe(0);
      const all = result.stdout + result.stderr;
      expect(all).toMatch(/taken failed: listen EADDRINUSE.*\(listen-port\.js:3\)/);
      expect(all).not.toMatch(/is (forked|failed|running)/);
      expect(all).not.toMatch(/preload/);
    } finally {
      blocker.close();
      await guv(home, ['remove', 'taken']);
    }
  }, 60_000);

  it('a cluster whose workers find the port taken: exits non-zero with "failed: … EADDRINUSE"', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await start([
        ...[fixture('listen-port.js'), '-n', 'takencl', '-i', '2'],
        ...['--env', `PORT=${port}`],
      ]);
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/takencl failed: \w+ EADDRINUSE/);
      expect(result.stdout).not.toMatch(/running/);
    } finally {
      blocker.close();
      await guv(home, ['remove', 'takencl']);
    }
  }, 60_000);

  it('an app throwing at start: "crashed N times at start: Error: … (file:LINE)"', async () => {
    const result = await start([fixture('throw-on-load.js'), '-n', 'thrower']);
    try {
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(
        /thrower crashed \d+ times at start: Error: boom while loading \(throw-on-load\.js:1\)/,
      );
    } finally {
      await guv(home, ['remove', 'thrower']);
    }
  }, 60_000);

  it('a healthy app: "<name> is running", exit 0', async () => {
    const result = await start([fixture('never-ready.js'), '-n', 'healthy']);
    try {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^healthy \[[\w-]+\] is running \(pid \d+\)\n$/);
    } finally {
      await guv(home, ['remove', 'healthy']);
    }
  }, 60_000);

  it('--wait-ready --listen-timeout 1s on an app that never says ready: running, with a warning', async () => {
    const result = await start([
      fixture('never-ready.js'),
      '-n',
      'silent',
      '--wait-ready',
      '--listen-timeout',
      '1s',
    ]);
    try {
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/silent \[[\w-]+\] is running/);
      expect(result.stdout + result.stderr).toMatch(/warning: .*ready.*1 s/);
      // Still running well after the listen timeout: no SIGKILL loop.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const list = JSON.parse((await guv(home, ['list', '--json'])).stdout) as Array<{
        name: string;
        status: string;
        restarts: number;
      }>;
      expect(list.find((p) => p.name === 'silent')).toMatchObject({
        status: 'running',
        restarts: 0,
      });
    } finally {
      await guv(home, ['remove', 'silent']);
    }
  }, 60_000);
});

describe('options given to an existing process', () => {
  it('guv start <existing name> --env X=1 applies the new environment (restarts it)', async () => {
    expect((await start([fixture('never-ready.js'), '-n', 'envy'])).code).toBe(0);
    try {
      const before = await pidOf('envy');
      expect(environOf(before)).not.toContain('HONEST_X=1');
      const again = await guv(home, ['start', 'envy', '--env', 'HONEST_X=1']);
      expect(again.code).toBe(0);
      const after = await pidOf('envy');
      expect(after).not.toBe(before);
      expect(environOf(after)).toContain('HONEST_X=1');
    } finally {
      await guv(home, ['remove', 'envy']);
    }
  }, 60_000);

  it('guv start <existing name> with other options refuses in one line', async () => {
    expect((await start([fixture('never-ready.js'), '-n', 'fixed'])).code).toBe(0);
    try {
      const again = await guv(home, ['start', 'fixed', '--kill-timeout', '2s']);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/^guv: fixed exists already.*--kill-timeout.*\n$/);
    } finally {
      await guv(home, ['remove', 'fixed']);
    }
  }, 60_000);

  it('guv restart <p> --update-env --env X=2 restarts with the new environment', async () => {
    expect((await start([fixture('never-ready.js'), '-n', 'upd'])).code).toBe(0);
    try {
      const result = await guv(home, ['restart', 'upd', '--update-env', '--env', 'HONEST_Y=2']);
      expect(result.code).toBe(0);
      expect(environOf(await pidOf('upd'))).toContain('HONEST_Y=2');
    } finally {
      await guv(home, ['remove', 'upd']);
    }
  }, 60_000);
});

describe('reload and why', () => {
  it('guv reload <single process> restarts it', async () => {
    expect((await start([fixture('never-ready.js'), '-n', 'single'])).code).toBe(0);
    try {
      const before = await pidOf('single');
      const result = await guv(home, ['reload', 'single']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/single \[[\w-]+\] is running/);
      expect(await pidOf('single')).not.toBe(before);
    } finally {
      await guv(home, ['remove', 'single']);
    }
  }, 60_000);

  it('guv why of a reloaded cluster names causes in words and shows how retired workers ended', async () => {
    expect((await start([fixture('cluster-http.js'), '-n', 'rolling', '-i', '2'])).code).toBe(0);
    try {
      expect((await guv(home, ['reload', 'rolling'])).code).toBe(0);
      const why = await eventually(async () => {
        const out = (await guv(home, ['why', 'rolling'])).stdout;
        return /retired/.test(out) && (out.match(/worker \d+ .*retired/g) ?? []).length >= 2
          ? out
          : null;
      }, 'the retired workers in guv why');
      // No raw event names such as MANAGER.READY, WORKER.STATUS or RELOAD.
      expect(why).not.toMatch(/\b[A-Z]+(\.[A-Z_]+)+\b/);
      expect(why).not.toMatch(/after RELOAD|after START/);
      // Each retired worker's end: exited, or SIGKILLed at the kill timeout.
      expect(why).toMatch(/stopped at \S+ (after exit code \d+|after SIGKILL)/);
    } finally {
      await guv(home, ['remove', 'rolling']);
    }
  }, 90_000);

  it('guv why shows a retired worker that outlived its kill timeout as SIGKILLed at the timeout', async () => {
    const started = await start([
      ...[fixture('ignore-sigterm.js'), '-n', 'stubborn', '-i', '1', '--kill-timeout', '1s'],
    ]);
    expect(started.code).toBe(0);
    try {
      expect((await guv(home, ['reload', 'stubborn'])).code).toBe(0);
      const why = await eventually(async () => {
        const out = (await guv(home, ['why', 'stubborn'])).stdout;
        return /retired/.test(out) ? out : null;
      }, 'the retired worker in guv why');
      expect(why).toMatch(
        /worker 0 \(\S+\) retired[^\n]*\n(.*\n)*\s+stopped at \S+ after SIGKILL at the kill timeout \(1 s\)/,
      );
    } finally {
      await guv(home, ['remove', 'stubborn']);
    }
  }, 60_000);
});
