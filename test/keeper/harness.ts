import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toKeeperPlan } from '../../src/actors/child/keeper-child-actor.js';
import { planChildSpawn } from '../../src/actors/child/spawn-child.js';
import type { KeeperClient } from '../../src/keeper/client.js';
import type { KeeperSpawnPlan, LogTarget } from '../../src/keeper/protocol.js';
import { reachKeeper } from '../../src/keeper/start-keeper.js';
import type { ProcessSpec } from '../../src/machines/process/child-protocol.js';
import { fixture, makeHome, type TestHome } from '../helpers/daemon-harness.js';

export interface KeeperHome extends TestHome {
  socketDir: string;
  logsDir: string;
}

/** A private home with the folders a daemon would have made (0700). */
export function makeKeeperHome(): KeeperHome {
  const home = makeHome();
  const socketDir = join(home.dir, 'run');
  const logsDir = join(home.dir, 'logs');
  mkdirSync(socketDir, { mode: 0o700 });
  mkdirSync(logsDir, { mode: 0o700 });
  return { ...home, socketDir, logsDir };
}

/** Starts the home's keeper (the bundled dist/keeper/keeper.cjs) and connects to it. */
export function startKeeper(home: KeeperHome, idleExitMs = 60_000): Promise<KeeperClient> {
  return reachKeeper({
    socketDir: home.socketDir,
    logsDir: home.logsDir,
    idleExitMs,
    // Marks the keeper for cleanupHome's sweep.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GUV_TEST_HOME: home.dir },
  });
}

export function keeperSpec(home: KeeperHome, overrides: Partial<ProcessSpec> = {}): ProcessSpec {
  return {
    script: fixture('keeper-child.js'),
    args: [],
    execArgv: [],
    interpreter: 'node',
    cwd: home.dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GUV_TEST_HOME: home.dir },
    user: null,
    group: null,
    appReadiness: false,
    ...overrides,
  };
}

/** The plan the daemon would send for `spec`: through guv's wrapper for a node script. */
export async function planFor(id: string, spec: ProcessSpec): Promise<KeeperSpawnPlan> {
  return toKeeperPlan(await planChildSpawn(id, spec, { heartbeatMs: 0 }));
}

/** A plain node child with an IPC channel but no wrapper: its messages relay as they are. */
export function plainPlan(home: KeeperHome): KeeperSpawnPlan {
  return {
    command: process.execPath,
    args: [fixture('keeper-child.js')],
    cwd: home.dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GUV_TEST_HOME: home.dir },
    uid: null,
    gid: null,
    stdin: 'pipe',
    ipc: true,
    maxIpcBytes: 1024 * 1024,
  };
}

export function logsFor(name: string): LogTarget {
  return {
    name,
    workerIndex: null,
    cluster: false,
    maxBytes: 10 << 20,
    keep: 2,
    fileMode: 0o600,
    dirMode: 0o700,
    gid: null,
    time: true,
    userFiles: null,
  };
}

export function readLog(home: KeeperHome, name: string, file = 'out.log'): string {
  try {
    return readFileSync(join(home.logsDir, name, file), 'utf8');
  } catch {
    return '';
  }
}

/** The highest `tick N` in a log text (0 when none). */
export function lastTick(text: string): number {
  const ticks = [...text.matchAll(/tick (\d+)/g)].map((match) => Number(match[1]));
  return ticks.length === 0 ? 0 : Math.max(...ticks);
}
