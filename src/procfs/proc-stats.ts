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
 * Keeps the previous sample per pid so each `measure` reports CPU use since the last one
 * (or since the process started, the first time).
 */
export function createCpuMeter() {
  const previous = new Map<number, ProcSample>();
  return {
    measure(pid: number, startedAt: number | null): { cpu: number; memory: number } | null {
      const sample = sampleProc(pid);
      if (!sample) {
        previous.delete(pid);
        return null;
      }
      const before = previous.get(pid) ?? { cpuMs: 0, rssBytes: 0, at: startedAt ?? sample.at };
      previous.set(pid, sample);
      return { cpu: cpuPercent(before, sample), memory: sample.rssBytes };
    },
    forget(pid: number): void {
      previous.delete(pid);
    },
  };
}
