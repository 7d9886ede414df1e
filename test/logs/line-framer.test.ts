import { describe, expect, it } from 'vitest';
import { timePrefix } from '../../src/logs/format.js';
import { createLineFramer } from '../../src/logs/line-framer.js';

/** A clock advancing 1 ms per reading, so every chunk's stamp differs. */
function ticking(start = Date.UTC(2026, 10, 24, 13, 40)): () => number {
  let ms = start;
  return () => ms++;
}

const text = (buffer: Buffer | null) => (buffer ? buffer.toString('latin1') : '');

describe('createLineFramer', () => {
  it('stamps every complete line with the time its chunk arrived and holds the rest', () => {
    const now = ticking();
    const t0 = timePrefix(Date.UTC(2026, 10, 24, 13, 40));
    const framer = createLineFramer(now);
    expect(text(framer.frame(Buffer.from('a\nbb\ncc')))).toBe(`${t0}a\n${t0}bb\n`);
    expect(framer.frame(Buffer.from('c'))).toBeNull();
    // The held line keeps its first byte's time (t0); the new line gets this chunk's (t0 + 2).
    const t2 = timePrefix(Date.UTC(2026, 10, 24, 13, 40) + 2);
    expect(text(framer.frame(Buffer.from('c\nd\n')))).toBe(`${t0}cccc\n${t2}d\n`);
    expect(framer.takePartial()).toBeNull();
  });

  it('stamps a held partial line on takePartial and ends it with a newline', () => {
    const framer = createLineFramer(() => 0);
    framer.frame(Buffer.from('no newline yet'));
    expect(text(framer.takePartial())).toBe(`${timePrefix(0)}no newline yet\n`);
    expect(framer.takePartial()).toBeNull();
  });

  it('passes bytes through untouched: UTF-8 split across chunks, CR, NUL, long lines', () => {
    const framer = createLineFramer(() => 0);
    const p = timePrefix(0);
    const long = 'x'.repeat(5000);
    const source = Buffer.from(`é€\r\n\0\n${long}\n😀\n`);
    const out = Buffer.concat(
      [source.subarray(0, 1), source.subarray(1, 9), source.subarray(9)].map(
        (chunk) => framer.frame(chunk) ?? Buffer.alloc(0),
      ),
    );
    expect(out.toString('utf8')).toBe(`${p}é€\r\n${p}\0\n${p}${long}\n${p}😀\n`);
  });

  it('writes a partial line longer than maxLineBytes as a record of its own', () => {
    const framer = createLineFramer(() => 0, 10);
    expect(framer.frame(Buffer.from('0123456'))).toBeNull();
    expect(text(framer.frame(Buffer.from('789ab')))).toBe(`${timePrefix(0)}0123456789ab\n`);
    expect(text(framer.frame(Buffer.from('c\n')))).toBe(`${timePrefix(0)}c\n`);
  });

  it('gives every line exactly once, whatever the chunk boundaries', () => {
    const framer = createLineFramer(() => 0);
    let source = '';
    for (let n = 0; n < 2000; n++) source += `line ${n}${n % 7 === 0 ? ' '.repeat(100) : ''}\n`;
    const bytes = Buffer.from(source);
    const parts: string[] = [];
    let seed = 7;
    for (let at = 0; at < bytes.length; ) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const size = 1 + (seed % 300);
      parts.push(text(framer.frame(bytes.subarray(at, at + size))));
      at += size;
    }
    const lines = parts.join('').split('\n').slice(0, -1);
    expect(lines.map((line) => line.slice(25))).toEqual(source.split('\n').slice(0, -1));
    expect(lines.every((line) => line.startsWith(timePrefix(0)))).toBe(true);
  });
});
