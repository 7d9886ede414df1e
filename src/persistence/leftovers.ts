import { killGroup, groupAlive } from '../actors/child/kill-group.js';
import { isSameProcessAlive } from '../procfs/process-identity.js';
import type { SavedProcess } from './saved-state.js';

const POLL_MS = 20;

/**
 * After a daemon died without stopping its children (kill -9, OOM), stop every child it left
 * behind, identified by pid AND start time so a recycled pid is never touched: SIGTERM to the
 * group, SIGKILL after its kill timeout. The caller then starts them afresh, so there is never
 * a second copy of an app. Resolves with the pids that were stopped.
 */
export async function stopLeftoverChildren(
  saved: SavedProcess[],
  defaultKillMs: number,
): Promise<number[]> {
  const leftovers = saved.filter(
    (entry): entry is SavedProcess & { pid: number } =>
      entry.pid !== null && isSameProcessAlive(entry.pid, entry.pidStartTime),
  );
  await Promise.all(
    leftovers.map(async (entry) => {
      killGroup(entry.pid, 'SIGTERM');
      const deadline = Date.now() + (entry.definition.timeouts.killMs ?? defaultKillMs);
      while (groupAlive(entry.pid) && Date.now() < deadline) await sleep(POLL_MS);
      if (groupAlive(entry.pid)) killGroup(entry.pid, 'SIGKILL');
      // A killed group disappears once reaped; don't wait forever on a zombie nobody reaps.
      const reaped = Date.now() + 2000;
      while (groupAlive(entry.pid) && Date.now() < reaped) await sleep(POLL_MS);
    }),
  );
  return leftovers.map((entry) => entry.pid);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
