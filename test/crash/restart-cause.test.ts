import { describe, expect, it } from 'vitest';
import type { StoredException } from '../../src/crash/exception-store.js';
import {
  crashSite,
  describeException,
  describeRestart,
  linkRestartToException,
} from '../../src/crash/restart-cause.js';
import type { HistoryEntry } from '../../src/machines/history.js';

const exit: HistoryEntry = {
  time: Date.UTC(2026, 0, 1, 3, 12, 7),
  from: 'running',
  to: 'restarting',
  cause: { event: 'CHILD.EXIT', code: 1, signal: null, delayMs: 0, failures: 1 },
};

function ex(msBefore: number, handled = false, message = 'x is undefined'): StoredException {
  return {
    time: exit.time - msBefore,
    pid: 77,
    handled,
    error: {
      name: 'TypeError',
      message,
      stack: [
        `TypeError: ${message}`,
        '    at Object.<anonymous> (/srv/app/node_modules/lib/index.js:3:9)',
        '    at handler (/srv/app/server.js:12:15)',
        '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      ].join('\n'),
    },
  };
}

describe('linkRestartToException', () => {
  it('takes the last unhandled exception just before the exit', () => {
    const fatal = ex(20, false, 'the one');
    const found = linkRestartToException(exit, [ex(5000), fatal, ex(10, true), ex(-50)]);
    expect(found).toBe(fatal);
  });

  it('finds nothing for exceptions too old, handled, or for other transitions', () => {
    expect(linkRestartToException(exit, [ex(60_000), ex(1, true)])).toBeNull();
    expect(linkRestartToException({ ...exit, cause: { event: 'STOP' } }, [ex(1)])).toBeNull();
  });
});

describe('describing a restart', () => {
  it('prints the exit and its exception with the app frame', () => {
    expect(describeRestart(exit, [ex(30)], { utc: true })).toBe(
      'restarting at 03:12:07 after exit code 1; 1st failure; restarting at once; uncaught TypeError: x is undefined (at server.js:12)',
    );
    expect(describeRestart(exit, [], { utc: true })).not.toContain('uncaught');
  });

  it('finds the crash site in common stack shapes', () => {
    expect(crashSite('Error: a\n    at /srv/app/index.js:4:1')).toBe('index.js:4');
    expect(crashSite('Error: a\n    at f (file:///srv/app/main.mjs:9:3)')).toBe('main.mjs:9');
    expect(crashSite('Error: a\n    at g (/x/node_modules/dep/a.js:1:1)')).toBe('a.js:1');
    expect(crashSite('Error: a\n    at node:internal/x:1:1')).toBeNull();
    expect(crashSite(undefined)).toBeNull();
    expect(
      describeException({ ...ex(0, true), error: { name: 'Error', message: 'two\nlines' } }),
    ).toBe('handled Error: two');
  });
});
