import { describe, expect, it } from 'vitest';
import { asRequest, createLineSplitter, encodeFrame } from '../../src/rpc/frame.js';

function split(chunks: (string | Buffer)[], max = 16) {
  const lines: string[] = [];
  let oversized = 0;
  const splitter = createLineSplitter(
    (line) => lines.push(line),
    () => oversized++,
    max,
  );
  for (const chunk of chunks) splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return { lines, oversized };
}

describe('line splitter', () => {
  it('joins lines across chunks and splits several in one chunk', () => {
    expect(split(['ab', 'c\nde\nf', 'g\n', '\n']).lines).toEqual(['abc', 'de', 'fg']);
  });

  it('never cuts a multi-byte character in half', () => {
    const bytes = Buffer.from('é€\n');
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)]).lines).toEqual([
      'é€',
    ]);
  });

  it('accepts a line of exactly the maximum and refuses a longer one once', () => {
    expect(split(['x'.repeat(16), '\n'])).toEqual({ lines: ['x'.repeat(16)], oversized: 0 });
    expect(split(['x'.repeat(10), 'x'.repeat(10), '\nlater\n'])).toEqual({
      lines: [],
      oversized: 1,
    });
    expect(split([`${'x'.repeat(17)}\nlater\n`])).toEqual({ lines: [], oversized: 1 });
  });
});

describe('frames', () => {
  it('encodes one line even when strings hold newlines', () => {
    const text = encodeFrame({ id: 1, result: 'a\nb' });
    expect(text.indexOf('\n')).toBe(text.length - 1);
  });

  it('recognises requests', () => {
    expect(asRequest({ id: 1, method: 'list' })).toBeDefined();
    expect(asRequest({ id: 'a', method: 'list', params: {} })).toBeDefined();
    expect(asRequest({ id: 1 })).toBeUndefined();
    expect(asRequest({ id: null, method: 'list' })).toBeUndefined();
    expect(asRequest('list')).toBeUndefined();
  });
});
