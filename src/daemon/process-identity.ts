import { readFileSync } from 'node:fs';

/**
 * A process's start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`), or
 * `null` where there is no procfs or no such process. With the pid it names one process for
 * good: a recycled pid has a different start time.
 */
export function readProcessStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null;
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
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
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
