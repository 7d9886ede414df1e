import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import type { ProcessInfo } from '../../src/types/info.js';
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

function infoArg(event: { args: unknown[] } | undefined): ProcessInfo {
  return event?.args[0] as ProcessInfo;
}

const types = (events: Array<{ type: string }>) => events.map((e) => e.type);

describe('start, list, stop, remove through the API', () => {
  it('runs a process, lists it, stops it (pid gone) and removes it', async () => {
    const started = await startTracked(client, home, fixture('hello.js'), { name: 'api-hello' });
    expect(started.status).toBe('running');
    expect(started.name).toBe('api-hello');
    expect(typeof started.id).toBe('string');
    expect(started.pid).toBeGreaterThan(0);
    const pid = started.pid as number;
    expect(alive(pid)).toBe(true);

    const row = (await client.listProcesses()).find((p) => p.name === 'api-hello');
    expect(row).toMatchObject({
      id: started.id,
      name: 'api-hello',
      pid,
      status: 'running',
      restarts: 0,
    });
    expect(await client.findProcessInfoById(started.id)).toMatchObject({ name: 'api-hello' });
    expect(await client.findProcessInfoByPid(pid)).toMatchObject({ id: started.id });
    expect(await client.findProcessInfoByName('api-hello')).toMatchObject({ pid });

    const stopped = await client.stopProcess('api-hello');
    expect(stopped.status).toBe('stopped');
    expect(stopped.pid).toBeNull();
    await eventually(() => !alive(pid), `pid ${pid} to be gone`);

    await client.removeProcess(started.id);
    expect((await client.listProcesses()).map((p) => p.name)).not.toContain('api-hello');
    expect(await client.findProcessInfoById(started.id)).toBeNull();
  });

  it('refuses a script that does not exist, and adds nothing', async () => {
    await expect(
      startTracked(client, home, fixture('no-such-file.js'), { name: 'ghost' }),
    ).rejects.toMatchObject({ code: 'GUV_SCRIPT_NOT_FOUND' });
    expect(await client.findProcessInfoByName('ghost')).toBeNull();
  });

  it('restarting a running process answers once the new run is up', async () => {
    const started = await startTracked(client, home, fixture('hello.js'), { name: 'restart-me' });
    const restarted = await client.restartProcess('restart-me');
    expect(restarted).toMatchObject({ status: 'running', restarts: 1 });
    expect(restarted.pid).not.toBe(started.pid);
    expect(alive(restarted.pid as number)).toBe(true);
    await eventually(() => !alive(started.pid as number), 'the old pid to be gone');
    await client.removeProcess('restart-me');
  });

  it('resolves <p> by id, by name and by pid', async () => {
    const started = await startTracked(client, home, fixture('hello.js'), { name: 'resolve-me' });
    const pid = started.pid as number;
    expect((await client.why(started.id)).name).toBe('resolve-me');
    expect((await client.why('resolve-me')).name).toBe('resolve-me');
    expect((await client.why(String(pid))).name).toBe('resolve-me');
    await expect(client.why('no-such-process')).rejects.toMatchObject({
      code: 'GUV_PROCESS_NOT_FOUND',
    });
    const stopped = await client.process(String(pid)).kill();
    expect(stopped).toMatchObject({ name: 'resolve-me', status: 'stopped' });
    await client.removeProcess('resolve-me');
  });
});

