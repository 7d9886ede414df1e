import { readdirSync, readFileSync } from 'node:fs';

/** A `Field:   123 kB` line of a /proc file, in bytes. */
function kbField(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  if (!match) throw new Error(`no ${field}`);
  return Number(match[1]) * 1024;
}

/** Resident memory of a live process in bytes (VmRSS), or null when it is gone. */
export function readRss(pid: number): number | null {
  try {
    return kbField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
  } catch {
    return null;
  }
}

/** How a process's resident memory splits: anonymous (its own) and file-backed (the node binary's
 * pages, shared with every other node process), and its proportional share (PSS). Bytes. */
export interface MemoryParts {
  anon: number;
  file: number;
  pss: number;
}

export function readMemoryParts(pid: number): MemoryParts | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return {
      anon: kbField(status, 'RssAnon'),
      file: kbField(status, 'RssFile'),
      pss: kbField(rollup, 'Pss'),
    };
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGKILLs each pid still alive; for the cleanup after a tool's own shutdown. */
export function killLeftovers(pids: Iterable<number>): number[] {
  const killed: number[] = [];
  for (const pid of pids) {
    if (pid > 1 && pid !== process.pid && isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        // gone in between
      }
    }
  }
  return killed;
}

export const MiB = 1024 * 1024;

function scanProc(matches: (pid: number) => boolean): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (matches(pid)) found.push(pid);
    } catch {
      // exited, or not ours to read
    }
  }
  return found;
}

/**
 * Processes started with `name=value` in their environment: a bench's private home variable
 * marks its daemon and (inherited) every app, even when the tool's own `kill` failed.
 */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = `\0${name}=${value}\0`;
  return scanProc((pid) => `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(needle));
}

/** Processes whose command line mentions `fragment` (a bench's unique temp folder). */
export function pidsWithCommandLine(fragment: string): number[] {
  return scanProc((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(fragment));
}
