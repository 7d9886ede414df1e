import { timePrefix } from './format.js';

const NEWLINE = 0x0a;

/** Turns raw output chunks into whole, time-stamped lines; holds a partial last line. */
export interface LineFramer {
  /** The complete lines of `chunk` (and of any held partial line), stamped; null if none. */
  frame(chunk: Buffer): Buffer | null;
  /** The held partial line, stamped with the time its first byte arrived, then forgotten. */
  takePartial(): Buffer | null;
}

/**
 * One timestamp per chunk, not per line: every line completed by a chunk gets the chunk's arrival
 * time, except a line begun in an earlier chunk, which keeps the time its first byte arrived.
 * Bytes pass through untouched (latin1 maps each byte to one char and back).
 */
export function createLineFramer(now: () => number, maxLineBytes = Infinity): LineFramer {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let heldTime = 0;
  let stampMs = Number.NaN;
  let stamp = '';

  const stampFor = (ms: number): string => {
    if (ms !== stampMs) {
      stampMs = ms;
      stamp = timePrefix(ms);
    }
    return stamp;
  };

  const stampLines = (body: Buffer, prefix: string): string =>
    prefix + body.toString('latin1', 0, body.length - 1).replaceAll('\n', '\n' + prefix) + '\n';

  const framer: LineFramer = {
    frame(chunk) {
      if (chunk.length === 0) return null;
      const arrived = now();
      const last = chunk.lastIndexOf(NEWLINE);
      if (last === -1) {
        if (held.length === 0) heldTime = arrived;
        held.push(Buffer.from(chunk)); // copied: callers may reuse their buffers
        heldBytes += chunk.length;
        // Output that never ends its line (a progress bar) must not grow memory without bound.
        return heldBytes > maxLineBytes ? framer.takePartial() : null;
      }
      let head = '';
      let bodyStart = 0;
      if (held.length > 0) {
        const first = chunk.indexOf(NEWLINE);
        held.push(chunk.subarray(0, first + 1));
        head = stampLines(Buffer.concat(held), stampFor(heldTime));
        held = [];
        heldBytes = 0;
        bodyStart = first + 1;
      }
      const body =
        bodyStart <= last ? stampLines(chunk.subarray(bodyStart, last + 1), stampFor(arrived)) : '';
      if (last + 1 < chunk.length) {
        held.push(Buffer.from(chunk.subarray(last + 1)));
        heldBytes = chunk.length - last - 1;
        heldTime = arrived;
      }
      return Buffer.from(head + body, 'latin1');
    },
    takePartial() {
      if (held.length === 0) return null;
      const text = stampLines(Buffer.concat([...held, Buffer.from('\n')]), stampFor(heldTime));
      held = [];
      heldBytes = 0;
      return Buffer.from(text, 'latin1');
    },
  };
  return framer;
}
