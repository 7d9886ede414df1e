import { type ChildProcess, spawn } from 'node:child_process';
import { type DaemonFigure, type DriverFactory, errorText, type Tool } from './figure.js';
import { allRunning, idleAppNames, type ManagerDriver } from './manager.js';
import { type MemoryParts, MiB, readMemoryParts, readRss } from './proc.js';
import { median, sleep, waitFor } from './timing.js';

interface MemorySample {
  /** The daemon with no apps, just after autostart. */
  idle: number;
  /** The daemon `settleMs` after all apps run (the tail of the burst of starts). */
  soon: number;
  /** The daemon `steadyMs` after all apps run: what 100 idle apps cost while they stay idle. */
  daemon: number;
  /** The daemon's memory split at the last sample. */
  parts: MemoryParts | null;
  /** Every process of the tool's own (guv: daemon and keeper) at the last sample: RSS and PSS summed. */
  own: { rss: number; pss: number; count: number };
  child: number;
  plain: number;
}

function medianRss(pids: readonly number[]): number {
  return median(pids.map(readRss).filter((rss): rss is number => rss !== null));
}

/** Starts `count` idle apps, lets them settle, then samples RSS a few times. */
async function measureTool(
  driver: ManagerDriver,
  script: string,
  names: readonly string[],
  plainPids: readonly number[],
  times: MemoryTimes,
): Promise<MemorySample> {
  await driver.list(); // autostarts the daemon
  await sleep(1000);
  const idlePid = driver.daemonPid();
  const idle = idlePid === null ? null : readRss(idlePid);
  if (idle === null) throw new Error(`${driver.tool}: no daemon after the first list`);
  await driver.startMany(script, names);
  const apps = await waitFor(
    `${driver.tool}: ${names.length} apps running`,
    () => allRunning(driver, names),
    {
      timeoutMs: 180_000,
      intervalMs: 250,
    },
  );
  const daemon = driver.daemonPid();
  if (daemon === null) throw new Error(`${driver.tool}: no daemon pid file`);
  const childPids = apps.map((app) => app.pid).filter((pid): pid is number => pid !== null);
  const allRunningAt = Date.now();
  const sampleDaemon = async (): Promise<number> => {
    const rss: number[] = [];
    for (let i = 0; i < 5; i++) {
      const value = readRss(daemon);
      if (value === null) throw new Error(`${driver.tool}: daemon ${daemon} is gone`);
      rss.push(value);
      await sleep(200);
    }
    return median(rss);
  };
  await sleep(times.settleMs);
  const soon = await sampleDaemon();
  await sleep(Math.max(0, allRunningAt + times.steadyMs - Date.now()));
  const samples: Array<{ child: number; plain: number }> = [];
  for (let i = 0; i < 5; i++) {
    samples.push({ child: medianRss(childPids), plain: medianRss(plainPids) });
    await sleep(100);
  }
  const steady = await sampleDaemon();
  const ownPids = driver.ownPids();
  const own = { rss: 0, pss: 0, count: ownPids.length };
  for (const pid of ownPids) {
    own.rss += readRss(pid) ?? 0;
    own.pss += readMemoryParts(pid)?.pss ?? 0;
  }
  return {
    idle,
    soon,
    daemon: steady,
    own,
    parts: readMemoryParts(daemon),
    child: median(samples.map((s) => s.child)),
    plain: median(samples.map((s) => s.plain)),
  };
}

export interface MemoryTimes {
  /** When the "soon" sample is taken, after all apps run. */
  settleMs: number;
  /** When the idle sample is taken, after all apps run. */
  steadyMs: number;
}

/**
 * Figures 3 and 4: daemon RSS with `count` idle apps, and a managed child's RSS over the same
 * fixture run by plain `node` (a few of those run alongside, sampled at the same moments).
 */
