import { join } from 'node:path';
import { type DaemonFigure, errorText, type Tool } from './figure.js';
import type { ManagerDriver, ReadyWatch } from './manager.js';
import { markedPids, timePlainNodeStart, waitForNewMark } from './marks.js';
import { median, nowNs, sampleInterleaved, sleep, waitFor } from './timing.js';

/** An app the driver runs from a fixture that marks each start in `marksDir`. */
export interface MarkedDriver {
  driver: ManagerDriver;
  marksDir: string;
}

interface KillTiming {
  /** SIGKILL → the replacement's first line of code. */
  codeMs: number;
  /** SIGKILL → the tool's own ready event for the replacement, when it has one. */
  eventMs: number | null;
}

/**
 * SIGKILLs the app and returns the ms until its replacement's code ran, then waits until the
 * tool's own list shows the replacement running (so the next kill starts from a calm daemon).
 */
async function killAndTime(
  { driver, marksDir }: MarkedDriver,
  name: string,
  watch: ReadyWatch | undefined,
): Promise<KillTiming> {
  const app = (await driver.list()).find((entry) => entry.name === name);
  if (!app?.running || app.pid === null) throw new Error(`${driver.tool}: ${name} is not running`);
  const before = markedPids(marksDir);
  const start = nowNs();
  process.kill(app.pid, 'SIGKILL');
  const mark = await waitForNewMark(marksDir, before);
  const ms = Number(mark.ns - start) / 1e6;
  await waitFor(
    `${driver.tool} to list ${name}'s replacement`,
    async () =>
      (await driver.list()).some(
        (entry) => entry.name === name && entry.running && entry.pid === mark.pid,
      )
        ? true
        : undefined,
    { intervalMs: 50 },
  );
  const readyAt = watch?.readyAt(mark.pid);
  return { codeMs: ms, eventMs: readyAt === undefined ? null : Number(readyAt - start) / 1e6 };
}

/**
 * Figure 6: `kill -9` of a child → its replacement's code running, ÷ `node <fixture>` → its code
 * running. Each app is killed once, so every restart is a first restart (no crash backoff).
 */
export async function restartFigure(
  drivers: readonly MarkedDriver[],
  appNames: readonly string[],
  nodeMarksDir: string,
  setupErrors: DaemonFigure['errors'],
): Promise<DaemonFigure> {
  const errors: Record<string, string> = { ...setupErrors };
  const nodeScript = join(nodeMarksDir, '..', 'idle.cjs');
  const samples: Record<string, number[]> = { node: [] };
  const eventSamples: Record<string, number[]> = {};
  const watches = new Map<Tool, ReadyWatch>();
  try {
    for (const { driver } of drivers) {
      if (!driver.watchReady) continue;
      try {
        watches.set(driver.tool, await driver.watchReady());
      } catch (error) {
        errors[`${driver.tool} event`] = errorText(error);
      }
    }
    for (const marked of drivers) samples[marked.driver.tool] = [];
    for (const name of appNames) {
      const cases: Record<string, () => Promise<number>> = {
        node: () => timePlainNodeStart(nodeScript, nodeMarksDir),
      };
      for (const marked of drivers) {
        const tool = marked.driver.tool;
        cases[tool] = async () => {
          const timing = await killAndTime(marked, name, watches.get(tool));
          if (timing.eventMs !== null) {
            eventSamples[tool] = [...(eventSamples[tool] ?? []), timing.eventMs];
          }
          return timing.codeMs;
        };
      }
      const round = await sampleInterleaved(cases, 1, errors);
      for (const [key, values] of Object.entries(round)) samples[key]!.push(...values);
      await sleep(100);
    }
  } finally {
    for (const watch of watches.values()) await watch.close().catch(() => {});
  }
  const base = median(samples.node!);
  const ratio = (tool: Tool) =>
    errors[tool] === undefined && (samples[tool]?.length ?? 0) > 0
      ? median(samples[tool]!) / base
      : null;
  const raw = Object.entries(samples)
    .filter(([, values]) => values.length > 0)
    .map(([key, values]) => `${key} ${median(values).toFixed(0)} ms`)
    .join(', ');
  const events = Object.entries(eventSamples)
    .map(
      ([tool, values]) =>
        `; ${tool}'s own ready event came ${median(values).toFixed(0)} ms after the kill (median)`,
    )
    .join('');
  const eventErrors = Object.entries(errors)
    .filter(([key]) => key.endsWith(' event'))
    .map(([key, error]) => `; ${key} failed: ${error}`)
    .join('');
  const toolErrors: DaemonFigure['errors'] = {};
  for (const tool of ['guv', 'pm2'] as const) {
    if (errors[tool] !== undefined) toolErrors[tool] = errorText(errors[tool]);
  }
  return {
    figure: '`kill -9` of a child → replacement running ÷ plain `node` start',
    unit: '×node',
    guv: ratio('guv'),
    pm2: ratio('pm2'),
    goal: '≤ 1.15×',
    issuePm2: '1.66×',
    repetitions: appNames.length,
    how:
      'time from SIGKILL until the replacement’s first line of code runs (the fixture stamps the ' +
      `monotonic clock), vs spawn → first line for \`node fixture\`; one kill per app; medians: ${raw}${events}${eventErrors}`,
    errors: toolErrors,
  };
}
