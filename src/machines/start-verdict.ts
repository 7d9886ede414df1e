import type { ProcessStatus, SerializedError } from '../types/info.js';
import type { HistoryEntry } from './history.js';

/**
 * When a start may answer, and what: pure functions of the transitions since the start was
 * asked for. pm2 answers "online" as soon as it forked, and an app whose port is taken
 * crash-loops behind that word; guv waits for the outcome instead, within bounds.
 *
 * The rule: a start that reached `running` with no crash answers at once (the wrapper says
 * ready only after the script's first turn, so a port taken is already a crash by then). Once a
 * run crashed at start, the answer waits for the next outcome: a run that stays up `upMs`
 * (pm2's `min_uptime`) is running; `crashes` crashes at start, or `maxWaitMs`, end the wait and
 * the start is reported as failing. An end state (failed, aborted, stopped) answers at once.
 */
export interface StartWatchPolicy {
  /** After a crash at start, a run that stays up this long counts as running. */
  upMs: number;
  /** This many crashes at start answer that the start fails (the restart policy goes on). */
  crashes: number;
  /** The longest the answer waits once the start first settled. */
  maxWaitMs: number;
}

export const DEFAULT_START_WATCH: Readonly<StartWatchPolicy> = Object.freeze({
  upMs: 1000,
  crashes: 3,
  maxWaitMs: 10_000,
});

/** A start's outcome as the reply carries it. */
export type StartVerdict =
  | { outcome: 'running' | 'paused' | 'finished'; crashes: number; warning?: string }
  | {
      outcome: 'failed' | 'crashing';
      crashes: number;
      error: SerializedError | null;
      /** How the last run ended, when it did. */
      exit?: { code: number | null; signal: string | null };
    };

export type StartJudgement =
  | { done: true; verdict: StartVerdict }
  /** Not yet: look again at the next transition, or at `atMs` (epoch ms) if nothing happens. */
  | { done: false; atMs: number | null };

export interface StartFacts {
  /** The chart's transitions since the start was asked for, oldest first. */
  entries: readonly HistoryEntry[];
  status: ProcessStatus;
  now: number;
  /** When the wait for an outcome ends (the first settle plus `maxWaitMs`). */
  deadline: number;
  /** The newest error a run of this start reported (an uncaught exception, a throw at load). */
  lastError: SerializedError | null;
}

const ENDED: ReadonlySet<ProcessStatus> = new Set(['failed', 'aborted', 'unresponsive']);

/**
 * Exits nobody asked for, since the start: a crash, or a clean exit the restart policy answers
 * with a restart (a server that returned at once loops just the same).
 */
export function crashesAtStart(entries: readonly HistoryEntry[]): number {
  return entries.filter(
    ({ cause, from, to }) =>
      cause.event === 'CHILD.EXIT' &&
      from !== 'stopping' &&
      (to === 'restarting' || cause.signal != null || (cause.code ?? 1) !== 0),
  ).length;
}

/** The warning of a start that was treated as ready without the app saying so. */
function readinessWarning(entries: readonly HistoryEntry[]): string | undefined {
  const entry = [...entries].reverse().find((e) => e.cause.event === 'after:listenTimeout');
  return entry?.cause.error;
}

/**
 * Judges a start from its facts: done with a verdict, or not yet.
 *
 * @example
 * judgeStart(facts, DEFAULT_START_WATCH); // { done: true, verdict: { outcome: 'running', crashes: 0 } }
 */
export function judgeStart(facts: StartFacts, policy: StartWatchPolicy): StartJudgement {
  const { entries, status, now } = facts;
  const crashes = crashesAtStart(entries);
  const error = facts.lastError;
  const lastExit = [...entries].reverse().find((e) => e.cause.event === 'CHILD.EXIT')?.cause;
  const exit = lastExit && { code: lastExit.code ?? null, signal: lastExit.signal ?? null };
  const failed = { outcome: 'failed' as const, crashes, error, ...(exit ? { exit } : {}) };
  if (ENDED.has(status)) return { done: true, verdict: failed };
  if (status === 'stopped') {
    const last = entries.at(-1)?.cause;
    const clean = last?.event === 'CHILD.EXIT' && last.code === 0 && last.signal == null;
    return clean
      ? { done: true, verdict: { outcome: 'finished', crashes } }
      : { done: true, verdict: failed };
  }
  if (status === 'paused') return { done: true, verdict: { outcome: 'paused', crashes } };
  if (status === 'running') {
    const warning = readinessWarning(entries);
    const running = { outcome: 'running' as const, crashes, ...(warning ? { warning } : {}) };
    if (crashes === 0) return { done: true, verdict: running };
    const since = [...entries].reverse().find((e) => e.to === 'running')?.time ?? now;
    if (now - since >= policy.upMs || now >= facts.deadline)
      return { done: true, verdict: running };
    return { done: false, atMs: Math.min(since + policy.upMs, facts.deadline) };
  }
  if (crashes >= policy.crashes || now >= facts.deadline) {
    return { done: true, verdict: { ...failed, outcome: 'crashing' } };
  }
  return { done: false, atMs: facts.deadline };
}
