import { basename, extname } from 'node:path';

/**
 * How a script runs, decided from `--interpreter` and its extension alone (pure; the files are
 * looked for afterwards):
 * - `node`: Node with guv's wrapper; `typescript` when the script needs a loader (tsx, ts-node);
 * - `none`: the file is executed directly (a binary, a shebang script, a command from PATH);
 * - `command`: another interpreter, a bare name to look up on PATH or an absolute path.
 */
export type InterpreterChoice =
  | { kind: 'node'; typescript: boolean }
  | { kind: 'none' }
  | { kind: 'command'; command: string };

/** pm2's interpreters by extension; anything else is executed directly. */
const BY_EXTENSION: Record<string, string> = {
  '.sh': 'bash',
  '.bash': 'bash',
  '.py': 'python3',
  '.rb': 'ruby',
  '.pl': 'perl',
  '.php': 'php',
};

const NODE_EXTENSIONS = new Set(['.js', '.cjs', '.mjs']);
const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** Interpreters that are Node plus a TypeScript loader: run as node so guv's wrapper loads. */
const TYPESCRIPT_RUNNERS = new Set(['tsx', 'ts-node']);

export function isTypeScript(script: string): boolean {
  return TYPESCRIPT_EXTENSIONS.has(extname(script).toLowerCase());
}

/**
 * @example
 * chooseInterpreter(null, '/srv/app/server.ts'); // { kind: 'node', typescript: true }
 * chooseInterpreter(null, '/srv/job.sh');        // { kind: 'command', command: 'bash' }
 * chooseInterpreter('python3', '/srv/job');      // { kind: 'command', command: 'python3' }
 */
export function chooseInterpreter(requested: string | null, script: string): InterpreterChoice {
  const extension = extname(script).toLowerCase();
  if (requested === 'none') return { kind: 'none' };
  if (requested === 'node') return { kind: 'node', typescript: isTypeScript(script) };
  if (requested !== null) {
    return TYPESCRIPT_RUNNERS.has(basename(requested))
      ? { kind: 'node', typescript: true }
      : { kind: 'command', command: requested };
  }
  if (NODE_EXTENSIONS.has(extension)) return { kind: 'node', typescript: false };
  if (TYPESCRIPT_EXTENSIONS.has(extension)) return { kind: 'node', typescript: true };
  const command = BY_EXTENSION[extension];
  return command === undefined ? { kind: 'none' } : { kind: 'command', command };
}
