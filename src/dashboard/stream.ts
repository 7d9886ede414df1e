import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the page receives, batched: one SSE `batch` event holds an array of these. */
export type StreamMessage =
  | { t: 'host'; host: string; ok: boolean; error?: string; status?: unknown }
  | { t: 'list'; host: string; list: unknown[] }
  | { t: 'proc'; host: string; id: string; info: unknown; event: string; time: number }
  | {
      t: 'log';
      host: string;
      id: string;
      level: string;
      source: string;
      date: number;
      message: string;
    }
  | { t: 'sample'; host: string; id: string; sample: Record<string, number | null> }
  | { t: 'app'; host: string; event: string; args: unknown[] }
  | { t: 'output'; host: string; job: string; chunk: string }
  | { t: 'dropped'; count: number };

export interface Focus {
  host: string;
  id: string;
}

export interface BrowserStreamOptions {
  /** How often queued messages go out as one write. */
  flushMs?: number;
  /** Log lines per flush at most (4,000/s at 250 ms); the rest is counted as dropped, so a burst never piles up. */
  maxLogsPerFlush?: number;
  /** A page that stops reading loses messages beyond this many buffered bytes. */
  maxBufferedBytes?: number;
}

/**
 * One page's Server-Sent Events stream. Messages are queued and written every `flushMs`
 * (250 ms) as one `batch`: a status change of a process replaces the previous one of the same
 * flush, log lines beyond the cap are dropped and counted, so 1,000 events/s cost the browser
 * four small parses a second.
 */
export function openBrowserStream(
  request: IncomingMessage,
  response: ServerResponse,
  focus: Focus | null,
  options: BrowserStreamOptions = {},
) {
  const flushMs = options.flushMs ?? 250;
  const maxLogs = options.maxLogsPerFlush ?? 1000;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  let ordered: StreamMessage[] = [];
  let latest = new Map<string, StreamMessage>();
  let logs = 0;
  let dropped = 0;
  let closed = false;
  const closeListeners: (() => void)[] = [];

  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-content-type-options': 'nosniff',
  });
  response.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ focus })}\n\n`);

  const flush = () => {
    if (dropped > 0) ordered.push({ t: 'dropped', count: dropped });
    const batch = [...ordered, ...latest.values()];
    ordered = [];
    latest = new Map();
    logs = 0;
    dropped = 0;
    if (batch.length === 0) return;
    if (response.writableLength > maxBuffered) {
      dropped += batch.length;
      return;
    }
    response.write(`event: batch\ndata: ${JSON.stringify(batch)}\n\n`);
  };
  const timer = setInterval(flush, flushMs);
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), 15_000);

  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    clearInterval(heartbeat);
    for (const listener of closeListeners) listener();
  };
  request.on('close', close);
  response.on('close', close);

  return {
    focus,
    get closed() {
      return closed;
    },
    push(message: StreamMessage): void {
      if (closed) return;
      if (message.t === 'log') {
        if (logs >= maxLogs) {
          dropped++;
          return;
        }
        logs++;
        ordered.push(message);
      } else if (message.t === 'list' || message.t === 'host') {
        latest.set(`${message.t}:${message.host}`, message);
      } else ordered.push(message);
    },
    onClose(listener: () => void): void {
      if (closed) listener();
      else closeListeners.push(listener);
    },
    end(): void {
      response.end();
      close();
    },
  };
}

export type BrowserStream = ReturnType<typeof openBrowserStream>;
