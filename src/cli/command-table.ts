import type { CommandSpec, OptionSpec } from './command.js';
import { type StartFlagField, startFlagSpelling } from '../protocol/start-flags.js';

/*
 * Every guv command, in one table: src/cli/program.ts builds the commander program from it,
 * scripts/docs/cli.ts writes docs/cli.md from it, and `guv completion` its shell scripts.
 *
 * To add a command:
 * 1. Write src/cli/commands/<name>.ts whose default export is a `CliCommand<Options>`:
 *    `async ({ args, options, rest }, io) => exitStatus`. `args` holds the arguments in the order
 *    `arguments` declares them (a variadic last one spread), `options` the options by commander's
 *    camel-cased names (`--kill-timeout` → `killTimeout`; a `repeatable` one is a string[]).
 *    Validate values there and throw `GuvError('GUV_BAD_ARGUMENT', …)` for a bad one (exit 2).
 * 2. Add its row below (alphabetical): name, arguments in commander's syntax (`<p>`, `[file]`,
 *    `<targets...>`), options (`-s, --long <value>`, or `--switch`), a one-line summary, and at
 *    least one example. `load` must be an `import()` of the module, so that nothing of it is
 *    loaded unless it runs. Set `completesProcesses` when its arguments name processes.
 * 3. Run `npm run docs` (docs/cli.md) and the tests in test/cli and test/docs.
 * `--help`, `--host` and `--no-color` are given to every command by program.ts.
 */

const json: OptionSpec = { flags: '--json', description: 'print JSON instead of text' };

/** One of `guv start`'s flags, spelled by the protocol's table (src/protocol/start-flags.ts). */
function startFlag(field: StartFlagField, description: string, repeatable = false): OptionSpec {
  return { flags: startFlagSpelling(field), description, ...(repeatable ? { repeatable } : {}) };
}

const TIME = '<time>: milliseconds, or 500ms, 2s, 10m, 1h';

