import { errorSite } from '../crash/restart-cause.js';
import type { StartVerdict } from '../machines/start-verdict.js';
import type { SerializedError } from '../types/info.js';

/** An operating system's refusal (`EADDRINUSE`, `EACCES`…), as opposed to Node's `ERR_*` codes. */
const ERRNO = /^E[A-Z0-9]+$/;

/**
 * The outcome of a start in one line: `web is running`, `web failed: listen EADDRINUSE: address
 * already in use :::8080 (server.js:3)`, `web crashed 3 times at start: Error: boom (app.js:12)`.
 * A crash on a system call the OS refused (a port taken, a file it may not read) is a failure of
 * the start whatever the count: restarting will not fix it soon. Pure.
 */
export function describeStart(name: string, verdict: StartVerdict): string {
  switch (verdict.outcome) {
    case 'running': {
      const crashed =
        verdict.crashes > 0 ? ` (after crashing ${times(verdict.crashes)} at start)` : '';
      return `${name} is running${crashed}`;
    }
    case 'paused':
      return `${name} is paused, waiting for a debugger`;
    case 'finished':
      return `${name} ran and exited with code 0`;
    case 'failed':
      return `${name} failed: ${errorWords(verdict.error) ?? exitWords(verdict.exit)}`;
    case 'crashing': {
      const { error } = verdict;
      if (error?.code !== undefined && ERRNO.test(error.code) && verdict.crashes > 0)
        return `${name} failed: ${errorWords(error)}`;
      if (verdict.crashes === 0) return `${name} is not running yet`;
      // A clean exit the restart policy answers with a restart: a task run as if it were a server.
      if (!error && verdict.exit?.code === 0 && verdict.exit.signal === null)
        return `${name} exited with code 0 right after start, ${times(verdict.crashes)} (it is not a server?)`;
      const words = errorWords(error) ?? (verdict.exit ? exitWords(verdict.exit) : null);
      return `${name} crashed ${times(verdict.crashes)} at start${words ? `: ${words}` : ''}`;
    }
  }
}

/** Whether the start went as asked: a non-zero exit for the CLI otherwise. */
export function startSucceeded(verdict: StartVerdict): boolean {
  return ['running', 'paused', 'finished'].includes(verdict.outcome);
}

function exitWords(exit: { code: number | null; signal: string | null } | undefined): string {
  if (!exit) return 'it ended before it was running';
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

/** `Error: boom (app.js:12)`; an OS refusal without its class: `listen EADDRINUSE: … (server.js:3)`. */
function errorWords(error: SerializedError | null): string | null {
  if (!error) return null;
  const message = error.message.split('\n')[0] ?? '';
  const head =
    error.code !== undefined && ERRNO.test(error.code) ? message : `${error.name}: ${message}`;
  const site = errorSite(error);
  return site ? `${head} (${site})` : head;
}
