import { type DaemonFigure, errorText, type Tool } from './figure.js';
import { allRunning, idleAppNames, type ManagerDriver } from './manager.js';
import { median, msSince, nowNs, sampleInterleaved } from './timing.js';

/** One way of starting the apps: a tool, and a driver whose `startMany` does it that way. */
export interface StartVariant {
  tool: Tool;
  /** Row label suffix; the first variant of each tool is the main row. */
  label: string;
  create: () => ManagerDriver;
}

/**
 * Figure 5: from a fresh home with no daemon to `list` showing `count` apps running, starting
 * them as fast as each way allows. One row per guv variant, each against pm2's (first) variant.
 */
export async function startManyFigures(
  variants: readonly StartVariant[],
  script: string,
  count: number,
  repetitions: number,
): Promise<DaemonFigure[]> {
  const names = idleAppNames(count);
  const modes: Record<string, string> = {};
  const cases: Record<string, () => Promise<number>> = {};
  for (const variant of variants) {
    const key = `${variant.tool} ${variant.label}`;
    cases[key] = async () => {
      const driver = variant.create();
      try {
        const start = nowNs();
        modes[key] = await driver.startMany(script, names);
        for (;;) if (await allRunning(driver, names)) break;
        return msSince(start) / 1000;
      } finally {
        await driver.dispose();
      }
    };
  }
  const errors: Record<string, string> = {};
  const samples = await sampleInterleaved(cases, repetitions, errors);
  const seconds = (key: string) =>
    errors[key] === undefined && (samples[key]?.length ?? 0) > 0 ? median(samples[key]!) : null;
  const pm2Variant = variants.find((variant) => variant.tool === 'pm2');
  const pm2Key = pm2Variant ? `pm2 ${pm2Variant.label}` : undefined;
  const pm2 = pm2Key ? seconds(pm2Key) : null;
  const guvVariants = variants.filter((variant) => variant.tool === 'guv');
  return (guvVariants.length > 0 ? guvVariants : [undefined]).map((variant) => {
    const guvKey = variant ? `guv ${variant.label}` : undefined;
    const guv = guvKey ? seconds(guvKey) : null;
    const versus = guv !== null && pm2 !== null ? `guv ÷ pm2 = ${(guv / pm2).toFixed(2)}×; ` : '';
    const how = [guvKey, pm2Key]
      .filter((key): key is string => key !== undefined && modes[key] !== undefined)
      .map((key) => `${key.split(' ')[0]}: ${modes[key]}`)
      .join('; ');
    const rowErrors: DaemonFigure['errors'] = {};
    if (guvKey && errors[guvKey]) rowErrors.guv = errorText(errors[guvKey]);
    if (pm2Key && errors[pm2Key]) rowErrors.pm2 = errorText(errors[pm2Key]);
    return {
      figure: `${count} apps from nothing to all running${variant?.label ? ` (guv ${variant.label})` : ''}`,
      unit: 's',
      guv,
      pm2,
      goal: '≤ 0.6× pm2',
      issuePm2: '2.85 s',
      repetitions,
      how: `${versus}fresh home, daemon autostart included, until the JSON list CLI shows all ${count} running (polled back to back); ${how}`,
      errors: rowErrors,
    } satisfies DaemonFigure;
  });
}
