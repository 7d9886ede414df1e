import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GuvClient } from '../../src/client/api.js';
import {
  eventually,
  fixture,
  guv,
  useSharedDaemon,
  startTracked,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome;
let client: GuvClient;

useSharedDaemon((shared) => {
  home = shared.home;
  client = shared.client;
});

const details = (name: string) => client.info(name);

describe('metrics and crash reports from a real daemon', () => {
  it('a CPU-busy process shows more than 50 % CPU in guv list', async () => {
    await startTracked(client, home, fixture('cpu-busy.js'), { name: 'busy' });
    await eventually(async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const row = (await client.listProcesses()).find((p) => p.name === 'busy');
      return (row?.cpu ?? 0) > 50;
    }, 'cpu > 50 %');
    await client.removeProcess('busy');
  });

  it('a process blocking its event loop for 200 ms shows it in the delay figures', async () => {
    await startTracked(client, home, fixture('block-loop.js'), { name: 'blocker' });
    // The wrapper's heartbeat carries the figures every 5 s.
    const metrics = await eventually(
      async () => (await details('blocker')).metrics,
      'a heartbeat',
      20_000,
    );
    expect(metrics.loopDelayP99Ms).toBeGreaterThan(150);
    expect(metrics.heapUsedBytes).toBeGreaterThan(0);
    const text = (await guv(home, ['info', 'blocker'])).stdout;
    expect(text).toMatch(/event loop delay\s+p50 [\d.]+ ms, p99 (\d+)/);
    await client.removeProcess('blocker');
  }, 40_000);

  it('an uncaught exception is stored with its stack, shown by guv exceptions, and named by guv why', async () => {
    await startTracked(client, home, fixture('uncaught-later.js'), {
      name: 'thrower',
      args: ['300'],
      policy: { maxFailures: 50 },
    });
    const stored = await eventually(
      async () => (await details('thrower')).lastException,
      'an exception',
    );
    expect(stored.error.message).toBe('boom later');
    expect(stored.error.stack).toContain('uncaught-later.js');
    expect(stored.handled).toBe(false);
    await eventually(async () => (await details('thrower')).lastExit, 'an exit');
    const exceptions = await guv(home, ['exceptions', 'thrower']);
    expect(exceptions.code).toBe(0);
    expect(exceptions.stdout).toContain('Error: boom later');
    expect(exceptions.stdout).toContain('uncaught-later.js');
    const why = await eventually(async () => {
      const out = (await guv(home, ['why', 'thrower'])).stdout;
      return /restarting at .* after exit code 1.*uncaught Error: boom later/.test(out)
        ? out
        : null;
    }, 'why naming the exception');
    expect(why).toContain('uncaught-later.js');
    await client.removeProcess('thrower');
  });

  it('guv heapdump --summary works for a process that never printed, and a bad path is one line', async () => {
    const script = join(home.dir, 'silent.js');
    writeFileSync(
      script,
      'const kept = Array.from({ length: 5000 }, (_, i) => ({ i })); setInterval(() => kept, 1 << 30);\n',
    );
    await startTracked(client, home, script, { name: 'silent' });
    const result = await guv(home, ['heapdump', 'silent', '--summary'], { timeoutMs: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [path, header] = result.stdout.split('\n');
    expect(path).toMatch(/logs\/silent\/heap-\d+\.heapsnapshot$/);
    expect(existsSync(path!)).toBe(true);
    expect(header).toMatch(/constructor\s+count\s+self size/);
    const bad = await guv(home, [
      'heapdump',
      'silent',
      join(home.dir, 'no/such/dir/x.heapsnapshot'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^guv: silent could not write a heap snapshot to .*ENOENT.*\n$/);
    await client.removeProcess('silent');
  }, 90_000);

  it('guv metrics prints OpenMetrics text for every process', async () => {
    await startTracked(client, home, fixture('hello.js'), { name: 'metered' });
    const result = await guv(home, ['metrics']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('guv_process_up{id=');
    expect(result.stdout).toMatch(/guv_process_up\{id="[^"]+",name="metered"\} 1/);
    expect(result.stdout.trimEnd().endsWith('# EOF')).toBe(true);
    await client.removeProcess('metered');
  });
});
