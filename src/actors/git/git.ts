import { GuvError } from '../../errors.js';
import { gitLocation } from './locate-git.js';
import { rootGitEnv } from './root-git-env.js';
import type { RunAs } from './run-as.js';
import { type CommandResult, runCommand } from './run-command.js';

export interface GitOptions {
  /** Working directory of the git process (it must exist). */
  cwd: string;
  /** Run git as this user (the daemon must be root); null or absent: as the daemon's user. */
  runAs?: RunAs | null;
  /** Every chunk git writes, stdout and stderr (`--progress` goes to stderr). */
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
  /** The daemon's uid (default: this process's): a git that stays root reads no root config. */
  daemonUid?: number;
  /** Most characters of stdout (and of stderr) kept; past it git is killed. GIT_OUTPUT_LIMIT unless told. */
  maxOutput?: number;
}

/**
 * What one git command may print before it is killed: a repository controls how many refs and
 * how long their names are, and the daemon holds the output in memory.
 */
export const GIT_OUTPUT_LIMIT = 16 * 1024 * 1024;

function outputTooLarge(args: readonly string[], max: number): GuvError {
  return new GuvError(
    'GUV_GIT_FAILED',
    `git ${args[0] ?? ''} printed more than ${max} characters and was stopped`,
  );
}

/**
 * Never prompt for credentials (a daemon has no terminal) and allow only the ordinary
 * transports, so `ext::`/`fd::` remote helpers stay refused even if a URL check is bypassed.
 */
export const GIT_SAFETY_ENV: Readonly<Record<string, string>> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
};

/**
 * Run git through dugite and resolve with its exit code and output, failed or not.
 * Callers put `--` between options and anything a user supplied.
 *
 * @example
 * const { stdout } = await runGit(['rev-parse', 'HEAD'], { cwd: dir });
 */
export async function runGit(args: readonly string[], options: GitOptions): Promise<CommandResult> {
  const location = await gitLocation();
  const { exec, setupEnvironment } = await import('dugite');
  const asRoot = !options.runAs && (options.daemonUid ?? process.getuid?.()) === 0;
  const gitEnv = { ...location.env, ...GIT_SAFETY_ENV, ...(asRoot ? rootGitEnv() : {}) };
  const maxOutput = options.maxOutput ?? GIT_OUTPUT_LIMIT;
  try {
    if (options.runAs) {
      // dugite's exec has no uid/gid option: use its environment, spawn the binary ourselves.
      const { env, gitLocation: binary } = setupEnvironment(gitEnv, options.runAs.env);
      const result = await runCommand(binary, args, {
        cwd: options.cwd,
        env,
        runAs: options.runAs,
        onOutput: options.onOutput,
        signal: options.signal,
        maxOutput,
      });
      if (result.overflowed) throw outputTooLarge(args, maxOutput);
      return result;
    }
    const result = await exec([...args], options.cwd, {
      env: gitEnv,
      signal: options.signal,
      maxBuffer: maxOutput,
      processCallback: (child) => {
        const onOutput = options.onOutput;
        if (!onOutput) return;
        child.stdout?.on('data', (chunk: Buffer | string) => onOutput(chunk.toString()));
        child.stderr?.on('data', (chunk: Buffer | string) => onOutput(chunk.toString()));
      },
    });
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
  } catch (error) {
    if (error instanceof GuvError) throw error;
    if ((error as { code?: unknown }).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
      throw outputTooLarge(args, maxOutput);
    throw new GuvError(
      'GUV_GIT_FAILED',
      `git ${args[0] ?? ''} could not start in ${options.cwd}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Run git and return its stdout; a non-zero exit becomes GuvError('GUV_GIT_FAILED') whose
 * message is git's own last complaint.
 */
export async function git(args: readonly string[], options: GitOptions): Promise<string> {
  const result = await runGit(args, options);
  if (result.exitCode !== 0) throw gitFailure(args, result);
  return result.stdout;
}

export function gitFailure(args: readonly string[], result: CommandResult): GuvError {
  const complaint = lastComplaint(result.stderr) ?? `exit status ${result.exitCode}`;
  return new GuvError('GUV_GIT_FAILED', `git ${args[0] ?? ''} failed: ${complaint}`, {
    cause: Object.assign(new Error(result.stderr), { exitCode: result.exitCode }),
  });
}

function lastComplaint(stderr: string): string | undefined {
  const lines = stderr
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.at(-1);
}
