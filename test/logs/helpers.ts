import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { rotatedPath } from '../../src/logs/format.js';

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'guv-logs-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Every line of `path` and its rotated files, oldest file first. */
export async function allLines(path: string): Promise<string[]> {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const base = path.slice(path.lastIndexOf('/') + 1);
  const names = await readdir(dir);
  const rotations = names
    .filter((name) => name.startsWith(`${base}.`))
    .map((name) => Number(name.slice(base.length + 1)))
    .sort((a, b) => b - a);
  const lines: string[] = [];
  for (const n of [...rotations, 0]) {
    const text = await readFile(rotatedPath(path, n), 'utf8').catch(() => '');
    if (text === '') continue;
    if (!text.endsWith('\n')) throw new Error(`${rotatedPath(path, n)} ends mid-line`);
    for (const line of text.slice(0, -1).split('\n')) lines.push(line);
  }
  return lines;
}

/** Checks that messages are exactly `line 0` … `line <count-1>` in order; returns problems. */
export function sequenceProblems(messages: readonly string[], count: number): string[] {
  const problems: string[] = [];
  if (messages.length !== count) problems.push(`expected ${count} lines, got ${messages.length}`);
  for (let i = 0; i < messages.length && problems.length < 5; i++) {
    if (messages[i] !== `line ${i}`) problems.push(`line ${i} is "${messages[i]}"`);
  }
  return problems;
}

export const message = (line: string): string => line.slice(25);

/** Deterministic pseudo-random integers in [0, n). */
export function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

/** The lines of `source[start, end)`, each after `prefix`: what the stampers must produce. */
export function naiveStamp(source: Buffer, prefix: Buffer, start = 0, end = source.length): Buffer {
  const parts: Buffer[] = [];
  let lineStart = start;
  for (let i = start; i < end; i++) {
    if (source[i] !== 0x0a) continue;
    parts.push(prefix, source.subarray(lineStart, i + 1));
    lineStart = i + 1;
  }
  return Buffer.concat(parts);
}

/**
 * Byte-for-byte equality for big buffers: `toEqual` walks them one element at a time, which
 * takes seconds per 64 KiB on a loaded machine. A mismatch still shows where it starts.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (Buffer.compare(actual, expected) === 0) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  const around = (bytes: Uint8Array) => ({
    length: bytes.length,
    firstDifferenceAt: at,
    bytes: Buffer.from(bytes.subarray(Math.max(0, at - 16), at + 48)).toString('latin1'),
  });
  expect(around(actual)).toEqual(around(expected));
}
