import type { ManagerDriver } from './manager.js';

export type Tool = ManagerDriver['tool'];

/** One line of the daemon table: a figure measured for both tools in the same run. */
export interface DaemonFigure {
  figure: string;
  /** `×node` ratios, MiB, or seconds. */
  unit: '×node' | 'MiB' | '+MiB' | 's';
  guv: number | null;
  pm2: number | null;
  /** The target for guv, as issue 3 states it. */
  goal: string;
  /** pm2's figure as issue 3 measured it, for comparison with this machine's. */
  issuePm2: string;
  repetitions: number;
  /** How it was measured, and any raw medians behind a ratio. */
  how: string;
  /** Per-tool failures; a failed tool's cell stays empty. */
  errors: Partial<Record<Tool, string>>;
}

export type DriverFactory = Record<Tool, () => ManagerDriver>;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 300);
}

/**
 * Creates one driver per tool and runs `setup` on each; a tool whose setup throws is left out
 * (its driver disposed, its error kept) so the other tool is still measured.
 */
export async function setUpEach(
  factories: DriverFactory,
  tools: readonly Tool[],
  errors: Partial<Record<Tool, string>>,
  setup: (driver: ManagerDriver) => Promise<void>,
): Promise<ManagerDriver[]> {
  const ready: ManagerDriver[] = [];
  for (const tool of tools) {
    const driver = factories[tool]();
    try {
      await setup(driver);
      ready.push(driver);
    } catch (error) {
      errors[tool] = errorText(error);
      await driver.dispose().catch(() => {});
    }
  }
  return ready;
}

export async function disposeAll(drivers: readonly ManagerDriver[]): Promise<void> {
  for (const driver of drivers) await driver.dispose().catch(() => {});
}
