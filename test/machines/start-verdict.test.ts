import { describe, expect, it } from 'vitest';
import { describeTransition, type HistoryEntry } from '../../src/machines/history.js';
import {
  DEFAULT_START_WATCH,
  judgeStart,
  type StartFacts,
} from '../../src/machines/start-verdict.js';
import { createTestProcess } from '../../src/testing/index.js';
import type { ProcessStatus } from '../../src/types/info.js';
import { describeStart } from '../../src/supervision/start-words.js';

const T = 1_000_000;

function entry(time: number, from: ProcessStatus, to: ProcessStatus, cause: HistoryEntry['cause']) {
  return { time, from, to, cause };
}
const crash = (time: number) =>
  entry(time, 'running', 'restarting', { event: 'CHILD.EXIT', code: 1, signal: null });
const up = (time: number) => entry(time, 'started', 'running', { event: 'CHILD.READY' });

function facts(partial: Partial<StartFacts>): StartFacts {
  return {
    entries: [],
    status: 'running',
    now: T,
    deadline: T + DEFAULT_START_WATCH.maxWaitMs,
    lastError: null,
    ...partial,
  };
}

describe('judgeStart: when a start may answer, and what', () => {
  it('running with no crash answers at once', () => {
    expect(judgeStart(facts({ entries: [up(T)] }), DEFAULT_START_WATCH)).toEqual({
      done: true,
      verdict: { outcome: 'running', crashes: 0 },
    });
  });

  it('after a crash at start, waits for the next outcome: up for upMs is running', () => {
    const entries = [up(T), crash(T + 5), up(T + 100)];
    expect(judgeStart(facts({ entries, now: T + 100 }), DEFAULT_START_WATCH)).toEqual({
      done: false,
      atMs: T + 100 + DEFAULT_START_WATCH.upMs,
    });
    expect(judgeStart(facts({ entries, now: T + 1100 }), DEFAULT_START_WATCH)).toEqual({
      done: true,
      verdict: { outcome: 'running', crashes: 1 },
    });
  });

  it('three crashes at start answer "crashing", with the error and how the last run ended', () => {
    const error = { name: 'Error', message: 'boom', site: '/srv/app.js:12' };
    const entries = [crash(T), crash(T + 100), crash(T + 300)];
    const judged = judgeStart(
      facts({ entries, status: 'restarting', lastError: error }),
      DEFAULT_START_WATCH,
    );
    expect(judged).toEqual({
      done: true,
      verdict: { outcome: 'crashing', crashes: 3, error, exit: { code: 1, signal: null } },
    });
    if (judged.done) {
      expect(describeStart('web', judged.verdict)).toBe(
        'web crashed 3 times at start: Error: boom (app.js:12)',
      );
    }
  });

  it('a clean exit restarted 3 times is a task, not a server: said so, not "crashed"', () => {
    expect(
      describeStart('done', {
        outcome: 'crashing',
        crashes: 3,
        error: null,
        exit: { code: 0, signal: null },
      }),
    ).toBe('done exited with code 0 right after start, 3 times (it is not a server?)');
    expect(describeStart('done', { outcome: 'finished', crashes: 0 })).toBe(
      'done ran and exited with code 0',
    );
  });

  it('an OS refusal is a failed start, whatever the count', () => {
    const error = {
      name: 'Error',
      code: 'EADDRINUSE',
      message: 'listen EADDRINUSE: address already in use :::8080',
      site: '/srv/server.js:3',
    };
    expect(describeStart('web', { outcome: 'crashing', crashes: 3, error })).toBe(
      'web failed: listen EADDRINUSE: address already in use :::8080 (server.js:3)',
    );
  });

  it('still crashing at the deadline answers with what it saw; an end state answers at once', () => {
    expect(
      judgeStart(
        facts({ entries: [crash(T)], status: 'starting', now: T + 20_000 }),
        DEFAULT_START_WATCH,
      ),
    ).toMatchObject({ done: true, verdict: { outcome: 'crashing', crashes: 1 } });
    expect(
      judgeStart(facts({ entries: [crash(T)], status: 'aborted' }), DEFAULT_START_WATCH),
    ).toMatchObject({ done: true, verdict: { outcome: 'failed' } });
  });

  it('a run treated as ready at the listen timeout carries its warning', () => {
    const entries = [
      entry(T, 'started', 'running', { event: 'after:listenTimeout', error: 'no ready' }),
    ];
    expect(judgeStart(facts({ entries }), DEFAULT_START_WATCH)).toEqual({
      done: true,
      verdict: { outcome: 'running', crashes: 0, warning: 'no ready' },
    });
  });
});

describe('history words', () => {
  it('a SIGKILL at the kill timeout says so; cluster causes are words, never event names', () => {
    const killed = entry(T, 'stopping', 'stopped', {
      event: 'CHILD.EXIT',
      code: null,
      signal: 'SIGKILL',
      killTimeoutMs: 5000,
    });
    expect(describeTransition(killed, { utc: true })).toMatch(
      /^stopped at \S+ after SIGKILL at the kill timeout \(5 s\)$/,
    );
    const lines = [
      entry(T, 'starting' as ProcessStatus, 'ready' as ProcessStatus, { event: 'MANAGER.READY' }),
      entry(T, 'ready' as ProcessStatus, 'online' as ProcessStatus, { event: 'WORKER.STATUS' }),
      entry(T, 'online' as ProcessStatus, 'reloading' as ProcessStatus, { event: 'RELOAD' }),
      entry(T, 'reloading' as ProcessStatus, 'reloaded' as ProcessStatus, {
        event: 'WORKER.LISTENING',
      }),
    ].map((e) => describeTransition(e, { utc: true }));
    for (const line of lines) expect(line).not.toMatch(/[A-Z]+\.[A-Z_]+|RELOAD/);
  });
});

describe('a stop that outlives its kill timeout', () => {
  it("records the SIGKILL as guv's, at the timeout; a SIGKILL before it is just a signal", () => {
    const h = createTestProcess();
    h.actor.send({ type: 'START', by: 'cli' });
    h.child.fork(10);
    h.child.ready();
    h.actor.send({ type: 'STOP', by: 'cli' });
    h.advance(5000);
    h.child.exit(null, 'SIGKILL');
    expect(h.actor.getSnapshot().context.history.at(-1)?.cause).toMatchObject({
      signal: 'SIGKILL',
      killTimeoutMs: 5000,
    });
    h.actor.send({ type: 'START', by: 'cli' });
    h.child.fork(11);
    h.child.ready();
    h.actor.send({ type: 'STOP', by: 'cli' });
    h.child.exit(null, 'SIGKILL');
    expect(h.actor.getSnapshot().context.history.at(-1)?.cause.killTimeoutMs).toBeUndefined();
  });
});
