import { readProcStat } from './proc-stat.js';

const CLOCK_TICKS = 100; // USER_HZ on Linux
const PAGE_BYTES = 4096;

export interface ProcSample {
  /** CPU time used so far, in ms. */
  cpuMs: number;
  rssBytes: number;
  /** When the sample was taken, epoch ms. */
  at: number;
}

/** Reads one process's CPU time and RSS from /proc; null when it is gone (or not Linux). */
export function sampleProc(pid: number, now = Date.now()): ProcSample | null {
  const fields = readProcStat(pid);
  if (!fields) return null;
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return {
    cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS,
    rssBytes: rssPages * PAGE_BYTES,
    at: now,
  };
}

/** CPU % between two samples of the same process (100 = one core busy). */
export function cpuPercent(previous: ProcSample, current: ProcSample): number {
  const elapsed = current.at - previous.at;
  if (elapsed <= 0) return 0;
  return Math.max(0, Math.round(((current.cpuMs - previous.cpuMs) / elapsed) * 1000) / 10);
}

/**
 * The shortest window a CPU figure is measured over: a baseline younger than this is kept, so
 * one caller polling (the dashboard lists every 2 s) does not shrink another's window to
 * milliseconds of noise, and two lists in a row report the same recent figure.
 */
export const MIN_CPU_WINDOW_MS = 1000;

/**
 * Keeps a baseline sample per pid so each `measure` reports CPU use since it (or since the
 * process started, the first time); the baseline moves on only once it is
 * {@link MIN_CPU_WINDOW_MS} old.
 */
export function createCpuMeter(sample: (pid: number) => ProcSample | null = sampleProc) {
  const baseline = new Map<number, ProcSample>();
  return {
    measure(pid: number, startedAt: number | null): { cpu: number; memory: number } | null {
      const now = sample(pid);
      if (!now) {
        baseline.delete(pid);
        return null;
      }
      const before = baseline.get(pid);
      const from = before ?? { cpuMs: 0, rssBytes: 0, at: startedAt ?? now.at };
      if (before === undefined || now.at - before.at >= MIN_CPU_WINDOW_MS) baseline.set(pid, now);
      return { cpu: cpuPercent(from, now), memory: now.rssBytes };
    },
    forget(pid: number): void {
      baseline.delete(pid);
    },
  };
}
