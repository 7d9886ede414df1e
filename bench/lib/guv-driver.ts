import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveHome } from '../../src/protocol/home.js';
import type { ListedApp, ManagerDriver } from './manager.js';
import { killLeftovers, pidsWithEnv } from './proc.js';
import { makeTempDir, removeDir } from './temp-dir.js';
import { nowNs, runChecked, runCommand } from './timing.js';

const guvBin = fileURLToPath(new URL('../../bin/guv.js', import.meta.url));

interface GuvListEntry {
  name: string;
  pid: number | null;
  status: string;
}

export interface GuvDriverOptions {
  /** How `startMany` starts apps: `guv start` per app (default) or one API connection. */
  startVia?: 'cli' | 'cli-each' | 'api';
  /** How many `guv start` run at once. */
  parallelStarts?: number;
}

type GuvApi = typeof import('../../src/index.js');

/** The built package, as a user imports it. */
function loadApi(): Promise<GuvApi> {
  return import(new URL('../../dist/index.js', import.meta.url).href) as Promise<GuvApi>;
}

/** guv's built CLI (`bin/guv.js` → dist) with `GUV_HOME` set to a private temp folder. */
export function createGuvDriver(options: GuvDriverOptions = {}): ManagerDriver {
  const home = makeTempDir('bench-guv');
  const env = { ...process.env, GUV_HOME: home };
  // src/protocol/home.ts: with GUV_HOME the lock (JSON holding the pid) is run/guv.pid.
  const pidFile = join(home, 'run', 'guv.pid');
  const keeperPidFile = join(resolveHome(env).socketDir, 'keeper.pid');
  // GUV_BENCH_KEEPER=off: the same figures without the keeper (guv.json "keeper": false), to
  // tell its cost from the machine's mood.
  if (process.env.GUV_BENCH_KEEPER === 'off') {
    const { config } = resolveHome(env);
    mkdirSync(config, { recursive: true, mode: 0o700 });
    writeFileSync(join(config, 'guv.json'), JSON.stringify({ keeper: false }));
  }
  const seen = new Set<number>();
  const cli = (...args: string[]) => runChecked([process.execPath, guvBin, ...args], { env });
  const parallel = options.parallelStarts ?? 50;

  const pidIn = (file: string): number | null => {
    try {
      const { pid } = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown };
      return typeof pid === 'number' && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  };
  const daemonPid = () => pidIn(pidFile);

  const driver: ManagerDriver = {
    tool: 'guv',
    home,
    env,
    listArgv: [process.execPath, guvBin, 'list', '--json'],
    async list() {
      const entries = JSON.parse((await cli('list', '--json')).stdout) as GuvListEntry[];
      const apps: ListedApp[] = entries.map((entry) => ({
        name: entry.name,
        pid: entry.pid,
        running: entry.status === 'running',
      }));
      for (const app of apps) if (app.pid !== null) seen.add(app.pid);
      const daemon = daemonPid();
      if (daemon !== null) seen.add(daemon);
      return apps;
    },
    ownPids: () => [daemonPid(), pidIn(keeperPidFile)].filter((pid): pid is number => pid !== null),
    async start(script, name) {
      await cli('start', script, '--name', name);
    },
    async startMany(script, names) {
      if (options.startVia === 'api') {
        const { connectOrStart } = await loadApi();
        const client = await connectOrStart({ home });
        try {
          await Promise.all(names.map((name) => client.startProcess(script, { name })));
        } finally {
          await client.disconnect();
        }
        return 'one API connection (`connectOrStart`), every `startProcess` at once';
      }
      if (options.startVia !== 'cli-each') {
        // One `guv start` with every script (guv names them idle, idle-1, …), like pm2's one
        // `pm2 start ecosystem.config.js`.
        await cli('start', ...names.map(() => script));
        return 'one `guv start` naming all the scripts';
      }
      const queue = [...names];
      const worker = async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          await driver.start(script, name);
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, names.length) }, worker));
      return parallel >= names.length
        ? 'one `guv start` per app, all at once'
        : `one \`guv start\` per app, ${parallel} at a time`;
    },
    daemonPid,
    async watchReady() {
      const { connect } = await loadApi();
      const client = await connect({ home });
      const seenAt = new Map<number, bigint>();
      await client.on('process:ready', (info) => {
        if (info.pid !== null && !seenAt.has(info.pid)) seenAt.set(info.pid, nowNs());
      });
      return { readyAt: (pid) => seenAt.get(pid), close: () => client.disconnect() };
    },
    async kill() {
      for (const pid of driver.ownPids()) seen.add(pid);
      await runCommand([process.execPath, guvBin, 'kill'], { env });
      killLeftovers([...seen, ...pidsWithEnv('GUV_HOME', home)]);
      seen.clear();
    },
    async dispose() {
      await driver.kill();
      removeDir(home);
    },
  };
  return driver;
}
