import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bus } from '../bus/index.js';
import type { ChartRegistry } from '../inspect/registry.js';

export interface EventStreamOptions {
  registry: ChartRegistry;
  bus: Bus;
  /** Bus name or pattern (`process:*`, `*:log:error`); `null`: chart updates only. */
  pattern: string | null;
  /** How often queued messages are written; one write per tick keeps 1,000 events/s cheap. */
  flushMs?: number;
  /** A viewer that stops reading loses messages beyond this many buffered bytes. */
  maxBufferedBytes?: number;
}

const HEARTBEAT_MS = 15_000;

/**
 * Serves one Server-Sent Events stream: `transition`, `tracked` and `untracked` registry updates,
 * and `bus` events (`{ seq, type, args, time }`) matching the pattern. The registry and bus
 * subscriptions exist only while the stream is open, so nothing is serialised for nobody.
 */
export function serveEventStream(
  request: IncomingMessage,
  response: ServerResponse,
  options: EventStreamOptions,
): void {
  const flushMs = options.flushMs ?? 16;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  let queue: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let seq = 0;
  let dropped = 0;

  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write(
    `retry: 2000\nevent: hello\ndata: ${JSON.stringify({ pattern: options.pattern })}\n\n`,
  );

  const flush = (): void => {
    timer = undefined;
    if (dropped > 0) {
      queue.push(message('dropped', { count: dropped }));
      dropped = 0;
    }
    const chunk = queue.join('');
    queue = [];
    if (chunk !== '') response.write(chunk);
  };

  const enqueue = (event: string, data: unknown): void => {
    if (response.writableLength > maxBuffered) {
      dropped++;
      return;
    }
    let text: string;
    try {
      text = message(event, data);
    } catch {
      return; // Unserialisable arguments: the event is skipped, the stream goes on.
    }
    queue.push(text);
    timer ??= setTimeout(flush, flushMs);
  };

  const stopRegistry = options.registry.subscribe((update) => enqueue(update.type, update));
  const stopBus =
    options.pattern === null
      ? () => {}
      : options.bus.onMatch(options.pattern, (type, ...args) =>
          enqueue('bus', { seq: ++seq, type, args, time: Date.now() }),
        );
  const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();

  const close = (): void => {
    stopRegistry();
    stopBus();
    clearInterval(heartbeat);
    if (timer) clearTimeout(timer);
  };
  request.on('close', close);
  response.on('close', close);
}

function message(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
