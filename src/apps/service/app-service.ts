import type { AppSummary } from '../../protocol/replies.js';
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { RunAs } from '../../actors/git/run-as.js';
import { resolveAppDir } from '../app-dir.js';
import { createAppOperations, type GitRef } from '../operations.js';
import { pathExists } from '../path-exists.js';
import { cloneForName } from '../provisional-clone.js';
import { createAppRegistry } from '../registry.js';
import { runAsForApp } from '../run-as.js';
import { makeTraversable } from '../traversable.js';
import { parseAppName, parseRef, parseRepoUrl } from '../validate.js';
import type { BusEvent } from '../../bus/events.js';
import { GuvError } from '../../errors.js';
import type { AppClock, AppEvent } from '../../machines/app/app-machine.js';
import type { AppOperation } from '../../machines/app/app-outcome.js';
import type { AppInfo } from '../../types/info.js';
import { createAppCharts, type OutputSink } from './app-charts.js';
import { removeLeftovers } from './app-leftovers.js';
import { APP_TIMEOUTS_MS, withinDeadline } from './app-wait.js';

export type { OutputSink } from './app-charts.js';

export interface InstallRequest {
  url: string;
  name: string | null;
  user: string | null;
  ref: string | null;
}

/** One row of `guv lsapps`: the app plus its chart's state (`installed` when idle). */
export type { AppSummary };

export interface AppServiceOptions {
  appsRoot: string;
  /**
   * Folders guv created that an app's user must pass through (the apps folder, the state folder
   * holding it in root's layout); default the apps folder. No other folder's mode is changed.
   */
  ownFolders?: readonly string[];
  /** Passed to createActor, so the visualiser sees the app charts' transitions. */
  inspect?: (event: InspectionEvent) => void;
  /** An app chart was created / dropped (for the visualiser's registry). */
  onChart?(name: string, actor: AnyActorRef): void;
  onChartDropped?(name: string): void;
  /** The registry file (home.appsFile). */
  registryFile: string;
  clock: AppClock;
  /** Publishes the charts' `app:*` events (the daemon's hub). */
  publish(event: BusEvent): void;
  onChartError(name: string, error: unknown): void;
  runAsFor?: (app: { user: string | null }) => Promise<RunAs | null>;
  /** How long each request waits for its chart's outcome; default APP_TIMEOUTS_MS. */
  timeoutsMs?: Partial<Record<AppOperation, number>>;
}

/**
 * The daemon's installed apps: one app chart per app, keyed by name, driven by the real git
 * and npm operations and persisted in the registry file. Each operation is answered from its
 * chart's snapshots (the outcome in its context), within APP_TIMEOUTS_MS; the chart publishes
 * the same outcome as `app:installed`, `app:refs:updated`, `app:refs:switched`, `app:removed`
 * or `app:failed`.
 *
 * @example
 * const apps = createAppService({ appsRoot: home.apps, registryFile: home.appsFile, clock,
 *   publish: (e) => hub.emitEvent(e), onChartError: (name, err) => log.error(err) });
 * await apps.restore();
 * await apps.install({ url, name: null, user: null, ref: 'v1' }, (chunk) => send(chunk));
 */
