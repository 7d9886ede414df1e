import { spawn } from 'node:child_process';

/** Monotonic nanoseconds; comparable with `process.hrtime.bigint()` in any other process here. */
export function nowNs(): bigint {
  return process.hrtime.bigint();
}

export function msSince(startNs: bigint): number {
  return Number(nowNs() - startNs) / 1e6;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion (all output read) and times it from spawn to close. */
export function runCommand(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty command');
  return new Promise((resolve, reject) => {
    const start = nowNs();
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: msSince(start) }));
  });
}

/** Like {@link runCommand}, but a non-zero exit is an error carrying the command's output. */
export async function runChecked(
  argv: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  const result = await runCommand(argv, options);
  if (result.code !== 0) {
    throw new Error(
      `${argv.join(' ')} exited with ${result.code}: ${(result.stderr || result.stdout).trim().slice(-800)}`,
    );
  }
  return result;
}

/**
 * Times each case `repetitions` times, interleaved (a, b, c, a, b, c, …) so that a noisy
 * neighbour slows every case alike instead of whichever ran during the noise. A case that
 * throws is dropped from the remaining rounds and its error kept in `errors`.
 */
export async function sampleInterleaved(
  cases: Record<string, () => Promise<number>>,
  repetitions: number,
  errors: Record<string, string> = {},
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(cases)) samples[name] = [];
  for (let i = 0; i < repetitions; i++) {
    for (const [name, run] of Object.entries(cases)) {
      if (errors[name] !== undefined) continue;
      try {
        samples[name]!.push(await run());
      } catch (error) {
        errors[name] = error instanceof Error ? error.message : String(error);
      }
    }
  }
  return samples;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(options.intervalMs ?? 20);
  }
}
