import type { FieldNames, StartField } from './start-options.js';

// How the CLI spells each start option: `guv start`'s flags are built from this table, and the
// messages that name an option (the parser's errors, the daemon's "exists already") use it.

export interface StartFlag {
  long: `--${string}`;
  short?: `-${string}`;
  /** The value's placeholder; none for a switch. */
  value?: string;
}

export const START_FLAGS = {
  name: { long: '--name', short: '-n', value: '<name>' },
  args: { long: '--argv', short: '-a', value: '<args>' },
  execArgv: { long: '--execArgv', short: '-e', value: '<flags>' },
  instances: { long: '--instances', short: '-i', value: '<n|max>' },
  user: { long: '--user', short: '-u', value: '<user>' },
  group: { long: '--group', short: '-g', value: '<group>' },
  debug: { long: '--debug', short: '-d' },
  cwd: { long: '--cwd', value: '<dir>' },
  env: { long: '--env', value: '<K=V|name>' },
  interpreter: { long: '--interpreter', value: '<cmd>' },
  restart: { long: '--restart', value: '<mode>' },
  killTimeoutMs: { long: '--kill-timeout', value: '<time>' },
  startTimeoutMs: { long: '--start-timeout', value: '<time>' },
  appReadiness: { long: '--wait-ready' },
  listenTimeoutMs: { long: '--listen-timeout', value: '<time>' },
  updateEnv: { long: '--update-env' },
  'policy.maxFailures': { long: '--max-restarts', value: '<n>' },
  'policy.windowMs': { long: '--restart-window', value: '<time>' },
  'policy.stableMs': { long: '--min-uptime', value: '<time>' },
  restartDelayMs: { long: '--restart-delay', value: '<time>' },
  expBackoffRestartDelayMs: { long: '--exp-backoff-restart-delay', value: '<time>' },
  watch: { long: '--watch', value: '[paths]' },
  ignoreWatch: { long: '--ignore-watch', value: '<globs>' },
  watchDelayMs: { long: '--watch-delay', value: '<time>' },
  maxMemoryBytes: { long: '--max-memory-restart', value: '<size>' },
  cronRestart: { long: '--cron-restart', value: '<cron>' },
  logTime: { long: '--log-time', value: '<bool>' },
  outFile: { long: '--out-file', value: '<path>' },
  errorFile: { long: '--error-file', value: '<path>' },
} as const satisfies Partial<Record<StartField, StartFlag>>;

export type StartFlagField = keyof typeof START_FLAGS;

/** For parseStartOptions: each field named by its long flag (`--kill-timeout`). */
export const START_FLAG_NAMES: FieldNames = Object.fromEntries(
  Object.entries(START_FLAGS).map(([field, flag]) => [field, flag.long]),
);

/** `-n, --name <name>`: the flag as commander and help spell it. */
export function startFlagSpelling(field: StartFlagField): string {
  const flag: StartFlag = START_FLAGS[field];
  const names = flag.short ? `${flag.short}, ${flag.long}` : flag.long;
  return flag.value ? `${names} ${flag.value}` : names;
}
