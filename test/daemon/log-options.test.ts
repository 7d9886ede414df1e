import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cleanupHome,
  eventually,
  fixture,
  guv,
  makeHome,
  type TestHome,
} from '../helpers/daemon-harness.js';

let home: TestHome;
let dir: string;
beforeEach(() => {
  home = makeHome();
  dir = join(home.dir, 'app');
  mkdirSync(dir);
});
afterEach(async () => {
  await cleanupHome(home);
}, 60_000);

const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ';

async function startOk(args: string[]) {
  const result = await guv(home, ['start', ...args], { cwd: dir });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

describe('log options with a real daemon', () => {
  it('--out-file and --error-file (relative to the cwd) get each stream, with guv’s time prefix', async () => {
    await startOk([
      fixture('print-both.js'),
      '-n',
      'files',
      '--out-file',
      'out.log',
      '--error-file',
      'logs-err.log',
    ]);
    const out = await eventually(
      () => read(join(dir, 'out.log')).includes('out from app') && read(join(dir, 'out.log')),
      'out.log',
    );
    const err = await eventually(
      () =>
        read(join(dir, 'logs-err.log')).includes('err from app') && read(join(dir, 'logs-err.log')),
      'logs-err.log',
    );
    expect(out).toMatch(new RegExp(`^${ISO}out from app\\n$`));
    expect(err).toMatch(new RegExp(`^${ISO}err from app\\n$`));
    // guv's own files are written as before.
    await eventually(() => read(home.logFile('files')).includes('out from app'), 'guv’s out.log');
    const info = await guv(home, ['info', 'files']);
    expect(info.stdout).toMatch(/out file\s+.*app\/out\.log/);
  }, 60_000);

  it('--log-time false writes the lines raw; guv’s own files keep the prefix', async () => {
    await startOk([
      fixture('print-both.js'),
      '-n',
      'raw',
      '--out-file',
      'raw.log',
      '--log-time',
      'false',
    ]);
    await eventually(() => read(join(dir, 'raw.log')).includes('out from app'), 'raw.log');
    expect(read(join(dir, 'raw.log'))).toBe('out from app\n');
    await eventually(() => read(home.logFile('raw')).includes('out from app'), 'guv’s out.log');
    expect(read(home.logFile('raw'))).toMatch(new RegExp(`^${ISO}out from app`));
  }, 60_000);

  it('--log-time false without a file of the user’s is refused in one line', async () => {
    const result = await guv(home, ['start', fixture('print-both.js'), '--log-time', 'false']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--log-time false applies to --out-file and --error-file/);
  });

  it('a cluster’s workers all write into the one --out-file (pm2’s merge_logs)', async () => {
    await startOk([
      fixture('print-both.js'),
      '-n',
      'merged',
      '-i',
      '2',
      '--out-file',
      'merged.log',
    ]);
    const text = await eventually(
      () => {
        const content = read(join(dir, 'merged.log'));
        const both = content.includes('out from worker 0') && content.includes('out from worker 1');
        return both ? content : null;
      },
      'both workers in merged.log',
      30_000,
    );
    expect(text.trim().split('\n')).toHaveLength(2);
  }, 60_000);

  it('guv flush <p> empties its files, guv’s and the user’s; guv flush empties every process’s', async () => {
    await startOk([fixture('print-both.js'), '-n', 'f1', '--out-file', 'f1.log']);
    await startOk([fixture('print-both.js'), '-n', 'f2']);
    await eventually(() => read(join(dir, 'f1.log')).includes('out from app'), 'f1.log');
    await eventually(() => read(home.logFile('f1')).includes('out from app'), 'f1 out.log');
    await eventually(() => read(home.logFile('f2')).includes('out from app'), 'f2 out.log');
    const one = await guv(home, ['flush', 'f1']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`emptied ${join(dir, 'f1.log')}`);
    expect(statSync(join(dir, 'f1.log')).size).toBe(0);
    expect(statSync(home.logFile('f1')).size).toBe(0);
    expect(statSync(home.logFile('f1', 'err')).size).toBe(0);
    expect(read(home.logFile('f2'))).toContain('out from app');
    const all = await guv(home, ['flush']);
    expect(all.code).toBe(0);
    expect(statSync(home.logFile('f2')).size).toBe(0);
    // Writers go on from the start of the emptied file.
    expect((await guv(home, ['restart', 'f1'])).code).toBe(0);
    await eventually(
      () => read(home.logFile('f1')).includes('out from app'),
      'new output after flush',
    );
    expect(read(home.logFile('f1'))).toMatch(new RegExp(`^${ISO}out from app`));
  }, 60_000);
});
