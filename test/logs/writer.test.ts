import { readFileSync } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogWriter } from '../../src/logs/writer.js';
import { allLines, message, sequenceProblems, tempDir } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(() => remove());

const at = (ms: number) => new Date(ms).toISOString();

describe('createLogWriter', () => {
  it.each([
    ['small batches written at once', undefined],
    ['every write off the event loop', 0],
  ])(
    'keeps 1,000,000 lines whole and in order across many rotations (%s)',
    async (_, syncMaxBytes) => {
      const path = join(dir, 'api', 'out.log');
      const writer = createLogWriter({
        path,
        maxBytes: 2 * 1024 * 1024,
        keep: 100,
        ...(syncMaxBytes === undefined ? {} : { syncMaxBytes }),
      });
      const total = 1_000_000;
      let n = 0;
      // Chunks cut at arbitrary bytes, as a pipe would deliver them.
      let carry = '';
      while (n < total) {
        let text = carry;
        for (const end = Math.min(total, n + 3000); n < end; n++) text += `line ${n}\n`;
        const cut = n < total ? text.length - 7 : text.length;
        carry = text.slice(cut);
        if (!writer.write(Buffer.from(text.slice(0, cut)))) {
          await new Promise<void>((resolve) => writer.once('drain', resolve));
        }
      }
      await writer.close();
      const lines = await allLines(path);
      expect(sequenceProblems(lines.map(message), total)).toEqual([]);
      const names = await readdir(join(dir, 'api'));
      expect(names.length).toBeGreaterThan(10);
      for (const name of names) {
        expect((await stat(join(dir, 'api', name))).size).toBeLessThanOrEqual(2 * 1024 * 1024);
      }
    },
  );

  it('stamps a line split across chunks with the time its first part arrived', async () => {
    const path = join(dir, 'out.log');
    let clock = 1_000;
    const writer = createLogWriter({ path, now: () => clock });
    writer.write(Buffer.from('ab'));
    clock = 2_000;
    writer.write(Buffer.from('c\nde'));
    clock = 3_000;
    writer.write(Buffer.from('f\nlast, no newline'));
    clock = 4_000;
    await writer.close();
    expect(await readFile(path, 'utf8')).toBe(
      `${at(1_000)} abc\n${at(2_000)} def\n${at(3_000)} last, no newline\n`,
    );
  });

  it('writes a line longer than maxBytes whole, in a file of its own', async () => {
    const path = join(dir, 'out.log');
    const writer = createLogWriter({ path, maxBytes: 100, keep: 5, now: () => 0 });
    const long = 'x'.repeat(500);
    writer.write(Buffer.from(`short\n${long}\nafter\n`));
    await writer.close();
    expect((await allLines(path)).map(message)).toEqual(['short', long, 'after']);
    expect(await readFile(`${path}.1`, 'utf8')).toBe(`${at(0)} ${long}\n`);
  });

  it('keeps only `keep` rotated files, so the total stays bounded', async () => {
    const path = join(dir, 'out.log');
    const writer = createLogWriter({ path, maxBytes: 200, keep: 2 });
    for (let i = 0; i < 100; i++) writer.write(Buffer.from(`line ${i}\n`));
    await writer.close();
    expect((await readdir(dir)).sort()).toEqual(['out.log', 'out.log.1', 'out.log.2']);
    const lines = (await allLines(path)).map(message);
    expect(lines.at(-1)).toBe('line 99');
    expect(lines).toEqual(lines.map((_, i) => `line ${100 - lines.length + i}`));
  });

  it('appends to an existing file and counts its size towards rotation', async () => {
    const path = join(dir, 'out.log');
    const first = createLogWriter({ path, maxBytes: 60, now: () => 0 });
    first.write(Buffer.from('one\n'));
    await first.close();
    const second = createLogWriter({ path, maxBytes: 60, now: () => 0 });
    second.write(Buffer.from('two\nthree\n'));
    await second.close();
    expect(await readFile(`${path}.1`, 'utf8')).toBe(`${at(0)} one\n${at(0)} two\n`);
    expect(await readFile(path, 'utf8')).toBe(`${at(0)} three\n`);
  });

  it('writes a multi-line record as one stamped line per line', async () => {
    const path = join(dir, 'warn.log');
    const writer = createLogWriter({ path, now: () => 5 });
    writer.writeRecord('Error: boom\n    at x (y.js:1:1)');
    writer.writeRecord('later', 9);
    await writer.close();
    expect(await readFile(path, 'utf8')).toBe(
      `${at(5)} Error: boom\n${at(5)}     at x (y.js:1:1)\n${at(9)} later\n`,
    );
  });

  it('writes a small batch before write() returns when nothing is in flight', async () => {
    const path = join(dir, 'out.log');
    const writer = createLogWriter({ path, now: () => 5 });
    expect(writer.write(Buffer.from('one\ntwo\n'))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`${at(5)} one\n${at(5)} two\n`);
    await writer.close();
  });

  it('never lends the shared scratch buffer to a second writer while bytes in it are in flight', async () => {
    // a: every batch goes through the pool (over syncMaxBytes), framed into the scratch while idle.
    const a = createLogWriter({ path: join(dir, 'a.log'), now: () => 5, syncMaxBytes: 10 });
    const b = createLogWriter({ path: join(dir, 'b.log'), now: () => 5 });
    const as = Array.from({ length: 200 }, (_, i) => `a line ${i}`);
    a.write(Buffer.from(`${as.slice(0, 100).join('\n')}\n`));
    for (let i = 0; i < 50; i++) b.write(Buffer.from(`${'b'.repeat(i + 20)}\n`));
    a.write(Buffer.from(`${as.slice(100).join('\n')}\n`));
    await Promise.all([a.close(), b.close()]);
    expect((await readFile(join(dir, 'a.log'), 'utf8')).split('\n').slice(0, -1)).toEqual(
      as.map((line) => `${at(5)} ${line}`),
    );
    expect((await readFile(join(dir, 'b.log'), 'utf8')).split('\n')).toHaveLength(51);
  });

  it('reports back-pressure past the high-water mark and drains', async () => {
    const writer = createLogWriter({
      path: join(dir, 'out.log'),
      highWaterMark: 1024,
      syncMaxBytes: 0,
    });
    expect(writer.write(Buffer.from('small\n'))).toBe(true);
    expect(writer.write(Buffer.from(`${'y'.repeat(2000)}\n`))).toBe(false);
    await new Promise<void>((resolve) => writer.once('drain', resolve));
    await writer.flush();
    await writer.close();
    expect(() => writer.write(Buffer.from('late\n'))).toThrow(/closed/);
  });

  it('reports a file it cannot open as a GuvError', async () => {
    await writeFile(join(dir, 'not-a-folder'), '');
    expect(() => createLogWriter({ path: join(dir, 'not-a-folder', 'out.log') })).toThrow(
      expect.objectContaining({ code: 'GUV_LOG_OPEN_FAILED' }),
    );
  });
});

describe('a line that never ends', () => {
  it('is written in pieces of maxLineBytes instead of held without bound', async () => {
    const { dir: folder, remove: removeFolder } = await tempDir();
    const path = join(folder, 'out.log');
    const writer = createLogWriter({ path, maxLineBytes: 1000, now: () => 0 });
    for (let i = 0; i < 5; i++) writer.write(Buffer.from('='.repeat(400)));
    writer.write(Buffer.from('done\n'));
    await writer.close();
    const lengths = (await allLines(path)).map((line) => message(line).length);
    expect(lengths).toEqual([1200, 804]);
    await removeFolder();
  });
});
