import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations
import { compileStampLines } from '../../scripts/build-wasm.mjs';
import { timePrefix } from '../../src/logs/format.js';
import { createLineFramer } from '../../src/logs/line-framer.js';
import { STAMP_LINES_WASM } from '../../src/logs/wasm/wasm-bytes.js';
import { WASM_INPUT_MAX, wasmStamper } from '../../src/logs/wasm/wasm-stamper.js';
import { expectSameBytes, naiveStamp, random } from './helpers.js';

/** Bytes that trip up vector tricks: newline, its neighbours, high bytes, zero. */
const TRICKY = [0x0a, 0x0a, 0x0b, 0x09, 0x8a, 0x00, 0xff, 0x7f, 0x80, 0x41];
const LENGTHS = [0, 1, 14, 15, 16, 17, 31, 32, 33, 100, 5000];

/** Lines of awkward lengths and bytes, ending with a newline. */
function lines(next: (n: number) => number, count: number): Buffer {
  const parts: Buffer[] = [];
  for (let n = 0; n < count; n++) {
    const length = next(3) === 0 ? LENGTHS[next(LENGTHS.length)]! : next(40);
    const line = Buffer.alloc(length + 1, 0x61);
    for (let k = 0; k < length; k++) {
      const byte = TRICKY[next(TRICKY.length)]!;
      line[k] = byte === 0x0a ? 0x62 : byte;
    }
    line[length] = 0x0a;
    parts.push(line);
  }
  return Buffer.concat(parts);
}

const stamper = wasmStamper();
const prefix = Buffer.from(timePrefix(Date.UTC(2026, 10, 24, 13, 40, 0, 123)), 'latin1');

describe('the WebAssembly line stamper', () => {
  it('is the compiled stamp-lines.wat', async () => {
    expect(await compileStampLines()).toBe(STAMP_LINES_WASM);
  });

  it('runs here (Node 20 has WebAssembly SIMD)', () => {
    expect(stamper).not.toBeNull();
  });

  it('frames exactly like the plain loop, line lengths around 16 bytes and long ones', () => {
    const next = random(7);
    for (let round = 0; round < 200; round++) {
      const all = lines(next, 1 + next(300));
      // At most one pipe read: cut after the last newline within 64 KiB.
      const input = all.subarray(0, all.lastIndexOf(0x0a, WASM_INPUT_MAX - 1) + 1);
      const at = next(50);
      const end = stamper!.stamp(input, 0, input.length, prefix, at);
      expectSameBytes(stamper!.output.subarray(at, end), naiveStamp(input, prefix));
    }
  });

  it('frames a slice of a larger buffer, and leaves what is before `at` alone', () => {
    const input = Buffer.from('xxline one\nline two\nyy');
    stamper!.output.write('HEAD', 0, 'latin1');
    const end = stamper!.stamp(input, 2, 20, prefix, 4);
    expect(stamper!.output.toString('latin1', 0, end)).toBe(
      `HEAD${prefix.toString('latin1')}line one\n${prefix.toString('latin1')}line two\n`,
    );
  });

  it('refuses input that could overflow its memory; the framer then uses the plain loop', () => {
    expect(stamper!.fits(0, WASM_INPUT_MAX)).toBe(true);
    expect(stamper!.fits(0, WASM_INPUT_MAX + 1)).toBe(false);
    expect(() =>
      stamper!.stamp(Buffer.alloc(WASM_INPUT_MAX + 1, 0x0a), 0, WASM_INPUT_MAX + 1, prefix, 0),
    ).toThrow(RangeError);
    const big = lines(random(3), 12_000);
    expect(big.length).toBeGreaterThan(WASM_INPUT_MAX);
    const time = () => Date.UTC(2026, 10, 24, 13, 40, 0, 123);
    const framed = createLineFramer(time).frame(big, stamper!.output);
    expect(framed).not.toBeNull();
    expectSameBytes(framed!, naiveStamp(big, prefix));
  });

  it('through the framer: chunks split anywhere give the same file as one plain framing', () => {
    const next = random(11);
    const time = () => Date.UTC(2026, 10, 24, 13, 40, 0, 123);
    const input = lines(next, 3000);
    const framer = createLineFramer(time);
    const out: Buffer[] = [];
    for (let at = 0; at < input.length; ) {
      const size = 1 + next(700);
      const framed = framer.frame(input.subarray(at, at + size), stamper!.output);
      if (framed) out.push(Buffer.from(framed)); // a view of the scratch: copy before reuse
      at += size;
    }
    expectSameBytes(Buffer.concat(out), naiveStamp(input, prefix));
  });
});
