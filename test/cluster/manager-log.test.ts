import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterInfo } from '../../src/types/info.js';
import {
  cleanupHome,
  fixture,
  makeHome,
  recordEvents,
  startDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome | undefined;

afterEach(async () => {
  if (home) await cleanupHome(home);
  home = undefined;
}, 60_000);

const message = (e: { args: unknown[] }) => String((e.args[1] as { message?: string })?.message);

describe("a cluster manager's own log lines (seed: cluster:log:warn|debug (clusterInfo, log))", () => {
  it('finding: the manager forking its workers publishes cluster:log:debug (clusterInfo, log)', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    const events = await recordEvents(client, 'cluster:log:*');
    await startTracked(client, home, fixture('hello.js'), { name: 'chatty', instances: 2 });
    const debug = await events.waitFor(
      (e) => e.type === 'cluster:log:debug' && /forked worker/.test(message(e)),
      'cluster:log:debug about a forked worker',
    );
    expect((debug.args[0] as ClusterInfo).name).toBe('chatty');
    expect(debug.args[1]).toEqual({ date: expect.any(Number), message: expect.any(String) });
  }, 60_000);

  it('finding: a worker message the manager will not relay (over its cap) publishes cluster:log:warn', async () => {
    home = makeHome();
    const client = await startDaemon(home);
    const events = await recordEvents(client, 'cluster:log:*');
    await startTracked(client, home, fixture('cluster-oversized.js'), {
      name: 'loud',
      instances: 1,
    });
    const warn = await events.waitFor(
      (e) => e.type === 'cluster:log:warn' && /dropped a message of worker/.test(message(e)),
      'cluster:log:warn about the dropped worker message',
    );
    expect((warn.args[0] as ClusterInfo).name).toBe('loud');
    expect(message(warn)).toMatch(/over 1048576/);
  }, 60_000);
});
