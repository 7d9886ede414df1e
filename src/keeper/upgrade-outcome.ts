/** A running process as `guv upgrade` sees it before and after the daemon is replaced. */
export interface RunningPid {
  name: string;
  pid: number | null;
}

export interface UpgradeOutcome {
  /** Running before and after with the same pid: the keeper kept it. */
  readopted: number;
  /** Running before, and now with another pid (its keeper was replaced) or not at all. */
  restarted: number;
  notRunning: number;
}

/**
 * What the upgrade did to each process that ran before it, read from the pids alone: whatever
 * the next daemon did with its keeper (re-adopted, or retired a keeper it could not speak to),
 * the count is what happened.
 *
 * @example
 * upgradeOutcome([{ name: 'web', pid: 10 }], [{ name: 'web', pid: 10 }]); // readopted: 1
 */
export function upgradeOutcome(before: RunningPid[], after: RunningPid[]): UpgradeOutcome {
  const now = new Map(after.map((entry) => [entry.name, entry.pid]));
  const outcome: UpgradeOutcome = { readopted: 0, restarted: 0, notRunning: 0 };
  for (const { name, pid } of before) {
    if (pid === null) continue;
    const next = now.get(name) ?? null;
    if (next === pid) outcome.readopted += 1;
    else if (next !== null) outcome.restarted += 1;
    else outcome.notRunning += 1;
  }
  return outcome;
}

/** `2 kept processes re-adopted`, `1 kept process re-adopted, 1 restarted`… */
export function describeOutcome({ readopted, restarted, notRunning }: UpgradeOutcome): string {
  const plural = (n: number) => `${n} kept process${n === 1 ? '' : 'es'}`;
  const parts = [`${plural(readopted)} re-adopted`];
  if (restarted > 0) parts.push(`${restarted} restarted (the keeper was replaced)`);
  if (notRunning > 0) parts.push(`${notRunning} not running yet`);
  return parts.join(', ');
}
