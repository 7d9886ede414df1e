import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchLogFile } from '../../src/heap/log-search.js';
import { createHeavyWorkPool, type HeavyWorkPool } from '../../src/heap/pool.js';
import { timePrefix } from '../../src/logs/format.js';
import { ensureHeavyWorkerBuilt } from './build-worker.js';

let dir: string;
let log: string;
let pool: HeavyWorkPool;
const T0 = Date.UTC(2026, 0, 1);

beforeAll(() => {
  ensureHeavyWorkerBuilt();
  dir = mkdtempSync(join(tmpdir(), 'guv-grep-'));
  log = join(dir, 'out.log');
  // 300 000 records (~15 MB), every 1000th an error; a few lines that are not guv records.
  const lines: string[] = ['not a record ERROR here'];
  for (let n = 0; n < 300_000; n++) {
    lines.push(
      `${timePrefix(T0 + n)}${n % 1000 === 0 ? `ERROR request ${n} failed` : `ok request ${n}`}`,
    );
  }
  lines.push('trailing ERROR without newline');
  writeFileSync(log, lines.join('\n'));
  pool = createHeavyWorkPool({ idleMs: 100 });
});

afterAll(async () => {
  await pool?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('searchLogFile', () => {
  it('keeps the newest matches by default, counting them all', () => {
    const result = searchLogFile(log, /ERROR/g, { limit: 3 });
    expect(result.total).toBe(302);
    expect(result.lines).toBe(300_002);
    expect(result.matches.map((m) => m.text)).toEqual([
      'ERROR request 298000 failed',
      'ERROR request 299000 failed',
      'trailing ERROR without newline',
    ]);
    expect(result.matches[0]!.time).toBe(T0 + 298_000);
    expect(result.matches[2]!.time).toBeNull();
  });

  it('stops at the first matches when asked', () => {
    const result = searchLogFile(log, /error request \d+ failed/i, { limit: 2, keep: 'first' });
    expect(result.matches.map((m) => [m.line, m.text])).toEqual([
      [2, 'ERROR request 0 failed'],
      [1002, 'ERROR request 1000 failed'],
    ]);
    expect(result.lines).toBe(1002);
  });

  it('tests the message, not the time prefix', () => {
    expect(searchLogFile(log, /^ok request 5$/).matches).toHaveLength(1);
    expect(searchLogFile(log, /2026-01-01T/).total).toBe(0);
  });

  it('runs in the pool with the regex flags kept', async () => {
    const result = await pool.searchLog(log, /error REQUEST 1000 /i, { limit: 10 });
    expect(result.matches.map((m) => m.line)).toEqual([1002]);
  });

  it('aborts a runaway search after its timeout', async () => {
    const evil = join(dir, 'evil.log');
    writeFileSync(evil, `${'a'.repeat(40)}!\n`);
    await expect(pool.searchLog(evil, /^(a+)+$/, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'GUV_HEAVY_WORK_TIMEOUT',
    });
    expect((await pool.searchLog(log, /request 7 /)).total).toBe(0);
  });
});

describe('long lines', () => {
  it('cuts a line beyond 1 MiB and goes on with the next', () => {
    const path = join(dir, 'long.log');
    writeFileSync(path, `${'x'.repeat(3 << 20)}NEEDLE\nshort NEEDLE\n`);
    const result = searchLogFile(path, /x{1000}/);
    expect(result.matches).toHaveLength(1);
    expect(result.matches[0]!.text.length).toBe(1 << 20);
    expect(searchLogFile(path, /NEEDLE/).matches.map((m) => m.line)).toEqual([2]);
  });
});
