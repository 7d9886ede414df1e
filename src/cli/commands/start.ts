import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import {
  type FieldNames,
  parseStartOptions,
  type StartRequest,
} from '../../protocol/start-options.js';
import { startWaves } from '../../config/guv-config.js';
import { appsFileEnv, appsFileOf, planAppsFile, printWarnings } from '../apps-file.js';
import type { CliCommand, CliIO } from '../command.js';
import { withClient } from '../connect.js';
import { printable } from '../errors.js';
import { printOutcome } from '../format/start-outcome.js';
import { inlineOptionValues, parseEnvPairs, splitArgv } from '../parse-options.js';

const HELP = `usage: guv start <script|command|name|app>… [options] [-- script arguments]
       guv start <apps file> [--env <name>] [--env K=V]
  several scripts start several processes at once (each named after its script)
  a command that is not a file here is looked up on PATH: guv start npm -- start,
  or guv start "npm run start"
  an apps file (pm2's ecosystem.config.js, .cjs, .mjs or .json, or guv.config.js/.json)
  starts every app it lists; --env <name> applies each app's env_<name>
  -n, --name <name>          process name (default: the script's)
  -a, --argv "<args>"        arguments for the script
  -e, --execArgv "<flags>"   node flags (e.g. "--max-old-space-size=256"), or the interpreter's
  -i, --instances <n|max>    run a cluster of n workers
  -u, --user <user>          run as this user (daemon must be root)
  -g, --group <group>        run with this group (daemon must be root)
  -d, --debug                start paused, waiting for a debugger
      --cwd <dir>            working directory (default: here)
      --env K=V              environment variable (repeatable)
      --interpreter <cmd>    node, none (run the file itself), bash, python3, tsx, or a path;
                             by default .js runs under node, .ts under node with the
                             project's tsx, .sh under bash, .py under python3
      --restart <mode>       always (default), on-failure or never
      --kill-timeout <time>  grace period between the stop signal and SIGKILL
      --start-timeout <time> time to become ready before the start counts as failed
      --wait-ready           the app signals readiness itself: process.send('ready')
      --listen-timeout <time> with --wait-ready: treat it as ready after this long, with a warning (default 3s)
      --update-env           of a started process: restart it with this environment (as --env does)
      --max-restarts <n>     more than n failures within the window abort it (default 10)
      --restart-window <time> the failure window (default 10m)
      --min-uptime <time>    a run this long is stable and resets the count (default 30s)
      --restart-delay <time> wait this long before every automatic restart (pm2's restart_delay)
      --exp-backoff-restart-delay <time>
                             wait this long before the first automatic restart, then ×1.5 each
                             time up to 15s; reset after --min-uptime
      --watch[=<paths>]      restart when a file changes under the cwd (or these comma-separated
                             paths); a cluster reloads; node_modules and .git are never watched
      --ignore-watch <globs> comma-separated globs not watched (repeatable), e.g. "*.log,tmp"
      --watch-delay <time>   changes this close together make one restart (default 500ms)
      --max-memory-restart <size>
                             restart gracefully when its memory (RSS) passes this: 300M, 1G
      --cron-restart "<cron>" restart at these times: 5 fields, or 6 with seconds first
      --log-time <bool>      false: write output lines as they come, without guv's time prefix
      --out-file <path>      also write standard output to this file (opened as the app's user)
      --error-file <path>    also write standard error to this file (opened as the app's user)
  <time>: milliseconds, or 500ms, 2s, 10m, 1h`;

