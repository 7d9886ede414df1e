import type { AnyStateMachine } from 'xstate';
import { GuvError } from '../errors.js';

/** The charts `guv graph` knows, each the name of its export in `src/machines/index.ts`. */
export const CHARTS = {
  process: 'processMachine',
  cluster: 'clusterMachine',
  worker: 'workerMachine',
  daemon: 'daemonMachine',
  app: 'appMachine',
} as const;

export type ChartName = keyof typeof CHARTS;
export const CHART_NAMES = Object.keys(CHARTS) as ChartName[];

export function isChartName(value: string): value is ChartName {
  return Object.hasOwn(CHARTS, value);
}

/**
 * Loads the machine behind a chart name, lazily, from the machines' public module.
 *
 * @example
 * const graph = machineToGraph(await loadChart('process'));
 */
export async function loadChart(name: ChartName): Promise<AnyStateMachine> {
  let machines: Record<string, unknown>;
  try {
    machines = (await import('../machines/index.js')) as Record<string, unknown>;
  } catch (cause) {
    throw new GuvError('GUV_CHART_UNAVAILABLE', `the "${name}" chart could not be loaded`, {
      cause,
    });
  }
  const machine = machines[CHARTS[name]];
  if (!isMachine(machine)) {
    throw new GuvError('GUV_CHART_UNAVAILABLE', `the "${name}" chart is not built into this guv`);
  }
  return machine;
}

function isMachine(value: unknown): value is AnyStateMachine {
  return typeof value === 'object' && value !== null && 'root' in value && 'transition' in value;
}
