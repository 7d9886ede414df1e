import { readProcStat } from './proc-stat.js';

/**
 * A process's start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`), or
 * `null` where there is no procfs or no such process. With the pid it names one process for
 * good: a recycled pid has a different start time.
 */
export function readProcessStartTime(pid: number): string | null {
  return readProcStat(pid)?.[19] ?? null;
}

/**
 * Whether a process with this pid exists (even one we may not signal) and is not a zombie: a
 * killed daemon whose parent never reaps it stays in the process table, but it is dead.
 */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  const state = readProcStat(pid)?.[0];
  return state === 'Z' || state === 'X';
}

/**
 * Whether the process recorded as (`pid`, `startTime`) is still the one running under that
 * pid. Without procfs (or without a recorded start time) only the pid is checked.
 */
export function isSameProcessAlive(pid: number, startTime: string | null): boolean {
  if (!isPidAlive(pid)) return false;
  if (startTime === null) return true;
  const now = readProcessStartTime(pid);
  return now === null || now === startTime;
}
