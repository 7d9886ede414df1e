// pm2's app keys (lib/API/schema.json of pm2 7) by what guv does with them.

/** Keys guv maps onto its start options, with pm2's aliases spelled out to their main name. */
export const PM2_ALIASES: Readonly<Record<string, string>> = {
  exec: 'script',
  exec_interpreter: 'interpreter',
  interpreterArgs: 'node_args',
  interpreter_args: 'node_args',
  user: 'uid',
  out: 'out_file',
  output: 'out_file',
  out_log: 'out_file',
  error: 'error_file',
  err: 'error_file',
  err_file: 'error_file',
  err_log: 'error_file',
};

/** Keys guv understands (after aliases); every other key is named in a warning. */
export const PM2_MAPPED = new Set([
  'name',
  'script',
  'args',
  'node_args',
  'interpreter',
  'cwd',
  'instances',
  'exec_mode',
  'env',
  'autorestart',
  'max_restarts',
  'min_uptime',
  'restart_delay',
  'exp_backoff_restart_delay',
  'kill_timeout',
  'wait_ready',
  'listen_timeout',
  'uid',
  'gid',
  'watch',
  'ignore_watch',
  'watch_delay',
  'max_memory_restart',
  'cron_restart',
  'out_file',
  'error_file',
  'time',
]);

/** Top-level keys of an ecosystem file besides `apps`. */
export const PM2_TOP_LEVEL = new Set(['apps']);