describe('events through connect().on, in order, with the seed arguments', () => {
  it('start: starting, forked, started, ready', async () => {
    const started = await startTracked(client, home, fixture('hello.js'), { name: 'ev-start' });
    await recorder.waitFor(eventOf('process:ready', 'ev-start'), 'ev-start ready');
    const seen = recorder.of('ev-start');
    expect(types(seen)).toEqual([
      'process:starting',
      'process:forked',
      'process:started',
      'process:ready',
    ]);
    for (const event of seen) {
      expect(event.args).toHaveLength(1);
      expect(infoArg(event)).toMatchObject({ id: started.id, name: 'ev-start' });
    }
    expect(infoArg(seen[0]).status).toBe('starting');
    expect(infoArg(seen[1])).toMatchObject({ status: 'forked', pid: started.pid });
    expect(infoArg(seen[2])).toMatchObject({ status: 'started', pid: started.pid });
    expect(infoArg(seen[3])).toMatchObject({ status: 'running', pid: started.pid });

    // An exact name gets the arguments only, without the type.
    const exact: unknown[][] = [];
    const off = await client.on('process:stopping', (...args) => exact.push(args));
    const count = recorder.events.length;
    await client.stopProcess('ev-start');
    await recorder.waitFor(eventOf('process:stopped', 'ev-start'), 'ev-start stopped');
    const stopping = recorder.events.slice(count).filter((e) => !e.type.includes(':log:'));
    expect(types(stopping)).toEqual(['process:stopping', 'process:exit', 'process:stopped']);
    const [info, error, code, signal] = (stopping[1]?.args ?? []) as [
      ProcessInfo,
      unknown,
      unknown,
      unknown,
    ];
    expect(info).toMatchObject({ name: 'ev-start', pid: started.pid });
    expect(error).toBeNull();
    expect(code).toBeNull();
    expect(signal).toBe('SIGTERM');
    expect(infoArg(stopping[2])).toMatchObject({ status: 'stopped', pid: null });
    await eventually(() => exact.length > 0, 'the exact listener');
    expect(exact[0]).toHaveLength(1);
    expect(exact[0]?.[0]).toMatchObject({ name: 'ev-start', status: 'stopping' });
    await off();
    await client.removeProcess('ev-start');
  });

  it('crash then restart: exit(info, null, code, null), restarting, …, restarted', async () => {
    const started = await startTracked(client, home, fixture('exit-later.js'), {
      name: 'ev-crash',
      args: ['400'],
      policy: { backoffBaseMs: 10 },
    });
    expect(started.status).toBe('running');
    await recorder.waitFor(eventOf('process:restarted', 'ev-crash'), 'ev-crash restarted');
    await client.stopProcess('ev-crash');
    const seen = recorder.of('ev-crash');
    const firstRun = types(seen).indexOf('process:exit');
    expect(types(seen).slice(0, firstRun + 1)).toEqual([
      'process:starting',
      'process:forked',
      'process:started',
      'process:ready',
      'process:exit',
    ]);
    const exit = seen[firstRun];
    expect(exit?.args).toHaveLength(4);
    expect(exit?.args.slice(1)).toEqual([null, 3, null]);
    expect(infoArg(exit)).toMatchObject({ name: 'ev-crash', pid: started.pid });
    const restarted = types(seen).indexOf('process:restarted');
    expect(types(seen).slice(firstRun + 1, restarted + 1)).toEqual([
      'process:restarting',
      'process:starting',
      'process:forked',
      'process:started',
      'process:ready',
      'process:restarted',
    ]);
    const restarting = seen[firstRun + 1];
    expect(restarting?.args).toHaveLength(2);
    expect(typeof restarting?.args[1]).toBe('number');
    expect(infoArg(restarting).status).toBe('restarting');
    const again = infoArg(seen[restarted]);
    expect(again.restarts).toBe(1);
    expect(again.pid).not.toBe(started.pid);
    expect(again.pid).toBeGreaterThan(0);
    await client.removeProcess('ev-crash');
  });

  it('a process that keeps crashing at once aborts: process:aborted(info, error)', async () => {
    const started = await startTracked(client, home, fixture('exit-at-once.js'), {
      name: 'ev-abort',
      policy: { maxFailures: 2, backoffBaseMs: 10 },
    });
    expect(['restarting', 'starting', 'forked', 'aborted']).toContain(started.status);
    const aborted = await recorder.waitFor(eventOf('process:aborted', 'ev-abort'), 'aborted');
    expect(aborted.args).toHaveLength(2);
    expect(infoArg(aborted)).toMatchObject({ name: 'ev-abort', status: 'aborted', pid: null });
    expect(aborted.args[1]).toMatchObject({
      name: expect.any(String),
      message: expect.any(String),
    });
    const seen = types(recorder.of('ev-abort'));
    expect(seen.filter((t) => t === 'process:exit')).toHaveLength(3);
    expect(seen.filter((t) => t === 'process:restarting')).toHaveLength(2);
    expect(seen.at(-1)).toBe('process:aborted');
    for (const exit of recorder.of('ev-abort').filter((e) => e.type === 'process:exit')) {
      expect(exit?.args.slice(1)).toEqual([null, 2, null]);
    }
    expect((await client.findProcessInfoByName('ev-abort'))?.status).toBe('aborted');
    await client.removeProcess('ev-abort');
  });
});

describe('process names', () => {
  it('numbers unnamed copies of one script, refuses a taken name and frees a removed one', async () => {
    const script = fixture('print-argv.js');
    const first = await startTracked(client, home, script);
    const second = await startTracked(client, home, script);
    const third = await startTracked(client, home, script);
    expect([first.name, second.name, third.name]).toEqual([
      'print-argv',
      'print-argv-1',
      'print-argv-2',
    ]);
    await expect(
      startTracked(client, home, script, { name: 'print-argv-1' }),
    ).rejects.toMatchObject({ code: 'GUV_NAME_TAKEN' });
    await client.removeProcess('print-argv-1');
    const again = await startTracked(client, home, script);
    expect(again.name).toBe('print-argv-1');
    for (const name of ['print-argv', 'print-argv-1', 'print-argv-2']) {
      await client.removeProcess(name);
    }
  });
});
