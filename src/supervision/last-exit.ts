import type { HistoryEntry } from '../machines/history.js';

/** The newest transition caused by an exit: its time, code and signal (`guv info`). */
export function lastExit(history: readonly HistoryEntry[]) {
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i]!;
    if (entry.cause.event === 'CHILD.EXIT') {
      return {
        time: entry.time,
        code: entry.cause.code ?? null,
        signal: entry.cause.signal ?? null,
        status: entry.to,
      };
    }
  }
  return null;
}
