import { GuvError } from '../../errors.js';
import { CHART_NAMES, isChartName, loadChart } from '../../graph/charts.js';
import { GRAPH_FORMATS, isGraphFormat, renderGraph } from '../../graph/formats.js';
import { machineToGraph } from '../../graph/walk.js';
import type { CliCommand } from '../command.js';

/**
 * `guv graph <chart> [--format text|json|mermaid|dot|svg]`: writes the chart to `out`.
 *
 * @example
 * await graphCommand(['process'], 'mermaid', process.stdout);
 */
export async function graphCommand(
  charts: string[],
  format: string,
  out: NodeJS.WritableStream,
): Promise<number> {
  const [chart, ...extra] = charts;
  if (chart === undefined) {
    throw new GuvError('GUV_BAD_ARGUMENT', `missing chart name: choose ${CHART_NAMES.join(', ')}`);
  }
  if (extra.length > 0) {
    throw new GuvError('GUV_BAD_ARGUMENT', `one chart at a time, got "${charts.join('", "')}"`);
  }
  if (!isChartName(chart)) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `unknown chart "${chart}": choose ${CHART_NAMES.join(', ')}`,
    );
  }
  if (!isGraphFormat(format)) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `unknown format "${format}": choose ${GRAPH_FORMATS.join(', ')}`,
    );
  }
  const graph = machineToGraph(await loadChart(chart));
  out.write(await renderGraph(graph, format));
  return 0;
}

/** The {@link CliCommand} shape the table loads. */
const command: CliCommand<{ format: string }> = ({ args, options }, io) =>
  graphCommand(args, options.format, io.stdout);
export default command;
