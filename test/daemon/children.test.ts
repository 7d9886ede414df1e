import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import type { LogRecord, ProcessInfo } from '../../src/types/info.js';
import {
  alive,
  cleanupHome,
  eventOf,
  eventually,
  fixture,
  makeHome,
  recordEvents,
  startDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome;
let client: GuvClient;
let recorder: Awaited<ReturnType<typeof recordEvents>>;

beforeAll(async () => {
  home = makeHome();
  client = await startDaemon(home);
  recorder = await recordEvents(client, 'process:*');
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

/** Waits for a log line of `name` (stdout is `info`, stderr is `error`) containing `text`. */
function logLine(name: string, text: string, level = 'info') {
  return recorder
    .waitFor(
      (e) =>
        e.type === `process:log:${level}` &&
        (e.args[0] as ProcessInfo).name === name &&
        (e.args[1] as LogRecord).message.includes(text),
      `${name} to log "${text}"`,
    )
    .then((e) => (e.args[1] as LogRecord).message);
}

async function finish(name: string) {
  await client.removeProcess(name);
}

describe('real children under the daemon', () => {
  it('runs CommonJS and ESM scripts and writes their output to the log file', async () => {
    await startTracked(client, home, fixture('hello.js'), { name: 'cjs' });
    await startTracked(client, home, fixture('esm.mjs'), { name: 'esm' });
    await logLine('cjs', 'hello world');
    await logLine('esm', 'esm main true');
    await eventually(
      () => readFileSync(home.logFile('cjs'), 'utf8').includes('hello world'),
      'hello world in the log file',
    );
    await finish('cjs');
    await finish('esm');
  });

  it('runs a shell script without the node wrapper (interpreter none)', async () => {
    const started = await startTracked(client, home, fixture('script.sh'), {
      name: 'shell',
      interpreter: 'none',
      args: ['one', 'two'],
    });
    expect(started.status).toBe('running');
    await logLine('shell', 'shell script one two');
    await finish('shell');
    await eventually(() => !alive(started.pid as number), 'the shell to be gone');
  });

  it('passes args and execArgv to the child', async () => {
    await startTracked(client, home, fixture('print-argv.js'), {
      name: 'argv',
      args: ['--flag', 'value with spaces'],
      execArgv: ['--max-old-space-size=123'],
      restart: 'never',
    });
    const printed = JSON.parse(await logLine('argv', '"argv"')) as {
      argv: string[];
      execArgv: string[];
      isMain: boolean;
    };
    expect(printed.argv).toEqual(['--flag', 'value with spaces']);
    expect(printed.execArgv).toContain('--max-old-space-size=123');
    expect(printed.isMain).toBe(true);
    await recorder.waitFor(eventOf('process:stopped', 'argv'), 'argv stopped after exit 0');
    await finish('argv');
  });

  it('writes to stdin, sends signals and custom events', async () => {
    await startTracked(client, home, fixture('echo-stdin.js'), { name: 'echo' });
    await startTracked(client, home, fixture('signal-listener.js'), { name: 'sig' });
    await startTracked(client, home, fixture('custom-event.js'), { name: 'custom' });

    await client.process('echo').write('ping from the test\n');
    await logLine('echo', 'ping from the test');

    await logLine('sig', 'waiting for SIGUSR2');
    await client.process('sig').signal('SIGUSR2');
    await logLine('sig', 'got SIGUSR2');
    await expect(client.process('sig').signal('SIGNOPE')).rejects.toMatchObject({
      code: 'GUV_BAD_ARGUMENT',
    });

    const sent = await client.process('custom').send('my-event', 1, 'two', { three: 3 });
    expect(sent).toEqual({ delivered: true });
    await logLine('custom', 'my-event [1,"two",{"three":3}]');

    for (const name of ['echo', 'sig', 'custom']) await finish(name);
  });

  it('an unhandled exception after start is a fatality, and the process restarts', async () => {
    const started = await startTracked(client, home, fixture('uncaught-later.js'), {
      name: 'uncaught',
      args: ['300'],
      policy: { backoffBaseMs: 10 },
    });
    await recorder.waitFor(eventOf('process:restarted', 'uncaught'), 'restarted');
    const seen = recorder.of('uncaught').map((e) => e.type);
    // The chart reports an unhandled exception as process:fatality only (the error is in
    // `why` and `info`); process:uncaughtexception is for exceptions the app handled.
    const from = seen.indexOf('process:fatality');
    expect(seen.slice(from, seen.indexOf('process:restarted') + 1)).toEqual([
      'process:fatality',
      'process:exit',
      'process:restarting',
      'process:starting',
      'process:forked',
      'process:started',
      'process:ready',
      'process:restarted',
    ]);
    const fatality = recorder.of('uncaught').find((e) => e.type === 'process:fatality');
    expect(fatality?.args).toHaveLength(1);
    const exit = recorder.of('uncaught').find((e) => e.type === 'process:exit');
    expect(exit?.args[2]).not.toBe(0);
    const now = await client.findProcessInfoByName('uncaught');
    expect(now?.pid).not.toBe(started.pid);
    expect(now?.restarts).toBeGreaterThanOrEqual(1);
    await finish('uncaught');
  });

  // The seed: fatality = "an uncaught exception and no handlers"; guvnor sent the error first.
  it('an unhandled exception publishes process:uncaughtexception(info, error) before process:fatality', async () => {
    await startTracked(client, home, fixture('uncaught-later.js'), {
      name: 'uncaught-error',
      args: ['200'],
      restart: 'never',
    });
    await recorder.waitFor(eventOf('process:fatality', 'uncaught-error'), 'fatality');
    try {
      const seen = recorder.of('uncaught-error');
      const uncaught = seen.findIndex((e) => e.type === 'process:uncaughtexception');
      expect(uncaught).toBeGreaterThanOrEqual(0);
      expect(seen[uncaught]?.args[1]).toMatchObject({ message: 'boom later' });
      expect(uncaught).toBeLessThan(seen.findIndex((e) => e.type === 'process:fatality'));
    } finally {
      await finish('uncaught-error');
    }
  });

  it('a handled exception is process:uncaughtexception(info, error) and the process lives on', async () => {
    const started = await startTracked(client, home, fixture('uncaught-handled.js'), {
      name: 'handled',
      args: ['100'],
    });
    const uncaught = await recorder.waitFor(
      eventOf('process:uncaughtexception', 'handled'),
      'uncaughtexception',
    );
    expect(uncaught.args).toHaveLength(2);
    expect(uncaught.args[0]).toMatchObject({ name: 'handled', pid: started.pid });
    expect(uncaught.args[1]).toMatchObject({ message: 'boom handled' });
    await logLine('handled', 'handled: boom handled');
    const now = await client.findProcessInfoByName('handled');
    expect(now).toMatchObject({ status: 'running', pid: started.pid, restarts: 0 });
    await finish('handled');
  });

  it.each([
    ['throw-on-load.js', 'boom while loading'],
    ['throw-on-load.mjs', 'esm boom while loading'],
  ])('%s: a throw while loading is process:errored with the error', async (script, message) => {
    const name = script.replace('.', '-');
    await startTracked(client, home, fixture(script), {
      name,
      policy: { maxFailures: 0, backoffBaseMs: 10 },
    });
    const errored = await recorder.waitFor(eventOf('process:errored', name), 'errored');
    expect(errored.args).toHaveLength(2);
    expect(errored.args[0]).toMatchObject({ name });
    expect(errored.args[1]).toMatchObject({ message: expect.stringContaining(message) });
    expect(recorder.of(name).map((e) => e.type)).not.toContain('process:started');
    await finish(name);
  });

  it('an HTTP server answers on its port', async () => {
    await startTracked(client, home, fixture('http-server.js'), { name: 'http' });
    const line = await logLine('http', 'listening on');
    const port = Number(/listening on (\d+)/.exec(line)?.[1]);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok\n');
    await finish('http');
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('stopping a process leaves none of its grandchildren', async () => {
    const started = await startTracked(client, home, fixture('spawn-grandchild.js'), {
      name: 'parent',
    });
    const grandchild = Number(/grandchild (\d+)/.exec(await logLine('parent', 'grandchild'))?.[1]);
    expect(alive(grandchild)).toBe(true);
    await client.stopProcess('parent');
    await eventually(() => !alive(grandchild) && !alive(started.pid as number), 'all gone');
    await finish('parent');
  });

  it('env reaches the child; restart never leaves a clean exit stopped', async () => {
    await startTracked(client, home, fixture('print-identity.js'), {
      name: 'ident',
      env: { GUV_TEST_VALUE: 'from the test' },
      restart: 'never',
    });
    const printed = JSON.parse(await logLine('ident', '"env"')) as { env: Record<string, string> };
    expect(printed.env.GUV_TEST_VALUE).toBe('from the test');
    await recorder.waitFor(eventOf('process:stopped', 'ident'), 'stopped after exit 0');
    expect(recorder.of('ident').map((e) => e.type)).not.toContain('process:restarting');
    await finish('ident');
  });

  it('a child that ignores SIGTERM is killed after its kill timeout', async () => {
    const started = await startTracked(
      client,
      home,
      new URL('./fixtures/ignore-sigterm.js', import.meta.url).pathname,
      { name: 'stubborn', killTimeoutMs: 300 },
    );
    await logLine('stubborn', 'stubborn');
    const stopped = await client.stopProcess('stubborn');
    expect(stopped.status).toBe('stopped');
    await logLine('stubborn', 'ignoring SIGTERM');
    const exit = recorder.of('stubborn').find((e) => e.type === 'process:exit');
    expect(exit?.args.slice(2)).toEqual([null, 'SIGKILL']);
    expect(alive(started.pid as number)).toBe(false);
    await finish('stubborn');
  });
});
