import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { adoptedWorkers, isWorkerOf, lostWorkers } from '../../src/cluster/kept-cluster.js';
import { processStartedAt, startTimeToEpochMs } from '../../src/procfs/start-epoch.js';
import type { ChildFacts } from '../../src/keeper/protocol.js';

function facts(workers: ChildFacts['workers'], meta: unknown = null): ChildFacts {
  return {
    childId: 'web',
    pid: 100,
    startTime: '1',
    spawnedAt: 5000,
    ipc: true,
    logs: {
      name: 'web',
      workerIndex: null,
      cluster: true,
      maxBytes: 1,
      keep: 1,
      fileMode: 0o600,
      dirMode: 0o700,
      gid: null,
      time: true,
      userFiles: null,
    },
    meta,
    workers,
  };
}

const slot = (workerId: string, index: number, pid: number, startTime: string | null = 's') => ({
  workerId,
  slot: index,
  pid,
  startTime,
});

describe('the workers a new daemon adopts from a kept cluster manager', () => {
  it('keeps live workers of slots below the target, one per slot, with the restarts noted', () => {
    const dead = new Set([202]);
    const adopted = adoptedWorkers(
      facts(
        [
          slot('web.0', 0, 201),
          slot('web.1', 1, 202),
          slot('web.1.3', 1, 203),
          slot('web.1.4', 1, 204),
          slot('web.2', 2, 205),
        ],
        { restarts: 2, workers: { 'web.0': 4, 'web.1.3': 'x' } },
      ),
      (pid) => !dead.has(pid),
      2,
    );
    expect(adopted).toEqual([
      { workerId: 'web.0', index: 0, pid: 201, startedAt: 5000, restarts: 4 },
      { workerId: 'web.1.3', index: 1, pid: 203, startedAt: 5000, restarts: 0 },
    ]);
  });

  it('adopts no worker without a start time to check, nor with meta that is not ours', () => {
    expect(adoptedWorkers(facts([slot('web.0', 0, 201, null)]), () => true, 2)).toEqual([]);
    expect(
      adoptedWorkers(facts([slot('web.0', 0, 201)], { workers: 'nope' }), () => true, 2),
    ).toEqual([expect.objectContaining({ restarts: 0 })]);
  });

  it('a pid the manager names is adopted only if it is the manager’s own child', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const pid = child.pid as number;
      const { readProcessStartTime } = await import('../../src/procfs/process-identity.js');
      const start = readProcessStartTime(pid);
      expect(isWorkerOf(process.pid)(pid, start)).toBe(true);
      // Not a child of pid 1, nor this process under another start time.
      expect(isWorkerOf(1)(pid, start)).toBe(false);
      expect(isWorkerOf(process.pid)(pid, `${start}0`)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('issue 17: kept workers’ own facts', () => {
  it('an adopted worker started when the keeper saw it forked, not when its manager was spawned', () => {
    const adopted = adoptedWorkers(
      facts([{ ...slot('web.0', 0, 201), forkedAt: 9000 }], { restarts: 0, workers: {} }),
      () => true,
      1,
    );
    expect(adopted).toEqual([expect.objectContaining({ workerId: 'web.0', startedAt: 9000 })]);
  });

  it('without the keeper’s fork time, an adopted worker’s start is its own process start time', () => {
    const adopted = adoptedWorkers(
      facts([slot('web.0', 0, 201, '250')]),
      () => true,
      1,
      (startTime) => (startTime === '250' ? 7777 : null),
    );
    expect(adopted).toEqual([expect.objectContaining({ startedAt: 7777 })]);
  });

  it('a slot whose noted worker died while no daemon ran is lost: its restarts and its exit', () => {
    const kept = facts([slot('web.0', 0, 201)], {
      restarts: 0,
      workers: { 'web.0': 1, 'web.1.3': 4, 'web.2': 7 },
    });
    kept.workerExits = [
      {
        workerId: 'web.1.3',
        slot: 1,
        pid: 203,
        code: null,
        signal: 'SIGKILL',
        forkedAt: 6000,
        at: 8000,
      },
    ];
    const adopted = adoptedWorkers(kept, () => true, 2);
    expect(lostWorkers(kept, adopted, 2)).toEqual([
      {
        workerId: 'web.1.3',
        index: 1,
        restarts: 4,
        code: null,
        signal: 'SIGKILL',
        startedAt: 6000,
      },
    ]);
  });

  it('a lost worker the keeper kept no exit of is still lost (exit unknown); nothing else is', () => {
    const kept = facts([], { restarts: 0, workers: { 'web.0': 2, 'other.1': 3, 'web.x': 1 } });
    expect(lostWorkers(kept, [], 2)).toEqual([
      { workerId: 'web.0', index: 0, restarts: 2, code: null, signal: null, startedAt: null },
    ]);
    // No meta (a daemon that noted nothing): no slot is known to have lost a worker.
    expect(lostWorkers(facts([]), [], 2)).toEqual([]);
  });
});

describe('process start times as epoch ms', () => {
  it('converts /proc clock ticks since boot with the boot time', () => {
    expect(startTimeToEpochMs('250', 1_000_000)).toBe(1_002_500);
    expect(startTimeToEpochMs('x', 1_000_000)).toBeNull();
  });

  it('a live process started within the last seconds, by its own /proc start time', async () => {
    const { readProcessStartTime } = await import('../../src/procfs/process-identity.js');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const startedAt = processStartedAt(readProcessStartTime(child.pid as number));
      expect(Math.abs((startedAt as number) - Date.now())).toBeLessThan(5000);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
