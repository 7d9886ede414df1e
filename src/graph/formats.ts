import { renderDot } from './render-dot.js';
import { renderJson } from './render-json.js';
import { renderMermaid } from './render-mermaid.js';
import { renderText } from './render-text.js';
import type { ChartGraph } from './types.js';

export const GRAPH_FORMATS = ['text', 'json', 'mermaid', 'dot', 'svg'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export function isGraphFormat(value: string): value is GraphFormat {
  return (GRAPH_FORMATS as readonly string[]).includes(value);
}

/** Renders a graph in any format; only `svg` loads Graphviz. */
export async function renderGraph(graph: ChartGraph, format: GraphFormat): Promise<string> {
  switch (format) {
    case 'text':
      return renderText(graph);
    case 'json':
      return renderJson(graph);
    case 'mermaid':
      return renderMermaid(graph);
    case 'dot':
      return renderDot(graph);
    case 'svg': {
      const { renderSvg } = await import('./render-svg.js');
      return renderSvg(graph);
    }
  }
}
