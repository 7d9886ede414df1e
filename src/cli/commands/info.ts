import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';
import { daemonInfo } from '../daemon-info.js';
import type { ProcessDetails } from '../../protocol/replies.js';
import { formatBytes, formatUptime } from '../format/units.js';

const finite = (value: number | undefined) => value !== undefined && Number.isFinite(value);

/**
 * `guv info [<p>] [--json]`: everything the daemon knows of one process, the last exit and its
 * cause included; without a process, the daemon itself and its optional listeners.
 */
const info: CliCommand<{ json?: boolean }> = async ({ args: [target], options: values }, io) => {
  if (target === undefined) return daemonInfo(io, values.json === true);
  const d = await withClient(io.env, (client) => client.info(target));
  if (values.json) {
    io.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
    return 0;
  }
  const m = d.metrics;
  const lines: [string, string][] = [
    ['name', `${d.name} [${d.id}]`],
    ['status', `${d.status}${d.pid === null ? '' : ` (pid ${d.pid})`}; wanted ${d.desired}`],
    ['uptime', formatUptime(d.uptime)],
    ['restarts', String(d.restarts)],
    ['cpu', d.cpu === null ? '-' : `${d.cpu}%`],
    ['memory', formatBytes(d.memory)],
    [
      'heap',
      m && finite(m.heapUsedBytes)
        ? `${formatBytes(m.heapUsedBytes)} of ${formatBytes(m.heapTotalBytes)}`
        : '-',
    ],
    [
      'event loop delay',
      m && finite(m.loopDelayP50Ms)
        ? `p50 ${m.loopDelayP50Ms.toFixed(1)} ms, p99 ${m.loopDelayP99Ms.toFixed(1)} ms`
        : '-',
    ],
    ['script', [d.definition.spec.script, ...d.definition.spec.args].join(' ')],
    ['cwd', d.definition.spec.cwd],
    [
      'interpreter',
      d.definition.spec.interpreter === 'none'
        ? 'none'
        : `${d.definition.spec.interpreter} ${d.definition.spec.execArgv.join(' ')}`.trim(),
    ],
    d.worker
      ? ['worker', `slot ${d.worker.index} of cluster ${d.worker.cluster} [${d.worker.clusterId}]`]
      : ['instances', d.instances === null ? '-' : String(d.instances)],
    [
      'last exit',
      d.lastExit
        ? `${new Date(d.lastExit.time).toISOString()} ${d.lastExit.signal ? `signal ${d.lastExit.signal}` : `code ${d.lastExit.code}`} → ${d.lastExit.status}`
        : '-',
    ],
    [
      'last exception',
      d.lastException
        ? `${new Date(d.lastException.time).toISOString()} ${d.lastException.error.name}: ${d.lastException.error.message}${d.lastException.handled ? ' (handled)' : ''}`
        : '-',
    ],
    ...triggerLines(d),
    ['logs', d.logFiles.join('\n                  ')],
  ];
  for (const [key, value] of lines) io.stdout.write(`${key.padEnd(17)} ${value}\n`);
  return 0;
};

/** Lines for the restart triggers and log options it was started with, when any. */
function triggerLines(d: ProcessDetails): [string, string][] {
  const lines: [string, string][] = [];
  const triggers = d.definition.triggers;
  if (triggers?.watch) {
    const ignoring =
      triggers.watch.ignore.length > 0 ? `, ignoring ${triggers.watch.ignore.join(' ')}` : '';
    lines.push([
      'watch',
      `${triggers.watch.paths.join(' ')}${ignoring} (${d.watching ? 'watching' : 'not watching now'})`,
    ]);
  }
  if (triggers?.maxMemoryBytes) lines.push(['memory limit', formatBytes(triggers.maxMemoryBytes)]);
  if (triggers?.cronRestart) {
    const next = d.cronNextAt === null ? 'not running' : new Date(d.cronNextAt).toISOString();
    lines.push(['cron restart', `${triggers.cronRestart} (next ${next})`]);
  }
  const logs = d.definition.logs;
  if (logs && !logs.time) lines.push(['log time', 'off (raw lines)']);
  if (logs?.outFile) lines.push(['out file', logs.outFile]);
  if (logs?.errorFile) lines.push(['error file', logs.errorFile]);
  return lines;
}

export default info;
