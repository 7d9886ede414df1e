import { describe, expect, it } from 'vitest';
import { countNewlines, stampLines } from '../../src/logs/stamp-lines.js';
import { naiveStamp, random } from './helpers.js';

/** Bytes that trip up word tricks: newline, its neighbours, high bytes, zero. */
const TRICKY = [0x0a, 0x0a, 0x0a, 0x0b, 0x09, 0x8a, 0x00, 0xff, 0x7f, 0x80, 0x41];

describe('countNewlines', () => {
  it('counts exactly, whatever the bytes around and the alignment', () => {
    const next = random(1);
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(
        Array.from({ length: next(70) }, () => TRICKY[next(TRICKY.length)]!),
      );
      const start = next(bytes.length + 1);
      const end = start + next(bytes.length - start + 1);
      let expected = 0;
      for (let i = start; i < end; i++) if (bytes[i] === 0x0a) expected++;
      expect(countNewlines(bytes, start, end)).toBe(expected);
    }
  });
});

describe('stampLines', () => {
  it('puts the prefix before every line and copies the bytes untouched', () => {
    const next = random(2);
    for (const prefix of [
      Buffer.from('2026-11-24T13:40:00.123Z '),
      Buffer.from('+010000-01-01T00:00:00.000Z '),
    ]) {
      for (let round = 0; round < 200; round++) {
        const lines: number[] = [];
        for (let n = next(20); n > 0; n--) {
          // Mostly short lines, some long enough to take the native copy.
          const length = next(10) === 0 ? 500 + next(2000) : next(40);
          for (let k = 0; k < length; k++) lines.push(TRICKY[3 + next(TRICKY.length - 3)]!);
          lines.push(0x0a);
        }
        const offset = next(5);
        const source = Buffer.concat([Buffer.alloc(offset, 0x0a), Buffer.from(lines)]);
        const expected = naiveStamp(source, prefix, offset, source.length);
        const at = next(7);
        const out = Buffer.alloc(at + expected.length);
        expect(stampLines(source, offset, source.length, prefix, out, at)).toBe(out.length);
        expect(out.subarray(at).equals(expected)).toBe(true);
      }
    }
  });
});
