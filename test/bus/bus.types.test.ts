import { describe, expectTypeOf, it } from 'vitest';
import { type Bus, createBus } from '../../src/bus/index.js';
import type {
  AnyEventListener,
  GuvEventName,
  GuvEvents,
  JsonValue,
  MatchesPattern,
  MergedArgs,
  NamesMatching,
} from '../../src/bus/index.js';
import type {
  ClusterInfo,
  LogRecord,
  ProcessInfo,
  SerializedError,
  WorkerInfo,
} from '../../src/types/info.js';
import { clusterInfo, error, log, processInfo, workerInfo } from './fixtures.js';

// Most checks here are for `tsc --noEmit`; each `@ts-expect-error` line must stay an error.
describe('bus types', () => {
  const bus = createBus();

  it('defaults to the guv event map', () => {
    expectTypeOf(bus).toEqualTypeOf<Bus>();
  });

  it('types exact listeners from the event map', () => {
    bus.on('process:exit', (info, err, code, signal) => {
      expectTypeOf(info).toEqualTypeOf<ProcessInfo>();
      expectTypeOf(err).toEqualTypeOf<SerializedError | null>();
      expectTypeOf(code).toEqualTypeOf<number | null>();
      expectTypeOf(signal).toEqualTypeOf<string | null>();
    });
    bus.on('worker:log:info', (cluster, worker, record) => {
      expectTypeOf(cluster).toEqualTypeOf<ClusterInfo>();
      expectTypeOf(worker).toEqualTypeOf<WorkerInfo>();
      expectTypeOf(record).toEqualTypeOf<LogRecord>();
    });
    bus.once('daemon:dump', (...args) => expectTypeOf(args).toEqualTypeOf<[]>());
    // Fewer parameters than the event carries is fine.
    bus.on('process:exit', (info) => info.name);

    // @ts-expect-error a parameter of the wrong type
    bus.on('process:exit', (info: string) => info);
    // @ts-expect-error more parameters than the event carries
    bus.on('daemon:dump', (extra: unknown) => extra);
    // @ts-expect-error an unknown event name
    bus.on('process:exited', () => {});
    const neverCalled = () => {
      // @ts-expect-error the seed's typo is not an event (and throws GUV_BAD_PATTERN)
      bus.on('worker:stopping:', () => {});
    };
    expectTypeOf(neverCalled).toBeFunction();
  });

  it('checks emit arguments against the event map', () => {
    bus.emit('process:exit', processInfo, error, 1, 'SIGTERM');
    bus.emit('process:exit', processInfo, null, null, null);
    bus.emit('worker:exit', clusterInfo, workerInfo, 0, null);
    bus.emit('daemon:log:info', log);
    bus.emit('daemon:dump');
    const neverCalled = () => {
      // @ts-expect-error missing arguments
      bus.emit('process:exit', processInfo);
      // @ts-expect-error an argument of the wrong type
      bus.emit('process:exit', processInfo, null, '1', null);
      // @ts-expect-error one argument too many
      bus.emit('daemon:dump', 1);
      // @ts-expect-error an unknown event name
      bus.emit('process:exited', processInfo);
      // @ts-expect-error patterns cannot be emitted
      bus.emit('process:*', processInfo);
      // @ts-expect-error cluster events come before worker events
      bus.emit('worker:exit', workerInfo, clusterInfo, 0, null);
    };
    expectTypeOf(neverCalled).toBeFunction();
  });

  it("gives '*' listeners (type, ...args) for every event", () => {
    bus.on('*', (type, ...args) => {
      expectTypeOf(type).toEqualTypeOf<GuvEventName>();
      expectTypeOf(args).toExtend<unknown[]>();
    });
    bus.on('*', (type) => type);
    bus.on('*', () => {});
    bus.on('*', (type: string, ...args: unknown[]) => [type, args]);
    // @ts-expect-error the type is a string, not a number
    bus.on('*', (type: number) => type);
  });

  it('narrows pattern listeners to the names the pattern matches', () => {
    bus.on('process:*', (type, info, second) => {
      expectTypeOf(type).toEqualTypeOf<Extract<GuvEventName, `process:${string}`>>();
      // Every process event starts with its ProcessInfo.
      expectTypeOf(info).toEqualTypeOf<ProcessInfo>();
      expectTypeOf(second).toExtend<SerializedError | LogRecord | JsonValue | undefined>();
    });
    bus.on('*:log:error', (type, first, second, third) => {
      expectTypeOf(type).toEqualTypeOf<
        'process:log:error' | 'cluster:log:error' | 'worker:log:error' | 'daemon:log:error'
      >();
      expectTypeOf(first).toEqualTypeOf<ProcessInfo | ClusterInfo | LogRecord>();
      expectTypeOf(second).toEqualTypeOf<LogRecord | WorkerInfo | undefined>();
      expectTypeOf(third).toEqualTypeOf<LogRecord | undefined>();
    });
    bus.once('worker:log:*', (type, cluster, worker, record) => {
      expectTypeOf(type).toEqualTypeOf<
        'worker:log:info' | 'worker:log:warn' | 'worker:log:error' | 'worker:log:debug'
      >();
      expectTypeOf(cluster).toEqualTypeOf<ClusterInfo>();
      expectTypeOf(worker).toEqualTypeOf<WorkerInfo>();
      expectTypeOf(record).toEqualTypeOf<LogRecord>();
    });
    bus.on('app:*:switched', (type, _app, oldRef) => {
      expectTypeOf(type).toEqualTypeOf<'app:refs:switched'>();
      expectTypeOf(oldRef).toEqualTypeOf<string | null>();
    });

    // @ts-expect-error a pattern that matches no event
    bus.on('proc:*', () => {});
    // @ts-expect-error process events carry a ProcessInfo, not a string
    bus.on('process:*', (_type, info: string) => info);
    // @ts-expect-error the type is not one a worker log pattern can deliver
    bus.on('worker:log:*', (type: 'process:exit') => type);
    // @ts-expect-error more arguments than any worker log event carries
    bus.on('worker:log:*', (_t, _c, _w, _l, extra: string) => extra);
  });

  it('merges argument tuples position by position', () => {
    expectTypeOf<MergedArgs<[a: 1, b: 2] | [c: 3]>>().toEqualTypeOf<[1 | 3, (2 | undefined)?]>();
    expectTypeOf<MergedArgs<[a: 1] | [b: 2]>>().toEqualTypeOf<[1 | 2]>();
    expectTypeOf<MergedArgs<[] | [a: 1]>>().toEqualTypeOf<[(1 | undefined)?]>();
    expectTypeOf<MergedArgs<[]>>().toEqualTypeOf<[]>();
    expectTypeOf<MergedArgs<never>>().toEqualTypeOf<[]>();
  });

  it('mirrors the runtime pattern rule at the type level', () => {
    expectTypeOf<MatchesPattern<'process:log:info', 'process:*'>>().toEqualTypeOf<true>();
    expectTypeOf<MatchesPattern<'process:log:info', '*:log:info'>>().toEqualTypeOf<true>();
    expectTypeOf<MatchesPattern<'process:exit', '*:log:error'>>().toEqualTypeOf<false>();
    expectTypeOf<MatchesPattern<'a:b:c', '*:c'>>().toEqualTypeOf<false>();
    expectTypeOf<MatchesPattern<'a:b:c', '*:*'>>().toEqualTypeOf<true>();
    expectTypeOf<MatchesPattern<'a:b', 'a:b'>>().toEqualTypeOf<true>();
    expectTypeOf<MatchesPattern<'a:b', 'a:b:*'>>().toEqualTypeOf<false>();
    expectTypeOf<NamesMatching<{ 'a:x': []; 'b:x': []; 'a:y:z': [] }, 'a:*'>>().toEqualTypeOf<
      'a:x' | 'a:y:z'
    >();
  });

  it('types off like on', () => {
    const onExit = (_info: ProcessInfo, _err: SerializedError | null) => {};
    bus.off('process:exit', onExit);
    bus.off('*:log:error', (_type, ..._args) => {});
    // @ts-expect-error listener does not fit the event
    bus.off('daemon:log:info', (_info: ProcessInfo) => {});
  });

  it('types emitEvent and onMatch with the event union', () => {
    bus.emitEvent({ type: 'process:ready', args: [processInfo] });
    const neverCalled = () => {
      // @ts-expect-error args do not fit the type
      bus.emitEvent({ type: 'process:ready', args: [clusterInfo, workerInfo] });
    };
    expectTypeOf(neverCalled).toBeFunction();
    const pattern: string = 'process:*';
    const unsubscribe = bus.onMatch(pattern, (type, ..._args) => {
      expectTypeOf(type).toEqualTypeOf<GuvEventName>();
    });
    expectTypeOf(unsubscribe).toEqualTypeOf<() => void>();
    expectTypeOf<Parameters<typeof bus.onMatch>[1]>().toEqualTypeOf<AnyEventListener<GuvEvents>>();
  });

  it('accepts a custom event map', () => {
    const custom = createBus<{ 'job:done': [id: string, ms: number]; 'job:log:line': [string] }>();
    custom.on('job:done', (id, ms) => {
      expectTypeOf(id).toEqualTypeOf<string>();
      expectTypeOf(ms).toEqualTypeOf<number>();
    });
    custom.on('job:*', (type) => {
      expectTypeOf(type).toEqualTypeOf<'job:done' | 'job:log:line'>();
    });
    custom.emit('job:done', 'j1', 12);
    expectTypeOf(custom.isWatched).parameter(0).toEqualTypeOf<'job:done' | 'job:log:line'>();
    // @ts-expect-error not an event of this map
    custom.emit('process:ready', processInfo);
  });
});
