import { describe, expect, it, vi } from 'vitest';
import { createBus } from '../../src/bus/bus.js';
import { GuvError } from '../../src/errors.js';
import { clusterInfo, error, log, processInfo, workerInfo } from './fixtures.js';

describe('delivery', () => {
  it('gives an exact listener the exact argument list', () => {
    const bus = createBus();
    const listener = vi.fn();
    bus.on('process:exit', listener);
    bus.emit('process:exit', processInfo, error, 1, 'SIGTERM');
    bus.emit('process:exit', processInfo, null, 0, null);
    expect(listener.mock.calls).toEqual([
      [processInfo, error, 1, 'SIGTERM'],
      [processInfo, null, 0, null],
    ]);
  });

  it('does not give an exact listener other events', () => {
    const bus = createBus();
    const listener = vi.fn();
    bus.on('process:exit', listener);
    bus.emit('process:ready', processInfo);
    bus.emit('worker:exit', clusterInfo, workerInfo, 0, null);
    expect(listener).not.toHaveBeenCalled();
  });

  it("gives '*' (type, ...args) for every event", () => {
    const bus = createBus();
    const listener = vi.fn();
    bus.on('*', listener);
    bus.emit('worker:exit', clusterInfo, workerInfo, 0, 'SIGINT');
    bus.emit('daemon:dump');
    bus.emit('daemon:log:info', log);
    expect(listener.mock.calls).toEqual([
      ['worker:exit', clusterInfo, workerInfo, 0, 'SIGINT'],
      ['daemon:dump'],
      ['daemon:log:info', log],
    ]);
  });

  it('gives pattern listeners (type, ...args) for the names they match', () => {
    const bus = createBus();
    const processAll = vi.fn();
    const errors = vi.fn();
    const workerLogs = vi.fn();
    bus.on('process:*', processAll);
    bus.on('*:log:error', errors);
    bus.on('worker:log:*', workerLogs);

    bus.emit('process:exit', processInfo, null, 0, null);
    bus.emit('process:log:error', processInfo, log);
    bus.emit('process:config:request', processInfo, 'db.url');
    bus.emit('daemon:log:error', log);
    bus.emit('worker:log:info', clusterInfo, workerInfo, log);
    bus.emit('worker:exit', clusterInfo, workerInfo, 1, null);

    expect(processAll.mock.calls).toEqual([
      ['process:exit', processInfo, null, 0, null],
      ['process:log:error', processInfo, log],
      ['process:config:request', processInfo, 'db.url'],
    ]);
    expect(errors.mock.calls).toEqual([
      ['process:log:error', processInfo, log],
      ['daemon:log:error', log],
    ]);
    expect(workerLogs.mock.calls).toEqual([['worker:log:info', clusterInfo, workerInfo, log]]);
  });

  it('runs exact listeners first, then pattern listeners', () => {
    const bus = createBus();
    const order: string[] = [];
    bus.on('*', () => order.push('*'));
    bus.on('process:*', () => order.push('process:* a'));
    bus.on('process:ready', () => order.push('exact a'));
    bus.on('process:*', () => order.push('process:* b'));
    bus.on('process:ready', () => order.push('exact b'));
    bus.emit('process:ready', processInfo);
    expect(order).toEqual(['exact a', 'exact b', '*', 'process:* a', 'process:* b']);
  });

  it('calls a listener once per registration', () => {
    const bus = createBus();
    const listener = vi.fn();
    bus.on('daemon:dump', listener);
    bus.on('daemon:dump', listener);
    bus.emit('daemon:dump');
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('emits events held as data', () => {
    const bus = createBus();
    const exact = vi.fn();
    const any = vi.fn();
    bus.on('app:refs:switched', exact);
    bus.on('app:*', any);
    const appInfo = { name: 'a', url: 'u', user: null, ref: 'v2', commit: null, dir: '/d' };
    bus.emitEvent({ type: 'app:refs:switched', args: [appInfo, 'v1', 'v2'] });
    expect(exact).toHaveBeenCalledWith(appInfo, 'v1', 'v2');
    expect(any).toHaveBeenCalledWith('app:refs:switched', appInfo, 'v1', 'v2');
  });

  it('takes run-time names and patterns with onMatch, always passing the type', () => {
    const bus = createBus();
    const byName = vi.fn();
    const byPattern = vi.fn();
    const name: string = 'process:ready';
    const pattern: string = 'process:*';
    const offName = bus.onMatch(name, byName);
    bus.onMatch(pattern, byPattern);
    bus.emit('process:ready', processInfo);
    expect(byName).toHaveBeenCalledWith('process:ready', processInfo);
    expect(byPattern).toHaveBeenCalledWith('process:ready', processInfo);
    offName();
    bus.emit('process:ready', processInfo);
    expect(byName).toHaveBeenCalledTimes(1);
    expect(byPattern).toHaveBeenCalledTimes(2);
  });

  it('keeps buses apart', () => {
    const a = createBus();
    const b = createBus();
    const listener = vi.fn();
    a.on('*', listener);
    b.emit('daemon:dump');
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('once, off and unsubscribe', () => {
  it('calls a once listener a single time', () => {
    const bus = createBus();
    const exact = vi.fn();
    const pattern = vi.fn();
    bus.once('process:ready', exact);
    bus.once('process:*', pattern);
    bus.emit('process:ready', processInfo);
    bus.emit('process:ready', processInfo);
    expect(exact.mock.calls).toEqual([[processInfo]]);
    expect(pattern.mock.calls).toEqual([['process:ready', processInfo]]);
    expect(bus.isWatched('process:ready')).toBe(false);
  });

  it('calls a once listener a single time even when it emits again', () => {
    const bus = createBus();
    const listener = vi.fn(() => bus.emit('daemon:dump'));
    bus.once('daemon:dump', listener);
    bus.emit('daemon:dump');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('removes a once listener with off before it fires', () => {
    const bus = createBus();
    const listener = vi.fn();
    bus.once('daemon:dump', listener);
    bus.off('daemon:dump', listener);
    bus.emit('daemon:dump');
    expect(listener).not.toHaveBeenCalled();
  });

  it('removes exact and pattern listeners with off', () => {
    const bus = createBus();
    const exact = vi.fn();
    const pattern = vi.fn();
    const all = vi.fn();
    bus.on('process:ready', exact);
    bus.on('process:*', pattern);
    bus.on('*', all);
    bus.emit('process:ready', processInfo);
    bus.off('process:ready', exact);
    bus.off('process:*', pattern);
    bus.off('*', all);
    bus.emit('process:ready', processInfo);
    expect(exact).toHaveBeenCalledTimes(1);
    expect(pattern).toHaveBeenCalledTimes(1);
    expect(all).toHaveBeenCalledTimes(1);
  });

  it('removes one registration per off, and ignores unknown listeners', () => {
    const bus = createBus();
    const listener = vi.fn();
    bus.on('daemon:dump', listener);
    bus.on('daemon:dump', listener);
    bus.off('daemon:dump', listener);
    bus.off('daemon:dump', vi.fn());
    bus.off('daemon:exit', listener);
    bus.emit('daemon:dump');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('unsubscribes with the returned function, once only', () => {
    const bus = createBus();
    const listener = vi.fn();
    const unsubscribe = bus.on('daemon:dump', listener);
    bus.on('daemon:dump', listener);
    unsubscribe();
    unsubscribe();
    bus.emit('daemon:dump');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('still calls, in the current emit, a listener removed by an earlier one', () => {
    const bus = createBus();
    const second = vi.fn();
    bus.on('daemon:dump', () => bus.off('daemon:dump', second));
    bus.on('daemon:dump', second);
    bus.emit('daemon:dump');
    bus.emit('daemon:dump');
    expect(second).toHaveBeenCalledTimes(1);
  });

  it('does not call, in the current emit, a listener added during it', () => {
    const bus = createBus();
    const late = vi.fn();
    bus.once('daemon:dump', () => bus.on('daemon:dump', late));
    bus.emit('daemon:dump');
    expect(late).not.toHaveBeenCalled();
    bus.emit('daemon:dump');
    expect(late).toHaveBeenCalledTimes(1);
  });
});

describe('listener isolation', () => {
  it('runs the other listeners when one throws, and reports the error with the type', () => {
    const onListenerError = vi.fn();
    const bus = createBus({ onListenerError });
    const before = vi.fn();
    const after = vi.fn();
    const pattern = vi.fn();
    const thrown = new Error('listener bug');
    bus.on('process:ready', before);
    bus.on('process:ready', () => {
      throw thrown;
    });
    bus.on('process:ready', after);
    bus.on('*', () => {
      throw 'not even an Error';
    });
    bus.on('process:*', pattern);

    bus.emit('process:ready', processInfo);

    expect(before).toHaveBeenCalledOnce();
    expect(after).toHaveBeenCalledOnce();
    expect(pattern).toHaveBeenCalledOnce();
    expect(onListenerError.mock.calls).toEqual([
      [thrown, 'process:ready'],
      ['not even an Error', 'process:ready'],
    ]);
  });

  it('reports a rejected promise from an async listener', async () => {
    const onListenerError = vi.fn();
    const bus = createBus({ onListenerError });
    const thrown = new Error('async bug');
    bus.on('daemon:exit', async () => {
      throw thrown;
    });
    bus.emit('daemon:exit');
    await vi.waitFor(() => expect(onListenerError).toHaveBeenCalledWith(thrown, 'daemon:exit'));
  });

  it('warns through process.emitWarning by default', () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const bus = createBus();
      const after = vi.fn();
      bus.on('daemon:dump', () => {
        throw new Error('listener bug');
      });
      bus.on('daemon:dump', after);
      bus.emit('daemon:dump');
      expect(after).toHaveBeenCalledOnce();
      expect(emitWarning).toHaveBeenCalledOnce();
      const [message, options] = emitWarning.mock.calls[0]!;
      expect(message).toMatch(/"daemon:dump".*listener bug/s);
      expect(options).toMatchObject({ code: 'GUV_LISTENER_THREW' });
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('falls back to a warning when onListenerError itself throws', () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const bus = createBus({
        onListenerError: () => {
          throw new Error('reporter bug');
        },
      });
      const after = vi.fn();
      bus.on('daemon:dump', () => {
        throw new Error('listener bug');
      });
      bus.on('daemon:dump', after);
      bus.emit('daemon:dump');
      expect(after).toHaveBeenCalledOnce();
      expect(String(emitWarning.mock.calls[0]![0])).toContain('reporter bug');
    } finally {
      emitWarning.mockRestore();
    }
  });
});

describe('isWatched', () => {
  it('follows exact subscriptions', () => {
    const bus = createBus();
    expect(bus.isWatched('process:log:info')).toBe(false);
    const unsubscribe = bus.on('process:log:info', () => {});
    expect(bus.isWatched('process:log:info')).toBe(true);
    expect(bus.isWatched('process:log:error')).toBe(false);
    unsubscribe();
    expect(bus.isWatched('process:log:info')).toBe(false);
  });

  it('follows pattern subscriptions, for cached and uncached names', () => {
    const bus = createBus();
    expect(bus.isWatched('process:log:error')).toBe(false);
    expect(bus.isWatched('worker:log:error')).toBe(false);
    expect(bus.isWatched('process:exit')).toBe(false);
    const listener = () => {};
    bus.on('*:log:error', listener);
    expect(bus.isWatched('process:log:error')).toBe(true);
    expect(bus.isWatched('worker:log:error')).toBe(true);
    expect(bus.isWatched('daemon:log:error')).toBe(true);
    expect(bus.isWatched('process:exit')).toBe(false);
    expect(bus.isWatched('process:log:info')).toBe(false);
    bus.off('*:log:error', listener);
    expect(bus.isWatched('process:log:error')).toBe(false);
    expect(bus.isWatched('daemon:log:error')).toBe(false);
  });

  it("is true for everything under '*'", () => {
    const bus = createBus();
    const unsubscribe = bus.on('*', () => {});
    expect(bus.isWatched('daemon:log:debug')).toBe(true);
    expect(bus.isWatched('worker:exit')).toBe(true);
    unsubscribe();
    expect(bus.isWatched('daemon:log:debug')).toBe(false);
  });

  it('keeps the route when one of two listeners leaves', () => {
    const bus = createBus();
    const a = bus.on('process:*', () => {});
    const b = bus.on('process:log:*', () => {});
    a();
    expect(bus.isWatched('process:log:info')).toBe(true);
    expect(bus.isWatched('process:exit')).toBe(false);
    b();
    expect(bus.isWatched('process:log:info')).toBe(false);
  });
});

describe('bad input', () => {
  it('rejects malformed names and patterns on subscribe', () => {
    const bus = createBus();
    for (const bad of ['', 'a::b', 'proc*', 'process:*x']) {
      expect(() => bus.onMatch(bad, () => {})).toThrow(GuvError);
    }
    expect(() => bus.onMatch('process:*', 42 as never)).toThrow(TypeError);
  });

  it('refuses to emit or test a pattern', () => {
    const bus = createBus();
    bus.on('*', () => {});
    const emitUntyped = bus.emit as (type: string) => void;
    expect(() => emitUntyped('process:*')).toThrow(
      expect.objectContaining({ code: 'GUV_BAD_EVENT_NAME' }),
    );
    expect(() => bus.isWatched('*' as never)).toThrow(GuvError);
  });
});
