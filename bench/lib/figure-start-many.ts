import { type DaemonFigure, type DriverFactory, errorText, type Tool } from './figure.js';
import { allRunning } from './manager.js';
import { median, msSince, nowNs, sampleInterleaved } from './timing.js';

/**
 * Figure 5: from a fresh home with no daemon to `list` showing `count` apps running, starting
 * them as fast as each CLI allows. Seconds, with guv ÷ pm2 in the notes.
 */
export async function startManyFigure(
  factories: DriverFactory,
  tools: readonly Tool[],
  script: string,
  count: number,
  repetitions: number,
): Promise<DaemonFigure> {
  const names = Array.from({ length: count }, (_, i) => `idle-${i}`);
  const modes: Partial<Record<Tool, string>> = {};
  const cases: Record<string, () => Promise<number>> = {};
  for (const tool of tools) {
    cases[tool] = async () => {
      const driver = factories[tool]();
      try {
        const start = nowNs();
        modes[tool] = await driver.startMany(script, names);
        for (;;) if (await allRunning(driver, names)) break;
        return msSince(start) / 1000;
      } finally {
        await driver.dispose();
      }
    };
  }
  const errors: Record<string, string> = {};
  const samples = await sampleInterleaved(cases, repetitions, errors);
  const seconds = (tool: Tool) =>
    errors[tool] === undefined && (samples[tool]?.length ?? 0) > 0 ? median(samples[tool]!) : null;
  const guv = seconds('guv');
  const pm2 = seconds('pm2');
  const toolErrors: DaemonFigure['errors'] = {};
  for (const tool of tools)
    if (errors[tool] !== undefined) toolErrors[tool] = errorText(errors[tool]);
  const how = tools
    .filter((tool) => modes[tool])
    .map((tool) => `${tool}: ${modes[tool]}`)
    .join('; ');
  const versus = guv !== null && pm2 !== null ? `guv ÷ pm2 = ${(guv / pm2).toFixed(2)}×; ` : '';
  return {
    figure: `${count} apps from nothing to all running`,
    unit: 's',
    guv,
    pm2,
    goal: '≤ 0.6× pm2',
    issuePm2: '2.85 s',
    repetitions,
    how: `${versus}fresh home, daemon autostart included, until the JSON list shows all ${count} running (polled back to back); ${how}`,
    errors: toolErrors,
  };
}
