import { describe, expect, it } from 'vitest';
import { fromCallback } from 'xstate';
import { createActor, SimulatedClock } from 'xstate';
import type { ClusterEvent, ManagerInput } from '../../src/machines/cluster/cluster-types.js';
import { workerContext } from '../../src/cluster/cluster-view.js';
import { describeTransition } from '../../src/machines/history.js';
import { provideCluster } from '../../src/machines/cluster/provide-cluster.js';
import { createEventRecorder, createFakeChild, testSpec } from '../../src/testing/index.js';

/** A cluster chart whose manager actor only records its input (a kept manager needs no READY). */
function adoptable() {
  const clock = new SimulatedClock();
  clock.set(50_000);
  const child = createFakeChild();
  const recorder = createEventRecorder();
  const managerInputs: ManagerInput[] = [];
  const manager = fromCallback<{ type: string }, ManagerInput>(({ input }) => {
    managerInputs.push(input);
  });
  const logic = provideCluster({
    manager,
    child: child.logic,
    publish: (event) => recorder.events.push(event),
  });
  const actor = createActor(logic, {
    clock,
    input: { id: 'web', name: 'web', spec: testSpec(), instances: 2, clock },
  }).start();
  return { actor, clock, child, managerInputs };
}

const adopt = (workers: Extract<ClusterEvent, { type: 'ADOPT' }>['workers']): ClusterEvent => ({
  type: 'ADOPT',
  pid: 700,
  startedAt: 40_000,
  restarts: 3,
  workers,
  by: 'daemon',
});

describe('the cluster chart adopting a manager the keeper kept', () => {
  it('goes online around the kept manager and workers, spawning and forking nothing', () => {
    const c = adoptable();
    c.actor.send(
      adopt([
        { workerId: 'web.0', index: 0, pid: 701, startedAt: 41_000, restarts: 2 },
        { workerId: 'web.1.4', index: 1, pid: 702, startedAt: 42_000, restarts: 0 },
      ]),
    );
    const snapshot = c.actor.getSnapshot();
    expect(snapshot.value).toEqual({
      managed: { active: { health: 'online', operation: 'idle' } },
    });
    expect(c.managerInputs).toEqual([expect.objectContaining({ id: 'web', adoptPid: 700 })]);
    expect(c.child.inputs.map((input) => [input.id, input.adoptPid])).toEqual([
      ['web.0', 701],
      ['web.1.4', 702],
    ]);
    const { context } = snapshot;
    expect(context).toMatchObject({ pid: 700, restarts: 3, startedAt: 40_000, status: 'running' });
    expect(context.slots.map((slot) => [slot.id, slot.pid, slot.restarts, slot.status])).toEqual([
      ['web.0', 701, 2, 'running'],
      ['web.1.4', 702, 0, 'running'],
    ]);
    // A later worker of slot 1 never takes the kept worker's id.
    expect(context.serial).toBe(5);
    const ready = context.history.find((entry) => entry.to === 'ready');
    expect(ready && describeTransition(ready as never)).toContain(
      're-adopted after daemon restart',
    );
  });

  it('starts a new worker for a slot whose worker died while no daemon ran', () => {
    const c = adoptable();
    c.actor.send(
      adopt([{ workerId: 'web.0', index: 0, pid: 701, startedAt: 41_000, restarts: 1 }]),
    );
    expect(c.actor.getSnapshot().value).toEqual({
      managed: { active: { health: 'ready', operation: 'idle' } },
    });
    expect(c.child.inputs.map((input) => [input.id, input.adoptPid])).toEqual([
      ['web.0', 701],
      ['web.1', undefined],
    ]);
    c.child.fork(801, 'web.1');
    c.child.ready('web.1');
    expect(c.actor.getSnapshot().value).toEqual({
      managed: { active: { health: 'online', operation: 'idle' } },
    });
  });

  it('a slot whose worker died while no daemon ran restarts it as a crash of that slot, and says so', async () => {
    const c = adoptable();
    c.actor.send({
      ...adopt([{ workerId: 'web.0', index: 0, pid: 701, startedAt: 41_000, restarts: 1 }]),
      lost: [
        {
          workerId: 'web.1.4',
          index: 1,
          restarts: 2,
          code: null,
          signal: 'SIGKILL',
          startedAt: 42_000,
        },
      ],
    } as ClusterEvent);
    // The restart policy's first failure restarts at once (after a zero delay).
    await new Promise((resolve) => setTimeout(resolve, 20));
    c.clock.increment(1);
    const snapshot = c.actor.getSnapshot();
    expect(c.child.inputs.map((input) => [input.id, input.adoptPid])).toEqual([
      ['web.0', 701],
      ['web.1.4', undefined],
    ]);
    const slot1 = snapshot.context.slots[1];
    expect([slot1?.id, slot1?.restarts]).toEqual(['web.1.4', 3]);
    const history = workerContext(snapshot, 'web.1.4')?.history ?? [];
    const restarting = history.find((entry) => entry.to === 'restarting');
    expect(restarting && describeTransition(restarting)).toMatch(
      /restarting at .* after it died while no daemon ran \(signal SIGKILL\); 1st failure/,
    );
    // A later worker of slot 1 never takes the lost worker's id.
    expect(snapshot.context.serial).toBe(5);
    c.child.fork(801, 'web.1.4');
    c.child.ready('web.1.4');
    expect(c.actor.getSnapshot().value).toEqual({
      managed: { active: { health: 'online', operation: 'idle' } },
    });
    expect(c.actor.getSnapshot().context.slots[1]?.restarts).toBe(3);
  });

  it('restarts a new manager (not the adopted one) after the kept manager dies', () => {
    const c = adoptable();
    c.actor.send(
      adopt([{ workerId: 'web.0', index: 0, pid: 701, startedAt: 41_000, restarts: 0 }]),
    );
    c.actor.send({ type: 'MANAGER.FAILED', error: { name: 'Error', message: 'gone' } });
    expect(c.actor.getSnapshot().value).toBe('restarting');
    c.clock.increment(60_000);
    expect(c.actor.getSnapshot().value).toEqual({ managed: 'starting' });
    expect(c.managerInputs.at(-1)?.adoptPid).toBeUndefined();
    expect(c.actor.getSnapshot().context.restarts).toBe(4);
  });
});
