import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../../src/actors/child/kill-group.js';
import { ensurePreloadBuilt } from '../wrapper/build-preload.js';
import { runChild, specFor, stopAllChildren } from './harness.js';

beforeAll(() => {
  ensurePreloadBuilt();
});
afterEach(() => {
  stopAllChildren();
});

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('child actor with real children', () => {
  it('reports forked, started and ready for a CommonJS script, in that order', async () => {
    const child = runChild(specFor('hello.js'));
    await child.waitFor('CHILD.READY');
    expect(child.events.map((e) => e.type)).toEqual([
      'CHILD.FORKED',
      'CHILD.STARTED',
      'CHILD.READY',
    ]);
    await child.waitUntil(() => child.stdout() === 'hello world\n', 'output');
  });

  it('reports started only after an ESM main (with top-level await) has been evaluated', async () => {
    const child = runChild(specFor('esm.mjs'));
    await child.waitFor('CHILD.READY');
    expect(child.stdout()).toBe('esm main true\n');
    expect(child.events.map((e) => e.type)).toEqual([
      'CHILD.FORKED',
      'CHILD.STARTED',
      'CHILD.READY',
    ]);
  });

  it('keeps the user script the main module and passes argv and execArgv', async () => {
    const child = runChild(
      specFor('print-argv.js', { args: ['a', 'b c'], execArgv: ['--max-old-space-size=64'] }),
    );
    await child.waitFor('CHILD.EXIT');
    const printed = JSON.parse(child.stdout());
    expect(printed.argv).toEqual(['a', 'b c']);
    expect(printed.execArgv[0]).toBe('--max-old-space-size=64');
    expect(printed.isMain).toBe(true);
  });

  it('lets a finished script exit on its own (the IPC channel does not hold it)', async () => {
    const child = runChild(specFor('plain-exit.js'));
    expect(await child.waitFor('CHILD.EXIT')).toEqual({
      type: 'CHILD.EXIT',
      code: 0,
      signal: null,
    });
  });

  it.each(['throw-on-load.js', 'throw-on-load.mjs'])(
    'reports errored with the stack for %s, then the exit',
    async (name) => {
      const child = runChild(specFor(name));
      const errored = await child.waitFor('CHILD.ERRORED');
      expect(errored.error.message).toMatch(/boom while loading/);
      expect(errored.error.stack).toContain(name);
      expect(await child.waitFor('CHILD.EXIT')).toMatchObject({ code: 1 });
      expect(child.events.map((e) => e.type)).not.toContain('CHILD.STARTED');
      expect(child.stderr()).toContain('boom while loading');
    },
  );

  it('reports a fatality and exits 1 for an uncaught exception nobody handles', async () => {
    const child = runChild(specFor('uncaught-later.js', { args: ['50'] }));
    const fatality = await child.waitFor('CHILD.FATALITY');
    expect(fatality.error.message).toBe('boom later');
    expect(await child.waitFor('CHILD.EXIT')).toMatchObject({ code: 1, signal: null });
  });

  it('reports a handled uncaught exception and the child keeps running', async () => {
    const child = runChild(specFor('uncaught-handled.js', { args: ['50'] }));
    const uncaught = await child.waitFor('CHILD.UNCAUGHT');
    expect(uncaught.error.message).toBe('boom handled');
    await child.waitUntil(() => child.stdout().includes('handled: boom handled'), 'handler');
    expect(child.events.map((e) => e.type)).not.toContain('CHILD.EXIT');
  });

  it('reports exit codes of children that exit', async () => {
    const child = runChild(specFor('exit-at-once.js'));
    expect(await child.waitFor('CHILD.EXIT')).toMatchObject({ code: 2, signal: null });
  });

  it('emits events sent through the handle on process in the child', async () => {
    const child = runChild(specFor('custom-event.js'));
    await child.waitFor('CHILD.READY');
    await expect(child.handle()!.send('my-event', [1, 'two', { three: 3 }])).resolves.toBe(true);
    await child.waitUntil(
      () => child.stdout().includes('my-event [1,"two",{"three":3}]'),
      'custom event output',
    );
  });

  it('writes to the child stdin', async () => {
    const child = runChild(specFor('echo-stdin.js'));
    await child.waitFor('CHILD.READY');
    child.handle()!.write('ping\n');
    await child.waitUntil(() => child.stdout() === 'ping\n', 'echo');
  });

  it('delivers a SIGNAL command to the child', async () => {
    const child = runChild(specFor('signal-listener.js'));
    await child.waitFor('CHILD.READY');
    child.signal('SIGUSR2');
    await child.waitUntil(() => child.stdout().includes('got SIGUSR2'), 'signal output');
    child.signal('SIGTERM');
    expect(await child.waitFor('CHILD.EXIT')).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('waits for the app itself with app-level readiness', async () => {
    const child = runChild(specFor('app-ready.js', { args: ['300'], appReadiness: true }));
    await child.waitFor('CHILD.STARTED');
    expect(child.events.map((e) => e.type)).not.toContain('CHILD.READY');
    await child.waitFor('CHILD.READY');
    expect(child.stdout()).toContain('app ready');
  });

  it('runs a shell script directly and reports it ready once spawned', async () => {
    const child = runChild(specFor('script.sh', { interpreter: 'none', args: ['x'] }));
    await child.waitFor('CHILD.READY');
    expect(child.events.map((e) => e.type)).toEqual([
      'CHILD.FORKED',
      'CHILD.STARTED',
      'CHILD.READY',
    ]);
    await child.waitUntil(() => child.stdout() === 'shell script x\n', 'script output');
    await expect(child.handle()!.gc()).rejects.toMatchObject({ code: 'GUV_NO_IPC' });
  });

  it('reports a spawn failure for a missing executable', async () => {
    const child = runChild(specFor('no-such-program', { interpreter: 'none' }));
    const failed = await child.waitFor('CHILD.SPAWN_FAILED');
    expect(failed.error.code).toBe('ENOENT');
  });

  it('kills the grandchildren with the group when the actor stops', async () => {
    const child = runChild(specFor('spawn-grandchild.js'));
    await child.waitUntil(() => /grandchild \d+/.test(child.stdout()), 'grandchild pid');
    const grandchild = Number(/grandchild (\d+)/.exec(child.stdout())![1]);
    const pid = child.pid()!;
    expect(pidAlive(grandchild)).toBe(true);
    child.stop();
    await child.waitUntil(() => !pidAlive(grandchild) && !groupAlive(pid), 'group gone');
  });

  it('reports paused when --inspect-brk waits for a debugger', async () => {
    const child = runChild(specFor('hello.js', { execArgv: ['--inspect-brk=127.0.0.1:0'] }));
    await child.waitFor('CHILD.PAUSED');
    expect(child.events.map((e) => e.type)).not.toContain('CHILD.STARTED');
  });

  it('sends heartbeats with heap, event-loop and cpu figures', async () => {
    const child = runChild(specFor('block-loop.js'), { heartbeatMs: 400 });
    await child.waitUntil(
      () => child.messages.filter((m) => m.type === 'heartbeat').length >= 2,
      'two heartbeats',
    );
    expect(child.events.map((e) => e.type)).toContain('CHILD.HEARTBEAT');
    const beat = child.messages.filter((m) => m.type === 'heartbeat')[1]!;
    expect(beat).toMatchObject({ type: 'heartbeat' });
    if (beat.type !== 'heartbeat') throw new Error('not a heartbeat');
    expect(beat.heapUsed).toBeGreaterThan(0);
    expect(beat.heapTotal).toBeGreaterThanOrEqual(beat.heapUsed);
    // The fixture blocks its loop for 200 ms every 300 ms.
    expect(beat.loopDelayMax).toBeGreaterThan(100);
    expect(beat.cpuUser + beat.cpuSystem).toBeGreaterThan(100_000);
  });

  it('reports the port an http server listens on', async () => {
    const child = runChild(specFor('http-server.js'));
    await child.waitUntil(() => child.messages.some((m) => m.type === 'listening'), 'listening');
    // The IPC message and the stdout line travel on different pipes: either may come first.
    await child.waitUntil(() => /listening on \d+/.test(child.stdout()), 'the port on stdout');
    const listening = child.messages.find((m) => m.type === 'listening');
    const port = Number(/listening on (\d+)/.exec(child.stdout())?.[1]);
    expect(listening).toMatchObject({ kind: 'http', port, address: '127.0.0.1' });
  });

  it("pauses the child's output while the sink is full, and loses nothing once it drains", async () => {
    let release: () => void = () => {};
    const full = new Promise<void>((resolve) => {
      release = resolve;
    });
    let chunks = 0;
    const child = runChild(
      specFor('numbered-lines.js', { args: ['200000'] }),
      { heartbeatMs: 0 },
      () => {
        chunks++;
        return full;
      },
    );
    await child.waitUntil(() => chunks > 0, 'the first chunk');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Paused after the first chunk: the child is blocked on a full pipe, not flooding us.
    expect(chunks).toBe(1);
    release();
    await child.waitFor('CHILD.EXIT', 20_000);
    await child.waitUntil(() => child.stdout().endsWith('line 200000\n'), 'every line');
    const lines = child.stdout().split('\n').filter(Boolean);
    expect(lines).toHaveLength(200_000);
    expect(lines[199_999]).toBe('line 200000');
  });
});