/** `guv start`'s options, for parseArgs. */
const OPTIONS = {
  name: { type: 'string', short: 'n' },
  argv: { type: 'string', short: 'a' },
  execArgv: { type: 'string', short: 'e' },
  instances: { type: 'string', short: 'i' },
  user: { type: 'string', short: 'u' },
  group: { type: 'string', short: 'g' },
  debug: { type: 'boolean', short: 'd' },
  cwd: { type: 'string' },
  env: { type: 'string', multiple: true },
  interpreter: { type: 'string' },
  restart: { type: 'string' },
  'kill-timeout': { type: 'string' },
  'start-timeout': { type: 'string' },
  'wait-ready': { type: 'boolean' },
  'listen-timeout': { type: 'string' },
  'update-env': { type: 'boolean' },
  'max-restarts': { type: 'string' },
  'restart-window': { type: 'string' },
  'min-uptime': { type: 'string' },
  'restart-delay': { type: 'string' },
  'exp-backoff-restart-delay': { type: 'string' },
  watch: { type: 'boolean' },
  'watch-paths': { type: 'string', multiple: true },
  'ignore-watch': { type: 'string', multiple: true },
  'watch-delay': { type: 'string' },
  'max-memory-restart': { type: 'string' },
  'cron-restart': { type: 'string' },
  'log-time': { type: 'string' },
  'out-file': { type: 'string' },
  'error-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** How the parser's errors name each option: by its flag. */
const FLAG_NAMES: FieldNames = {
  name: '--name',
  args: '--argv',
  execArgv: '--execArgv',
  instances: '--instances',
  user: '--user',
  group: '--group',
  cwd: '--cwd',
  env: '--env',
  interpreter: '--interpreter',
  restart: '--restart',
  killTimeoutMs: '--kill-timeout',
  startTimeoutMs: '--start-timeout',
  listenTimeoutMs: '--listen-timeout',
  'policy.maxFailures': '--max-restarts',
  'policy.windowMs': '--restart-window',
  'policy.stableMs': '--min-uptime',
  restartDelayMs: '--restart-delay',
  expBackoffRestartDelayMs: '--exp-backoff-restart-delay',
  watch: '--watch',
  ignoreWatch: '--ignore-watch',
  watchDelayMs: '--watch-delay',
  maxMemoryBytes: '--max-memory-restart',
  cronRestart: '--cron-restart',
  logTime: '--log-time',
  outFile: '--out-file',
  errorFile: '--error-file',
};

/** `--watch=src,lib` names the paths; a bare `--watch` watches the cwd. */
function watchPathsInline(args: readonly string[]): string[] {
  return args.map((word) =>
    word.startsWith('--watch=') ? `--watch-paths=${word.slice('--watch='.length)}` : word,
  );
}

/** Comma-separated lists given once or more: `--ignore-watch "*.log,tmp" --ignore-watch dist`. */
function commaList(values: readonly string[] | undefined): string[] | undefined {
  return values?.flatMap((value) => value.split(',')).filter((item) => item.length > 0);
}

/** `"npm run start"` (no such file) → `npm` with `run start` first among the args, as pm2 does. */
function commandWords(target: string, cwd: string, args: string[]) {
  if (!/\s/.test(target) || existsSync(resolve(cwd, target))) return { target, args };
  const [command = target, ...words] = splitArgv(target);
  return { target: command, args: [...words, ...args] };
}

/** `guv start`: starts a script, or a known process or app by name; waits until it runs (or fails). */
const start: CliCommand = async (args, io) => {
  // Everything after `--` belongs to the script, as with pm2 and npm.
  const dashes = args.indexOf('--');
  const ownArgs = dashes === -1 ? args : args.slice(0, dashes);
  const scriptArgs = dashes === -1 ? [] : args.slice(dashes + 1);
  const { values, positionals } = parseArgs({
    args: inlineOptionValues(watchPathsInline(ownArgs), OPTIONS),
    allowPositionals: true,
    options: OPTIONS,
  });
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const targets = positionals;
  if (targets.length === 0)
    throw new GuvError('GUV_USAGE', 'start needs a script, a process name or an app name');
  const appsFile = await appsFileAmong(targets);
  if (appsFile !== null) {
    const given = Object.keys(values).filter((flag) => flag !== 'env' && flag !== 'update-env');
    if (given.length > 0 || scriptArgs.length > 0)
      throw new GuvError(
        'GUV_BAD_ARGUMENT',
        `${given.length > 0 ? `--${given[0]}` : 'script arguments'} cannot be given with an apps file: set it in the file`,
      );
    const plan = await planAppsFile(appsFile, appsFileEnv(values.env), io);
    const updateEnv = values.env !== undefined || values['update-env'] === true;
    printWarnings(plan, io);
    // dependsOn: each wave starts once the one before it runs.
    const waves = startWaves(plan.apps);
    for (const [index, wave] of waves.entries()) {
      const status = await startAll(
        // As for a script: --env or --update-env applies the file's options to a running process.
        wave.map((app) => ({ ...app.request, updateEnv: updateEnv || app.request.updateEnv })),
        wave.map((app) => app.name),
        io,
      );
      if (status === 0) continue;
      const left = waves.slice(index + 1).flat();
      if (left.length > 0)
        io.stderr.write(
          `guv: not started, as what they depend on failed: ${left.map((app) => app.name).join(', ')}\n`,
        );
      return status;
    }
    return 0;
  }
  if (targets.length > 1 && values.name !== undefined) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      '-n names one process: with several scripts, each is named after its script',
    );
  }
  // The flags as given; the protocol's one parser checks them, naming each by its flag.
  const raw = {
    args: [...splitArgv(values.argv), ...scriptArgs],
    execArgv: splitArgv(values.execArgv),
    env: { ...(io.env as Record<string, string>), ...parseEnvPairs(values.env ?? []) },
    cwd: values.cwd ?? process.cwd(),
    name: values.name,
    instances: values.instances,
    user: values.user,
    group: values.group,
    debug: values.debug,
    interpreter: values.interpreter,
    restart: values.restart,
    killTimeoutMs: values['kill-timeout'],
    startTimeoutMs: values['start-timeout'],
    appReadiness: values['wait-ready'],
    listenTimeoutMs: values['listen-timeout'],
    updateEnv: values.env !== undefined || values['update-env'] === true,
    policy: {
      maxFailures: values['max-restarts'],
      windowMs: values['restart-window'],
      stableMs: values['min-uptime'],
    },
    restartDelayMs: values['restart-delay'],
    expBackoffRestartDelayMs: values['exp-backoff-restart-delay'],
    watch: values['watch-paths'] !== undefined ? commaList(values['watch-paths']) : values.watch,
    ignoreWatch: commaList(values['ignore-watch']),
    watchDelayMs: values['watch-delay'],
    maxMemoryBytes: values['max-memory-restart'],
    cronRestart: values['cron-restart'],
    logTime: values['log-time'],
    outFile: values['out-file'],
    errorFile: values['error-file'],
  };
  const requests = targets.map((target) =>
    parseStartOptions({ ...raw, ...commandWords(target, raw.cwd, raw.args) }, FLAG_NAMES),
  );
  return startAll(requests, targets, io);
};

