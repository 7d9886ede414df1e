import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  DEFAULT_RESTART_POLICY,
  decideAfterExit,
  type FailureState,
  NO_FAILURES,
  type RestartDecision,
  type RestartPolicyOptions,
  resolveRestartPolicy,
} from '../../src/machines/restart-policy.js';

const policy = resolveRestartPolicy();

/** Runs a process that crashes `runMs` after every start, under `options`, until it is aborted or `untilMs`. */
function simulateCrashLoop(options: RestartPolicyOptions, runMs: number, untilMs: number) {
  let now = 0;
  let state: FailureState = NO_FAILURES;
  const delays: number[] = [];
  let decision: RestartDecision | undefined;
  while (now < untilMs) {
    const runStartedAt = now;
    now += runMs;
    decision = decideAfterExit(options, state, { code: 1, signal: null, runStartedAt, now });
    state = decision.state;
    if (decision.action !== 'restart') break;
    delays.push(decision.delayMs);
    now += decision.delayMs;
  }
  return { decision, delays, now };
}

describe('restart policy', () => {
  it('defaults to always, 10 failures in 10 min, stable after 30 s, backoff 100 ms ×2 up to 15 s', () => {
    expect(policy).toEqual({
      mode: 'always',
      maxFailures: 10,
      windowMs: 600_000,
      stableMs: 30_000,
      restartDelayMs: 0,
      backoffBaseMs: 100,
      backoffFactor: 2,
      backoffCapMs: 15_000,
    });
    expect(DEFAULT_RESTART_POLICY).toEqual(policy);
  });

  it('restarts the first time at once, then backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 9, 10, 20].map((n) => backoffDelay(policy, n))).toEqual([
      0, 100, 200, 400, 800, 12_800, 15_000, 15_000,
    ]);
  });

  it('aborts a process that crashes 1 s after every start', () => {
    const { decision, delays, now } = simulateCrashLoop(policy, 1000, 3_600_000);
    expect(decision?.action).toBe('abort');
    expect(delays).toEqual([0, 100, 200, 400, 800, 1600, 3200, 6400, 12_800, 15_000]);
    expect(now).toBeLessThan(60_000);
    expect(decision?.action === 'abort' && decision.message).toBe(
      '11 failures in 51 s (more than 10 in 10 min)',
    );
  });

  it('aborts every unstable loop: runs just short of stableMs still overflow the window', () => {
    const { decision } = simulateCrashLoop(policy, 29_999, 3_600_000);
    expect(decision?.action).toBe('abort');
  });

  it('restarts a process that crashes once an hour at once, forever', () => {
    const { decision, delays } = simulateCrashLoop(policy, 3_600_000, 1000 * 3_600_000);
    expect(decision?.action).toBe('restart');
    expect(delays).toHaveLength(1000);
    expect(new Set(delays)).toEqual(new Set([0]));
  });

  it('counts every unrequested exit, even clean ones, under always', () => {
    const decision = decideAfterExit(policy, NO_FAILURES, {
      code: 0,
      signal: null,
      runStartedAt: 0,
      now: 10,
    });
    expect(decision).toEqual({
      action: 'restart',
      delayMs: 0,
      state: { failures: [10], consecutive: 1 },
    });
  });

  it('drops failures that left the sliding window', () => {
    const state = { failures: [0, 1000, 700_000], consecutive: 3 };
    const decision = decideAfterExit(policy, state, {
      code: 1,
      signal: null,
      runStartedAt: 700_500,
      now: 701_000,
    });
    expect(decision.state).toEqual({ failures: [700_000, 701_000], consecutive: 4 });
    expect(decision).toMatchObject({ action: 'restart', delayMs: 400 });
  });

  it('resets count and delay once a run stayed up for stableMs', () => {
    const state = { failures: [0, 1000, 2000], consecutive: 3 };
    const decision = decideAfterExit(policy, state, {
      code: 1,
      signal: null,
      runStartedAt: 3000,
      now: 33_000,
    });
    expect(decision).toEqual({
      action: 'restart',
      delayMs: 0,
      state: { failures: [33_000], consecutive: 1 },
    });
  });

  it('on-failure stops after a clean exit and restarts after a code or a signal', () => {
    const onFailure = resolveRestartPolicy({ mode: 'on-failure' });
    const facts = { runStartedAt: 0, now: 5 };
    expect(
      decideAfterExit(onFailure, NO_FAILURES, { ...facts, code: 0, signal: null }).action,
    ).toBe('stop');
    expect(
      decideAfterExit(onFailure, NO_FAILURES, { ...facts, code: 2, signal: null }).action,
    ).toBe('restart');
    expect(
      decideAfterExit(onFailure, NO_FAILURES, { ...facts, code: null, signal: 'SIGSEGV' }).action,
    ).toBe('restart');
  });

  it('never restarts under never', () => {
    const never = resolveRestartPolicy({ mode: 'never' });
    expect(
      decideAfterExit(never, NO_FAILURES, { code: 1, signal: null, runStartedAt: 0, now: 5 })
        .action,
    ).toBe('stop');
  });

  it('rejects bad numbers with a TypeError naming the value', () => {
    expect(() => resolveRestartPolicy({ maxFailures: -1 })).toThrow(/maxFailures .* received -1/);
    expect(() => resolveRestartPolicy({ backoffFactor: 0.5 })).toThrow(TypeError);
    expect(() => resolveRestartPolicy({ mode: 'sometimes' as never })).toThrow(
      /received sometimes/,
    );
    expect(resolveRestartPolicy({ maxFailures: undefined }).maxFailures).toBe(10);
  });
});
