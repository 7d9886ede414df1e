import type { ChartGraph } from './types.js';

/** The {@link ChartGraph} itself, pretty-printed, with a trailing newline. */
export function renderJson(graph: ChartGraph): string {
  return `${JSON.stringify(graph, null, 2)}\n`;
}
