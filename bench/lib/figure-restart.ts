import { join } from 'node:path';
import { type DaemonFigure, errorText, type Tool } from './figure.js';
import type { ManagerDriver } from './manager.js';
import { markedPids, timePlainNodeStart, waitForNewMark } from './marks.js';
import { median, nowNs, sampleInterleaved, sleep, waitFor } from './timing.js';

/** An app the driver runs from a fixture that marks each start in `marksDir`. */
export interface MarkedDriver {
  driver: ManagerDriver;
  marksDir: string;
}

/**
 * SIGKILLs the app and returns the ms until its replacement's code ran, then waits until the
 * tool's own list shows the replacement running (so the next kill starts from a calm daemon).
 */
async function killAndTime({ driver, marksDir }: MarkedDriver, name: string): Promise<number> {
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
  return ms;
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
  for (const marked of drivers) samples[marked.driver.tool] = [];
  for (const name of appNames) {
    const cases: Record<string, () => Promise<number>> = {
      node: () => timePlainNodeStart(nodeScript, nodeMarksDir),
    };
    for (const marked of drivers) cases[marked.driver.tool] = () => killAndTime(marked, name);
    const round = await sampleInterleaved(cases, 1, errors);
    for (const [key, values] of Object.entries(round)) samples[key]!.push(...values);
    await sleep(100);
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
      `monotonic clock), vs spawn → first line for \`node fixture\`; one kill per app; medians: ${raw}`,
    errors: toolErrors,
  };
}
