import { describe, expect, it } from 'vitest';
import { appendHistory, describeTransition, type HistoryEntry } from '../../src/machines/index.js';
import { createTestProcess } from '../../src/testing/index.js';

const at = (h: number, m: number, s: number) => ((h * 60 + m) * 60 + s) * 1000;

describe('transition history', () => {
  it('blames a crash on nobody, and a stop on whoever asked for it', () => {
    const h = createTestProcess();
    h.actor.send({ type: 'START', by: 'cli' });
    h.child.fork(10);
    h.child.ready();
    h.child.exit(3, null);
    const crash = h.actor.getSnapshot().context.history.find((e) => e.to === 'restarting');
    expect(crash?.cause).toMatchObject({ event: 'CHILD.EXIT', code: 3 });
    expect(crash?.cause.by).toBeUndefined();
    h.advance(0);
    h.child.fork(11);
    h.child.ready();
    h.actor.send({ type: 'STOP', by: 'api' });
    h.child.exit(0, null);
    const stopped = h.actor.getSnapshot().context.history.at(-1);
    expect(stopped).toMatchObject({ from: 'stopping', to: 'stopped', cause: { by: 'api' } });
  });

  it('describes a restart for guv why', () => {
    const entry: HistoryEntry = {
      time: at(3, 12, 7),
      from: 'running',
      to: 'restarting',
      cause: {
        event: 'CHILD.EXIT',
        code: 1,
        signal: null,
        delayMs: 200,
        failures: 3,
        failureSpanMs: 45_000,
      },
    };
    expect(describeTransition(entry, { utc: true })).toBe(
      'restarting at 03:12:07 after exit code 1; 3rd failure in 45 s; next start in 200 ms',
    );
  });

  it('describes stops, signals, timeouts and aborts', () => {
    const time = at(23, 5, 0);
    const line = (
      from: HistoryEntry['from'],
      to: HistoryEntry['to'],
      cause: HistoryEntry['cause'],
    ) => describeTransition({ time, from, to, cause }, { utc: true });
    expect(line('running', 'stopping', { event: 'STOP', by: 'cli' })).toBe(
      'stopping at 23:05:00 on stop requested by cli',
    );
    expect(
      line('stopping', 'stopped', { event: 'CHILD.EXIT', code: null, signal: 'SIGKILL' }),
    ).toBe('stopped at 23:05:00 after signal SIGKILL');
    expect(
      line('started', 'errored', {
        event: 'after:startTimeout',
        error: 'not ready within 30000 ms',
      }),
    ).toBe('errored at 23:05:00 after the start timeout: not ready within 30000 ms');
    expect(
      line('running', 'aborted', {
        event: 'CHILD.EXIT',
        code: 1,
        signal: null,
        error: 'aborted after 11 failures in 51 s',
        failures: 11,
        failureSpanMs: 51_000,
      }),
    ).toBe('aborted at 23:05:00 after exit code 1; 11th failure in 51 s');
    expect(
      line('running', 'restarting', {
        event: 'CHILD.EXIT',
        code: 1,
        signal: null,
        delayMs: 0,
        failures: 1,
      }),
    ).toBe('restarting at 23:05:00 after exit code 1; 1st failure; restarting at once');
  });

  it('keeps only the newest entries', () => {
    let history: HistoryEntry[] = [];
    for (let time = 0; time < 150; time++) {
      history = appendHistory(history, {
        time,
        from: 'running',
        to: 'unresponsive',
        cause: { event: 'x' },
      });
    }
    expect(history).toHaveLength(100);
    expect(history[0]?.time).toBe(50);
  });

  it('a chart records each transition with its cause', () => {
    const h = createTestProcess();
    h.clock.set(at(3, 11, 7));
    h.actor.send({ type: 'START', by: 'cli' });
    h.child.fork(1);
    h.child.ready();
    for (let n = 0; n < 3; n++) {
      h.advance(20_000);
      h.child.exit(1, null);
      h.advance(h.actor.getSnapshot().context.nextDelayMs);
      h.child.fork(2 + n);
      h.child.ready();
    }
    h.actor.send({ type: 'STOP', by: 'cli' });
    h.child.exit(null, 'SIGTERM');
    const { history } = h.actor.getSnapshot().context;
    expect(history.map(({ from, to }) => `${from}→${to}`).slice(0, 5)).toEqual([
      'uninitialised→starting',
      'starting→forked',
      'forked→running',
      'running→restarting',
      'restarting→starting',
    ]);
    const restarts = history.filter((entry) => entry.to === 'restarting');
    expect(restarts.map((entry) => describeTransition(entry, { utc: true }))).toEqual([
      'restarting at 03:11:27 after exit code 1; 1st failure; restarting at once',
      'restarting at 03:11:47 after exit code 1; 2nd failure in 20 s; next start in 100 ms',
      'restarting at 03:12:07 after exit code 1; 3rd failure in 40 s; next start in 200 ms',
    ]);
    expect(history.slice(-2).map((entry) => describeTransition(entry, { utc: true }))).toEqual([
      'stopping at 03:12:07 on stop requested by cli',
      'stopped at 03:12:07 after signal SIGTERM',
    ]);
  });
});
