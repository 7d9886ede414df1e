import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessSummary } from '../../src/client/api.js';
import {
  cleanupHome,
  connectTo,
  eventually,
  fixture,
  guv,
  makeHome,
  recordEvents,
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

/** Takes a free port on 127.0.0.1 and keeps it, as another service would. */
async function occupyPort(): Promise<number> {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
  return (blocker.address() as { port: number }).port;
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    request(url, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    })
      .on('error', () => resolve(0))
      .end();
  });
}

const message = (e: { args: unknown[] }) => String((e.args[0] as { message?: string })?.message);

describe('finding 14: an optional listener that cannot bind never keeps the daemon down', () => {
  it('finding 14: with metricsPort taken, guv start runs the app; guv info, the daemon log and a daemon:log event report the failure', async () => {
    const port = await occupyPort();
    home = makeHome();
    mkdirSync(join(home.dir, 'config'), { recursive: true });
    writeFileSync(join(home.dir, 'config', 'guv.json'), JSON.stringify({ metricsPort: port }));

    const started = await guv(
      home,
      ['start', fixture('hello.js'), '-n', 'app', '--env', `GUV_TEST_HOME=${home.dir}`],
      { timeoutMs: 60_000 },
    );
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const list = JSON.parse((await guv(home, ['list', '--json'])).stdout) as ProcessSummary[];
    expect(list.map((p) => [p.name, p.status])).toEqual([['app', 'running']]);

    const info = await guv(home, ['info']);
    expect(info.stderr).toBe('');
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(
      new RegExp(`^metrics +failed: .*127\\.0\\.0\\.1:${port}.*EADDRINUSE`, 'm'),
    );
    const json = JSON.parse((await guv(home, ['info', '--json'])).stdout);
    expect(json.listeners.metrics).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('EADDRINUSE'),
    });
    expect(readFileSync(home.daemonLog, 'utf8')).toMatch(/EADDRINUSE/);

    // The daemon keeps trying; each failed try is published for whoever watches.
    const client = await connectTo(home);
    const events = await recordEvents(client, 'daemon:log:*');
    const reported = await events.waitFor(
      (e) =>
        (e.type === 'daemon:log:warn' || e.type === 'daemon:log:error') &&
        /metrics/.test(message(e)) &&
        /EADDRINUSE/.test(message(e)),
      'the metrics listener failure on the bus',
      30_000,
    );
    expect(message(reported)).toContain(`127.0.0.1:${port}`);

    // Once the port is free, the endpoint comes up by itself.
    await new Promise((resolve) => blocker!.close(resolve));
    await eventually(
      async () => (await status(`http://127.0.0.1:${port}/metrics`)) === 200,
      'the metrics endpoint listening once its port is free',
      40_000,
    );
    expect((await guv(home, ['info'])).stdout).toMatch(
      new RegExp(`^metrics +listening on http://127\\.0\\.0\\.1:${port}/metrics`, 'm'),
    );
  }, 120_000);
});

describe('finding 14: the same rule for the web UI and for every retry', () => {
  it('finding 14: a web UI server that cannot listen is reported with its cause, and the next guv ui tries again', async () => {
    const { createWebUi } = await import('../../src/daemon/web-ui.js');
    const { createChartRegistry } = await import('../../src/inspect/registry.js');
    const { createBus } = await import('../../src/bus/bus.js');
    const reports: Array<{ level: string; message: string }> = [];
    let tries = 0;
    const webUi = createWebUi({
      registry: createChartRegistry(),
      bus: createBus(),
      reportListener: (level, text) => reports.push({ level, message: text }),
      load: async () => ({
        createWebServer: () => ({
          origin: 'http://127.0.0.1:1234',
          listen: async () => {
            tries++;
            if (tries === 1) throw new Error('listen EADDRNOTAVAIL: address not available');
            return 'http://127.0.0.1:1234';
          },
          loginUrl: () => 'http://127.0.0.1:1234/#code=x',
          close: async () => {},
        }),
      }),
    });
    expect(webUi.status()).toEqual({ state: 'off' });
    await expect(webUi.url()).rejects.toMatchObject({
      code: 'GUV_WEB_LISTEN_FAILED',
      message: expect.stringContaining('EADDRNOTAVAIL'),
    });
    expect(webUi.status()).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('EADDRNOTAVAIL'),
    });
    expect(reports).toEqual([
      { level: 'error', message: expect.stringMatching(/^web UI: .*EADDRNOTAVAIL/) },
    ]);
    expect(await webUi.url()).toBe('http://127.0.0.1:1234/#code=x');
    expect(webUi.status()).toEqual({ state: 'listening', url: 'http://127.0.0.1:1234' });
    await webUi.close();
  });

  it('finding 14: an optional listener retries with growing delays, then gives up, reporting each try', async () => {
    const { createOptionalListener } = await import('../../src/daemon/optional-listener.js');
    let now = 0;
    const pending: Array<{ at: number; run: () => void }> = [];
    const reports: Array<{ level: string; message: string }> = [];
    let free = false;
    const listener = createOptionalListener({
      name: 'metrics endpoint',
      open: async () => {
        if (!free) throw new Error('cannot listen on 127.0.0.1:9464: EADDRINUSE');
        return { url: 'http://127.0.0.1:9464/metrics' };
      },
      url: (open) => open.url,
      close: async () => {},
      report: (level, message) => reports.push({ level, message }),
      giveUpAfterMs: 10_000,
      timers: {
        set: (run, ms) => pending.push({ at: now + ms, run }),
        clear: () => {},
        now: () => now,
      },
    });
    const tick = async () => {
      const next = pending.shift()!;
      now = next.at;
      next.run();
      await new Promise((resolve) => setImmediate(resolve));
    };
    await listener.start();
    expect(listener.status()).toMatchObject({ state: 'failed', retryAt: 1000 });
    await tick();
    await tick();
    expect(reports.map((r) => r.message)).toEqual([
      'metrics endpoint: cannot listen on 127.0.0.1:9464: EADDRINUSE; trying again in 1 s',
      'metrics endpoint: cannot listen on 127.0.0.1:9464: EADDRINUSE; trying again in 2 s',
      'metrics endpoint: cannot listen on 127.0.0.1:9464: EADDRINUSE; trying again in 4 s',
    ]);
    await tick(); // at 7 s: 8 s more would pass the 10 s limit
    expect(reports.at(-1)).toEqual({
      level: 'error',
      message: expect.stringMatching(/EADDRINUSE; giving up/),
    });
    expect(listener.status()).toMatchObject({ state: 'failed', retryAt: null });
    expect(pending).toEqual([]);

    // A listener whose port comes free on a retry listens.
    const second = createOptionalListener({
      name: 'metrics endpoint',
      open: async () => {
        if (!free) throw new Error('EADDRINUSE');
        return { url: 'http://127.0.0.1:9464/metrics' };
      },
      url: (open) => open.url,
      close: async () => {},
      report: () => {},
      timers: {
        set: (run, ms) => pending.push({ at: now + ms, run }),
        clear: () => {},
        now: () => now,
      },
    });
    await second.start();
    free = true;
    await tick();
    expect(second.status()).toEqual({ state: 'listening', url: 'http://127.0.0.1:9464/metrics' });
    await second.close();
  });
});
