import { readFile } from 'node:fs/promises';

/**
 * Field 22 of /proc/<pid>/stat (`starttime`, clock ticks after boot): with the pid, it tells a
 * daemon whether a pid still belongs to the process it started. Null when there is no such
 * process (or no /proc).
 */
export async function readProcessStartTime(pid: number): Promise<number | null> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  return parseStartTime(stat);
}

/** The command name (field 2) may hold spaces and parentheses: count fields after its last ')'. */
export function parseStartTime(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the name start at field 3, so field 22 is index 19.
  const value = Number(fields[19]);
  return Number.isInteger(value) ? value : null;
}
