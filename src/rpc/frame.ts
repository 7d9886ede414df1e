/**
 * The local RPC wire format: one JSON value per line (UTF-8, `\n`-terminated) over a unix
 * socket. JSON.stringify escapes newlines inside strings, so a frame never contains a raw one.
 *
 * Client → daemon: a request `{ id, method, params }`.
 * Daemon → client: a response `{ id, result }` or `{ id, error: { code, message } }`, or an
 * event `{ event, args }` (only for patterns the connection subscribed to, plus
 * `rpc:dropped`). A reply to a frame that could not be read at all carries `id: null`.
 *
 * Imports nothing: the CLI's cold path loads this file.
 */

export type RequestId = number | string;

export interface RequestFrame {
  id: RequestId;
  method: string;
  params?: unknown;
  /** A remote request's signature (src/remote/signing.ts); the local socket ignores it. */
  auth?: unknown;
}

export interface ErrorBody {
  code: string;
  message: string;
}

export type ResponseFrame =
  | { id: RequestId | null; result: unknown }
  | { id: RequestId | null; error: ErrorBody };

export interface EventFrame {
  event: string;
  args: unknown[];
}

/** Frames longer than this (bytes, without the newline) are refused. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** Sent once the daemon had to skip events because the connection did not read them. */
export const DROPPED_EVENT = 'rpc:dropped';

export function encodeFrame(frame: RequestFrame | ResponseFrame | EventFrame): string {
  return `${JSON.stringify(frame)}\n`;
}

export interface LineSplitter {
  /** Feed bytes as they arrive; calls `onLine` for every complete line. */
  push(chunk: Buffer): void;
}

/**
 * Split a byte stream into lines of at most `maxBytes`. Once a line grows past that,
 * `onOversize` is called once and every later byte is ignored: the stream cannot be trusted
 * to be back in step, so the owner closes it.
 */
export function createLineSplitter(
  onLine: (line: string) => void,
  onOversize: () => void,
  maxBytes = MAX_FRAME_BYTES,
): LineSplitter {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overflowed = false;
  return {
    push(chunk) {
      if (overflowed) return;
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(10, start);
        if (newline === -1) break;
        const length = pendingBytes + newline - start;
        if (length > maxBytes) return overflow();
        const piece = chunk.subarray(start, newline);
        const line =
          pendingBytes === 0
            ? piece
            : Buffer.concat([...pending, piece], pendingBytes + piece.length);
        pending = [];
        pendingBytes = 0;
        start = newline + 1;
        if (line.length > 0) onLine(line.toString('utf8'));
        if (overflowed) return;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > maxBytes) overflow();
      }
    },
  };

  function overflow(): void {
    overflowed = true;
    pending = [];
    pendingBytes = 0;
    onOversize();
  }
}

/** Parse one line; `undefined` when it is not JSON. */
export function parseFrame(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** A well-formed request, or `undefined`. */
export function asRequest(value: unknown): RequestFrame | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, method } = value as Partial<RequestFrame>;
  if (typeof method !== 'string') return undefined;
  if (typeof id !== 'number' && typeof id !== 'string') return undefined;
  return value as RequestFrame;
}
