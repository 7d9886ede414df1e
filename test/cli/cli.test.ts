import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient, ProcessSummary } from '../../src/client/api.js';
import {
  alive,
  cleanupHome,
  type CliResult,
  eventually,
  fixture,
  guv,
  guvBin,
  makeHome,
  repoRoot,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome;
let client: GuvClient;

beforeAll(async () => {
  home = makeHome();
  // The first command starts the daemon itself.
  const first = await guv(home, ['list']);
  expect(first).toMatchObject({ code: 0, stderr: '' });
  expect(first.stdout).toBe('no processes\n');
  client = await startDaemon(home);
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

function ok(result: CliResult): string {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

/** A failure the user can read: one `guv: ` line on stderr, no stack, a non-zero status. */
function oneLineError(result: CliResult, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^guv: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

async function listJson(): Promise<ProcessSummary[]> {
  return JSON.parse(ok(await guv(home, ['list', '--json']))) as ProcessSummary[];
}

async function row(name: string): Promise<ProcessSummary | undefined> {
  return (await listJson()).find((p) => p.name === name);
}

describe('guv CLI end to end', () => {
  it('start, list, list --json, ls, stop, restart, rm', async () => {
    const started = ok(
      await guv(home, ['start', 'test/fixtures/hello.js', '-n', 'web', '--env', 'PORT=0']),
    );
    expect(started).toMatch(/^web \[[\w-]+\] is running \(pid \d+\)\n$/);
    const pid = Number(/pid (\d+)/.exec(started)?.[1]);
    expect(alive(pid)).toBe(true);

    const table = ok(await guv(home, ['list']));
    const [header, ...rows] = table.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual([
      'id',
      'name',
      'pid',
      'status',
      'uptime',
      'restarts',
      'cpu',
      'memory',
    ]);
    expect(
      rows
        .find((r) => r.includes(' web '))
        ?.split(/\s+/)
        .slice(1, 4),
    ).toEqual(['web', String(pid), 'running']);
    expect(ok(await guv(home, ['ls']))).toContain(' web ');

    const json = await listJson();
    expect(Array.isArray(json)).toBe(true);
    const web = json.find((p) => p.name === 'web');
    expect(web).toMatchObject({ name: 'web', pid, status: 'running', restarts: 0 });
    expect(typeof web?.id).toBe('string');

    expect(ok(await guv(home, ['stop', 'web']))).toBe('web stopped\n');
    await eventually(() => !alive(pid), 'the stopped pid to be gone');
    expect(await row('web')).toMatchObject({ status: 'stopped', pid: null });

    const restarted = ok(await guv(home, ['restart', 'web']));
    expect(restarted).toMatch(/^web \[[\w-]+\] is running \(pid \d+\)\n$/);
    const newPid = Number(/pid (\d+)/.exec(restarted)?.[1]);
    expect(newPid).not.toBe(pid);
    expect(alive(newPid)).toBe(true);

    expect(ok(await guv(home, ['rm', 'web']))).toBe('web removed\n');
    await eventually(() => !alive(newPid), 'the removed pid to be gone');
    expect(await row('web')).toBeUndefined();
  });

  it('resolves <p> by id, name and pid', async () => {
    const out = ok(await guv(home, ['start', fixture('hello.js'), '-n', 'target']));
    const id = /\[([\w-]+)\]/.exec(out)?.[1] as string;
    const pid = /pid (\d+)/.exec(out)?.[1] as string;
    expect(ok(await guv(home, ['why', id]))).toMatch(/^target\n/);
    expect(ok(await guv(home, ['why', 'target']))).toMatch(/^target\n/);
    expect(ok(await guv(home, ['why', pid]))).toMatch(/^target\n/);
    expect(ok(await guv(home, ['stop', pid]))).toBe('target stopped\n');
    expect(ok(await guv(home, ['rm', id]))).toBe('target removed\n');
  });

  it('why prints the history with causes; logs shows the output', async () => {
    ok(
      await guv(home, [
        'start',
        fixture('exit-later.js'),
        '-n',
        'flaky',
        '-a',
        '300',
        '--max-restarts',
        '5',
      ]),
    );
    await eventually(async () => ((await row('flaky'))?.restarts ?? 0) >= 1, 'a restart');
    const why = ok(await guv(home, ['why', 'flaky'])).split('\n');
    expect(why[0]).toBe('flaky');
    expect(why[1]).toMatch(/^ {2}starting at \d\d:\d\d:\d\d on start requested by cli$/);
    expect(why.join('\n')).toMatch(/restarting at \d\d:\d\d:\d\d after exit code 3/);

    const logs = ok(await guv(home, ['logs', 'flaky']));
    expect(logs).toMatch(/^\d{4}-\d\d-\d\dT\S+ exiting in 300 ms$/m);
    expect(ok(await guv(home, ['logs', 'flaky', '--json']))).toContain('"exiting in 300 ms"');
    ok(await guv(home, ['rm', 'flaky']));
  });

  it('send, signal and write reach the child', async () => {
    ok(await guv(home, ['start', fixture('custom-event.js'), '-n', 'custom']));
    ok(await guv(home, ['start', fixture('signal-listener.js'), '-n', 'sig']));
    ok(await guv(home, ['start', fixture('echo-stdin.js'), '-n', 'echo']));

    expect(ok(await guv(home, ['send', 'custom', 'my-event', 'a', 'b']))).toBe('sent my-event\n');
    expect(ok(await guv(home, ['send', 'custom', 'other-event']))).toBe(
      'sent other-event (the process has no listener for it)\n',
    );
    expect(ok(await guv(home, ['signal', 'sig', 'SIGUSR2']))).toBe('sent SIGUSR2 to sig\n');
    expect(ok(await guv(home, ['write', 'echo', 'hello', 'stdin']))).toBe('wrote to echo\n');

    const logsOf = async (name: string) => ok(await guv(home, ['logs', name]));
    await eventually(async () => (await logsOf('custom')).includes('my-event ["a","b"]'), 'send');
    await eventually(async () => (await logsOf('sig')).includes('got SIGUSR2'), 'signal');
    await eventually(async () => (await logsOf('echo')).includes('hello stdin'), 'write');
    for (const name of ['custom', 'sig', 'echo']) ok(await guv(home, ['rm', name]));
  });

  it('config, dump and restore', async () => {
    expect(ok(await guv(home, ['config', 'autoresume']))).toBe('true\n');
    ok(await guv(home, ['start', fixture('hello.js'), '-n', 'saved']));
    expect(ok(await guv(home, ['dump']))).toMatch(
      /^saved 1 process\(es\) to .*state\/processes\.json\n$/,
    );
    expect(ok(await guv(home, ['restore']))).toBe('restored; 1 process(es) known\n');
    expect(await row('saved')).toMatchObject({ status: 'running' });
    ok(await guv(home, ['rm', 'saved']));
  });

  it("events 'process:*' prints live lines until SIGINT", async () => {
    ok(await guv(home, ['start', fixture('hello.js'), '-n', 'watched']));
    const events = spawn(process.execPath, [guvBin, 'events', 'process:*'], {
      env: home.env,
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    events.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    events.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => events.on('exit', resolve));
    try {
      // No output says when the subscription is in place: restart until lines arrive.
      await eventually(
        async () => {
          await client.restartProcess('watched');
          return out.includes('process:ready watched(running pid');
        },
        'event lines',
        20_000,
      );
      // Lines lag behind the requests: let the last restart's lines all arrive first.
      const before = (await client.findProcessInfoByName('watched'))?.pid;
      await eventually(
        () => out.includes(`process:restarted watched(running pid ${before})`),
        'the last restart to be printed',
      ).catch((error) => {
        throw new Error(`${error.message}; pid ${before}; output:\n${out}`);
      });
      const from = out.length;
      const after = (await client.restartProcess('watched')).pid;
      await eventually(
        () => out.includes(`process:restarted watched(running pid ${after})`),
        'this restart to be printed',
      );
      const lines = out
        .slice(from)
        .trimEnd()
        .split('\n')
        .filter((line) => !line.includes(':log:'));
      expect(
        lines.map((line) => line.split(' ')[1]),
        out,
      ).toEqual([
        'process:stopping',
        'process:exit',
        'process:restarting',
        'process:starting',
        'process:forked',
        'process:started',
        'process:ready',
        'process:restarted',
      ]);
      expect(lines[0]).toMatch(
        new RegExp(`^\\S+Z process:stopping watched\\(stopping pid ${before}\\)$`),
      );
      expect(lines[1]).toMatch(/ process:exit watched\(\w+ pid \d+\) null null "SIGTERM"$/);
      events.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(err).toBe('');
    } finally {
      events.kill('SIGKILL');
    }
    ok(await guv(home, ['rm', 'watched']));
  });

  describe('bad input: one line on stderr, no stack, non-zero status', () => {
    it('unknown command', async () => {
      oneLineError(await guv(home, ['frobnicate']), /unknown command 'frobnicate'/);
    });

    it('unknown process', async () => {
      oneLineError(await guv(home, ['stop', 'nope']), /nope/);
      oneLineError(await guv(home, ['why', 'nope']), /nope/);
    });

    it('bad signal', async () => {
      ok(await guv(home, ['start', fixture('hello.js'), '-n', 'sigtarget']));
      oneLineError(await guv(home, ['signal', 'sigtarget', 'SIGNOPE']), /signal/);
      ok(await guv(home, ['rm', 'sigtarget']));
    });

    it('bad --instances and other bad flags', async () => {
      oneLineError(
        await guv(home, ['start', fixture('hello.js'), '-i', 'lots']),
        /--instances must be a number/,
      );
      oneLineError(await guv(home, ['start', fixture('hello.js'), '--bogus']), /bogus/);
      oneLineError(
        await guv(home, ['start', fixture('hello.js'), '--kill-timeout', 'soon']),
        /--kill-timeout/,
      );
      oneLineError(await guv(home, ['logs', '--lines', 'x']), /--lines/);
      oneLineError(await guv(home, ['start']), /missing required argument 'targets'/);
    });

    it('a bad event pattern ends guv events at once', async () => {
      oneLineError(
        await guv(home, ['events', 'process:**'], { timeoutMs: 20_000 }),
        /bad event name or pattern/,
      );
    });

    it('bad --interpreter, --restart, --env and name', async () => {
      const script = fixture('hello.js');
      oneLineError(await guv(home, ['start', script, '--interpreter', 'bogus']), /--interpreter/);
      oneLineError(await guv(home, ['start', script, '--restart', 'sometimes']), /restart/);
      oneLineError(await guv(home, ['start', script, '--env', 'NOEQUALS']), /--env/);
      oneLineError(await guv(home, ['start', script, '-n', 'bad name/x']), /invalid name/);
      ok(await guv(home, ['start', script, '-n', 'taken']));
      oneLineError(await guv(home, ['start', script, '-n', 'taken']), /exists already/);
      oneLineError(await guv(home, ['stop', 'taken', '--bogus']), /bogus/);
      ok(await guv(home, ['stop', 'taken']));
      oneLineError(await guv(home, ['signal', 'taken', 'SIGUSR2']), /not running/);
      ok(await guv(home, ['rm', 'taken']));
    });

    it('a run-once job: a clean exit is a success, a failed one is not', async () => {
      // Exits while loading, before it could report ready: the start sees the exit itself.
      const script = join(home.dir, 'exit-clean-at-once.js');
      writeFileSync(script, "console.log('done'); process.exit(0);\n");
      const done = ok(await guv(home, ['start', script, '-n', 'once', '--restart', 'never']));
      expect(done).toMatch(/^once \[[\w-]+\] ran and exited with code 0\n$/);
      const failed = await guv(home, [
        ...['start', fixture('exit-at-once.js'), '-n', 'oncebad', '--restart', 'never'],
      ]);
      oneLineError(failed, /oncebad failed: exited with code 2/);
      expect(failed.stdout).not.toMatch(/exited 0/);
      ok(await guv(home, ['rm', 'once']));
      ok(await guv(home, ['rm', 'oncebad']));
    });

    it('a missing script file', async () => {
      const result = await guv(home, ['start', 'test/fixtures/no-such-file.js', '-n', 'ghost']);
      oneLineError(result, /no-such-file\.js/);
      // Nothing half-made is left behind.
      expect(await row('ghost')).toBeUndefined();
    });
  });

  it('guv kill stops the daemon and its processes', async () => {
    const out = ok(await guv(home, ['start', fixture('hello.js'), '-n', 'last']));
    const pid = Number(/pid (\d+)/.exec(out)?.[1]);
    await client.disconnect();
    expect(ok(await guv(home, ['kill']))).toBe('daemon stopped\n');
    await eventually(() => !alive(pid), 'the process to stop with the daemon');
    expect(ok(await guv(home, ['kill']))).toBe('no daemon running\n');
  });
});
