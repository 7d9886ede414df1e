import { describe, expect, it } from 'vitest';
import { type AnyActorLogic, SimulatedClock } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { clusterMachine } from '../../src/machines/cluster/cluster-machine.js';
import type { ClusterContext, ClusterEvent } from '../../src/machines/cluster/cluster-types.js';
import { testSpec } from '../../src/testing/index.js';
import type { ProcessStatus } from '../../src/types/info.js';

const status = (workerId: string, index: number, value: ProcessStatus) => ({
  type: 'WORKER.STATUS' as const,
  workerId,
  index,
  status: value,
  pid: value === 'running' ? 1 : null,
  restarts: 0,
});

describe('cluster chart coverage', () => {
  it('reaches every state by shortest paths', () => {
    const events = [
      { type: 'MANAGER.READY', pid: 500 },
      { type: 'MANAGER.FAILED', error: { name: 'Error', message: 'down' } },
      { type: 'RELOAD' },
      { type: 'RESIZE', instances: 1 },
      { type: 'STOP' },
      { type: 'xstate.after.reloadTimeout.cluster.managed.active.operation.reloading.waiting' },
      status('web.0', 0, 'running'),
      status('web.1', 1, 'running'),
      status('web.0', 0, 'restarting'),
      status('web.0.1', 0, 'running'),
      status('web.0.1', 0, 'restarting'),
      status('web.0', 0, 'stopped'),
      status('web.1', 1, 'stopped'),
    ] as ClusterEvent[];
    // Worker ids grow with every reload: key on statuses (and a capped retiring count) instead.
    const key = (snapshot: unknown) => {
      const s = snapshot as { value: unknown; context: ClusterContext };
      return JSON.stringify([
        s.value,
        s.context.slots.map((w) => w.status),
        s.context.incoming?.status,
        Math.min(s.context.retiring.length, 2),
      ]);
    };
    const paths = getShortestPaths(
      clusterMachine.provide({ actions: { publish: () => {} } }) as AnyActorLogic,
      {
        input: {
          id: 'web',
          name: 'web',
          spec: testSpec(),
          instances: 2,
          clock: new SimulatedClock(),
        },
        events,
        serializeState: key,
        limit: 2000,
      },
    );
    const reached = new Set(
      paths.map((p) => JSON.stringify((p.state as { value: unknown }).value)),
    );
    // `reloading.next` is transient (eventless), so never a resting state.
    const active = (health: string, operation: unknown) =>
      JSON.stringify({ managed: { active: { health, operation } } });
    expect([...reached].sort()).toEqual(
      [
        JSON.stringify({ managed: 'starting' }),
        active('ready', 'idle'),
        active('online', 'idle'),
        active('ready', { reloading: 'waiting' }),
        active('online', { reloading: 'waiting' }),
        JSON.stringify({ managed: 'stopping' }),
        '"stopped"',
        '"failed"',
      ].sort(),
    );
  });
});
