import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { adoptedWorkers, isWorkerOf } from '../../src/cluster/kept-cluster.js';
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
