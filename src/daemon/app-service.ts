import type { AppSummary } from '../protocol/replies.js';
import { readdir, rm } from '../fs/async-fs.js';
import { join } from 'node:path';
import {
  type Actor,
  type AnyActorRef,
  createActor,
  fromPromise,
  type InspectionEvent,
} from 'xstate';
import type { RunAs } from '../actors/git/run-as.js';
import { resolveAppDir } from '../apps/app-dir.js';
import { type AppOperations, createAppOperations, type GitRef } from '../apps/operations.js';
import { pathExists } from '../apps/path-exists.js';
import { cloneForName } from '../apps/provisional-clone.js';
import { createAppRegistry } from '../apps/registry.js';
import { runAsForApp } from '../apps/run-as.js';
import { makeTraversable } from '../apps/traversable.js';
import { parseAppName, parseRef, parseRepoUrl } from '../apps/validate.js';
import type { BusEvent } from '../bus/events.js';
import { isGuvErrorCode } from '../error-codes.js';
import { GuvError } from '../errors.js';
import type { AppActorInput, AppCheckout, SwitchRefInput } from '../machines/app/app-actors.js';
import { type AppClock, type AppEvent, appMachine } from '../machines/app/app-machine.js';
import type { AppInfo, SerializedError } from '../types/info.js';

/** Receives git and npm output of the operation a caller asked for. */
export type OutputSink = (chunk: string) => void;

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
}

type AppActor = Actor<ReturnType<typeof provideChart>>;

interface Waiter {
  /** The event that ends the operation well; `app:failed` ends it badly. */
  success: BusEvent['type'];
  resolve(event: BusEvent): void;
  reject(error: GuvError): void;
}

interface AppEntry {
  actor: AppActor;
  /** Shown by `lsapps` (false while a new install runs). */
  listed: boolean;
  sinks: Set<OutputSink>;
  waiter: Waiter | null;
}

type Input = AppActorInput;

function provideChart(ops: AppOperations, adopt: string | null, publish: (e: BusEvent) => void) {
  return appMachine.provide({
    actors: {
      cloneRepo: fromPromise<AppCheckout, Input>(({ input, signal }) =>
        adopt === null
          ? ops.cloneRepo({ ...input, signal })
          : ops.adoptClone({ ...input, signal, repo: adopt }),
      ),
      installDependencies: fromPromise<unknown, Input>(({ input, signal }) =>
        ops.installDependencies({ ...input, signal }),
      ),
      updateRefs: fromPromise<string[], Input>(({ input, signal }) =>
        ops.updateRefs({ ...input, signal }),
      ),
      switchRef: fromPromise<AppCheckout, SwitchRefInput>(({ input, signal }) =>
        ops.switchRef({ ...input, signal }),
      ),
      removeFiles: fromPromise<unknown, Input>(({ input, signal }) =>
        ops.removeFiles({ ...input, signal }),
      ),
      discardInstall: fromPromise<unknown, Input>(({ input, signal }) =>
        ops.discardStaging({ ...input, signal }),
      ),
    },
    actions: { publish: (_, event: BusEvent) => publish(event) },
  });
}

/**
 * The daemon's installed apps: one app chart per app, keyed by name, driven by the real git
 * and npm operations and persisted in the registry file. Each operation resolves when its
 * chart publishes the outcome (`app:installed`, `app:refs:updated`, `app:refs:switched`,
 * `app:removed`) and rejects on `app:failed`.
 *
 * @example
 * const apps = createAppService({ appsRoot: home.apps, registryFile: home.appsFile, clock,
 *   publish: (e) => hub.emitEvent(e), onChartError: (name, err) => log.error(err) });
 * await apps.restore();
 * await apps.install({ url, name: null, user: null, ref: 'v1' }, (chunk) => send(chunk));
 */
