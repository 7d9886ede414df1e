import { describe, expect, it, vi } from 'vitest';
import type { WorkerState } from '../../src/cluster/cluster-view.js';
import type { ManagerLink } from '../../src/cluster/manager-link.js';
import type { WorkerReplies } from '../../src/cluster/worker-replies.js';
import { workerTargets } from '../../src/cluster/worker-targets.js';

function worker(index: number, pid: number | null): WorkerState {
  return {
    id: `c1.${index}`,
    index,
    name: `web#${index}`,
    pid,
    status: pid === null ? 'restarting' : 'running',
    restarts: 0,
    startedAt: pid === null ? null : 0,
    role: 'serving',
  };
}

function fakes() {
  const link = { signal: vi.fn(() => true) };
  const replies = {
    request: vi.fn(async (_id: string, body: { type: string; path?: string }) =>
      body.type === 'heapdump' ? body.path : body.type === 'send' ? true : undefined,
    ),
  };
  return {
    link,
    replies,
    as: [link as unknown as ManagerLink, replies as unknown as WorkerReplies] as const,
  };
}

describe('workerTargets: one live target per running worker of a cluster', () => {
  it('skips a worker with no process, and reaches the others through the manager by worker id', async () => {
    const { link, replies, as } = fakes();
    const targets = workerTargets('web', [worker(0, 11), worker(1, null), worker(2, 13)], ...as);
    expect(targets.map((t) => [t.worker, t.pid])).toEqual([
      [0, 11],
      [2, 13],
    ]);
    await expect(targets[1]!.send('ping', [1])).resolves.toBe(true);
    expect(replies.request).toHaveBeenCalledWith('c1.2', {
      type: 'send',
      event: 'ping',
      args: [1],
    });
    expect(targets[0]!.signal('SIGUSR2')).toBe(true);
    expect(link.signal).toHaveBeenCalledWith('c1.0', 'SIGUSR2');
    await targets[0]!.gc();
    expect(replies.request).toHaveBeenCalledWith('c1.0', { type: 'gc' });
    await expect(targets[0]!.heapdump('/tmp/h-worker0.heapsnapshot')).resolves.toBe(
      '/tmp/h-worker0.heapsnapshot',
    );
  });

  it('refuses input: workers read none', () => {
    const [target] = workerTargets('web', [worker(0, 11)], ...fakes().as);
    expect(() => target!.write('hello')).toThrow(
      expect.objectContaining({
        code: 'GUV_NOT_SUPPORTED',
        message: 'web is a cluster: its workers read no input',
      }),
    );
  });
});
