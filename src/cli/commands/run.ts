import { pathToFileURL } from 'node:url';
import { builtFile } from '../../build-output.js';
import { splitRunArgs } from '../../foreground/run-args.js';
import { asksForHelp } from '../usages.js';
import type { CliCommand } from '../command.js';
import { markForeignCode } from '../exit-when-done.js';

const HELP = `usage: guv run <script|apps file> [start options] [--raw] [--health-port <n>] [--health-host <addr>]
  supervises in the foreground, with no daemon left behind (a container's main process):
  starts the apps as guv start would, prints their lines, stops them all on SIGTERM or SIGINT
  (a second signal kills them at once) and exits 0
      --raw                  plain "app | line" output instead of JSON lines
      --health-port <n>      serve GET → 200 when every app runs, 503 otherwise (0: any port)
      --health-host <addr>   the endpoint's address (default 127.0.0.1)
  as a container's PID 1 use guv-init, which reaps orphaned processes: guv-init run apps.json
  every option of guv start applies (guv start --help)`;

/**
 * The daemon's code, from the library build rather than the CLI's bundle: bundled, it would
 * double the file every `guv` command reads, for one command that runs for days.
 */
async function loadForeground(): Promise<typeof import('../../foreground/run.js')> {
  return importUrl(pathToFileURL(builtFile('foreground/run.js', 'foreground mode')).href);
}

// A parameter, so that the bundle keeps import(identifier), which its runner serves.
function importUrl(url: string) {
  return import(url);
}

/** `guv run`: the apps and their supervision in this process, until a stop signal. */
const run: CliCommand = async (args, io) => {
  if (asksForHelp(args)) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const options = splitRunArgs(args);
  const [{ runForeground }, start] = await Promise.all([loadForeground(), import('./start.js')]);
  const code = await runForeground(options, io, { startApps: start.default });
  // The in-process daemon leaves handles behind (timers of charts that are done): once everything
  // stopped, guv exits by itself.
  markForeignCode();
  return code;
};

export default run;
