import { TIME_PREFIX_LENGTH } from './format.js';

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
  if (prefix.length !== TIME_PREFIX_LENGTH)
    return stampLinesSlowly(source, start, end, prefix, out, at);
  const input = view(source);
  const output = view(out);
  // The 25-byte time prefix (`2026-11-24T13:40:00.123Z `) as six words and a byte.
  const words = view(prefix);
  const w0 = words.getUint32(0, true);
  const w1 = words.getUint32(4, true);
  const w2 = words.getUint32(8, true);
  const w3 = words.getUint32(12, true);
  const w4 = words.getUint32(16, true);
  const w5 = words.getUint32(20, true);
  const w6 = prefix[24]!;
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
    output.setUint32(at, w0, true);
    output.setUint32(at + 4, w1, true);
    output.setUint32(at + 8, w2, true);
    output.setUint32(at + 12, w3, true);
    output.setUint32(at + 16, w4, true);
    output.setUint32(at + 20, w5, true);
    output.setUint8(at + 24, w6);
    at += TIME_PREFIX_LENGTH;
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

/** {@link stampLines} for a prefix of another length (a year past 9999). */
function stampLinesSlowly(
  source: Buffer,
  start: number,
  end: number,
  prefix: Buffer,
  out: Buffer,
  at: number,
): number {
  let lineStart = start;
  for (let i = start; i < end; i++) {
    if (source[i] !== NEWLINE) continue;
    at += prefix.copy(out, at);
    at += source.copy(out, at, lineStart, i + 1);
    lineStart = i + 1;
  }
  return at;
}

function view(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
}
