import { fileURLToPath } from 'node:url';
import { createActor, setup } from 'xstate';
import type { ChildHandle } from '../../../src/actors/child/child-handle.js';
import { type ChildActorDeps, createChildLogic } from '../../../src/actors/child/child-actor.js';
import { groupAlive, killGroup } from '../../../src/actors/child/kill-group.js';
import type { ChildMessage } from '../../../src/actors/child/wrapper-events.js';
import type {
  ChildEvent,
  ChildInput,
  ProcessSpec,
} from '../../../src/machines/process/child-protocol.js';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
}

export function specFor(name: string, overrides: Partial<ProcessSpec> = {}): ProcessSpec {
  return {
    script: fixture(name),
    args: [],
    execArgv: [],
    interpreter: 'node',
    cwd: fileURLToPath(new URL('../../fixtures/', import.meta.url)),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    user: null,
    group: null,
    appReadiness: false,
    ...overrides,
  };
}

export interface RunningChild {
  events: ChildEvent[];
  messages: ChildMessage[];
  stdout(): string;
  stderr(): string;
  handle(): ChildHandle | undefined;
  pid(): number | undefined;
  signal(signal: NodeJS.Signals): void;
  waitFor<T extends ChildEvent['type']>(
    type: T,
    timeoutMs?: number,
  ): Promise<Extract<ChildEvent, { type: T }>>;
  waitUntil(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): void;
}

const running = new Set<RunningChild>();

/** Runs the real child actor under a minimal parent chart that records what it sends. */
export function runChild(
  spec: ProcessSpec,
  spawn: ChildActorDeps['spawn'] = { heartbeatMs: 0 },
  /** What onOutput returns after recording a chunk: a promise pauses the child's stream. */
  gate: () => Promise<unknown> | undefined = () => undefined,
): RunningChild {
  const events: ChildEvent[] = [];
  const messages: ChildMessage[] = [];
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const handles = new Map<string, ChildHandle>();
  let lastPid: number | undefined;
  const logic = createChildLogic({
    onOutput: (_id, stream, chunk) => {
      out[stream].push(chunk);
      return gate();
    },
    onMessage: (_id, message) => messages.push(message),
    register: (id, handle) => handles.set(id, handle),
    unregister: (id) => handles.delete(id),
    spawn,
  });
  const parent = setup({
    types: { input: {} as ChildInput, context: {} as ChildInput, events: {} as ChildEvent },
    actors: { child: logic },
  }).createMachine({
    context: ({ input }) => input,
    invoke: { id: 'child', src: 'child', input: ({ context }) => context },
    on: {
      '*': {
        actions: ({ event }) => {
          if (event.type === 'CHILD.FORKED') lastPid = event.pid;
          events.push(event);
        },
      },
    },
  });
  const actor = createActor(parent, { input: { id: 'test', spec, attempt: 0 } });
  actor.start();

  const waitUntil = async (check: () => boolean, what: string, timeoutMs = 8000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) {
        const seen = events.map((e) => e.type).join(', ');
        throw new Error(
          `timed out waiting for ${what}; events: ${seen}; stderr: ${child.stderr()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const child: RunningChild = {
    events,
    messages,
    stdout: () => Buffer.concat(out.stdout).toString(),
    stderr: () => Buffer.concat(out.stderr).toString(),
    handle: () => handles.get('test'),
    pid: () => lastPid,
    signal: (signal) => actor.getSnapshot().children.child?.send({ type: 'SIGNAL', signal }),
    waitUntil,
    async waitFor(type, timeoutMs) {
      await waitUntil(() => events.some((e) => e.type === type), type, timeoutMs);
      return events.find((e) => e.type === type) as never;
    },
    stop() {
      actor.stop();
      running.delete(child);
    },
  };
  running.add(child);
  return child;
}

/** For afterEach: stops every child actor and SIGKILLs every group a test started. */
export function stopAllChildren(): void {
  for (const child of running) {
    child.stop();
    const pid = child.pid();
    if (pid !== undefined && groupAlive(pid)) killGroup(pid, 'SIGKILL');
  }
}
