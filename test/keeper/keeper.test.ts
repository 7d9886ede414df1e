import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtFile } from '../../src/build-output.js';
import type { KeeperClient } from '../../src/keeper/client.js';
import { connectKeeper } from '../../src/keeper/client.js';
import {
  type ChildFacts,
  KEEPER_PROTOCOL_VERSION,
  type KeeperEvent,
} from '../../src/keeper/protocol.js';
import { readProcessStartTime } from '../../src/procfs/process-identity.js';
import { alive, cleanupHome, eventually, fixture } from '../helpers/daemon-harness.js';
import {
  type KeeperHome,
  keeperSpec,
  lastTick,
  logsFor,
  makeKeeperHome,
  planFor,
  plainPlan,
  readLog,
  startKeeper,
} from './harness.js';

const homes: KeeperHome[] = [];
const clients: KeeperClient[] = [];

function home(): KeeperHome {
  const made = makeKeeperHome();
  homes.push(made);
  return made;
}

async function keeperOf(where: KeeperHome, idleExitMs?: number): Promise<KeeperClient> {
  const client = await startKeeper(where, idleExitMs);
  clients.push(client);
  return client;
}

async function connect(where: KeeperHome): Promise<KeeperClient> {
  const client = await connectKeeper(where.socketDir);
  clients.push(client);
  return client;
}

function recordEvents(client: KeeperClient, childId: string): KeeperEvent[] {
  const events: KeeperEvent[] = [];
  client.listen(childId, (event) => events.push(event));
  return events;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const made of homes.splice(0)) await cleanupHome(made);
});

