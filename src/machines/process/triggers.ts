/** What restarts a running process besides a crash: file changes, memory, the calendar. */
export interface WatchSettings {
  /** Absolute paths watched (files or folders, recursively). */
  paths: string[];
  /** Globs (relative to the cwd) left out, besides node_modules and .git. */
  ignore: string[];
  /** Changes within this long of each other make one restart. */
  delayMs: number;
}

export interface SupervisionTriggers {
  watch: WatchSettings | null;
  /** The heartbeat's resident set above this restarts it gracefully (not a failure). */
  maxMemoryBytes: number | null;
  /** A validated cron expression: restarted each time it fires. */
  cronRestart: string | null;
}

export const NO_TRIGGERS: Readonly<SupervisionTriggers> = Object.freeze({
  watch: null,
  maxMemoryBytes: null,
  cronRestart: null,
});

export const DEFAULT_WATCH_DELAY_MS = 500;