export function createAppService(options: AppServiceOptions) {
  const registry = createAppRegistry(options.registryFile);
  const runAsFor = options.runAsFor ?? ((app: { user: string | null }) => runAsForApp(app));
  const own = options.ownFolders ?? [options.appsRoot];
  const ops = createAppOperations({
    appsRoot: options.appsRoot,
    runAsFor,
    onOutput: (app, chunk) => charts.output(app.name, chunk),
  });
  const charts = createAppCharts({ ...options, ops, registry });
  const timeouts = { ...APP_TIMEOUTS_MS, ...options.timeoutsMs };

  async function assertNameFree(name: string): Promise<string> {
    const dir = await resolveAppDir(options.appsRoot, name);
    if (charts.has(name) || (await pathExists(dir))) throw nameTaken(name);
    return dir;
  }

  const get = (name: string): AppInfo => charts.appOf(charts.installed(name));

  return {
    /**
     * Recreate a chart, in `installed`, for every app in the registry, and delete what
     * installs cut short by a daemon's death left (no install runs yet at boot).
     */
    async restore(): Promise<void> {
      await removeLeftovers(options.appsRoot);
      const apps = await registry.list();
      if (apps.some((app) => app.user !== null)) await makeTraversable(options.appsRoot, own);
      for (const app of apps) {
        if (charts.has(app.name)) continue;
        if (app.commit === null) continue;
        charts.create(app, true).actor.start();
      }
    },

    /**
     * Clone, install dependencies, record. The name, when not given, comes from package.json
     * (read in a first clone that becomes the app's). A taken name is refused before any chart
     * runs, so a failing install can never touch an installed app.
     */
    async install(request: InstallRequest, sink: OutputSink | null): Promise<AppInfo> {
      const url = parseRepoUrl(request.url);
      const ref = request.ref === null ? null : parseRef(request.ref);
      const user = request.user;
      if (request.name !== null) await assertNameFree(parseAppName(request.name));
      const runAs = await runAsFor({ user });
      if (runAs) {
        const traveller = { uid: runAs.uid, gid: runAs.gid, name: user ?? undefined };
        await makeTraversable(options.appsRoot, own, traveller);
      }
      const provisional =
        request.name === null
          ? await withinDeadline(
              timeouts.install,
              `install of ${url} did not finish within ${timeouts.install} ms (cloning it to read its name)`,
              (signal) =>
                cloneForName({
                  url,
                  ref,
                  appsRoot: options.appsRoot,
                  runAs,
                  onOutput: sink ?? undefined,
                  signal,
                }),
            )
          : null;
      try {
        const name = request.name ?? provisional!.name;
        const dir = await assertNameFree(name);
        // Checked again with no await before createEntry: a concurrent install may have won.
        if (charts.has(name)) throw nameTaken(name);
        const app: AppInfo = { name, url, user, ref, commit: null, dir };
        const entry = charts.create(app, false, provisional?.repo ?? null);
        let installed: AppInfo;
        try {
          installed = (await charts.drive(entry, 'install', sink)).app;
        } catch (error) {
          await charts.dropNew(entry);
          throw error;
        }
        try {
          await registry.add(installed);
        } catch (error) {
          await charts.dropNew(entry);
          await ops.removeFiles({ app: installed }).catch(() => {});
          throw error;
        }
        entry.listed = true;
        return installed;
      } finally {
        await provisional?.discard();
      }
    },

    list(): AppSummary[] {
      return charts
        .all()
        .filter((entry) => entry.listed)
        .map((entry) => {
          const snapshot = entry.actor.getSnapshot();
          return { ...snapshot.context.app, state: snapshot.context.state };
        });
    },

    /** The installed app called `name`; GUV_APP_NOT_FOUND otherwise. */
    get,

    has(name: string): boolean {
      return charts.get(name)?.listed === true;
    },

    async remove(name: string, sink: OutputSink | null): Promise<AppInfo> {
      const event: AppEvent = { type: 'REMOVE' };
      const { app } = await charts.drive(charts.idle(name, event), 'remove', sink, event);
      charts.forget(name);
      await registry.remove(name);
      return app;
    },

    async updateRefs(name: string, sink: OutputSink | null): Promise<GitRef[]> {
      const event: AppEvent = { type: 'UPDATE_REFS' };
      await charts.drive(charts.idle(name, event), 'updateRefs', sink, event);
      return ops.listRefs({ app: get(name) });
    },

    async setRef(
      name: string,
      ref: string,
      sink: OutputSink | null,
    ): Promise<{ app: AppInfo; oldRef: string | null; newRef: string }> {
      const event: AppEvent = { type: 'SET_REF', ref: parseRef(ref) };
      const entry = charts.idle(name, event);
      try {
        const { app, oldRef, newRef } = await charts.drive(entry, 'setRef', sink, event);
        return { app, oldRef, newRef };
      } finally {
        await entry.saving;
      }
    },

    listRefs(name: string): Promise<GitRef[]> {
      return ops.listRefs({ app: get(name) });
    },

    async currentRef(name: string): Promise<{ ref: string | null; commit: string }> {
      return ops.currentRef({ app: get(name) });
    },

    /** Stop every chart (the daemon is exiting); files and registry stay. */
    stopAll(): void {
      for (const entry of charts.all()) entry.actor.stop();
    },
  };
}

export type AppService = ReturnType<typeof createAppService>;

function nameTaken(name: string): GuvError {
  return new GuvError('GUV_APP_EXISTS', `an app called "${name}" is already installed`);
}