describe('the keeper', () => {
  it('spawns a child: its output reaches the log file, IPC relays both ways, a signal stops it', async () => {
    const where = home();
    const keeper = await keeperOf(where);
    const events = recordEvents(keeper, 'plain');
    const facts = await keeper.spawn('plain', plainPlan(where), logsFor('plain'), null);
    expect(alive(facts.pid)).toBe(true);
    await eventually(() => lastTick(readLog(where, 'plain')) >= 3, 'ticks in out.log');
    expect(readLog(where, 'plain')).toMatch(/up\n/);

    await keeper.send('plain', { hello: 'child' });
    await eventually(
      () =>
        events.some(
          (e) =>
            e.ev === 'ipc' &&
            !e.internal &&
            JSON.stringify(e.message) === '{"echo":{"hello":"child"}}',
        ),
      'the echo relayed',
    );

    await keeper.signal('plain', 'SIGTERM');
    const exit = await eventually(
      () => events.find((e): e is Extract<KeeperEvent, { ev: 'exit' }> => e.ev === 'exit'),
      'the exit event',
    );
    expect(exit).toMatchObject({
      childId: 'plain',
      pid: facts.pid,
      signal: 'SIGTERM',
      witnessed: true,
    });
    expect(alive(facts.pid)).toBe(false);
  });

  it('runs node scripts with guv’s wrapper: its messages relay as internal ones, its log records land in the files', async () => {
    const where = home();
    const keeper = await keeperOf(where);
    const events = recordEvents(keeper, 'wrapped');
    const plan = await planFor('wrapped', keeperSpec(where));
    await keeper.spawn('wrapped', plan, logsFor('wrapped'), null);
    await eventually(
      () =>
        events.some(
          (e) => e.ev === 'ipc' && e.internal && (e.message as { type?: string }).type === 'ready',
        ),
      'the wrapper’s ready',
    );
    await eventually(
      () => readLog(where, 'wrapped', 'warn.log').includes('a record through the wrapper'),
      'the record in warn.log',
    );
  });

  it('writes what a cluster manager relays of its workers to their slots’ files with no daemon, and keeps its worker slots as facts', async () => {
    const where = home();
    const keeper = await keeperOf(where);
    keeper.close();
    const next = await connect(where);
    await next.spawn(
      'c1',
      {
        ...plainPlan(where),
        args: [fixture('keeper-fake-manager.js')],
        env: { ...plainPlan(where).env, KEEPER_CLUSTER_ID: 'c1' },
        stdin: 'ignore',
      },
      { ...logsFor('api'), cluster: true },
      null,
    );
    next.close();
    await eventually(
      () => readLog(where, 'api', 'warn.log').includes('forked 2 workers'),
      'the manager’s line',
    );
    await eventually(
      () => readLog(where, 'api', 'worker-0.out.log').includes('from worker 0'),
      'worker 0',
    );
    await eventually(
      () => readLog(where, 'api', 'worker-1.err.log').includes('worker 1 failed'),
      'worker 1',
    );
    await eventually(
      () => readLog(where, 'api', 'worker-1.warn.log').includes('a record of worker 1'),
      'worker 1’s record',
    );
    expect(readLog(where, 'api', 'out.log')).not.toContain('stray');
    expect(readLog(where, 'api', 'worker-0.out.log')).not.toContain('stray');

    // Its worker slots are facts for the next daemon: worker 0 lives, worker 1 exited.
    const facts = await connect(where);
    const workers = facts.facts.children[0]?.workers ?? [];
    expect(workers.map((w) => [w.workerId, w.slot])).toEqual([['c1.0', 0]]);
    expect(alive(workers[0]!.pid)).toBe(true);
    expect(workers[0]!.startTime).toBe(readProcessStartTime(workers[0]!.pid));
  });

  it('answers facts: pid, /proc start time, spawn time, ipc, the meta the daemon stored', async () => {
    const where = home();
    const keeper = await keeperOf(where);
    const before = Date.now();
    const spawned = await keeper.spawn('facts', plainPlan(where), logsFor('facts'), {
      restarts: 2,
    });
    await keeper.note('facts', { restarts: 3, slots: [] });
    const facts = await keeper.readFacts();
    expect(facts.pid).not.toBe(process.pid);
    expect(facts.startTime).toBe(readProcessStartTime(facts.pid));
    expect(facts.children).toHaveLength(1);
    const child = facts.children[0] as ChildFacts;
    expect(child).toMatchObject({
      childId: 'facts',
      pid: spawned.pid,
      startTime: readProcessStartTime(spawned.pid),
      ipc: true,
      meta: { restarts: 3, slots: [] },
      logs: logsFor('facts'),
    });
    expect(child.spawnedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(child.spawnedAt).toBeLessThanOrEqual(Date.now());
  });

  it('keeps a child running and logging when the daemon-side client is SIGKILLed, and reports its crash to the next client', async () => {
    const where = home();
    const first = await keeperOf(where);
    first.close();
    const request = {
      childId: 'survivor',
      plan: plainPlan(where),
      logs: logsFor('survivor'),
      meta: { restarts: 1 },
    };
    // A real process in the daemon's place, killed the way a daemon dies in production.
    const client = spawn(
      process.execPath,
      [fixture('keeper-client.mjs'), where.socketDir, JSON.stringify(request)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    client.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const facts = JSON.parse(
      await eventually(() => out.split('\n')[0] || null, 'the client’s spawn', 20_000),
    ) as ChildFacts;
    client.kill('SIGKILL');
    await eventually(
      () => client.exitCode !== null || client.signalCode !== null,
      'the client’s death',
    );

    const ticksAtDeath = lastTick(readLog(where, 'survivor'));
    await eventually(
      () => lastTick(readLog(where, 'survivor')) >= ticksAtDeath + 10,
      'ticks logged with no daemon',
    );
    expect(alive(facts.pid)).toBe(true);

    process.kill(facts.pid, 'SIGUSR2');
    await eventually(() => !alive(facts.pid), 'the crash');
    await eventually(
      () => readLog(where, 'survivor', 'err.log').includes('crashing on purpose'),
      'stderr logged',
    );

    const next = await connect(where);
    const crash = next.facts.exits.find((exit) => exit.childId === 'survivor');
    expect(crash).toMatchObject({
      pid: facts.pid,
      code: 7,
      signal: null,
      witnessed: false,
      meta: { restarts: 1 },
    });
    expect(next.facts.children).toEqual([]);
    await next.ack(crash!.seq);
    expect((await next.readFacts()).exits).toEqual([]);
  });

  it('refuses a second keeper for the same home', async () => {
    const where = home();
    const keeper = await keeperOf(where);
    const second = spawnSync(
      process.execPath,
      [
        builtFile('keeper/keeper.cjs', 'keeper'),
        '--socket-dir',
        where.socketDir,
        '--logs-dir',
        where.logsDir,
      ],
      {
        encoding: 'utf8',
        timeout: 20_000,
        env: { PATH: process.env.PATH, GUV_TEST_HOME: where.dir },
      },
    );
    expect(second.status).toBe(3);
    expect(second.stderr).toMatch(/a keeper already runs/);
    expect((await keeper.readFacts()).pid).toBe(keeper.facts.pid);
  });

  it('refuses garbage and oversized frames without dying', async () => {
    const where = home();
    const keeper = await keeperOf(where);
    const socketPath = join(where.socketDir, 'keeper.sock');
    const talk = (payload: string | Buffer) =>
      new Promise<string>((resolve) => {
        const socket = createConnection(socketPath);
        let answer = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
        socket.on('error', () => {});
        socket.on('close', () => resolve(answer));
        socket.write(payload);
        setTimeout(() => socket.destroy(), 10_000).unref();
      });
    // Before hello: refused and cut off, never served.
    expect(await talk('not json at all\n')).toMatch(/GUV_KEEPER_BAD_REQUEST/);
    expect(await talk('{"id":1,"op":"facts"}\n')).toMatch(/GUV_KEEPER_UNREACHABLE/);
    expect(await talk('{"id":1,"op":"hello","token":"wrong","version":1}\n')).not.toMatch(
      /children/,
    );
    expect(await talk(Buffer.alloc(3 * 1024 * 1024, 'x'))).toMatch(/frame too large/);

    // After hello: each bad request is refused, the connection and the keeper stay.
    const refusals: Array<[string, unknown]> = [
      ['relative command', { ...plainPlan(where), command: 'node' }],
      ['env name with =', { ...plainPlan(where), env: { 'A=B': 'x' } }],
      ['args not strings', { ...plainPlan(where), args: [1] }],
      ['uid not a number', { ...plainPlan(where), uid: '0' }],
    ];
    for (const [what, plan] of refusals) {
      await expect(
        keeper.spawn(what, plan as never, logsFor('x'), null),
        what,
      ).rejects.toMatchObject({ code: 'GUV_KEEPER_BAD_REQUEST' });
    }
    await expect(
      keeper.spawn('escape', plainPlan(where), logsFor('../escape'), null),
    ).rejects.toMatchObject({
      code: 'GUV_KEEPER_BAD_REQUEST',
    });
    await expect(keeper.signal('nobody', 'SIGKILL')).rejects.toMatchObject({
      code: 'GUV_PROCESS_NOT_RUNNING',
    });
    await expect(
      keeper.spawn(
        'missing',
        { ...plainPlan(where), command: '/nonexistent/program' },
        logsFor('missing'),
        null,
      ),
    ).rejects.toMatchObject({ code: 'GUV_KEEPER_SPAWN_FAILED', cause: { code: 'ENOENT' } });
    expect(existsSync(join(where.logsDir, '..', 'escape'))).toBe(false);
    expect((await keeper.readFacts()).children).toEqual([]);
    const again = await connect(where);
    expect(again.facts.pid).toBe(keeper.facts.pid);
  });

  it('starts one child per id, even for two spawns in flight at once', async () => {
    const where = home();
    await keeperOf(where);
    // Both requests in one write: the second is read while the first child is still starting.
    const token = readFileSync(join(where.socketDir, 'keeper.token'), 'utf8').trim();
    const spawnLine = (id: number) =>
      JSON.stringify({
        id,
        op: 'spawn',
        childId: 'twice',
        plan: plainPlan(where),
        logs: logsFor('twice'),
        meta: null,
      });
    const replies = await new Promise<string[]>((resolve) => {
      const socket = createConnection(join(where.socketDir, 'keeper.sock'));
      let text = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        const lines = text.split('\n').filter(Boolean);
        if (lines.length >= 3) {
          socket.destroy();
          resolve(lines.slice(1));
        }
      });
      socket.write(
        `${JSON.stringify({ id: 0, op: 'hello', token, version: KEEPER_PROTOCOL_VERSION })}\n${spawnLine(1)}\n${spawnLine(2)}\n`,
      );
    });
    const outcomes = replies.map(
      (line) => JSON.parse(line) as { ok: boolean; error?: { code: string } },
    );
    expect(outcomes.map((o) => o.ok).sort()).toEqual([false, true]);
    expect(outcomes.find((o) => !o.ok)?.error?.code).toBe('GUV_KEEPER_CHILD_EXISTS');
    // The raw connection took the daemon's place (the newest wins): ask through a new one.
    expect((await connect(where)).facts.children).toHaveLength(1);
  });

  it('stops its children and itself when the daemon asks (guv kill)', async () => {
    const where = home();
    const keeper = await keeperOf(where);
    const child = await keeper.spawn('victim', plainPlan(where), logsFor('victim'), null);
    const keeperPid = keeper.facts.pid;
    await keeper.shutdown(2000);
    await eventually(() => !alive(child.pid) && !alive(keeperPid), 'child and keeper gone');
    expect(existsSync(join(where.socketDir, 'keeper.sock'))).toBe(false);
    expect(existsSync(join(where.socketDir, 'keeper.token'))).toBe(false);
    expect(readFileSync(join(where.logsDir, 'keeper.log'), 'utf8')).toMatch(/keeper stopped/);
  });

  it('exits by itself with no children and no daemon for a while', async () => {
    const where = home();
    const keeper = await keeperOf(where, 300);
    const keeperPid = keeper.facts.pid;
    keeper.close();
    await eventually(() => !alive(keeperPid), 'the idle keeper’s exit', 20_000);
  });
});
