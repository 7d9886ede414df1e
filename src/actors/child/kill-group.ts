/**
 * Sends `signal` to the whole process group led by `pid` (children are spawned detached, so their
 * pid is their group id). Returns false when the group no longer exists.
 */
export function killGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** True while any process of the group led by `pid` is still alive (zombies included). */
export function groupAlive(pid: number): boolean {
  return killGroup(pid, 0);
}
