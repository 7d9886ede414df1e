import type { ChildProcess } from 'node:child_process';
import { fromCallback } from 'xstate';
import type {
  ChildCommand,
  ChildEvent,
  ChildInput,
} from '../../machines/process/child-protocol.js';
import type { SerializedError } from '../../types/info.js';
import { parseWrapperMessage } from '../wrapper/parse-message.js';
import { WRAPPER_CMD, WRAPPER_LIMITS } from '../wrapper/protocol.js';
import { ChildHandle, processChannel } from './child-handle.js';
import { capIpcMessages, refuseHandles } from './ipc-guard.js';
import { groupAlive, killGroup } from './kill-group.js';
import { type SpawnChildOptions, spawnChild } from './spawn-child.js';
import {
  type ChildMessage,
  DEBUGGER_LISTENING,
  isChildMessage,
  toChildEvent,
  waitsForDebugger,
} from './wrapper-events.js';

export interface ChildActorDeps {
  /** Every chunk the child writes, as it comes (the log files are written from here). */
  /**
   * Every chunk the child writes, as it comes (the log files are written from here). A returned
   * promise means "full": the child's stream is paused until it settles (back-pressure).
   */
  onOutput(id: string, stream: 'stdout' | 'stderr', chunk: Buffer): void | Promise<unknown>;
  /** Wrapper messages the chart does not handle: logs, heartbeat figures, config requests, ports. */
  onMessage(id: string, message: ChildMessage): void;
  /**
   * A guv message the child sent was malformed and dropped, or its IPC message outgrew
   * `WRAPPER_LIMITS.ipcMessage` and the child was killed.
   */
  onDropped?(id: string, reason: string): void;
  /** The live child, so the daemon can send events, write stdin, gc, heapdump, signal. */
  register(id: string, handle: ChildHandle): void;
  unregister(id: string): void;
  /** Options for `spawnChild` (preload path, heartbeat period, root check). */
  spawn?: SpawnChildOptions;
}

/**
 * The real `child` actor of the process chart (contract: machines/process/child-protocol.ts).
 * Spawns the child, reports its life as ChildEvents, obeys `SIGNAL`, and when stopped kills
 * whatever is left of the child's process group.
 *
 * @example
 * processMachine.provide({ actors: { child: createChildLogic(deps) } });
 */
export function createChildLogic(deps: ChildActorDeps) {
  return fromCallback<ChildCommand, ChildInput>(({ input, sendBack, receive }) => {
    const { id, spec } = input;
    let stopped = false;
    let child: ChildProcess | null = null;
    let handle: ChildHandle | null = null;
    const report = (event: ChildEvent) => {
      if (!stopped) sendBack(event);
    };

    receive((command) => {
      if (command.type === 'SIGNAL' && child?.pid !== undefined)
        killGroup(child.pid, command.signal);
    });

    spawnChild(id, spec, deps.spawn).then(
      (spawned) => {
        child = spawned.child;
        if (stopped) {
          if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
          return;
        }
        watch(spawned.child, spawned.wrapped);
      },
      (error: unknown) => report({ type: 'CHILD.SPAWN_FAILED', error: serialize(error) }),
    );

    function watch(proc: ChildProcess, wrapped: boolean): void {
      let spawned = false;
      let watchDebugger = waitsForDebugger(spec.execArgv) && wrapped;

      proc.once('spawn', () => {
        spawned = true;
        const pid = proc.pid!;
        handle = new ChildHandle(id, pid, wrapped, processChannel(proc));
        deps.register(id, handle);
        report({ type: 'CHILD.FORKED', pid });
        if (!wrapped) {
          report({ type: 'CHILD.STARTED' });
          report({ type: 'CHILD.READY' });
        }
      });
      proc.on('error', (error) => {
        // After a successful spawn, errors are failed IPC writes or kills: the exit tells the story.
        if (!spawned) report({ type: 'CHILD.SPAWN_FAILED', error: serialize(error) });
      });
      proc.stdin?.on('error', () => {});
      const forward = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
        const full = deps.onOutput(id, stream, chunk);
        const source = proc[stream];
        if (full && source) {
          source.pause();
          full.finally(() => source.resume());
        }
      };
      proc.stdout?.on('data', (chunk: Buffer) => forward('stdout', chunk));
      proc.stderr?.on('data', (chunk: Buffer) => {
        forward('stderr', chunk);
        if (watchDebugger && chunk.includes(DEBUGGER_LISTENING)) {
          watchDebugger = false;
          report({ type: 'CHILD.PAUSED' });
        }
      });
      // Only guv's wrapper talks over the channel; the app can write to it too, so a message
      // is never trusted, and never held whole past its cap.
      if (wrapped) {
        refuseHandles(proc);
        capIpcMessages(proc, WRAPPER_LIMITS.ipcMessage, () => {
          deps.onDropped?.(id, `an IPC message over ${WRAPPER_LIMITS.ipcMessage} bytes: killed`);
          if (proc.pid !== undefined) killGroup(proc.pid, 'SIGKILL');
        });
      }
      proc.on('internalMessage', (raw: unknown) => {
        // Node's own internal messages (NODE_HANDLE…) share the event.
        if ((raw as { cmd?: unknown } | null)?.cmd !== WRAPPER_CMD) return;
        const parsed = parseWrapperMessage(raw);
        if (!parsed.ok) return deps.onDropped?.(id, parsed.reason);
        const message = parsed.message;
        if (message.type === 'reply') return handle?.settle(message);
        const event = toChildEvent(message);
        if (event) report(event);
        if (message.type === 'config:request' && handle?.backedUp)
          return deps.onDropped?.(id, 'config:request: the child does not read its answers');
        if (isChildMessage(message)) deps.onMessage(id, message);
      });
      proc.once('exit', (code, signal) => {
        if (!spawned) return;
        handle?.close();
        deps.unregister(id);
        report({ type: 'CHILD.EXIT', code, signal });
      });
    }

    return () => {
      stopped = true;
      const pid = child?.pid;
      // Grandchildren may outlive the child: whatever is left of the group goes.
      if (pid !== undefined && groupAlive(pid)) killGroup(pid, 'SIGKILL');
      if (handle && child?.exitCode === null && child.signalCode === null) {
        handle.close();
        deps.unregister(id);
      }
    };
  });
}

function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack === undefined ? {} : { stack: error.stack }),
  };
}