/** `guv start`'s options, which `guv run` takes too. */
export const START_OPTIONS: readonly OptionSpec[] = [
  startFlag('name', "process name (default: the script's)"),
  startFlag('args', 'arguments for the script, in one word: -a "--port 80"'),
  startFlag('execArgv', 'node flags (e.g. "--max-old-space-size=256"), or the interpreter\'s'),
  startFlag('instances', 'run a cluster of n workers'),
  startFlag('user', 'run as this user (daemon must be root)'),
  startFlag('group', 'run with this group (daemon must be root)'),
  startFlag('debug', 'start paused, waiting for a debugger'),
  startFlag('cwd', 'working directory (default: here)'),
  startFlag('env', 'environment variable, or with an apps file its env_<name>', true),
  startFlag(
    'interpreter',
    'what runs the script: node, none (the file itself), bash, python3, tsx or a path; by default chosen by its extension',
  ),
  startFlag('restart', 'always (default), on-failure or never'),
  startFlag('killTimeoutMs', 'grace period between the stop signal and SIGKILL'),
  startFlag('startTimeoutMs', 'time to become ready before the start counts as failed'),
  startFlag('appReadiness', "the app signals readiness itself: process.send('ready')"),
  startFlag('listenTimeoutMs', 'with --wait-ready: ready after this long, with a warning (3s)'),
  startFlag('updateEnv', 'of a started process: restart it with this environment'),
  startFlag('policy.maxFailures', 'more than n failures within the window abort it (10)'),
  startFlag('policy.windowMs', 'the failure window (10m)'),
  startFlag('policy.stableMs', 'a run this long is stable and resets the count (30s)'),
  startFlag(
    'restartDelayMs',
    "wait this long before every automatic restart (pm2's restart_delay)",
  ),
  startFlag(
    'expBackoffRestartDelayMs',
    'wait this long before the first automatic restart, then ×1.5 up to 15s; reset after --min-uptime',
  ),
  startFlag(
    'watch',
    'restart on a file change under the cwd (or these comma-separated paths; give it after the script); a cluster reloads',
  ),
  startFlag(
    'ignoreWatch',
    'comma-separated globs not watched ("*.log,tmp"); node_modules and .git never are',
    true,
  ),
  startFlag('watchDelayMs', 'changes this close together make one restart (500ms)'),
  startFlag(
    'maxMemoryBytes',
    'restart gracefully past this resident memory: 300M, 1G (Node scripts)',
  ),
  startFlag(
    'cronRestart',
    'restart at these times: "0 3 * * *" (5 fields, or 6 with seconds first)',
  ),
  startFlag('logTime', 'false: write --out-file/--error-file lines raw, without the time prefix'),
  startFlag('outFile', "also write standard output to this file (opened as the app's user)"),
  startFlag('errorFile', "also write standard error to this file (opened as the app's user)"),
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'completion',
    arguments: '<shell>',
    summary: 'print a completion script for bash or zsh',
    details:
      'bash: add `source <(guv completion bash)` to ~/.bashrc; zsh: add `source <(guv completion zsh)` to ~/.zshrc.\nProcess names are completed from a running daemon; none is started for it.',
    examples: ['guv completion bash > /etc/bash_completion.d/guv'],
    load: () => import('./commands/completion.js'),
  },
  {
    name: 'config',
    arguments: '[path]',
    summary: 'print the daemon settings (guv.json), or the one at a dotted path',
    examples: ['guv config', 'guv config autoresume'],
    load: () => import('./commands/config.js'),
  },
  {
    name: 'dump',
    summary: 'save the process list now (what guv restore and a daemon restart bring back)',
    examples: ['guv dump'],
    load: () => import('./commands/dump.js'),
  },
  {
    name: 'events',
    arguments: '[pattern]',
    summary: 'print bus events as they happen, until Ctrl-C (default pattern "*")',
    options: [json],
    examples: ["guv events 'process:*'", 'guv events process:exit --json'],
    load: () => import('./commands/events.js'),
  },
  {
    name: 'exceptions',
    arguments: '<p>',
    summary: "a process's stored uncaught exceptions, newest last, with their stacks",
    examples: ['guv exceptions web'],
    completesProcesses: true,
    load: () => import('./commands/exceptions.js'),
  },
  {
    name: 'flush',
    arguments: '[p]',
    summary:
      "empty a process's log files (every process's without one): guv's own and its --out-file/--error-file",
    examples: ['guv flush web', 'guv flush'],
    completesProcesses: true,
    load: () => import('./commands/flush.js'),
  },
  {
    name: 'gc',
    arguments: '<p>',
    summary: 'run the garbage collector in a process (in each worker of a cluster)',
    examples: ['guv gc web'],
    completesProcesses: true,
    load: () => import('./commands/gc.js'),
  },
  {
    name: 'graph',
    arguments: '<process|cluster|worker|daemon|app>',
    summary: 'print a statechart, generated from the machine guv runs',
    options: [
      {
        flags: '-f, --format <format>',
        description: 'text, json, mermaid, dot or svg',
        default: 'text',
      },
    ],
    examples: ['guv graph process', 'guv graph cluster --format mermaid'],
    load: () => import('./commands/graph.js'),
  },
  {
    name: 'heapdump',
    arguments: '<p> [file]',
    summary: 'write a heap snapshot (one per worker of a cluster)',
    options: [
      { flags: '--summary', description: 'print the constructors using the most memory' },
      { flags: '--top <n>', description: 'how many constructors --summary prints', default: '20' },
    ],
    examples: ['guv heapdump web /tmp/web.heapsnapshot', 'guv heapdump web --summary --top 10'],
    completesProcesses: true,
    load: () => import('./commands/heapdump.js'),
  },
  {
    name: 'info',
    arguments: '[p]',
    summary: 'all about a process or a worker (its last exit too); without one, the daemon',
    options: [json],
    examples: ['guv info web', 'guv info', 'guv info web --json'],
    completesProcesses: true,
    load: () => import('./commands/info.js'),
  },
  {
    name: 'install',
    arguments: '<url> [name]',
    summary: "clone an app from git into the daemon's apps folder and install its dependencies",
    details:
      "https, ssh, git, file:// or a local path; npm ci with a lockfile, else npm install. The name defaults to package.json's.\nUse 'guv install -- <url>' for a URL that starts with \"-\" (it will be refused).",
    options: [
      {
        flags: '-u, --user <user>',
        description: 'run git, npm and the app as this user (root daemon)',
      },
      {
        flags: '-r, --ref <ref>',
        description: 'branch or tag to check out (default: the default branch)',
      },
    ],
    examples: ['guv install https://github.com/acme/web.git web --ref v2'],
    load: () => import('./commands/install.js'),
  },
  {
    name: 'kill',
    summary: 'stop every process, save the list, and stop the daemon (never starts one)',
    examples: ['guv kill'],
    load: () => import('./commands/kill.js'),
  },
  {
    name: 'list',
    aliases: ['ls'],
    summary: 'the processes and their workers: pid, status, uptime, restarts, cpu, memory',
    options: [json],
    examples: ['guv list', 'guv ls --json'],
    load: () => import('./commands/list.js'),
  },
  {
    name: 'logs',
    arguments: '[p]',
    summary: "a process's last log lines (every process's, interleaved, without one)",
    options: [
      { flags: '-n, --lines <n>', description: 'how many lines', default: '15' },
      { flags: '-f, --follow', description: 'keep printing new lines until Ctrl-C' },
      { flags: '--level <level>', description: 'only debug, info, warn or error lines' },
      json,
      { flags: '--grep <regexp>', description: 'only lines matching the regular expression' },
    ],
    examples: ['guv logs web --lines 100', 'guv logs -f --level error'],
    completesProcesses: true,
    load: () => import('./commands/logs.js'),
  },
  {
    name: 'lsapps',
    summary: 'the apps installed from git: user, URL, ref and commit',
    options: [json],
    examples: ['guv lsapps'],
    load: () => import('./commands/lsapps.js'),
  },
  {
    name: 'lsrefs',
    arguments: '<app>',
    summary: "an app's branches and tags as of its last fetch",
    examples: ['guv lsrefs web'],
    load: () => import('./commands/lsrefs.js'),
  },
  {
    name: 'lsusers',
    summary: 'the remote users and their roles (never their secrets)',
    options: [json],
    examples: ['guv lsusers'],
    load: () => import('./commands/lsusers.js'),
  },
  {
    name: 'metrics',
    summary: "every process's figures as OpenMetrics text",
    options: [{ flags: '--prometheus', description: 'Prometheus 0.0.4 text instead' }],
    examples: ['guv metrics', 'guv metrics --prometheus'],
    load: () => import('./commands/metrics.js'),
  },
  {
    name: 'ref',
    arguments: '<app>',
    summary: "the ref and commit checked out in an app's folder",
    examples: ['guv ref web'],
    load: () => import('./commands/ref.js'),
  },
  {
    name: 'reload',
    arguments: '<targets...>',
    summary: 'a rolling reload of a cluster (a single process is restarted)',
    details:
      'A target is a process (id, name or pid), an apps file (every process it starts) or all.',
    examples: ['guv reload web', 'guv reload all'],
    completesProcesses: true,
    load: () => import('./commands/reload.js'),
  },
  {
    name: 'remoteconfig',
    arguments: '[name]',
    summary:
      "what a remote client needs: host, port, the certificate's fingerprint (and a user's secret)",
    details:
      "With --json and a name, the output is one entry of a client's hosts.json (<config>/hosts.json, mode 0600), used by --host <name>.",
    options: [json],
    examples: ['guv remoteconfig', 'guv remoteconfig ops --json'],
    load: () => import('./commands/remoteconfig.js'),
  },
  {
    name: 'remove',
    aliases: ['rm'],
    arguments: '<targets...>',
    summary: 'stop processes and forget them',
    details:
      'A target is a process (id, name or pid), an apps file (every process it starts) or all.',
    examples: ['guv remove web', 'guv rm ecosystem.config.js'],
    completesProcesses: true,
    load: () => import('./commands/remove.js'),
  },
  {
    name: 'reset',
    arguments: '<name>',
    summary:
      "a new secret for a remote user: the old one stops working, the user's connections close",
    examples: ['guv reset ops'],
    load: () => import('./commands/reset.js'),
  },
  {
    name: 'restart',
    arguments: '<targets...>',
    summary: 'stop and start processes again; exits 0 once they run',
    details:
      'A target is a process (id, name or pid), an apps file (every process it starts) or all.',
    options: [
      {
        flags: '--update-env',
        description: "restart with this shell's environment (plus any --env), as pm2's",
      },
      {
        flags: '--env <K=V>',
        description: 'set a variable; implies --update-env',
        repeatable: true,
      },
    ],
    examples: ['guv restart web api', 'guv restart all --update-env'],
    completesProcesses: true,
    load: () => import('./commands/restart.js'),
  },
  {
    name: 'restore',
    summary: 'start the saved processes that are not running',
    examples: ['guv restore'],
    load: () => import('./commands/restore.js'),
  },
  {
    name: 'rmapp',
    arguments: '<name>',
    summary: 'delete an app installed from git',
    options: [{ flags: '-f, --force', description: "stop and remove the app's processes first" }],
    examples: ['guv rmapp web --force'],
    load: () => import('./commands/rmapp.js'),
  },
  {
    name: 'rmuser',
    arguments: '<name>',
    summary: 'remove a remote user (its open connections close)',
    examples: ['guv rmuser ops'],
    load: () => import('./commands/rmuser.js'),
  },
  {
    name: 'run',
    arguments: '<targets...>',
    summary: "supervise in the foreground, with no daemon (a container's main process)",
    details: [
      "Starts the apps as guv start would, prints their lines (JSON lines with pm2-runtime's keys, or --raw), stops them all on SIGTERM or SIGINT and exits 0; a second signal kills them at once.",
      'As a container\'s PID 1 use guv-init, which reaps orphaned processes: ENTRYPOINT ["guv-init", "run"].',
      'Every option of guv start applies.',
    ].join('\n\n'),
    options: [
      { flags: '--raw', description: 'plain "app | line" output instead of JSON lines' },
      {
        flags: '--health-port <n>',
        description: 'serve GET → 200 when every app runs, 503 otherwise (0: any free port)',
      },
      {
        flags: '--health-host <addr>',
        description: "the health endpoint's address",
        default: '127.0.0.1',
      },
      ...START_OPTIONS,
    ],
    examples: [
      'guv run app.js -i 2 --raw',
      'guv-init run ecosystem.config.js --health-port 8080 --health-host 0.0.0.0',
    ],
    passesRest: true,
    load: () => import('./commands/run.js'),
  },
  {
    name: 'send',
    arguments: '<p> <event> [args...]',
    summary: "emit an event on `process` inside the app (each worker's)",
    examples: ['guv send web flush-cache now'],
    completesProcesses: true,
    load: () => import('./commands/send.js'),
  },
  {
    name: 'setref',
    arguments: '<app> <ref>',
    summary: 'check out a branch or tag of an app and reinstall its dependencies',
    examples: ['guv setref web v2.1.0'],
    load: () => import('./commands/setref.js'),
  },
  {
    name: 'signal',
    arguments: '<p> <signal>',
    summary: "send a signal to a process's group, or to every running worker of a cluster",
    examples: ['guv signal web SIGUSR2'],
    completesProcesses: true,
    load: () => import('./commands/signal.js'),
  },
  {
    name: 'start',
    arguments: '<targets...>',
    summary: 'start scripts, commands, known processes or an apps file; waits until they run',
    details: [
      'Several scripts start several processes (each named after its script). A command that is not a file here is looked up on PATH: guv start npm -- start, or guv start "npm run start".',
      "An apps file (pm2's ecosystem.config.js, .cjs, .mjs or .json, or guv.config.js/.json) starts every app it lists; --env <name> applies each app's env_<name>.",
      "Words after -- are the script's arguments. --interpreter: node, none (run the file itself), bash, python3, tsx, or a path; by default .js runs under node, .ts under node with the project's tsx, .sh under bash, .py under python3.",
      TIME,
    ].join('\n\n'),
    options: START_OPTIONS,
    examples: [
      'guv start app.js -n web -i max',
      'guv start app.js -e "--max-old-space-size=256" -a "--port 80"',
      'guv start npm -n site -- run start',
      'guv start ecosystem.config.js --env production',
    ],
    completesProcesses: true,
    passesRest: true,
    load: () => import('./commands/start.js'),
  },
  {
    name: 'startup',
    summary:
      "print a systemd unit that starts this user's daemon at boot (which restores the saved processes)",
    details:
      'root: a system unit; anybody else: a user unit, which needs lingering (loginctl enable-linger <user>).',
    options: [
      { flags: '--install', description: 'write it, systemctl daemon-reload and enable it' },
      {
        flags: '--root-dir <dir>',
        description: "with --install: install under <dir> as the system's root (systemctl --root)",
      },
    ],
    examples: ['guv startup', 'sudo guv startup --install'],
    load: () => import('./commands/startup.js'),
  },
  {
    name: 'status',
    summary: 'whether the daemon runs: its pid, version, uptime and home (exit 3: not running)',
    options: [json],
    examples: ['guv status', 'guv status --json'],
    load: () => import('./commands/status.js'),
  },
  {
    name: 'stop',
    arguments: '<targets...>',
    summary: 'stop processes (they stay in the list)',
    details:
      'A target is a process (id, name or pid), an apps file (every process it starts) or all.',
    examples: ['guv stop web api', 'guv stop all'],
    completesProcesses: true,
    load: () => import('./commands/stop.js'),
  },
  {
    name: 'ui',
    summary: 'open the statechart visualiser: prints a one-time link',
    examples: ['guv ui'],
    load: () => import('./commands/ui.js'),
  },
  {
    name: 'unstartup',
    summary: 'disable and remove the unit guv startup --install wrote',
    options: [
      {
        flags: '--root-dir <dir>',
        description: "the folder it was installed under as the system's root",
      },
    ],
    examples: ['sudo guv unstartup'],
    load: () => import('./commands/unstartup.js'),
  },
  {
    name: 'updaterefs',
    arguments: '<app>',
    summary: "fetch an app's branches and tags from its remote, then list them",
    examples: ['guv updaterefs web'],
    load: () => import('./commands/updaterefs.js'),
  },
  {
    name: 'upgrade',
    summary:
      'a new daemon (the version installed now) takes over; the apps keep running (the keeper holds them)',
    examples: ['guv upgrade'],
    load: () => import('./commands/upgrade.js'),
  },
  {
    name: 'useradd',
    arguments: '<name>',
    summary: 'add a user of remote access (TLS) and print its secret',
    options: [{ flags: '--read-only', description: 'may list, read and watch, never change' }],
    examples: ['guv useradd ops', 'guv useradd viewer --read-only'],
    load: () => import('./commands/useradd.js'),
  },
  {
    name: 'validate',
    arguments: '<file>',
    summary: "print what 'guv start <apps file>' would start, without starting anything",
    details:
      'Commands, instances, restart policy, environment variable names and warnings; exits 1 on a bad file.',
    options: [
      {
        flags: '--env <K=V|name>',
        description: "a variable, or the apps' env_<name>",
        repeatable: true,
      },
    ],
    examples: ['guv validate ecosystem.config.js --env production'],
    load: () => import('./commands/validate.js'),
  },
  {
    name: 'web',
    arguments: '[passwd] [user]',
    summary: 'start the web dashboard (supervised as guv-web) and print its address',
    details:
      "guv web passwd <user> sets a dashboard user's password, read from the first line of stdin. Hosts: <config>/dashboard.json.",
    options: [{ flags: '-p, --port <n>', description: 'the port on 127.0.0.1', default: '8420' }],
    examples: ['guv web --port 8420', "echo 'correct horse battery' | guv web passwd alice"],
    load: () => import('./commands/web.js'),
  },
  {
    name: 'why',
    arguments: '<p>',
    summary: "a process's transition history with causes, oldest first",
    options: [{ flags: '-w, --worker <index>', description: "a cluster worker slot's history" }],
    examples: ['guv why web', 'guv why web --worker 1'],
    completesProcesses: true,
    load: () => import('./commands/why.js'),
  },
  {
    name: 'workers',
    arguments: '<p> <n>',
    summary: 'resize a cluster; scaling down retires workers gracefully',
    examples: ['guv workers web 4'],
    completesProcesses: true,
    load: () => import('./commands/workers.js'),
  },
  {
    name: 'write',
    arguments: '<p> <words...>',
    summary: "write the words (and a newline) to a process's stdin",
    examples: ['guv write repl "console.log(1)"'],
    completesProcesses: true,
    load: () => import('./commands/write.js'),
  },
  {
    name: '__processes',
    summary: "the running daemon's process names, one a line (for the completion scripts)",
    examples: ['guv __processes'],
    hidden: true,
    load: () => import('./commands/process-names.js'),
  },
];

/** The command a name or an alias stands for. */
export function commandNamed(name: string): CommandSpec | undefined {
  return COMMANDS.find((spec) => spec.name === name || spec.aliases?.includes(name));
}
