/** One app as a process manager's list shows it, reduced to what the benches compare. */
export interface ListedApp {
  name: string;
  pid: number | null;
  /** guv's `running`, pm2's `online`. */
  running: boolean;
}

/**
 * A process manager driven through its own CLI, in a home of its own. Both tools get the same
 * calls, so the benches can treat them alike.
 */
export interface ManagerDriver {
  readonly tool: 'guv' | 'pm2';
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  /** The JSON list command (`guv list --json`, `pm2 jlist`), for timing it raw. */
  readonly listArgv: readonly string[];
  list(): Promise<ListedApp[]>;
  /** Starts one app with one CLI call. */
  start(script: string, name: string): Promise<void>;
  /** Starts many apps as fast as the tool's CLI allows; returns how (for the table's notes). */
  startMany(script: string, names: readonly string[]): Promise<string>;
  /** The daemon's pid from its pid file, or null when none is written. */
  daemonPid(): number | null;
  /**
   * Every process of the tool's own besides its apps: the daemon, and guv's keeper (which owns
   * the apps while daemons come and go).
   */
  ownPids(): number[];
  /** Stops the daemon and its apps with the tool's own command, then SIGKILLs any leftovers. */
  kill(): Promise<void>;
  /**
   * The tool's own "this pid is running" signal, when it has an event for it (guv's
   * `process:ready` through the API): records when each pid was reported.
   */
  watchReady?(): Promise<ReadyWatch>;
  /** {@link kill}, then removes the home. */
  dispose(): Promise<void>;
}

export interface ReadyWatch {
  /** When (monotonic ns) the tool reported `pid` running, if it has. */
  readyAt(pid: number): bigint | undefined;
  close(): Promise<void>;
}

/** Waits until `list` shows every name running; resolves with the listing. */
export async function allRunning(
  driver: ManagerDriver,
  names: readonly string[],
): Promise<ListedApp[] | undefined> {
  const apps = await driver.list();
  const running = new Set(apps.filter((app) => app.running).map((app) => app.name));
  return names.every((name) => running.has(name)) ? apps : undefined;
}

/**
 * The names of `count` copies of the idle fixture, as guv names one script started many times
 * (`idle`, `idle-1`, `idle-2`…); pm2 gets the same names from its ecosystem file.
 */
export function idleAppNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 'idle' : `idle-${i}`));
}
