import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAllHomes, daemonMain, eventually, makeHome } from '../helpers/daemon-harness.js';

afterAll(cleanupAllHomes);

// Resident memory the daemon would pay for nothing it uses at boot: about 2 MiB each for crypto
// and worker_threads, ~0.4 MiB each for fs/promises and perf_hooks (each a dozen modules).
const NOT_AT_BOOT = ['crypto', 'worker_threads', 'fs/promises', 'perf_hooks', 'timers/promises'];

describe('the daemon at boot', () => {
  it(`loads none of ${NOT_AT_BOOT.join(', ')}`, async () => {
    const home = makeHome();
    const builtinsFile = join(home.dir, 'builtins.txt');
    const daemon = spawn(
      process.execPath,
      ['--require', join(import.meta.dirname, 'fixtures/record-builtins.cjs'), daemonMain],
      { env: { ...home.env, GUV_TEST_BUILTINS_FILE: builtinsFile }, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => daemon.once('exit', resolve));
    try {
      await eventually(() => existsSync(join(home.dir, 'run/guv.sock')), 'the daemon socket');
    } finally {
      daemon.kill('SIGTERM');
      await exited;
    }
    const loaded = readFileSync(builtinsFile, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule net');
    for (const name of NOT_AT_BOOT) expect(loaded).not.toContain(`NativeModule ${name}`);
  });
});
