import { type AnyActorRef, createActor, type InspectionEvent } from 'xstate';
import { discardStaging } from '../install.js';
import type { AppOperations } from '../operations.js';
import type { AppRegistry } from '../registry.js';
import type { BusEvent } from '../../bus/events.js';
import { GuvError } from '../../errors.js';
import type { AppClock, AppEvent } from '../../machines/app/app-machine.js';
import type { AppOperation, AppOutcome } from '../../machines/app/app-outcome.js';
import type { AppInfo } from '../../types/info.js';
import { type AppActor, provideAppChart } from './app-chart.js';
import { APP_TIMEOUTS_MS, type AppSuccess, waitForApp } from './app-wait.js';

/** Receives git and npm output of the operation a caller asked for. */
export type OutputSink = (chunk: string) => void;

export interface AppEntry {
  actor: AppActor;
  /** Shown by `lsapps` (false while a new install runs). */
  listed: boolean;
  sinks: Set<OutputSink>;
  /** The registry write of the last ref switch's checkout (made when the switch ended). */
  saving: Promise<void>;
}

export interface AppChartsOptions {
  appsRoot: string;
  ops: AppOperations;
  registry: AppRegistry;
  clock: AppClock;
  inspect?: (event: InspectionEvent) => void;
  onChart?(name: string, actor: AnyActorRef): void;
  onChartDropped?(name: string): void;
  publish(event: BusEvent): void;
  onChartError(name: string, error: unknown): void;
  timeoutsMs?: Partial<Record<AppOperation, number>>;
}

/**
 * The running app charts, one per app name: created, driven one request at a time (answered
 * from snapshots within APP_TIMEOUTS_MS), and dropped. The registry follows each ref switch's
 * outcome, even one whose caller stopped waiting.
 *
 * @example
 * const charts = createAppCharts({ appsRoot, ops, registry, clock, publish, onChartError });
 * const entry = charts.idle('web', { type: 'UPDATE_REFS' });
 * await charts.drive(entry, 'updateRefs', null, { type: 'UPDATE_REFS' });
 */
export function createAppCharts(options: AppChartsOptions) {
  const entries = new Map<string, AppEntry>();
  const timeouts = { ...APP_TIMEOUTS_MS, ...options.timeoutsMs };

  const appOf = (entry: AppEntry): AppInfo => entry.actor.getSnapshot().context.app;

  function create(app: AppInfo, listed: boolean, adopt: string | null = null): AppEntry {
    const actor: AppActor = createActor(provideAppChart(options.ops, adopt, options.publish), {
      input: { app, clock: options.clock },
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    options.onChart?.(app.name, actor);
    const entry: AppEntry = { actor, listed, sinks: new Set(), saving: Promise.resolve() };
    let saved: AppOutcome | null = null;
    actor.subscribe({
      // Kept in step with the chart even when the caller stopped waiting: a switch may revert.
      next: ({ context: { outcome } }) => {
        if (outcome?.operation !== 'setRef' || outcome === saved) return;
        saved = outcome;
        const { ref, commit } = outcome.app;
        entry.saving = options.registry.update(app.name, { ref, commit }).then(() => {});
        entry.saving.catch((error: unknown) => options.onChartError(app.name, error));
      },
      error: (error) => options.onChartError(app.name, error),
    });
    entries.set(app.name, entry);
    return entry;
  }

  /** Start the entry's chart (or send it `event`) and wait for the operation's outcome. */
  async function drive<O extends AppOperation>(
    entry: AppEntry,
    operation: O,
    sink: OutputSink | null,
    event?: AppEvent,
  ): Promise<AppSuccess<O>> {
    if (sink) entry.sinks.add(sink);
    try {
      if (event) entry.actor.send(event);
      else entry.actor.start();
      return await waitForApp(entry.actor, operation, appOf(entry).name, timeouts[operation]);
    } finally {
      if (sink) entry.sinks.delete(sink);
    }
  }

  function forget(name: string): void {
    entries.delete(name);
    options.onChartDropped?.(name);
  }

  /** Forget a new app's chart; one cut short (a timeout) stops, and its staging goes. */
  async function dropNew(entry: AppEntry): Promise<void> {
    const app = appOf(entry);
    forget(app.name);
    const cutShort = entry.actor.getSnapshot().status === 'active';
    entry.actor.stop();
    if (cutShort) await discardStaging({ app, appsRoot: options.appsRoot }).catch(() => {});
  }

  function installed(name: string): AppEntry {
    const entry = entries.get(name);
    if (!entry?.listed) throw new GuvError('GUV_APP_NOT_FOUND', `no app called "${name}"`);
    return entry;
  }

  /** The installed app's entry, if its chart takes `event` now; GUV_BUSY otherwise. */
  function idle(name: string, event: AppEvent): AppEntry {
    const entry = installed(name);
    const snapshot = entry.actor.getSnapshot();
    if (!snapshot.can(event)) {
      throw new GuvError(
        'GUV_BUSY',
        `app "${name}" cannot do that now: it is ${snapshot.context.state}`,
      );
    }
    return entry;
  }

  return {
    create,
    drive,
    forget,
    dropNew,
    installed,
    idle,
    appOf,
    has: (name: string): boolean => entries.has(name),
    get: (name: string): AppEntry | undefined => entries.get(name),
    /** Routes an app's git and npm output to the callers waiting on it. */
    output(name: string, chunk: string): void {
      for (const sink of entries.get(name)?.sinks ?? []) sink(chunk);
    },
    all: (): AppEntry[] => [...entries.values()],
  };
}

export type AppCharts = ReturnType<typeof createAppCharts>;