export function createAppService(options: AppServiceOptions) {
  const registry = createAppRegistry(options.registryFile);
  const entries = new Map<string, AppEntry>();
  const runAsFor = options.runAsFor ?? ((app: { user: string | null }) => runAsForApp(app));
  const own = options.ownFolders ?? [options.appsRoot];
  const ops = createAppOperations({
    appsRoot: options.appsRoot,
    runAsFor,
    onOutput: (app, chunk) => {
      for (const sink of entries.get(app.name)?.sinks ?? []) sink(chunk);
    },
  });

  function onPublish(event: BusEvent): void {
    options.publish(event);
    const app = event.args[0] as AppInfo;
    const waiter = entries.get(app.name)?.waiter;
    if (!waiter) return;
    if (event.type === waiter.success) waiter.resolve(event);
    else if (event.type === 'app:failed') waiter.reject(failure(event.args[1] as SerializedError));
  }

  function createEntry(app: AppInfo, listed: boolean, adopt: string | null = null): AppEntry {
    const actor: AppActor = createActor(provideChart(ops, adopt, onPublish), {
      input: { app, clock: options.clock },
      ...(options.inspect ? { inspect: options.inspect } : {}),
    });
    options.onChart?.(app.name, actor);
    const entry: AppEntry = { actor, listed, sinks: new Set(), waiter: null };
    actor.subscribe({
      error: (error) => {
        options.onChartError(app.name, error);
        entry.waiter?.reject(
          new GuvError('GUV_CHART_FAILED', `the chart of app "${app.name}" failed`, {
            cause: error,
          }),
        );
      },
    });
    entries.set(app.name, entry);
    return entry;
  }

  /** Start the entry's chart (or send it `event`) and wait for the operation's outcome. */
  async function drive(
    entry: AppEntry,
    success: BusEvent['type'],
    sink: OutputSink | null,
    event?: AppEvent,
  ): Promise<BusEvent> {
    const outcome = new Promise<BusEvent>((resolve, reject) => {
      entry.waiter = { success, resolve, reject };
    });
    if (sink) entry.sinks.add(sink);
    try {
      if (event) entry.actor.send(event);
      else entry.actor.start();
      return await outcome;
    } finally {
      entry.waiter = null;
      if (sink) entry.sinks.delete(sink);
    }
  }

  function installedEntry(name: string): AppEntry {
    const entry = entries.get(name);
    if (!entry?.listed) throw new GuvError('GUV_APP_NOT_FOUND', `no app called "${name}"`);
    return entry;
  }

  function idleEntry(name: string, event: AppEvent): AppEntry {
    const entry = installedEntry(name);
    const snapshot = entry.actor.getSnapshot();
    if (!snapshot.can(event)) {
      throw new GuvError(
        'GUV_BUSY',
        `app "${name}" cannot do that now: it is ${snapshot.context.state}`,
      );
    }
    return entry;
  }

  async function assertNameFree(name: string): Promise<string> {
    const dir = await resolveAppDir(options.appsRoot, name);
    if (entries.has(name) || (await pathExists(dir))) throw nameTaken(name);
    return dir;
  }

  const appOf = (entry: AppEntry): AppInfo => entry.actor.getSnapshot().context.app;
  const get = (name: string): AppInfo => appOf(installedEntry(name));

  /** Keep the registry's ref and commit in step with the chart (a failed switch may revert). */
  async function saveCheckout(name: string, entry: AppEntry): Promise<void> {
    const { ref, commit } = appOf(entry);
    await registry.update(name, { ref, commit });
  }

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
        if (entries.has(app.name)) continue;
        if (app.commit === null) continue;
        createEntry(app, true).actor.start();
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
          ? await cloneForName({
              url,
              ref,
              appsRoot: options.appsRoot,
              runAs,
              onOutput: sink ?? undefined,
            })
          : null;
      try {
        const name = request.name ?? provisional!.name;
        const dir = await assertNameFree(name);
        // Checked again with no await before createEntry: a concurrent install may have won.
        if (entries.has(name)) throw nameTaken(name);
        const app: AppInfo = { name, url, user, ref, commit: null, dir };
        const entry = createEntry(app, false, provisional?.repo ?? null);
        try {
          await drive(entry, 'app:installed', sink);
        } catch (error) {
          entries.delete(name);
          options.onChartDropped?.(name);
          entry.actor.stop();
          throw error;
        }
        const installed = appOf(entry);
        try {
          await registry.add(installed);
        } catch (error) {
          entries.delete(name);
          options.onChartDropped?.(name);
          entry.actor.stop();
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
      return [...entries.values()]
        .filter((entry) => entry.listed)
        .map((entry) => {
          const snapshot = entry.actor.getSnapshot();
          return { ...snapshot.context.app, state: snapshot.context.state };
        });
    },

    /** The installed app called `name`; GUV_APP_NOT_FOUND otherwise. */
    get,

    has(name: string): boolean {
      return entries.get(name)?.listed === true;
    },

    async remove(name: string, sink: OutputSink | null): Promise<AppInfo> {
      const event: AppEvent = { type: 'REMOVE' };
      const entry = idleEntry(name, event);
      const removed = await drive(entry, 'app:removed', sink, event);
      entries.delete(name);
      options.onChartDropped?.(name);
      await registry.remove(name);
      return removed.args[0] as AppInfo;
    },

    async updateRefs(name: string, sink: OutputSink | null): Promise<GitRef[]> {
      const event: AppEvent = { type: 'UPDATE_REFS' };
      await drive(idleEntry(name, event), 'app:refs:updated', sink, event);
      return ops.listRefs({ app: get(name) });
    },

    async setRef(
      name: string,
      ref: string,
      sink: OutputSink | null,
    ): Promise<{ app: AppInfo; oldRef: string | null; newRef: string }> {
      const event: AppEvent = { type: 'SET_REF', ref: parseRef(ref) };
      const entry = idleEntry(name, event);
      try {
        const switched = await drive(entry, 'app:refs:switched', sink, event);
        const [app, oldRef, newRef] = switched.args as [AppInfo, string | null, string];
        return { app, oldRef, newRef };
      } finally {
        await saveCheckout(name, entry);
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
      for (const entry of entries.values()) entry.actor.stop();
    },
  };
}

export type AppService = ReturnType<typeof createAppService>;

/** `.clone-*` (provisional clones) and `.<name>.installing` (staging folders). */
async function removeLeftovers(appsRoot: string): Promise<void> {
  const names = await readdir(appsRoot).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => /^\.clone-/.test(name) || /^\..+\.installing$/.test(name))
      .map((name) => rm(join(appsRoot, name), { recursive: true, force: true })),
  );
}

function nameTaken(name: string): GuvError {
  return new GuvError('GUV_APP_EXISTS', `an app called "${name}" is already installed`);
}

function failure(error: SerializedError): GuvError {
  return new GuvError(isGuvErrorCode(error.code) ? error.code : 'GUV_APP_FAILED', error.message);
}