/** The one apps file among the targets, or null; an apps file is started alone. */
async function appsFileAmong(targets: string[]): Promise<string | null> {
  const files = await Promise.all(targets.map(appsFileOf));
  const file = files.find((path) => path !== null) ?? null;
  if (file !== null && targets.length > 1)
    throw new GuvError('GUV_USAGE', 'start one apps file at a time, without other scripts');
  return file;
}

/** Starts every request; `targets` names each in messages. Resolves to the exit status. */
async function startAll(requests: StartRequest[], targets: string[], io: CliIO): Promise<number> {
  const results = await withClient(io.env, (client) =>
    Promise.allSettled(requests.map((request) => client.startProcess(request.target, request))),
  );
  // A single start keeps its error's own line and exit status (2 for bad arguments).
  if (targets.length === 1 && results[0]?.status === 'rejected') throw results[0].reason;
  let failures = 0;
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      failures++;
      const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
      io.stderr.write(
        `guv: ${printable(`${targets.length > 1 ? `${targets[i]}: ` : ''}${reason}`)}\n`,
      );
      return;
    }
    const started = result.value;
    const ok = printOutcome(started, io);
    if (ok === false) failures++;
    if (ok !== null) return;
    const pid = started.pid === null ? '' : ` (pid ${started.pid})`;
    io.stdout.write(`${started.name} [${started.id}] ${started.status}${pid}\n`);
  });
  return failures === 0 ? 0 : 1;
}

export default start;
