import { parseArgs } from 'node:util';
import { GuvError } from '../../errors.js';
import type { StartOptions } from '../../client/api.js';
import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';
import { printable } from '../errors.js';
import { parseEnvPairs, parseMs, splitArgv } from '../parse-options.js';

const HELP = `usage: guv start <script|name|app>… [options] [-- script arguments]
  several scripts start several processes at once (each named after its script)
  -n, --name <name>          process name (default: the script's)
  -a, --argv "<args>"        arguments for the script
  -e, --execArgv "<flags>"   node flags (e.g. "--max-old-space-size=256")
  -i, --instances <n|max>    run a cluster of n workers
  -u, --user <user>          run as this user (daemon must be root)
  -g, --group <group>        run with this group (daemon must be root)
  -d, --debug                start paused, waiting for a debugger
      --cwd <dir>            working directory (default: here)
      --env K=V              environment variable (repeatable)
      --interpreter none     run an executable directly, without guv's node wrapper
      --restart <mode>       always (default), on-failure or never
      --kill-timeout <ms>    grace period between the stop signal and SIGKILL
      --start-timeout <ms>   time to become ready before the start counts as failed
      --wait-ready           the app signals readiness itself: process.send('ready')
      --max-restarts <n>     more than n failures within the window abort it (default 10)
      --restart-window <ms>  the failure window (default 600000)
      --min-uptime <ms>      a run this long is stable and resets the count (default 30000)`;

/** `guv start`: starts a script, or a known process or app by name; waits until it runs (or fails). */
const start: CliCommand = async (args, io) => {
  // Everything after `--` belongs to the script, as with pm2 and npm.
  const dashes = args.indexOf('--');
  const ownArgs = dashes === -1 ? args : args.slice(0, dashes);
  const scriptArgs = dashes === -1 ? [] : args.slice(dashes + 1);
  const { values, positionals } = parseArgs({
    args: ownArgs,
    allowPositionals: true,
    options: {
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
      'max-restarts': { type: 'string' },
      'restart-window': { type: 'string' },
      'min-uptime': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const targets = positionals;
  if (targets.length === 0)
    throw new GuvError('GUV_USAGE', 'start needs a script, a process name or an app name');
  if (targets.length > 1 && values.name !== undefined) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      '-n names one process: with several scripts, each is named after its script',
    );
  }
  if (
    values.interpreter !== undefined &&
    values.interpreter !== 'none' &&
    values.interpreter !== 'node'
  ) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `--interpreter must be "node" or "none", got "${values.interpreter}"`,
    );
  }
  const options: StartOptions = {
    args: [...splitArgv(values.argv), ...scriptArgs],
    execArgv: splitArgv(values.execArgv),
    env: { ...(io.env as Record<string, string>), ...parseEnvPairs(values.env ?? []) },
    cwd: values.cwd ?? process.cwd(),
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.instances !== undefined
      ? { instances: values.instances === 'max' ? 'max' : Number(values.instances) }
      : {}),
    ...(values.user !== undefined ? { user: values.user } : {}),
    ...(values.group !== undefined ? { group: values.group } : {}),
    ...(values.debug ? { debug: true } : {}),
    ...(values.interpreter !== undefined
      ? { interpreter: values.interpreter as 'node' | 'none' }
      : {}),
    ...(values.restart !== undefined
      ? { restart: values.restart as StartOptions['restart'] & string }
      : {}),
    ...(values['kill-timeout'] !== undefined
      ? { killTimeoutMs: parseMs(values['kill-timeout'], '--kill-timeout') }
      : {}),
    ...(values['start-timeout'] !== undefined
      ? { startTimeoutMs: parseMs(values['start-timeout'], '--start-timeout') }
      : {}),
    ...(values['wait-ready'] ? { appReadiness: true } : {}),
    policy: {
      ...(values['max-restarts'] !== undefined
        ? { maxFailures: parseMs(values['max-restarts'], '--max-restarts') }
        : {}),
      ...(values['restart-window'] !== undefined
        ? { windowMs: parseMs(values['restart-window'], '--restart-window') }
        : {}),
      ...(values['min-uptime'] !== undefined
        ? { stableMs: parseMs(values['min-uptime'], '--min-uptime') }
        : {}),
    },
  };
  if (
    options.instances !== undefined &&
    options.instances !== 'max' &&
    !Number.isInteger(options.instances)
  ) {
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `--instances must be a number or "max", got "${values.instances}"`,
    );
  }
  const results = await withClient(io.env, (client) =>
    Promise.allSettled(targets.map((target) => client.startProcess(target, options))),
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
    // A run-once job (`--restart never`/`on-failure`) that already ended well did its work.
    const finished =
      started.status === 'stopped' &&
      started.lastExit?.code === 0 &&
      started.lastExit.signal === null;
    const pid = started.pid === null ? '' : ` (pid ${started.pid})`;
    const note = finished ? ' (exited 0)' : pid;
    io.stdout.write(`${started.name} [${started.id}] ${started.status}${note}\n`);
    const ok =
      started.kind === 'cluster'
        ? started.state === 'online'
        : started.status === 'running' || started.status === 'paused' || finished;
    if (ok) return;
    failures++;
    io.stderr.write(
      `guv: ${started.name} is ${started.status}: see 'guv why ${started.name}' and 'guv logs ${started.name}'\n`,
    );
  });
  return failures === 0 ? 0 : 1;
};

export default start;