export async function memoryFigures(
  factories: DriverFactory,
  tools: readonly Tool[],
  script: string,
  count: number,
  times: MemoryTimes,
): Promise<DaemonFigure[]> {
  const names = idleAppNames(count);
  const plain: ChildProcess[] = Array.from({ length: 5 }, () =>
    spawn(process.execPath, [script], { stdio: 'ignore' }),
  );
  const results: Partial<Record<Tool, MemorySample>> = {};
  const errors: DaemonFigure['errors'] = {};
  try {
    const plainPids = plain
      .map((child) => child.pid)
      .filter((pid): pid is number => pid !== undefined);
    for (const tool of tools) {
      const driver = factories[tool]();
      try {
        results[tool] = await measureTool(driver, script, names, plainPids, times);
      } catch (error) {
        errors[tool] = errorText(error);
      } finally {
        await driver.dispose();
      }
    }
  } finally {
    for (const child of plain) child.kill('SIGKILL');
  }
  const mib = (value: number | undefined) => (value === undefined ? null : value / MiB);
  const plainNote = tools
    .filter((tool) => results[tool])
    .map(
      (tool) =>
        `${tool} child ${mib(results[tool]!.child)!.toFixed(1)} MiB vs node ${mib(results[tool]!.plain)!.toFixed(1)} MiB`,
    )
    .join('; ');
  const idleNote = tools
    .filter((tool) => results[tool])
    .map((tool) => `${tool} ${mib(results[tool]!.idle)!.toFixed(1)} MiB`)
    .join(', ');
  const partsNote = tools
    .filter((tool) => results[tool]?.parts)
    .map((tool) => {
      const parts = results[tool]!.parts!;
      return `${tool} ${mib(parts.anon)!.toFixed(1)} anonymous + ${mib(parts.file)!.toFixed(1)} file-backed (the node binary, shared), PSS ${mib(parts.pss)!.toFixed(1)} MiB`;
    })
    .join('; ');
  const seconds = (ms: number) => `${ms / 1000} s`;
  return [
    {
      figure: `daemon memory with ${count} idle apps`,
      unit: 'MiB',
      guv: mib(results.guv?.daemon),
      pm2: mib(results.pm2?.daemon),
      goal: '≤ 50 MiB',
      issuePm2: '77 MiB',
      repetitions: 5,
      how: `daemon VmRSS (guv: run/guv.pid, pm2: pm2.pid) ${seconds(times.steadyMs)} after all ${count} run, once both daemons have gone idle; median of 5 samples 200 ms apart; idle daemon before any app: ${idleNote}; with the apps: ${partsNote}`,
      errors,
    },
    {
      figure: `all of the manager's own processes with ${count} idle apps (guv: daemon + keeper), RSS`,
      unit: 'MiB',
      guv: mib(results.guv?.own.rss),
      pm2: mib(results.pm2?.own.rss),
      goal: '—',
      issuePm2: '—',
      repetitions: 1,
      how: `VmRSS summed at the last sample (node's binary pages, shared between them, count once per process here); PSS summed: ${tools
        .filter((tool) => results[tool])
        .map(
          (tool) =>
            `${tool} ${mib(results[tool]!.own.pss)!.toFixed(1)} MiB over ${results[tool]!.own.count} processes`,
        )
        .join(', ')}`,
      errors,
    },
    {
      figure: `daemon memory ${seconds(times.settleMs)} after the last of ${count} apps started`,
      unit: 'MiB',
      guv: mib(results.guv?.soon),
      pm2: mib(results.pm2?.soon),
      goal: '—',
      issuePm2: '—',
      repetitions: 5,
      how: 'the same daemons while the garbage of the burst of starts is still resident; median of 5 samples 200 ms apart',
      errors,
    },
    {
      figure: 'extra memory per child over plain `node`',
      unit: '+MiB',
      guv: results.guv ? mib(results.guv.child - results.guv.plain) : null,
      pm2: results.pm2 ? mib(results.pm2.child - results.pm2.plain) : null,
      goal: '≤ +3 MiB',
      issuePm2: '+11 MiB',
      repetitions: 5,
      how: `median VmRSS of the ${count} managed children − median VmRSS of 5 \`node fixture\` run alongside, same moments; ${plainNote}`,
      errors,
    },
  ];
}
