/**
 * One-line usages of the commands that do not read `--help` themselves: `guv <command> --help`
 * prints the line and never runs the command (`guv kill --help` must not stop the daemon).
 */
export const USAGES: Readonly<Record<string, string>> = {
  config: 'guv config [path]          the daemon settings (guv.json), or one of them',
  dump: 'guv dump                   save the process list now (restored by guv restore)',
  events: 'guv events [pattern] [--json]   print bus events as they happen (default "*")',
  heapdump:
    'guv heapdump <p> [file] [--summary] [--top N]   a heap snapshot (per worker in a cluster)',
  info: 'guv info [p|worker] [--json]   a process, a worker, or (without one) the daemon',
  kill: 'guv kill                   stop every process, save the list, and stop the daemon',
  list: 'guv list|ls [--json]       the processes and their workers',
  logs: 'guv logs [p] [--lines N] [--follow] [--level L] [--json] [--grep RE]',
  lsapps: 'guv lsapps                 the apps installed from git',
  metrics:
    "guv metrics [--prometheus]   every process's figures as OpenMetrics (or Prometheus) text",
  restore: 'guv restore                start the saved processes that are not running',
  ui: 'guv ui                     open the statechart visualiser (a one-time link)',
  upgrade: "guv upgrade                a new daemon takes over; the keeper's apps keep running",
};

/** True when `args` asks for help before any `--` (after which words belong to the app). */
export function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}
