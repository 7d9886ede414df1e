import { pathToFileURL } from 'node:url';
import { builtFile } from '../../build-output.js';
import { parseRunOptions, type RunFlags } from '../../foreground/run-args.js';
import type { CliCommand } from '../command.js';
import { markForeignCode } from '../exit-when-done.js';

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
const run: CliCommand<RunFlags & Record<string, unknown>> = async (parsed, io) => {
  const { raw, healthPort, healthHost, ...startOptions } = parsed.options;
  const options = parseRunOptions({ raw, healthPort, healthHost });
  const [{ runForeground }, start] = await Promise.all([loadForeground(), import('./start.js')]);
  const code = await runForeground(options, io, {
    startApps: (startIo) => start.default({ ...parsed, options: startOptions }, startIo),
  });
  // The in-process daemon leaves handles behind (timers of charts that are done): once everything
  // stopped, guv exits by itself.
  markForeignCode();
  return code;
};

export default run;
