import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient, ProcessSummary } from '../../src/client/api.js';
import {
  alive,
  cleanupHome,
  eventually,
  fixture,
  guv,
  makeHome,
  recordEvents,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';
import { freePort, get, startLoad } from './load.js';

// Issue 14: apps with the Express docs' `process.on('SIGTERM', () => server.close())`.
let home: TestHome;
let client: GuvClient;
let recorder: Awaited<ReturnType<typeof recordEvents>>;
const script = fixture('sigterm-handler.js');
/** Well under the 5 s kill timeout that SIGKILLed such workers, and loose for a busy machine. */
const PROMPT_MS = 3000;

beforeAll(async () => {
  home = makeHome();
  client = await startDaemon(home);
  recorder = await recordEvents(client, '*');
}, 60_000);

afterEach(async () => {
  for (const managed of await client.listProcesses()) {
    await client.removeProcess(managed.id).catch(() => {});
  }
  recorder.events.length = 0;
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

async function start(name: string, instances?: number) {
  const port = await freePort();
  const started = await client.startProcess(script, {
    name,
    ...(instances ? { instances } : {}),
    env: { ...home.childEnv, PORT: String(port) },
  });
  // No kept-alive connection is left behind: guv's drain gives an idle one a 1 s grace.
  const once = new http.Agent({ keepAlive: false });
  await eventually(
    () =>
      get(port, once).then(
        () => true,
        () => false,
      ),
    'the port to answer',
  );
  return { started, port };
}

const serving = (summary: ProcessSummary) =>
  (summary.workers ?? []).filter((worker) => worker.role === 'serving');

const named = (name: string) => (e: { args: unknown[] }) =>
  (e.args[0] as { name?: string })?.name === name;

/** How many times the app's own `server.close()` callback ran ('closed' on its stdout). */
const closedLines = (name: string, type: string) =>
  recorder.events.filter(
    (e) =>
      e.type === type &&
      named(name)(e) &&
      (e.args.at(-1) as { message?: string }).message === 'closed',
  ).length;

/** Worker exits of a cluster as [code, signal]. */
const workerExits = (name: string) =>
  recorder.events
    .filter((e) => e.type === 'worker:exit' && named(name)(e))
    .map((e) => [e.args[2], e.args[3]]);

describe('an app that closes its own server on SIGTERM', () => {
  it('guv stop of a 2-worker cluster: both handlers run, workers exit 0 well before the kill timeout', async () => {
    const { started } = await start('handler', 2);
    const pids = serving(started).map((w) => w.pid!);
    expect(pids).toHaveLength(2);
    const began = Date.now();
    const cli = await guv(home, ['stop', 'handler']);
    const took = Date.now() - began;
    console.log(`guv stop of a 2-worker cluster whose app handles SIGTERM: ${took} ms`);
    expect(cli.code).toBe(0);
    expect(workerExits('handler')).toEqual([
      [0, null],
      [0, null],
    ]);
    expect(took).toBeLessThan(PROMPT_MS);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    await eventually(() => closedLines('handler', 'worker:log:info') === 2, "both apps' 'closed'");
  });

  it('reloads 3 times under keep-alive load without one failed request; retired workers exit 0', async () => {
    const { started, port } = await start('handler-reload', 2);
    const before = serving(started).map((w) => w.pid!);
    const load = startLoad(port, { concurrency: 8, maxMs: 60_000 });
    const times: number[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (let round = 0; round < 3; round++) {
        const began = Date.now();
        await client.reloadProcess('handler-reload');
        times.push(Date.now() - began);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      await load.stop();
    }
    console.log(`3 reloads: ${times.join(', ')} ms; ${load.result.ok} requests answered`);
    expect(load.result.errors).toEqual([]);
    expect(load.result.failed).toBe(0);
    expect(load.result.ok).toBeGreaterThan(100);
    for (const pid of before) expect(alive(pid)).toBe(false);
    const exits = workerExits('handler-reload');
    expect(exits).toHaveLength(6);
    expect(exits.every(([code, signal]) => code === 0 && signal === null)).toBe(true);
    await eventually(
      () => closedLines('handler-reload', 'worker:log:info') === 6,
      "every retired app's 'closed'",
    );
  });

  it('fork mode: the handler runs and the process exits once its server closed', async () => {
    const { started } = await start('handler-fork');
    const began = Date.now();
    const cli = await guv(home, ['stop', 'handler-fork']);
    const took = Date.now() - began;
    console.log(`guv stop of one process whose app handles SIGTERM: ${took} ms`);
    expect(cli.code).toBe(0);
    expect(took).toBeLessThan(PROMPT_MS);
    expect(alive(started.pid!)).toBe(false);
    const exit = recorder.events.find((e) => e.type === 'process:exit' && named('handler-fork')(e));
    expect(exit?.args.slice(2)).toEqual([0, null]);
    await eventually(
      () => closedLines('handler-fork', 'process:log:info') === 1,
      "the app's 'closed'",
    );
  });
});
