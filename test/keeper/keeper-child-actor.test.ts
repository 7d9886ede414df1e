import { afterEach, describe, expect, it } from 'vitest';
import { type Actor, createActor } from 'xstate';
import type { ChildHandle } from '../../src/actors/child/child-handle.js';
import { createKeeperChildLogic } from '../../src/actors/child/keeper-child-actor.js';
import type { ChildMessage } from '../../src/actors/child/wrapper-events.js';
import type { ChildListener, KeeperClient } from '../../src/keeper/client.js';
import type { KeeperEvent } from '../../src/keeper/protocol.js';
import { type ProcessMachine, processMachine } from '../../src/machines/process/machine.js';
import { alive, cleanupHome, eventually } from '../helpers/daemon-harness.js';
import {
  type KeeperHome,
  keeperSpec,
  lastTick,
  logsFor,
  makeKeeperHome,
  readLog,
  startKeeper,
} from './harness.js';

let home: KeeperHome | null = null;
let keeper: KeeperClient | null = null;
let actor: Actor<ProcessMachine> | null = null;

afterEach(async () => {
  actor?.stop();
  keeper?.close();
  if (home) await cleanupHome(home);
  actor = null;
  keeper = null;
  home = null;
});

describe('the process chart on the keeper-backed child actor', () => {
  it('starts through the keeper, runs, restarts after a crash, and stops: the chart is unchanged', async () => {
    home = makeKeeperHome();
    const client = await startKeeper(home);
    keeper = client;
    const handles = new Map<string, ChildHandle>();
    const messages: ChildMessage[] = [];
    const logic = createKeeperChildLogic({
      keeper: () => client,
      logTarget: () => logsFor('charted'),
      meta: (input) => ({ attempt: input.attempt }),
      onOutput: () => undefined,
      onMessage: (_id, message) => messages.push(message),
      register: (id, handle) => handles.set(id, handle),
      unregister: (id) => handles.delete(id),
      spawn: { heartbeatMs: 0 },
    });
    actor = createActor(processMachine.provide({ actors: { child: logic } }), {
      input: {
        id: 'charted',
        spec: keeperSpec(home),
        clock: { now: Date.now },
      },
    }).start();
    const chart = actor;
    actor.send({ type: 'START', by: 'test' });
    await eventually(() => chart.getSnapshot().context.status === 'running', 'running');
    const first = chart.getSnapshot().context.pid!;
    const facts = await client.readFacts();
    expect(facts.children.map((c) => [c.childId, c.pid, c.meta])).toEqual([
      ['charted', first, { attempt: 0 }],
    ]);
    await eventually(() => lastTick(readLog(home!, 'charted')) >= 2, 'the keeper logging');
    expect(await handles.get('charted')?.send('ping')).toBe(false);

    process.kill(first, 'SIGUSR2');
    await eventually(() => {
      const { status, pid } = chart.getSnapshot().context;
      return status === 'running' && pid !== first;
    }, 'running again after the crash');
    expect(chart.getSnapshot().context.restarts).toBe(1);
    const second = chart.getSnapshot().context.pid!;

    actor.send({ type: 'STOP', by: 'test' });
    await eventually(() => chart.getSnapshot().context.status === 'stopped', 'stopped');
    await eventually(() => !alive(second), 'the child gone');
    expect((await client.readFacts()).children).toEqual([]);
  });

  it('hears the wrapper’s first messages read in the same chunk as the spawn’s answer (found under load: a 30 s start timeout)', async () => {
    home = makeKeeperHome();
    const client = await startKeeper(home);
    keeper = client;
    // The real keeper, with its answer to spawn held until the child's `started` has been read,
    // then both handed over in one synchronous pass, as when they share a chunk of the socket.
    const held: KeeperEvent[] = [];
    let listener: ChildListener | null = null;
    let released = false;
    const racing = new Proxy(client, {
      get(target, property) {
        if (property === 'listen') {
          return (id: string, heard: ChildListener) => {
            listener = heard;
            return target.listen(id, (event) => (released ? heard(event) : held.push(event)));
          };
        }
        if (property === 'spawn') {
          return (...args: Parameters<KeeperClient['spawn']>) =>
            new Promise((resolve, reject) => {
              target.spawn(...args).then(async (facts) => {
                await eventually(() => held.some((e) => e.ev === 'ipc'), 'the first message');
                resolve(facts);
                // Before the actor's `await` resumes: its continuation is a later microtask.
                released = true;
                for (const event of held.splice(0)) listener?.(event);
              }, reject);
            });
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const logic = createKeeperChildLogic({
      keeper: () => racing,
      logTarget: () => logsFor('raced'),
      onOutput: () => undefined,
      onMessage: () => {},
      register: () => {},
      unregister: () => {},
    });
    actor = createActor(processMachine.provide({ actors: { child: logic } }), {
      input: { id: 'raced', spec: keeperSpec(home), clock: { now: Date.now } },
    }).start();
    const chart = actor;
    actor.send({ type: 'START' });
    await eventually(() => chart.getSnapshot().context.status === 'running', 'running', 10_000);
  });

  it('reports a program the keeper cannot start as a spawn failure with the OS’s error', async () => {
    home = makeKeeperHome();
    const client = await startKeeper(home);
    keeper = client;
    const logic = createKeeperChildLogic({
      keeper: () => client,
      logTarget: () => logsFor('broken'),
      onOutput: () => undefined,
      onMessage: () => {},
      register: () => {},
      unregister: () => {},
    });
    actor = createActor(processMachine.provide({ actors: { child: logic } }), {
      input: {
        id: 'broken',
        spec: keeperSpec(home, { script: '/nonexistent/program', interpreter: 'none' }),
        clock: { now: Date.now },
      },
    }).start();
    const chart = actor;
    actor.send({ type: 'START' });
    await eventually(() => chart.getSnapshot().context.status === 'failed', 'failed');
    expect(chart.getSnapshot().context.lastError).toMatchObject({ code: 'ENOENT' });
  });
});
