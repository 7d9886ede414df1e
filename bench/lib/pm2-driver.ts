import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ListedApp, ManagerDriver } from './manager.js';
import { killLeftovers, pidsWithEnv } from './proc.js';
import { makeTempDir, removeDir } from './temp-dir.js';
import { runChecked, runCommand } from './timing.js';

const pm2Bin = fileURLToPath(new URL('../../node_modules/pm2/bin/pm2', import.meta.url));

interface Pm2JlistEntry {
  name: string;
  pid: number;
  pm2_env?: { status?: string };
}

/** pm2's JSON is the last line; a fresh home prints a banner before it. */
function parseJlist(stdout: string): ListedApp[] {
  const lines = stdout.trim().split('\n');
  const entries = JSON.parse(lines[lines.length - 1] ?? '[]') as Pm2JlistEntry[];
  return entries.map((entry) => ({
    name: entry.name,
    pid: entry.pid > 0 ? entry.pid : null,
    running: entry.pm2_env?.status === 'online',
  }));
}

/** pm2 7 in a private `PM2_HOME`, so a real `~/.pm2` is never touched. */
export function createPm2Driver(): ManagerDriver {
  const home = makeTempDir('bench-pm2');
  const env = { ...process.env, PM2_HOME: home };
  const pidFile = join(home, 'pm2.pid');
  const seen = new Set<number>();
  const cli = (...args: string[]) => runChecked([process.execPath, pm2Bin, ...args], { env });

  const daemonPid = (): number | null => {
    try {
      const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  };

  const driver: ManagerDriver = {
    tool: 'pm2',
    home,
    env,
    listArgv: [process.execPath, pm2Bin, 'jlist'],
    async list() {
      const apps = parseJlist((await cli('jlist')).stdout);
      for (const app of apps) if (app.pid !== null) seen.add(app.pid);
      const daemon = daemonPid();
      if (daemon !== null) seen.add(daemon);
      return apps;
    },
    async start(script, name) {
      await cli('start', script, '--name', name);
    },
    async startMany(script, names) {
      const file = join(home, `apps-${names.length}.config.cjs`);
      const apps = names.map((name) => ({ name, script }));
      writeFileSync(file, `module.exports = ${JSON.stringify({ apps })};\n`);
      await cli('start', file);
      return 'one `pm2 start` of an ecosystem file';
    },
    daemonPid,
    ownPids: () => [daemonPid()].filter((pid): pid is number => pid !== null),
    async kill() {
      const daemon = daemonPid();
      if (daemon !== null) seen.add(daemon);
      // `pm2 kill` on a home without a daemon would first spawn one.
      if (daemon !== null || existsSync(join(home, 'rpc.sock'))) {
        await runCommand([process.execPath, pm2Bin, 'kill'], { env });
      }
      killLeftovers([...seen, ...pidsWithEnv('PM2_HOME', home)]);
      seen.clear();
    },
    async dispose() {
      await driver.kill();
      removeDir(home);
    },
  };
  return driver;
}
