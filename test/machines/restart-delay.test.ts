import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  decideAfterExit,
  NO_FAILURES,
  resolveRestartPolicy,
} from '../../src/machines/restart-policy.js';
import { restartDelayPolicy } from '../../src/supervision/process-definition.js';
import { parseStartOptions } from '../../src/protocol/start-options.js';

const delays = (policy: ReturnType<typeof resolveRestartPolicy>) =>
  [1, 2, 3, 4, 5, 20].map((n) => backoffDelay(policy, n));

describe('restart delays (pm2 restart_delay, exp_backoff_restart_delay)', () => {
  it('--restart-delay waits the same before every restart, the first included', () => {
    const request = parseStartOptions({ target: 'a.js', restartDelayMs: '2s' });
    const policy = resolveRestartPolicy(restartDelayPolicy(request));
    expect(delays(policy)).toEqual([2000, 2000, 2000, 2000, 2000, 2000]);
  });

  it('--exp-backoff-restart-delay starts at its value, ×1.5 each time, up to 15 s', () => {
    const request = parseStartOptions({ target: 'a.js', expBackoffRestartDelayMs: 100 });
    const policy = resolveRestartPolicy(restartDelayPolicy(request));
    expect(delays(policy)).toEqual([100, 150, 225, 338, 506, 15_000]);
  });

  it('the backoff starts over after a run of min uptime', () => {
    const request = parseStartOptions({ target: 'a.js', expBackoffRestartDelayMs: 100 });
    const policy = resolveRestartPolicy({ ...restartDelayPolicy(request), stableMs: 1000 });
    let state = NO_FAILURES;
    const delaysSeen: number[] = [];
    for (const [start, now] of [
      [0, 10],
      [20, 30],
      [40, 5000],
      [5010, 5020],
    ] as const) {
      const decision = decideAfterExit(policy, state, {
        code: 1,
        signal: null,
        runStartedAt: start,
        now,
      });
      if (decision.action !== 'restart') throw new Error(decision.action);
      delaysSeen.push(decision.delayMs);
      state = decision.state;
    }
    expect(delaysSeen).toEqual([100, 150, 100, 150]);
  });

  it('without either, guv restarts at once and backs off from the second restart', () => {
    const policy = resolveRestartPolicy(restartDelayPolicy(parseStartOptions({ target: 'a.js' })));
    expect(delays(policy).slice(0, 3)).toEqual([0, 100, 200]);
  });

  it('both at once is refused at the boundary, naming both flags', () => {
    expect(() =>
      parseStartOptions(
        { target: 'a.js', restartDelayMs: 1, expBackoffRestartDelayMs: 1 },
        {
          restartDelayMs: '--restart-delay',
          expBackoffRestartDelayMs: '--exp-backoff-restart-delay',
        },
      ),
    ).toThrow(/--restart-delay or --exp-backoff-restart-delay, not both/);
  });
});
