import { join } from 'node:path';
import type { HeartbeatFigures } from '../actors/wrapper/protocol.js';
import { createExceptionStore, type StoredException } from '../crash/exception-store.js';
import { describeRestart } from '../crash/restart-cause.js';
import type { HistoryEntry } from '../machines/history.js';
import { processMetrics } from '../metrics/collect.js';
import type { DaemonSampler } from '../metrics/daemon-sampler.js';
import type { MetricsEndpoint } from '../metrics/endpoint.js';
import { createMetricsHistory, sampleFromHeartbeat, sampleFromProc } from '../metrics/history.js';
import { type MetricsFormat, type ProcessMetrics, renderMetrics } from '../metrics/openmetrics.js';
import type { ProcessInfo, SerializedError } from '../types/info.js';
import type { DaemonLogger } from './daemon-log.js';
import type { GuvHome } from '../protocol/home.js';
import { createOptionalListener, type ListenerStatus } from './optional-listener.js';

/** One metered thing: a process, or a cluster worker (with its slot index). */
export interface MeteredProcess {
  id: string;
  info: ProcessInfo;
  worker?: number;
}

export interface ObservabilityOptions {
  home: GuvHome;
  log: DaemonLogger;
  /** Opt-in loopback port for `GET /metrics`; null keeps it off. */
  metricsPort: number | null;
  /** Everything to meter, at the moment of a scrape. */
  metered(): MeteredProcess[];
  /** The metrics endpoint could not listen: the daemon logs it and publishes it; it runs on. */
  reportListener(level: 'warn' | 'error', message: string, error: unknown): void;
}

/**
 * What an operator looks at when something is wrong: a bounded metrics history per process
 * (from heartbeats and /proc), the uncaught exceptions (persisted), the OpenMetrics text and
 * its opt-in endpoint, and heap summaries on a worker thread that exists only while needed.
 */
export function createObservability(options: ObservabilityOptions) {
  const history = createMetricsHistory();
  const exceptions = createExceptionStore({
    file: join(options.home.state, 'exceptions.json'),
    onWriteError: (error) => options.log.error({ err: error }, 'saving exceptions failed'),
  });
  // The daemon's own loop-delay histogram ticks every 20 ms: only once somebody scrapes. Its
  // module (node:perf_hooks) is loaded then too.
  let self: Promise<DaemonSampler> | null = null;
  const endpoint =
    options.metricsPort === null
      ? null
      : createOptionalListener<MetricsEndpoint>({
          name: 'metrics endpoint',
          open: async () => {
            const { createMetricsEndpoint } = await import('../metrics/endpoint.js');
            return createMetricsEndpoint({ port: options.metricsPort!, render });
          },
          url: (open) => open.url,
          close: (open) => open.close(),
          report: options.reportListener,
          opened: (url) => options.log.info({ url }, 'metrics endpoint listening'),
        });
  let pool: Promise<import('../heap/pool.js').HeavyWorkPool> | null = null;

  async function render(format: MetricsFormat): Promise<string> {
    self ??= import('../metrics/daemon-sampler.js').then(({ createDaemonSampler }) =>
      createDaemonSampler(),
    );
    const sampler = await self;
    const now = Date.now();
    const metered = options.metered();
    const processes: ProcessMetrics[] = metered.map((m) =>
      processMetrics(m.info, history.latest(m.id), now, m.worker),
    );
    return renderMetrics({ processes, daemon: sampler.read(metered.length) }, format);
  }

  return {
    history,
    exceptions,
    async start(): Promise<void> {
      const read = await exceptions.load();
      if (read.kind === 'corrupt')
        options.log.error({ err: read.error }, 'the exceptions file was corrupt; kept aside');
      // A port that is taken is reported and retried: the apps never wait on the metrics.
      await endpoint?.start();
    },
    /** `guv info`: off (no metricsPort), listening, or failed with the cause. */
    metricsStatus: (): ListenerStatus => endpoint?.status() ?? { state: 'off' },
    heartbeat(id: string, figures: HeartbeatFigures): void {
      history.record(id, sampleFromHeartbeat(figures, Date.now()));
    },
    /** A /proc sample, for children without guv's wrapper (no heartbeats). */
    procSample(id: string, figures: { cpu: number; memory: number }): void {
      history.record(id, sampleFromProc(figures, Date.now()));
    },
    exception(id: string, pid: number | null, error: SerializedError, handled: boolean): void {
      exceptions.add(id, { time: Date.now(), pid, handled, error });
    },
    /** Nothing handled the last exception: the process is about to exit. */
    fatal(id: string): void {
      const last = exceptions.last(id);
      if (last) last.handled = false;
    },
    /** `guv why` lines: each restart names the exception that caused it, when there was one. */
    why(id: string, entries: readonly HistoryEntry[]): string[] {
      const stored: readonly StoredException[] = exceptions.list(id);
      return entries.map((entry) => describeRestart(entry, stored));
    },
    forget(id: string): void {
      history.forget(id);
      exceptions.clear(id);
    },
    metricsText: render,
    /** Heap snapshot summaries run in a pool child process: the daemon's loop never stalls on them. */
    async summariseHeap(path: string, top: number) {
      pool ??= import('../heap/pool.js').then(({ createHeavyWorkPool }) =>
        createHeavyWorkPool({ runtime: 'child_process' }),
      );
      return (await pool).summariseHeap(path, { top });
    },
    async close(): Promise<void> {
      if (self) (await self).stop();
      await endpoint?.close();
      await exceptions.close();
      if (pool) await (await pool).destroy();
    },
  };
}

export type Observability = ReturnType<typeof createObservability>;
