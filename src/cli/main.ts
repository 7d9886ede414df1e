import { COMMANDS } from './command-table.js';
import { exitCodeFor, formatCliError } from './errors.js';
import { mustExitWhenDone } from './exit-when-done.js';
import { runCli } from './program.js';

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

runCli(process.argv.slice(2), COMMANDS, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
})
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
