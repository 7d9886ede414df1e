import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import { CHART_NAMES, isChartName, loadChart } from '../../graph/charts.js';
import { GRAPH_FORMATS, isGraphFormat, renderGraph } from '../../graph/formats.js';
import { machineToGraph } from '../../graph/walk.js';
import type { CliCommand } from '../command.js';

const usage = `usage: guv graph <${CHART_NAMES.join('|')}> [--format ${GRAPH_FORMATS.join('|')}]

Prints a statechart, generated from the machine guv runs (default format: text).`;

/**
 * `guv graph <chart> [--format text|json|mermaid|dot|svg]`: writes the chart to `out`.
 *
 * @example
 * await graphCommand(['process', '--format', 'mermaid'], process.stdout);
 */
export async function graphCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f', default: 'text' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    out.write(`${usage}\n`);
    return 0;
  }
  const [chart, ...extra] = positionals;
  if (chart === undefined) {
    throw new GuvError('GUV_BAD_ARGUMENT', `missing chart name: choose ${CHART_NAMES.join(', ')}`);
  }
  if (extra.length > 0) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `one chart at a time, got "${positionals.join('", "')}"`,
    );
  }
  if (!isChartName(chart)) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `unknown chart "${chart}": choose ${CHART_NAMES.join(', ')}`,
    );
  }
  const format = values.format;
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

/** The {@link CliCommand} shape the dispatcher loads. */
const command: CliCommand = (args, io) => graphCommand(args, io.stdout);
export default command;
