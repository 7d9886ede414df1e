/**
 * The second stop signal: every app's process group gets SIGKILL at once, no grace period left.
 * Best effort: a pid that is already gone is what was wanted.
 */
export function killAll(pids: Iterable<number>, kill = process.kill): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        kill(target, 'SIGKILL');
      } catch {}
    }
  }
}
