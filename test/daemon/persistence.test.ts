import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessSummary } from '../../src/client/api.js';
import {
  alive,
  cleanupHome,
  crashDaemon,
  daemonPid,
  eventually,
  fixture,
  guv,
  makeHome,
  processesRunning,
  startDaemon,
  startTracked,
  type TestHome,
  writeDaemonConfig,
} from '../helpers/daemon-harness.js';
import { freePort, get } from '../cluster/load.js';

let home: TestHome;

afterEach(async () => {
  await cleanupHome(home);
}, 60_000);

async function listJson(h: TestHome): Promise<ProcessSummary[]> {
  const result = await guv(h, ['list', '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as ProcessSummary[];
}

const byName = (list: ProcessSummary[]) => new Map(list.map((p) => [p.name, p]));

describe('saved state across daemons', () => {
  it('guv kill stops everything; the next command brings back what was running', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    const one = await startTracked(client, home, fixture('hello.js'), { name: 'one' });
    const two = await startTracked(client, home, fixture('esm.mjs'), { name: 'two' });
    await startTracked(client, home, fixture('hello.js'), { name: 'resting' });
    await client.stopProcess('resting');
    const oldDaemon = daemonPid(home);

    const killed = await guv(home, ['kill']);
    expect(killed).toMatchObject({ code: 0, stderr: '' });
    expect(killed.stdout).toContain('daemon stopped');
    for (const pid of [one.pid, two.pid, oldDaemon]) {
      await eventually(() => !alive(pid as number), `pid ${pid} gone after guv kill`);
    }
    expect((await guv(home, ['kill'])).stdout).toContain('no daemon running');

    const after = byName(await listJson(home));
    expect(daemonPid(home)).not.toBe(oldDaemon);
    expect([...after.keys()].sort()).toEqual(['one', 'resting', 'two']);
    for (const [name, old] of [
      ['one', one],
      ['two', two],
    ] as const) {
      const now = after.get(name);
      expect(now).toMatchObject({ id: old.id, status: 'running' });
      expect(now?.pid).not.toBe(old.pid);
      expect(alive(now?.pid as number)).toBe(true);
    }
    // Not started again: it comes back stopped.
    expect(after.get('resting')?.status).toBe('stopped');
    expect(after.get('resting')?.pid).toBeNull();
  });

  it('dump then restore brings back a removed process', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    await startTracked(client, home, fixture('hello.js'), { name: 'kept' });
    const dumped = await guv(home, ['dump']);
    expect(dumped).toMatchObject({ code: 0, stderr: '' });
    const file = JSON.parse(readFileSync(home.processesFile, 'utf8')) as {
      processes: Array<{ definition: { name: string }; desired: string }>;
    };
    expect(file.processes.map((p) => [p.definition.name, p.desired])).toEqual([
      ['kept', 'running'],
    ]);

    await client.removeProcess('kept');
    expect(await client.listProcesses()).toEqual([]);
    // Every change is saved too: wait for the removal to reach the file, then put the dump back.
    await eventually(
      () => readFileSync(home.processesFile, 'utf8').includes('"processes": []'),
      'the removal to be saved',
    );
    writeFileSync(home.processesFile, JSON.stringify(file));
    const restored = await guv(home, ['restore']);
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    const back = await client.findProcessInfoByName('kept');
    expect(back?.status).toBe('running');
    expect(alive(back?.pid as number)).toBe(true);
  });

  it('a corrupt processes.json is reported in the daemon log and kept aside', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    await startTracked(client, home, fixture('hello.js'), { name: 'lost' });
    await client.disconnect();
    expect((await guv(home, ['kill'])).code).toBe(0);
    const garbage = '{"version":1,"processes":[{"definition": tru';
    writeFileSync(home.processesFile, garbage);

    const list = await guv(home, ['list', '--json']);
    expect(list.code).toBe(0);
    const aside = readdirSync(home.stateDir).filter((f) => f.startsWith('processes.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(`${home.stateDir}/${aside[0]}`, 'utf8')).toBe(garbage);
    const log = readFileSync(home.daemonLog, 'utf8');
    expect(log).toMatch(/corrupt/);
    expect(log).toContain(aside[0]);
  });

  // With the keeper (the default) the apps outlive the daemon and are re-adopted; without it
  // (guv.json "keeper": false) they stop with it and the next daemon starts them once.
  for (const keeper of [true, false]) {
    const mode = keeper ? 'with the keeper' : 'without the keeper';
    const outcome = keeper ? 're-adopts each app (same pid)' : 'starts one copy of each app';
    it(`${mode}: after kill -9 of the daemon the next command starts one daemon and ${outcome}`, async () => {
      home = makeHome();
      if (!keeper) writeDaemonConfig(home, { keeper: false });
      const client = await startDaemon(home);
      const apps = ['hello.js', 'esm.mjs'] as const;
      const old = new Map<string, number>();
      for (const script of apps) {
        const started = await startTracked(client, home, fixture(script), { name: script });
        old.set(script, started.pid as number);
      }
      await client.disconnect();
      const oldDaemon = daemonPid(home);
      await crashDaemon(home);

      const list = byName(await listJson(home));
      const newDaemon = daemonPid(home);
      expect(newDaemon).not.toBe(oldDaemon);
      expect(alive(newDaemon)).toBe(true);
      for (const script of apps) {
        const now = list.get(script);
        expect(now?.status).toBe('running');
        if (keeper) {
          expect(now?.pid).toBe(old.get(script));
        } else {
          expect(now?.pid).not.toBe(old.get(script));
          expect(alive(old.get(script) as number)).toBe(false);
        }
        const copies = processesRunning(home, fixture(script)).map((p) => p.pid);
        expect(copies).toEqual([now?.pid]);
      }
      const daemons = processesRunning(home, 'dist/daemon/start.cjs').map((p) => p.pid);
      expect(daemons).toEqual([newDaemon]);
    });
  }

  it('without the keeper: a cluster comes back with its instance count after kill -9, without orphans', async () => {
    home = makeHome();
    writeDaemonConfig(home, { keeper: false });
    const client = await startDaemon(home);
    const script = fixture('cluster-http.js');
    const port = await freePort();
    const started = await client.startProcess(script, {
      name: 'survivor',
      instances: 3,
      env: { ...home.childEnv, PORT: String(port) },
    });
    const oldPids = [started.pid!, ...(started.workers ?? []).map((w) => w.pid!)];
    expect(oldPids).toHaveLength(4);
    await client.disconnect();
    await crashDaemon(home);
    // The manager sees its daemon gone, drains its workers and leaves.
    await eventually(() => oldPids.every((pid) => !alive(pid)), 'the old cluster gone', 15_000);
    const back = byName(await listJson(home)).get('survivor');
    expect(back?.instances).toBe(3);
    const now = await eventually(async () => {
      const found = byName(await listJson(home)).get('survivor');
      return found?.state === 'online' ? found : null;
    }, 'the cluster restored');
    expect(now.workers?.filter((w) => w.status === 'running')).toHaveLength(3);
    const running = processesRunning(home, script).filter((p) => p.pid !== now.pid);
    expect(running).toHaveLength(3);
    expect(await get(port, new http.Agent({ keepAlive: false }))).toBeGreaterThan(0);
  });

  it('SIGTERM to the daemon stops its children and the next daemon brings them back', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('hello.js'), { name: 'termed' });
    await client.disconnect();
    const oldDaemon = daemonPid(home);
    process.kill(oldDaemon, 'SIGTERM');
    await eventually(() => !alive(oldDaemon) && !alive(started.pid as number), 'all to stop');
    const now = byName(await listJson(home)).get('termed');
    expect(now?.status).toBe('running');
    expect(now?.pid).not.toBe(started.pid);
    expect(processesRunning(home, fixture('hello.js')).map((p) => p.pid)).toEqual([now?.pid]);
  });

  it('without the keeper: after kill -9 of the daemon no grandchild of the old run is left', async () => {
    home = makeHome();
    writeDaemonConfig(home, { keeper: false });
    const { grandchild } = await startFamily();
    await crashDaemon(home);
    expect(byName(await listJson(home)).get('family')?.status).toBe('running');
    await eventually(() => !alive(grandchild), 'the old grandchild to be gone');
    expect(processesRunning(home, fixture('spawn-grandchild.js'))).toHaveLength(1);
  });

  it('with the keeper: after kill -9 of the daemon the process and its grandchild are kept, once', async () => {
    home = makeHome();
    const { pid, grandchild } = await startFamily();
    await crashDaemon(home);
    const now = byName(await listJson(home)).get('family');
    expect(now?.status).toBe('running');
    expect(now?.pid).toBe(pid);
    expect(alive(grandchild)).toBe(true);
    expect(processesRunning(home, fixture('spawn-grandchild.js'))).toHaveLength(1);
  });

  async function startFamily(): Promise<{ pid: number; grandchild: number }> {
    const client = await startDaemon(home);
    const started = await startTracked(client, home, fixture('spawn-grandchild.js'), {
      name: 'family',
    });
    const line = await eventually(
      () => /grandchild (\d+)/.exec(readFileSync(home.logFile('family'), 'utf8')),
      'the grandchild pid in the log',
    );
    const grandchild = Number(line[1]);
    expect(alive(grandchild)).toBe(true);
    await client.disconnect();
    return { pid: started.pid as number, grandchild };
  }
});
