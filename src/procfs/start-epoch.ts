import { readFileSync } from 'node:fs';

/** USER_HZ: /proc counts process start times in these ticks on every Linux. */
const TICKS_PER_SECOND = 100;

/**
 * Epoch ms of a process start time (field 22 of `/proc/<pid>/stat`, clock ticks since boot),
 * given the boot time in epoch ms; null for a start time that is not a tick count.
 *
 * @example
 * startTimeToEpochMs('250', 1_000_000); // → 1_002_500
 */
export function startTimeToEpochMs(startTime: string, bootTimeMs: number): number | null {
  if (!/^\d{1,20}$/.test(startTime)) return null;
  return bootTimeMs + Math.round((Number(startTime) * 1000) / TICKS_PER_SECOND);
}

/** Epoch ms of the boot (`btime` of /proc/stat, whole seconds), or null without procfs. */
export function readBootTimeMs(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'latin1');
  } catch {
    return null;
  }
  const btime = /^btime (\d+)$/m.exec(stat)?.[1];
  return btime === undefined ? null : Number(btime) * 1000;
}

/**
 * When a process started, in epoch ms, from its /proc start time: to within a second (the boot
 * time is in whole seconds). Null when either is unknown.
 */
export function processStartedAt(startTime: string | null): number | null {
  if (startTime === null) return null;
  const boot = readBootTimeMs();
  return boot === null ? null : startTimeToEpochMs(startTime, boot);
}
