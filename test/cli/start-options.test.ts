import { describe, expect, it } from 'vitest';
import {
  type CliResult,
  fixture,
  guv,
  useSharedDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

// `guv start`'s flags go through the one start-option parser: counts are counts, durations are
// durations, and a refusal is one line naming the flag.
let home: TestHome;

useSharedDaemon((shared) => {
  home = shared.home;
});

function oneLineError(result: CliResult, pattern: RegExp): string {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^guv: /);
  expect(lines[0]).toMatch(pattern);
  return lines[0]!;
}

async function definitionOf(name: string) {
  const result = await guv(home, ['info', name, '--json']);
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as { definition: { policy: object; timeouts: object } })
    .definition;
}

describe('guv start: restart policy and timeout flags', () => {
  it('--max-restarts is a count; the windows and timeouts take durations such as 10m and 2s', async () => {
    const result = await guv(home, [
      'start',
      fixture('hello.js'),
      '-n',
      'counted',
      '--max-restarts',
      '5',
      '--restart-window',
      '10m',
      '--min-uptime',
      '2s',
      '--kill-timeout',
      '1500',
      '--start-timeout',
      '20s',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const definition = await definitionOf('counted');
    expect(definition.policy).toEqual({ maxFailures: 5, windowMs: 600_000, stableMs: 2000 });
    expect(definition.timeouts).toEqual({ killMs: 1500, startMs: 20_000 });
  });

  it('--max-restarts 1s is refused as a count, in one line, with a non-zero exit', async () => {
    const line = oneLineError(
      await guv(home, ['start', fixture('hello.js'), '-n', 'timed', '--max-restarts', '1s']),
      /--max-restarts must be a whole number of failures/,
    );
    expect(line).not.toMatch(/milliseconds/);
    expect(line).toContain('"1s"');
  });

  it('a bad duration names its flag', async () => {
    oneLineError(
      await guv(home, ['start', fixture('hello.js'), '--restart-window', '5 minutes']),
      /--restart-window must be a duration/,
    );
    oneLineError(
      await guv(home, ['start', fixture('hello.js'), '--min-uptime', '2d']),
      /--min-uptime must be a duration/,
    );
  });

  it('nothing was started by the refused commands', async () => {
    const list = await guv(home, ['list', '--json']);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((p) => p.name)).toEqual(['counted']);
  });
});
