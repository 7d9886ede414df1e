import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupHome,
  connectTo,
  eventually,
  fixture,
  guv,
  makeHome,
  startTracked,
} from '../helpers/daemon-harness.js';

const home = makeHome();
home.env.GUV_LOG_LEVEL = 'debug';

afterAll(() => cleanupHome(home), 60_000);

interface TrimRecord {
  time: number;
  msg: string;
  before: number;
  after: number;
}

function trims(): TrimRecord[] {
  let text = '';
  try {
    text = readFileSync(home.daemonLog, 'utf8');
  } catch {}
  return text
    .split('\n')
    .filter((line) => line.includes('"heap trimmed"'))
    .map((line) => JSON.parse(line) as TrimRecord);
}

describe('the daemon after a burst of work', () => {
  it('gives the garbage back once it goes quiet', async () => {
    const started = await guv(home, ['list']);
    expect(started.code).toBe(0);
    const client = await connectTo(home);
    const script = fixture('hello.js');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => startTracked(client, home, script, { name: `h${i}` })),
    );
    // The daemon may also have trimmed what its boot left behind: the trim wanted is a later one.
    const startsDone = Date.now();
    const trim = await eventually(
      () => trims().find((record) => record.time >= startsDone),
      'a "heap trimmed" line after the starts',
    );
    expect(trim.after).toBeLessThan(trim.before);
    expect((await client.listProcesses()).filter((p) => p.status === 'running')).toHaveLength(20);
  }, 60_000);
});
