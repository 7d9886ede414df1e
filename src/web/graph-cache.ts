import {
  type ChartGraph,
  isChartName,
  loadChart,
  machineToGraph,
  renderDot,
} from '../graph/index.js';
import type { ChartRegistry } from '../inspect/registry.js';

export interface ChartPicture {
  chart: string;
  graph: ChartGraph;
  /** Graphviz source; the page turns it into SVG once, in the browser. */
  dot: string;
}

/**
 * Each chart's graph and DOT, computed once. The machine comes from a tracked actor running the
 * chart (so provided implementations match), else from guv's own charts.
 */
export function createGraphCache(
  registry: Pick<ChartRegistry, 'machineOf'>,
): (chart: string) => Promise<ChartPicture | undefined> {
  const cache = new Map<string, Promise<ChartPicture | undefined>>();
  return (chart) => {
    if (!isChartName(chart)) return Promise.resolve(undefined);
    let picture = cache.get(chart);
    if (picture === undefined) {
      picture = (async () => {
        const machine = registry.machineOf(chart) ?? (await loadChart(chart));
        const graph = machineToGraph(machine);
        return { chart, graph, dot: renderDot(graph) };
      })();
      picture.catch(() => cache.delete(chart));
      cache.set(chart, picture);
    }
    return picture;
  };
}
