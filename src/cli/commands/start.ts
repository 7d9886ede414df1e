import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GuvError } from '../../errors.js';
import { START_FLAG_NAMES, START_FLAGS } from '../../protocol/start-flags.js';
import { parseStartOptions, type StartRequest } from '../../protocol/start-options.js';
import { startWaves } from '../../config/guv-config.js';
import { appsFileEnv, appsFileOf, planAppsFile, printWarnings } from '../apps-file.js';
import type { CliCommand, CliIO } from '../command.js';
import { withClient } from '../connect.js';
import { printable } from '../errors.js';
import { printOutcome } from '../format/start-outcome.js';
import { parseEnvPairs, splitArgv } from '../parse-options.js';

/** `guv start`'s options as commander names them (`--kill-timeout` → `killTimeout`). */
type StartFlags = {
  name?: string;
  argv?: string;
  execArgv?: string;
  instances?: string;
  user?: string;
  group?: string;
  debug?: boolean;
  cwd?: string;
  env?: string[];
  interpreter?: string;
  restart?: string;
  killTimeout?: string;
  startTimeout?: string;
  waitReady?: boolean;
  listenTimeout?: string;
  updateEnv?: boolean;
  maxRestarts?: string;
  restartWindow?: string;
  minUptime?: string;
  restartDelay?: string;
  expBackoffRestartDelay?: string;
  watch?: boolean | string;
  ignoreWatch?: string[];
  watchDelay?: string;
  maxMemoryRestart?: string;
  cronRestart?: string;
  logTime?: string;
  outFile?: string;
  errorFile?: string;
};

/** Comma-separated lists given once or more: `--ignore-watch "*.log,tmp" --ignore-watch dist`. */
function commaList(values: readonly string[] | undefined): string[] | undefined {
  return values?.flatMap((value) => value.split(',')).filter((item) => item.length > 0);
}

/** `killTimeout` → `--kill-timeout`: an option as the user typed it. */
function flagOf(key: string): string {
  const camel = (long: string) =>
    long.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return Object.values(START_FLAGS).find((flag) => camel(flag.long) === key)?.long ?? `--${key}`;
}

/** `"npm run start"` (no such file) → `npm` with `run start` first among the args, as pm2 does. */
function commandWords(target: string, cwd: string, args: string[]) {
  if (!/\s/.test(target) || existsSync(resolve(cwd, target))) return { target, args };
  const [command = target, ...words] = splitArgv(target);
  return { target: command, args: [...words, ...args] };
}

/** `guv start`: starts a script, or a known process or app by name; waits until it runs (or fails). */
const start: CliCommand<StartFlags> = async (
  // Everything after `--` belongs to the script, as with pm2 and npm: commander keeps it apart.
  { args: targets, options: values, rest: scriptArgs },
  io,
) => {
  if (targets.length === 0)
    throw new GuvError('GUV_USAGE', 'start needs a script, a process name or an app name');
  const appsFile = await appsFileAmong(targets);
  if (appsFile !== null) {
    const given = Object.keys(values).filter((key) => key !== 'env' && key !== 'updateEnv');
    if (given.length > 0 || scriptArgs.length > 0)
      throw new GuvError(
        'GUV_BAD_ARGUMENT',
        `${given.length > 0 ? flagOf(given[0]!) : 'script arguments'} cannot be given with an apps file: set it in the file`,
      );
    const plan = await planAppsFile(appsFile, appsFileEnv(values.env), io);
    const updateEnv = values.env !== undefined || values.updateEnv === true;
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
    killTimeoutMs: values.killTimeout,
    startTimeoutMs: values.startTimeout,
    appReadiness: values.waitReady,
    listenTimeoutMs: values.listenTimeout,
    updateEnv: values.env !== undefined || values.updateEnv === true,
    policy: {
      maxFailures: values.maxRestarts,
      windowMs: values.restartWindow,
      stableMs: values.minUptime,
    },
    restartDelayMs: values.restartDelay,
    expBackoffRestartDelayMs: values.expBackoffRestartDelay,
    // A bare --watch watches the cwd; --watch src,lib those paths.
    watch: typeof values.watch === 'string' ? commaList([values.watch]) : values.watch,
    ignoreWatch: commaList(values.ignoreWatch),
    watchDelayMs: values.watchDelay,
    maxMemoryBytes: values.maxMemoryRestart,
    cronRestart: values.cronRestart,
    logTime: values.logTime,
    outFile: values.outFile,
    errorFile: values.errorFile,
  };
  const requests = targets.map((target) =>
    parseStartOptions({ ...raw, ...commandWords(target, raw.cwd, raw.args) }, START_FLAG_NAMES),
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
