import { readFileSync } from 'node:fs';

/**
 * The fields of `/proc/<pid>/stat` from field 3 (state) on, so `fields[0]` is field 3 and
 * field n is `fields[n - 3]`; null where there is no procfs or no such process. The command
 * name (field 2) is in parentheses and may itself hold spaces and ')': fields start after
 * the last ')'.
 */
export function readProcStat(pid: number): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  return parseProcStat(stat);
}

export function parseProcStat(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
