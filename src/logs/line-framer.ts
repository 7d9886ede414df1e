import { TIME_PREFIX_LENGTH, timePrefix } from './format.js';
import { countNewlines, stampLines } from './stamp-lines.js';
import { wasmStamper } from './wasm/wasm-stamper.js';

const NEWLINE = 0x0a;
const LINE_END = Buffer.from('\n');

/** Turns raw output chunks into whole, time-stamped lines; holds a partial last line. */
export interface LineFramer {
  /**
   * The complete lines of `chunk` (and of any held partial line), stamped; null if none. When
   * `scratch` has room for them they are framed into it, and the result (a view of `scratch`)
   * lasts only until `scratch` is used again.
   */
  frame(chunk: Buffer, scratch?: Buffer | null): Buffer | null;
  /** The held partial line, stamped with the time its first byte arrived, then forgotten. */
  takePartial(): Buffer | null;
}

/**
 * One timestamp per chunk, not per line: every line completed by a chunk gets the chunk's arrival
 * time, except a line begun in an earlier chunk, which keeps the time its first byte arrived.
 * Bytes pass through untouched. Framing works on bytes into one buffer sized up front: no strings,
 * so a flood of output leaves no garbage on the daemon's heap.
 */
export function createLineFramer(now: () => number, maxLineBytes = Infinity): LineFramer {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let heldTime = 0;
  let stampMs = Number.NaN;
  let stamp = Buffer.alloc(0);

  /** The prefix for `ms`; a new buffer when the time changes, so one handed out never changes. */
  const stampFor = (ms: number): Buffer => {
    if (ms !== stampMs) {
      stampMs = ms;
      stamp = Buffer.from(timePrefix(ms), 'latin1');
    }
    return stamp;
  };

  /** The held partial line plus `chunk[0, end)`, stamped with the held line's time. */
  const takeHeld = (chunk: Buffer, end: number): Buffer => {
    const prefix = stampFor(heldTime);
    const out = Buffer.allocUnsafe(prefix.length + heldBytes + end);
    let at = prefix.copy(out, 0);
    for (const part of held) at += part.copy(out, at);
    chunk.copy(out, at, 0, end);
    held = [];
    heldBytes = 0;
    return out;
  };

  const hold = (part: Buffer, time: number): void => {
    if (held.length === 0) heldTime = time;
    held.push(Buffer.from(part)); // copied: callers may reuse their buffers
    heldBytes += part.length;
  };

  const framer: LineFramer = {
    frame(chunk, scratch) {
      if (chunk.length === 0) return null;
      const arrived = now();
      const last = chunk.lastIndexOf(NEWLINE);
      if (last === -1) {
        hold(chunk, arrived);
        // Output that never ends its line (a progress bar) must not grow memory without bound.
        return heldBytes > maxLineBytes ? framer.takePartial() : null;
      }
      let head: Buffer | null = null;
      let bodyStart = 0;
      if (held.length > 0) {
        bodyStart = chunk.indexOf(NEWLINE) + 1;
        head = takeHeld(chunk, bodyStart);
      }
      const prefix = stampFor(arrived);
      const headBytes = head?.length ?? 0;
      const bodyEnd = last + 1;
      if (last + 1 < chunk.length) hold(chunk.subarray(last + 1), arrived);
      // The stamper's output is the scratch when WebAssembly is there: no count needed first.
      const stamper = scratch ? wasmStamper() : null;
      if (
        stamper &&
        scratch === stamper.output &&
        prefix.length === TIME_PREFIX_LENGTH &&
        stamper.fits(headBytes, bodyEnd - bodyStart)
      ) {
        if (head) head.copy(scratch, 0);
        return scratch.subarray(0, stamper.stamp(chunk, bodyStart, bodyEnd, prefix, headBytes));
      }
      const lines = countNewlines(chunk, bodyStart, bodyEnd);
      const size = headBytes + bodyEnd - bodyStart + lines * prefix.length;
      const out =
        scratch && scratch.length >= size
          ? scratch.subarray(0, size)
          : Buffer.allocUnsafeSlow(size);
      if (head) head.copy(out, 0);
      stampLines(chunk, bodyStart, bodyEnd, prefix, out, headBytes);
      return out;
    },
    takePartial() {
      if (held.length === 0) return null;
      return takeHeld(LINE_END, 1);
    },
  };
  return framer;
}
