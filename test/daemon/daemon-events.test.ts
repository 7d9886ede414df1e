import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import {
  alive,
  cleanupHome,
  connectTo,
  daemonMain,
  eventually,
  fixture,
  guv,
  makeHome,
  recordEvents,
  startDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome | undefined;
let blocker: Server | undefined;

afterEach(async () => {
  if (blocker?.listening) await new Promise((resolve) => blocker!.close(resolve));
  blocker = undefined;
  if (home) await cleanupHome(home);
  home = undefined;
}, 60_000);

const message = (e: { args: unknown[] }) => String((e.args[0] as { message?: string })?.message);

/** Every event sent to `client` before this call has arrived (one socket, in order). */
async function drained(client: GuvClient): Promise<void> {
  await client.listProcesses();
}

describe("the daemon's own log lines are events (seed: daemon:log:info|warn|debug (log))", () => {
  it('finding: a warn line of the daemon (dropped child messages) is published as daemon:log:warn with { date, message }', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    const events = await recordEvents(client, 'daemon:log:*');
    await startTracked(client, home, fixture('bad-guv-message.js'), { name: 'garbler' });
    const warn = await events.waitFor(
      (e) => e.type === 'daemon:log:warn' && /dropped messages from a child/.test(message(e)),
      'daemon:log:warn about the dropped message',
    );
    expect(warn.args).toHaveLength(1);
    expect(warn.args[0]).toEqual({ date: expect.any(Number), message: expect.any(String) });
    expect(message(warn)).toContain('garbler');
    expect(message(warn)).toContain('unknown message type');
    // daemon.log still gets the line.
    await eventually(
      () => /dropped messages from a child/.test(readFileSync(home!.daemonLog, 'utf8')),
      'the line in daemon.log',
    );
  }, 60_000);

  it('finding: an info line of the daemon (the metrics endpoint listening once its port is free) is published as daemon:log:info', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    home = makeHome();
    mkdirSync(join(home.dir, 'config'), { recursive: true });
    writeFileSync(join(home.dir, 'config', 'guv.json'), JSON.stringify({ metricsPort: port }));
    const client = await startDaemon(home);
    const events = await recordEvents(client, 'daemon:log:*');
    await new Promise((resolve) => blocker!.close(resolve));
    const info = await events.waitFor(
      (e) => e.type === 'daemon:log:info' && /metrics endpoint listening/.test(message(e)),
      'daemon:log:info: metrics endpoint listening',
      40_000,
    );
    expect(message(info)).toContain(`127.0.0.1:${port}`);
  }, 60_000);

  it('finding: a debug line of the daemon (its idle heap trim) is published as daemon:log:debug', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    const events = await recordEvents(client, 'daemon:log:*');
    // A burst of work grows the daemon's heap; once quiet, it trims and says so.
    await startTracked(client, home, fixture('log-burst.js'), { name: 'burst' });
    const debug = await events.waitFor(
      (e) => e.type === 'daemon:log:debug' && /heap trimmed/.test(message(e)),
      'daemon:log:debug: heap trimmed',
      40_000,
    );
    expect(debug.args[0]).toEqual({ date: expect.any(Number), message: expect.any(String) });
  }, 60_000);

  it('finding: one failure publishes one daemon:log:error, not two (guv restore of a corrupt processes.json)', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    await eventually(() => existsSync(home!.processesFile), 'processes.json after boot');
    const events = await recordEvents(client, 'daemon:log:*');
    writeFileSync(home.processesFile, '{"version":1,"processes":[{"definition": tru');
    const restore = await guv(home, ['restore']);
    expect(restore.code).not.toBe(0);
    await drained(client);
    const errors = events.events.filter((e) => e.type === 'daemon:log:error');
    expect(errors.map(message)).toHaveLength(1);
    expect(message(errors[0]!)).toMatch(/restore failed: .*corrupt/);
    expect(readFileSync(home.daemonLog, 'utf8')).toMatch(/restore failed: .*corrupt/);
  }, 60_000);
});

/**
 * A daemon started by hand (as systemd would) with the test-only crash hook preloaded; nothing
 * in guv itself can be asked to crash.
 */
async function crashableDaemon(
  testHome: TestHome,
  crash: 'exception' | 'rejection',
): Promise<{ client: GuvClient; pid: number }> {
  const child = spawn(process.execPath, [daemonMain], {
    env: {
      ...testHome.env,
      NODE_OPTIONS: `--require ${fixture('daemon-crash-hook.cjs')}`,
      GUV_TEST_CRASH: crash,
    },
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  const client = await eventually(
    () => connectTo(testHome).catch(() => null),
    'the daemon started by hand',
    30_000,
  );
  return { client, pid: child.pid! };
}

describe('seed: daemon:fatality (error): "Guvnor crashed"', () => {
  for (const crash of ['exception', 'rejection'] as const) {
    it(`finding: an uncaught ${crash} in the daemon publishes daemon:fatality (error), not daemon:log:error, before the daemon exits`, async () => {
      home = makeHome();
      const { client, pid } = await crashableDaemon(home, crash);
      const events = await recordEvents(client, 'daemon:*');
      await drained(client);
      process.kill(pid, 'SIGUSR2');
      const fatality = await events.waitFor(
        (e) => e.type === 'daemon:fatality',
        'daemon:fatality',
        30_000,
      );
      expect(fatality.args).toHaveLength(1);
      expect(fatality.args[0]).toMatchObject({
        name: 'Error',
        message:
          crash === 'exception'
            ? 'test: an uncaught exception in the daemon'
            : 'test: a rejection nobody handles in the daemon',
      });
      await eventually(() => !alive(pid), 'the daemon gone after its fatality', 20_000);
      expect(events.events.filter((e) => e.type === 'daemon:log:error')).toEqual([]);
      // daemon.log says what happened, with the stack, as before.
      const log = readFileSync(home.daemonLog, 'utf8');
      expect(log).toMatch(
        crash === 'exception'
          ? /uncaught exception in the daemon/
          : /unhandled rejection in the daemon/,
      );
      expect(log).toMatch(/daemon-crash-hook\.cjs/);
    }, 60_000);
  }
});
