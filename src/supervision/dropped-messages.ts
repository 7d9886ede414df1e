export interface DroppedReport {
  /** The process or cluster whose child sent them. */
  id: string;
  /** Dropped since the last report (this one included). */
  dropped: number;
  /** Dropped since the daemon started hearing this child. */
  total: number;
  /** Why the latest was dropped; never quotes the message. */
  reason: string;
}

export interface DroppedMessagesOptions {
  /** Called at most once per `intervalMs` per id. */
  report(report: DroppedReport): void;
  /** Default 60 s. */
  intervalMs?: number;
  now?: () => number;
}

/**
 * Counts the messages dropped per child (malformed, or an IPC message over its cap) and
 * reports them at most once per interval per child: the first at once, later ones folded into
 * the next report, so a child sending garbage in a loop cannot flood the daemon's log.
 *
 * @example
 * const dropped = createDroppedMessages({ report: (r) => log.warn(r, 'dropped messages') });
 * dropped.drop(id, 'log: level is not debug, info, warn or error');
 */
export function createDroppedMessages(options: DroppedMessagesOptions) {
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  const byId = new Map<string, { total: number; unreported: number; reportedAt: number }>();

  return {
    drop(id: string, reason: string): void {
      let entry = byId.get(id);
      if (!entry) {
        entry = { total: 0, unreported: 0, reportedAt: Number.NEGATIVE_INFINITY };
        byId.set(id, entry);
      }
      entry.total++;
      entry.unreported++;
      const time = now();
      if (time - entry.reportedAt < intervalMs) return;
      entry.reportedAt = time;
      const dropped = entry.unreported;
      entry.unreported = 0;
      options.report({ id, dropped, total: entry.total, reason });
    },
    /** Dropped from `id` so far. */
    count(id: string): number {
      return byId.get(id)?.total ?? 0;
    },
    /** The process or cluster is gone. */
    forget(id: string): void {
      byId.delete(id);
    },
  };
}

export type DroppedMessages = ReturnType<typeof createDroppedMessages>;
