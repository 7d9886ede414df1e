import { type DaemonFigure, type DriverFactory, errorText, type Tool } from './figure.js';
import type { ManagerDriver } from './manager.js';
import { median, runChecked, sampleInterleaved } from './timing.js';

const nodeBaseline = [process.execPath, '-e', '0'];

async function timeChecked(argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return (await runChecked(argv, env ? { env } : {})).ms;
}

function ratios(
  samples: Record<string, number[]>,
  errors: Record<string, string>,
): { guv: number | null; pm2: number | null; raw: string } {
  const base = median(samples.node ?? []);
  const ratio = (tool: Tool) =>
    errors[tool] === undefined && (samples[tool]?.length ?? 0) > 0
      ? median(samples[tool]!) / base
      : null;
  const raw = Object.entries(samples)
    .filter(([, values]) => values.length > 0)
    .map(([name, values]) => `${name} ${median(values).toFixed(0)} ms`)
    .join(', ');
  return { guv: ratio('guv'), pm2: ratio('pm2'), raw };
}

function toolErrors(errors: Record<string, string>): DaemonFigure['errors'] {
  const out: DaemonFigure['errors'] = {};
  for (const tool of ['guv', 'pm2'] as const) {
    if (errors[tool] !== undefined) out[tool] = errorText(errors[tool]);
  }
  return out;
}

/** Figure 1: the JSON list command against a running daemon, ÷ `node -e 0`. */
export async function listFigure(
  drivers: readonly ManagerDriver[],
  appCount: number,
  repetitions: number,
  setupErrors: DaemonFigure['errors'],
): Promise<DaemonFigure> {
  const cases: Record<string, () => Promise<number>> = { node: () => timeChecked(nodeBaseline) };
  for (const driver of drivers) cases[driver.tool] = () => timeChecked(driver.listArgv, driver.env);
  const errors: Record<string, string> = { ...setupErrors };
  await sampleInterleaved(cases, 2, errors); // warm the page cache
  const samples = await sampleInterleaved(cases, repetitions, errors);
  const { guv, pm2, raw } = ratios(samples, errors);
  return {
    figure: '`list` with the daemon up ÷ `node -e 0`',
    unit: '×node',
    guv,
    pm2,
    goal: '≤ 1.3×',
    issuePm2: '2.5×',
    repetitions,
    how: `\`guv list --json\` vs \`pm2 jlist\`, ${appCount} idle apps each, wall time spawn→exit; medians: ${raw}`,
    errors: toolErrors(errors),
  };
}

/** Figure 2: the first command on a fresh home (daemon autostart included) ÷ `node -e 0`. */
export async function autostartFigure(
  factories: DriverFactory,
  tools: readonly Tool[],
  repetitions: number,
): Promise<DaemonFigure> {
  const cases: Record<string, () => Promise<number>> = { node: () => timeChecked(nodeBaseline) };
  for (const tool of tools) {
    cases[tool] = async () => {
      const driver = factories[tool]();
      try {
        const ms = await timeChecked(driver.listArgv, driver.env);
        if (driver.daemonPid() === null) throw new Error(`${tool}: no daemon after the first list`);
        return ms;
      } finally {
        await driver.dispose();
      }
    };
  }
  const errors: Record<string, string> = {};
  const samples = await sampleInterleaved(cases, repetitions, errors);
  const { guv, pm2, raw } = ratios(samples, errors);
  return {
    figure: 'first command, daemon autostart included ÷ `node -e 0`',
    unit: '×node',
    guv,
    pm2,
    goal: '≤ 3×',
    issuePm2: '6.4×',
    repetitions,
    how: `\`guv list --json\` / \`pm2 jlist\` on a fresh home, no daemon running (killed after each, untimed); medians: ${raw}`,
    errors: toolErrors(errors),
  };
}
