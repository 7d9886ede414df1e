import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readState, writeState } from '../../src/persistence/state-store.js';

interface Saved {
  processes: string[];
}

function parseSaved(value: unknown): Saved {
  const processes = (value as Saved | null)?.processes;
  if (!Array.isArray(processes)) throw new TypeError('expected {processes: string[]}');
  return { processes };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'guv-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('state store', () => {
  it('reports a missing file as missing', async () => {
    expect(await readState(join(dir, 'processes.json'), parseSaved)).toEqual({ kind: 'missing' });
  });

  it('writes atomically and reads back the validated value', async () => {
    const path = join(dir, 'nested', 'processes.json');
    await writeState(path, { processes: ['web', 'worker'] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await readState(path, parseSaved)).toEqual({
      kind: 'ok',
      value: { processes: ['web', 'worker'] },
    });
    expect(readdirSync(join(dir, 'nested'))).toEqual(['processes.json']);
  });

  it.each([
    ['bad JSON', '{"processes": ['],
    ['an empty file', ''],
    ['a value failing validation', '{"processes": 3}'],
  ])('keeps %s aside and reports it as corrupt, never as empty', async (_, content) => {
    const path = join(dir, 'processes.json');
    writeFileSync(path, content);
    const read = await readState(path, parseSaved);
    expect(read.kind).toBe('corrupt');
    if (read.kind !== 'corrupt') return;
    expect(read.error.code).toBe('GUV_STATE_CORRUPT');
    expect(read.error.cause).toBeInstanceOf(Error);
    expect(read.keptAs).toMatch(/processes\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(readFileSync(read.keptAs!, 'utf8')).toBe(content);
    expect(await readState(path, parseSaved)).toEqual({ kind: 'missing' });
  });
});
