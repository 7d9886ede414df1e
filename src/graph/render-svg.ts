import { renderDot } from './render-dot.js';
import type { ChartGraph } from './types.js';

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz')['instance']>>;

let viz: Promise<Viz> | undefined;

/**
 * SVG drawn by Graphviz (WASM, `@viz-js/viz`) from {@link renderDot}; the module is loaded on
 * first use only. Starts at `<svg` (no XML prologue) so it can be inlined in HTML.
 */
export async function renderSvg(graph: ChartGraph): Promise<string> {
  viz ??= import('@viz-js/viz')
    .then((module) => module.instance())
    .catch((error: unknown) => {
      viz = undefined;
      throw error;
    });
  const svg = (await viz).renderString(renderDot(graph), { format: 'svg' });
  return svg.slice(svg.indexOf('<svg'));
}
