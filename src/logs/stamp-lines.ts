const NEWLINE = 0x0a;
/** Four newlines: XOR with it turns every newline byte of a 32-bit word into a zero byte. */
const NEWLINES = 0x0a0a0a0a;
/** Lines at least this long are copied by a native call; shorter ones 4 bytes at a time. */
const LONG_LINE = 512;

// The daemon frames every byte its children print: these loops read and write 32-bit words
// through DataViews (SWAR: "SIMD within a register") rather than one byte at a time, which
// makes framing a flood of short lines about twice as fast as a plain byte loop.

/** Newlines in `bytes[start, end)`. */
export function countNewlines(bytes: Buffer, start: number, end: number): number {
  const words = view(bytes);
  let count = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const word = words.getUint32(i, true) ^ NEWLINES;
    // Exactly one high bit per zero byte (no carries cross bytes), then add the four up.
    const zeros = ~(((word & 0x7f7f7f7f) + 0x7f7f7f7f) | word | 0x7f7f7f7f);
    if (zeros !== 0) count += (((zeros >>> 7) * 0x01010101) >>> 24) & 0xff;
  }
  for (; i < end; i++) if (bytes[i] === NEWLINE) count++;
  return count;
}

/**
 * Copies the lines of `source[start, end)` (which ends with a newline) into `out` from `at`,
 * each after `prefix`; returns where the copy ended. `out` must have room for it all.
 */
export function stampLines(
  source: Buffer,
  start: number,
  end: number,
  prefix: Buffer,
  out: Buffer,
  at: number,
): number {
  const input = view(source);
  const output = view(out);
  const stamp = prefixWriter(prefix, output);
  let lineStart = start;
  let i = start;
  while (i < end) {
    // Skip whole words without a newline (some byte of word ^ NEWLINES is zero), then find it.
    while (i + 4 <= end) {
      const word = input.getUint32(i, true) ^ NEWLINES;
      if (((word - 0x01010101) & ~word & 0x80808080) !== 0) break;
      i += 4;
    }
    while (source[i] !== NEWLINE) i++;
    at = stamp(at);
    if (i - lineStart >= LONG_LINE) {
      at += source.copy(out, at, lineStart, i + 1);
    } else {
      let k = lineStart;
      for (; k + 4 <= i + 1; k += 4, at += 4) output.setUint32(at, input.getUint32(k, true), true);
      for (; k <= i; k++) out[at++] = source[k]!;
    }
    lineStart = ++i;
  }
  return at;
}

function view(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Writes `prefix` into `output` at a position and returns the position after it. */
function prefixWriter(prefix: Buffer, output: DataView): (at: number) => number {
  if (prefix.length !== 25) {
    const bytes = new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
    return (at) => {
      bytes.set(prefix, at);
      return at + prefix.length;
    };
  }
  // Every time prefix (`2026-11-24T13:40:00.123Z `) is 25 bytes: six words and a byte.
  const words = view(prefix);
  const [w0, w1, w2, w3, w4, w5] = [0, 4, 8, 12, 16, 20].map((i) => words.getUint32(i, true));
  const last = prefix[24]!;
  return (at) => {
    output.setUint32(at, w0!, true);
    output.setUint32(at + 4, w1!, true);
    output.setUint32(at + 8, w2!, true);
    output.setUint32(at + 12, w3!, true);
    output.setUint32(at + 16, w4!, true);
    output.setUint32(at + 20, w5!, true);
    output.setUint8(at + 24, last);
    return at + 25;
  };
}
