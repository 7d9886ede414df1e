import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { reachKeeper } from '../src/keeper/start-keeper.js';

export interface KeeperBenchRow {
  case: string;
  rssMiB: number;
  overNodeFloorMiB: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round((Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024) * 10) / 10;
}

/**
 * The keeper's resident memory (issue 17: at most 10 MiB over node's floor) with no child, with
 * 10 idle children, and with 10 children each writing 10 lines a second, against an idle node.
 */
export async function benchKeeper(): Promise<KeeperBenchRow[]> {
  const dir = mkdtempSync('/tmp/guv-keeper-bench-');
  const floor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)']);
  const keeper = await reachKeeper({ socketDir: dir, logsDir: dir, idleExitMs: 60_000 });
  const pid = keeper.facts.pid;
  const rows: KeeperBenchRow[] = [];
  const measure = async (label: string) => {
    await sleep(3000);
    const rss = rssMiB(pid);
    rows.push({
      case: label,
      rssMiB: rss,
      overNodeFloorMiB: Math.round((rss - rssMiB(floor.pid!)) * 10) / 10,
    });
  };
  try {
    await measure('no child');
    for (const [label, body] of [
      ['10 idle children', 'setInterval(() => {}, 1e9)'],
      ['10 children, 10 lines/s each', "setInterval(() => console.log('x'.repeat(80)), 100)"],
    ] as const) {
      const ids = Array.from({ length: 10 }, (_, i) => `${label.length}-${i}`);
      for (const id of ids) {
        await keeper.spawn(
          id,
          {
            command: process.execPath,
            args: ['-e', `process.on('message', () => {}); ${body}`],
            cwd: '/',
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
            uid: null,
            gid: null,
            stdin: 'pipe',
            ipc: true,
            maxIpcBytes: 1 << 20,
          },
          {
            name: id,
            workerIndex: null,
            cluster: false,
            maxBytes: 1 << 20,
            keep: 1,
            fileMode: 0o600,
            dirMode: 0o700,
            gid: null,
            time: true,
            userFiles: null,
          },
          null,
        );
      }
      await measure(label);
      for (const id of ids) await keeper.signal(id, 'SIGKILL');
    }
  } finally {
    await keeper.shutdown(1000).catch(() => {});
    floor.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
