import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupHome,
  daemonMain,
  eventually,
  fixture,
  guv,
  makeHome,
  processesRunning,
  startDaemon,
  startTracked,
  type TestHome,
  writeDaemonConfig,
} from '../helpers/daemon-harness.js';

// What the boot unit runs: the daemon's entry in the foreground, as systemd starts it.

let home: TestHome | undefined;
let daemon: ChildProcess | undefined;

afterEach(async () => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
  daemon = undefined;
  if (home) await cleanupHome(home);
  home = undefined;
}, 60_000);

/** The saved list after a clean stop (guv kill), with autoresume off so only --boot can restore. */
async function savedAfterCleanStop(home: TestHome): Promise<void> {
  writeDaemonConfig(home, { autoresume: false });
  const client = await startDaemon(home);
  await startTracked(client, home, fixture('hello.js'), { name: 'greeter' });
  expect((await guv(home, ['kill'])).code).toBe(0);
  await eventually(() => processesRunning(home, 'hello.js').length === 0, 'the stop');
  const saved = JSON.parse(readFileSync(home.processesFile, 'utf8'));
  expect(saved).toMatchObject({ cleanShutdown: true, processes: [{ desired: 'running' }] });
}

function foregroundDaemon(home: TestHome, args: string[]) {
  const child = spawn(process.execPath, [daemonMain, ...args], {
    env: home.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  daemon = child;
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exit };
}

describe('the daemon at boot (guv startup unit): saved processes come back (issue 16, boot)', () => {
  it('the daemon started with --boot, in the foreground, brings back the saved list once, even after a clean stop; SIGTERM stops it with status 0', async () => {
    home = makeHome();
    await savedAfterCleanStop(home);
    const booted = foregroundDaemon(home, ['--boot']);
    await eventually(
      () => processesRunning(home!, 'hello.js').length === 1,
      'the restored app',
      30_000,
    );
    const list = await guv(home, ['list']);
    expect(list.stdout.match(/greeter/g)).toHaveLength(1);
    // Restored once: still one child a moment later.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(processesRunning(home, 'hello.js')).toHaveLength(1);
    booted.child.kill('SIGTERM');
    expect(await booted.exit).toBe(0);
    expect(processesRunning(home, 'hello.js')).toHaveLength(0);
  }, 120_000);

  it('without --boot (a daemon started by a command), autoresume false keeps the clean-stopped list down', async () => {
    home = makeHome();
    await savedAfterCleanStop(home);
    const started = foregroundDaemon(home, []);
    const list = await eventually(async () => {
      const result = await guv(home!, ['list']);
      return result.code === 0 ? result : null;
    }, 'the daemon');
    expect(list.stdout).not.toMatch(/greeter\s+\d+\s+running/);
    expect(processesRunning(home, 'hello.js')).toHaveLength(0);
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
  }, 120_000);
});
