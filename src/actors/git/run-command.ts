import { spawn } from 'node:child_process';
import type { RunAs } from './run-as.js';

export interface RunCommandOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** Drop to this user and group (the caller must be root); its `env` is ignored here. */
  runAs?: Pick<RunAs, 'uid' | 'gid'> | null;
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
  /** Keep at most this many characters of stdout and of stderr; past it the child is killed. */
  maxOutput?: number;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** True when the child wrote more than `maxOutput` and was killed for it. */
  overflowed?: boolean;
}

/**
 * Run `file args` without a shell, collecting stdout and stderr and streaming both to `onOutput`.
 * Resolves with the exit code (a signal death gives 128 + its number); rejects only when the
 * program could not be started at all.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      // libuv also clears supplementary groups when it changes uid/gid as root.
      ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    });
    const out = { stdout: '', stderr: '' };
    const max = options.maxOutput ?? Number.POSITIVE_INFINITY;
    let overflowed = false;
    const collect = (stream: 'stdout' | 'stderr') => (chunk: string) => {
      if (overflowed) return;
      if (out[stream].length + chunk.length > max) {
        overflowed = true;
        child.kill('SIGKILL');
        return;
      }
      out[stream] += chunk;
      options.onOutput?.(chunk);
    };
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const exitCode = code ?? signalExitCode(signal);
      resolve({ ...out, exitCode, ...(overflowed ? { overflowed } : {}) });
    });
  });
}

function signalExitCode(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };
  return 128 + ((signal && numbers[signal]) ?? 1);
}
