/** The two text formats a scraper may ask for. */
export type MetricsFormat = 'openmetrics' | 'prometheus';

export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What the renderer knows of one process or cluster worker. Absent figures are left out. */
export interface ProcessMetrics {
  id: string;
  name: string;
  /** The worker's slot index, for a cluster worker. */
  worker?: number | string;
  up: boolean;
  uptimeSeconds?: number;
  restarts: number;
  cpuPercent?: number;
  rssBytes?: number;
  heapUsedBytes?: number;
  heapTotalBytes?: number;
  loopDelayP50Seconds?: number;
  loopDelayP99Seconds?: number;
}

export interface DaemonMetrics {
  processes: number;
  uptimeSeconds?: number;
  rssBytes?: number;
  heapUsedBytes?: number;
  loopDelayP50Seconds?: number;
  loopDelayP99Seconds?: number;
}

export interface MetricsSnapshot {
  processes: readonly ProcessMetrics[];
  daemon?: DaemonMetrics;
}

type Kind = 'gauge' | 'counter' | 'summary';
type Labels = Readonly<Record<string, string>>;
interface Sample {
  labels: Labels;
  value: number;
}
interface Family {
  /** The family name; a counter's samples get `_total` appended. */
  name: string;
  kind: Kind;
  help: string;
  unit?: 'bytes' | 'seconds';
  samples: Sample[];
}

/**
 * Renders guv's metrics in the OpenMetrics 1.0 text format (ending in `# EOF`) or the older
 * Prometheus 0.0.4 text format. Pure; families without samples are left out.
 *
 * @example
 * renderMetrics({ processes: [{ id: 'a1', name: 'api', up: true, restarts: 0 }] }, 'openmetrics');
 */
export function renderMetrics(snapshot: MetricsSnapshot, format: MetricsFormat): string {
  const lines: string[] = [];
  for (const family of metricFamilies(snapshot)) {
    if (family.samples.length === 0) continue;
    const typeName =
      format === 'prometheus' && family.kind === 'counter' ? `${family.name}_total` : family.name;
    lines.push(`# HELP ${typeName} ${escapeHelp(family.help, format)}`);
    lines.push(`# TYPE ${typeName} ${family.kind}`);
    if (format === 'openmetrics' && family.unit) lines.push(`# UNIT ${typeName} ${family.unit}`);
    const sampleName = family.kind === 'counter' ? `${family.name}_total` : family.name;
    for (const sample of family.samples) {
      lines.push(`${sampleName}${renderLabels(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  if (format === 'openmetrics') lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function metricFamilies({ processes, daemon }: MetricsSnapshot): Family[] {
  const each = (pick: (p: ProcessMetrics) => number | undefined, extra: Labels = {}): Sample[] =>
    processes.flatMap((p) => {
      const value = pick(p);
      return value === undefined ? [] : [{ labels: { ...processLabels(p), ...extra }, value }];
    });
  const daemonSample = (value: number | undefined, labels: Labels = {}): Sample[] =>
    daemon && value !== undefined ? [{ labels, value }] : [];
  return [
    family(
      'guv_process_up',
      'gauge',
      '1 when the process is running, else 0.',
      each((p) => (p.up ? 1 : 0)),
    ),
    family(
      'guv_process_cpu_percent',
      'gauge',
      'CPU use over the last period, in percent of one core.',
      each((p) => p.cpuPercent),
    ),
    family(
      'guv_process_resident_memory_bytes',
      'gauge',
      'Resident set size.',
      each((p) => p.rssBytes),
      'bytes',
    ),
    family(
      'guv_process_heap_used_bytes',
      'gauge',
      'V8 heap in use.',
      each((p) => p.heapUsedBytes),
      'bytes',
    ),
    family(
      'guv_process_heap_total_bytes',
      'gauge',
      'V8 heap reserved.',
      each((p) => p.heapTotalBytes),
      'bytes',
    ),
    family(
      'guv_process_event_loop_delay_seconds',
      'summary',
      'Event-loop delay over the last period.',
      [
        ...each((p) => p.loopDelayP50Seconds, { quantile: '0.5' }),
        ...each((p) => p.loopDelayP99Seconds, { quantile: '0.99' }),
      ],
      'seconds',
    ),
    family(
      'guv_process_uptime_seconds',
      'gauge',
      'Time since the current run started.',
      each((p) => p.uptimeSeconds),
      'seconds',
    ),
    family(
      'guv_process_restarts',
      'counter',
      'Restarts since the process was added.',
      each((p) => p.restarts),
    ),
    family(
      'guv_daemon_processes',
      'gauge',
      'Processes the daemon manages.',
      daemonSample(daemon?.processes),
    ),
    family(
      'guv_daemon_uptime_seconds',
      'gauge',
      'Time since the daemon started.',
      daemonSample(daemon?.uptimeSeconds),
      'seconds',
    ),
    family(
      'guv_daemon_resident_memory_bytes',
      'gauge',
      "The daemon's resident set size.",
      daemonSample(daemon?.rssBytes),
      'bytes',
    ),
    family(
      'guv_daemon_heap_used_bytes',
      'gauge',
      "The daemon's V8 heap in use.",
      daemonSample(daemon?.heapUsedBytes),
      'bytes',
    ),
    family(
      'guv_daemon_event_loop_delay_seconds',
      'summary',
      "The daemon's event-loop delay.",
      [
        ...daemonSample(daemon?.loopDelayP50Seconds, { quantile: '0.5' }),
        ...daemonSample(daemon?.loopDelayP99Seconds, { quantile: '0.99' }),
      ],
      'seconds',
    ),
  ];
}

function family(
  name: string,
  kind: Kind,
  help: string,
  samples: Sample[],
  unit?: Family['unit'],
): Family {
  return unit ? { name, kind, help, samples, unit } : { name, kind, help, samples };
}

function processLabels(p: ProcessMetrics): Labels {
  return p.worker === undefined
    ? { id: p.id, name: p.name }
    : { id: p.id, name: p.name, worker: String(p.worker) };
}

function renderLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** Label values escape `\`, `"` and line feeds, in both formats. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

// Prometheus 0.0.4 escapes only `\` and line feeds in HELP; OpenMetrics escapes `"` as well.
function escapeHelp(text: string, format: MetricsFormat): string {
  const special = format === 'openmetrics' ? /[\\"\n]/g : /[\\\n]/g;
  return text.replace(special, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
