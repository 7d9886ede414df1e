import { exitCodeFor, formatCliError, printable } from './errors.js';
import type { CliCommand } from './command.js';
import { mustExitWhenDone } from './exit-when-done.js';
import { asksForHelp, USAGES } from './usages.js';

// Each command is imported only when it runs, so `guv list` loads nothing it does not use.
const commands: Record<string, () => Promise<{ default: CliCommand }>> = {
  config: () => import('./commands/config.js'),
  dump: () => import('./commands/dump.js'),
  exceptions: () => import('./commands/exceptions.js'),
  events: () => import('./commands/events.js'),
  gc: () => import('./commands/gc.js'),
  graph: () => import('./commands/graph.js'),
  heapdump: () => import('./commands/heapdump.js'),
  info: () => import('./commands/info.js'),
  install: () => import('./commands/install.js'),
  kill: () => import('./commands/kill.js'),
  list: () => import('./commands/list.js'),
  logs: () => import('./commands/logs.js'),
  metrics: () => import('./commands/metrics.js'),
  lsapps: () => import('./commands/lsapps.js'),
  lsrefs: () => import('./commands/lsrefs.js'),
  ref: () => import('./commands/ref.js'),
  reload: () => import('./commands/reload.js'),
  remove: () => import('./commands/remove.js'),
  restart: () => import('./commands/restart.js'),
  restore: () => import('./commands/restore.js'),
  rmapp: () => import('./commands/rmapp.js'),
  send: () => import('./commands/send.js'),
  setref: () => import('./commands/setref.js'),
  signal: () => import('./commands/signal.js'),
  start: () => import('./commands/start.js'),
  status: () => import('./commands/status.js'),
  stop: () => import('./commands/stop.js'),
  ui: () => import('./commands/ui.js'),
  updaterefs: () => import('./commands/updaterefs.js'),
  upgrade: () => import('./commands/upgrade.js'),
  validate: () => import('./commands/validate.js'),
  why: () => import('./commands/why.js'),
  workers: () => import('./commands/workers.js'),
  write: () => import('./commands/write.js'),
};

const aliases: Record<string, string> = { ls: 'list', rm: 'remove' };

const usage = `usage: guv <command> [options]

commands: ${Object.keys(commands).sort().join(', ')}
run 'guv <command> --help' for a command's options`;

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${usage}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const name = aliases[first] ?? first;
  const load = commands[name];
  if (!load) {
    process.stderr.write(
      `guv: unknown command "${printable(first)}" (run 'guv --help' for the list)\n`,
    );
    return 2;
  }
  const commandUsage = USAGES[name];
  if (commandUsage !== undefined && asksForHelp(rest)) {
    process.stdout.write(`usage: ${commandUsage}\n`);
    return 0;
  }
  const command = (await load()).default;
  return command(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
}

// `guv list | head` closes our stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

/** Exits once what was written to stdout and stderr is flushed. */
function exitWhenFlushed(): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit();
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${formatCliError(error, process.env)}\n`);
      process.exitCode = exitCodeFor(error);
    },
  )
  .finally(() => {
    if (mustExitWhenDone()) exitWhenFlushed();
  });
