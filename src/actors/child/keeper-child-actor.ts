import { fromCallback } from 'xstate';
import type { KeeperClient } from '../../keeper/client.js';
import { followKeeper } from '../../keeper/follow.js';
import type { ChildFacts, KeeperEvent, KeeperSpawnPlan, LogTarget } from '../../keeper/protocol.js';
import type {
  ChildCommand,
  ChildEvent,
  ChildInput,
} from '../../machines/process/child-protocol.js';
import type { SerializedError } from '../../types/info.js';
import { parseWrapperMessage } from '../wrapper/parse-message.js';
import { WRAPPER_CMD, WRAPPER_LIMITS } from '../wrapper/protocol.js';
import type { ChildActorDeps } from './child-actor.js';
import { type ChildChannel, ChildHandle } from './child-handle.js';
import { isSameProcessAlive } from '../../procfs/process-identity.js';
import { killGroup } from './kill-group.js';
import { planChildSpawn } from './spawn-child.js';
import { runsWithNode, type SpawnPlan } from './spawn-plan.js';
import { isChildMessage, toChildEvent } from './wrapper-events.js';

export interface KeeperChildDeps extends ChildActorDeps {
  /**
   * The connection to the keeper; while the daemon reaches a new one (the last one died), a
   * promise of it.
   */
  keeper(): KeeperClient | Promise<KeeperClient>;
  /** Where the keeper writes this process's output (its name, rotation, file modes). */
  logTarget(id: string): LogTarget | Promise<LogTarget>;
  /** Kept by the keeper with the child and handed to the next daemon (restart counters…). */
  meta?(input: ChildInput): unknown;
}

/** The keeper's plan of a spawn: what `spawn` needs, without anything only this process has. */
export function toKeeperPlan(plan: SpawnPlan): KeeperSpawnPlan {
  const { options } = plan;
  return {
    command: plan.command,
    args: plan.args,
    cwd: String(options.cwd),
    env: options.env as Record<string, string>,
    uid: options.uid ?? null,
    gid: options.gid ?? null,
    stdin: 'pipe',
    ipc: plan.wrapped,
    maxIpcBytes: WRAPPER_LIMITS.ipcMessage,
  };
}

/** Wrapper messages kept while the spawn's answer is applied (a start says a few). */
const EARLY_MESSAGES = 64;

/**
 * The process chart's `child` actor when the keeper owns the children (same contract as
 * createChildLogic, machines/process/child-protocol.ts): the spawn plan is decided here and
 * carried out by the keeper; output, wrapper messages and the exit come back as keeper events.
 * Stopped, it kills what is left of the child's group, as the direct actor does.
 *
 * @example
 * processMachine.provide({ actors: { child: createKeeperChildLogic(deps) } });
 */
export function createKeeperChildLogic(deps: KeeperChildDeps) {
  return fromCallback<ChildCommand, ChildInput>(({ input, sendBack, receive }) => {
    const { id, spec } = input;
    let stopped = false;
    let running = false;
    let handle: ChildHandle | null = null;
    const report = (event: ChildEvent) => {
      if (!stopped) sendBack(event);
    };

    let keeper: KeeperClient | null = null;
    let unlisten = () => {};
    let offClose = () => {};
    /** An exit that came before the spawn's answer was read: applied once attached. */
    let early: Extract<KeeperEvent, { ev: 'exit' }> | null = null;
    /**
     * Wrapper messages read before the spawn's answer was applied: the answer and the child's
     * first messages can come in one chunk, and `started` heard before `CHILD.FORKED` would be
     * lost to the chart (a start timeout 30 s later). Replayed once attached.
     */
    const beforeForked: unknown[] = [];

    receive((command) => {
      if (command.type === 'SIGNAL' && running) keeper?.signal(id, command.signal).catch(() => {});
    });

    // While the daemon reaches a new keeper (the last one died), a start waits for it.
    follow(deps.keeper(), (client) => {
      // Adopted (the chart rebuilt in `running` after a daemon restart): attach, spawn nothing.
      // Listening after attaching: an exit the keeper saw before the chart was rebuilt comes now.
      if (input.adoptPid !== undefined) {
        attach(input.adoptPid, runsWithNode(spec));
        unlisten = client.listen(id, onEvent);
      } else {
        unlisten = client.listen(id, onEvent);
        void spawn(client);
      }
    });

    function follow(
      reached: KeeperClient | Promise<KeeperClient>,
      then: (client: KeeperClient) => void,
    ): void {
      followKeeper(
        reached,
        {
          stopped: () => stopped,
          bound(client, off) {
            keeper = client;
            offClose = off;
          },
          closed: onClosed,
          failed(error) {
            if (running) lost();
            else report({ type: 'CHILD.SPAWN_FAILED', error: serialize(error) });
          },
        },
        then,
      );
    }

    /**
     * The connection closed. A keeper still alive keeps the child: follow the daemon to its next
     * connection (an exit meanwhile is among that connection's facts). A keeper that died took
     * its children along (their wrappers stop when their IPC closes).
     */
    function onClosed(client: KeeperClient): void {
      if (!running || stopped) return;
      unlisten();
      const { pid, startTime } = client.facts;
      if (!isSameProcessAlive(pid, startTime)) {
        lost();
        return;
      }
      // Its socket may close a moment before its pid is gone: another keeper never knew the child.
      follow(deps.keeper(), (next) => {
        if (next.facts.pid !== pid || next.facts.startTime !== startTime) return lost();
        unlisten = next.listen(id, onEvent);
      });
    }

    /** What is left of the child's group is killed, so the restart never overlaps the old run. */
    function lost(): void {
      running = false;
      try {
        if (handle) killGroup(handle.pid, 'SIGKILL');
      } catch {
        // Not ours to signal any more: its own wrapper stops it.
      }
      handle?.close();
      deps.unregister(id);
      report({ type: 'CHILD.EXIT', code: null, signal: null });
    }

    async function spawn(client: KeeperClient): Promise<void> {
      let facts: ChildFacts;
      try {
        const plan = await planChildSpawn(id, spec, deps.spawn);
        if (stopped) return;
        facts = await client.spawn(
          id,
          toKeeperPlan(plan),
          await deps.logTarget(id),
          deps.meta?.(input) ?? null,
        );
      } catch (error) {
        return report({ type: 'CHILD.SPAWN_FAILED', error: serialize(error) });
      }
      if (stopped) {
        client.signal(id, 'SIGKILL').catch(() => {});
        return;
      }
      attach(facts.pid, facts.ipc);
      report({ type: 'CHILD.FORKED', pid: facts.pid });
      if (!facts.ipc) {
        report({ type: 'CHILD.STARTED' });
        report({ type: 'CHILD.READY' });
      }
      for (const message of beforeForked.splice(0)) onWrapperMessage(message);
      const exit = early;
      early = null;
      if (exit) onEvent(exit);
    }

    function attach(pid: number, wrapped: boolean): void {
      running = true;
      handle = new ChildHandle(
        id,
        pid,
        wrapped,
        keeperChannel(
          () => keeper,
          id,
          () => running,
        ),
      );
      deps.register(id, handle);
    }

    function onEvent(event: KeeperEvent): void {
      switch (event.ev) {
        case 'output':
          deps.onOutput(id, event.stream, Buffer.from(event.data));
          return;
        case 'dropped':
          deps.onDropped?.(id, event.reason);
          return;
        case 'ipc':
          if (!event.internal) return;
          if (running) onWrapperMessage(event.message);
          else if (!stopped && beforeForked.length < EARLY_MESSAGES) {
            beforeForked.push(event.message);
          }
          return;
        case 'exit':
          // Only this run's exit: an older run's, kept by the keeper, is not news.
          if (!running) {
            if (!stopped) early = event;
            return;
          }
          if (event.pid !== handle?.pid) return;
          running = false;
          handle?.close();
          deps.unregister(id);
          report({ type: 'CHILD.EXIT', code: event.code, signal: event.signal });
          // Heard: the keeper may forget it (it keeps exits only for a daemon that missed them).
          keeper?.ack(event.seq).catch(() => {});
          return;
      }
    }

    function onWrapperMessage(raw: unknown): void {
      if ((raw as { cmd?: unknown } | null)?.cmd !== WRAPPER_CMD) return;
      const parsed = parseWrapperMessage(raw);
      if (!parsed.ok) {
        deps.onDropped?.(id, parsed.reason);
        return;
      }
      const message = parsed.message;
      if (message.type === 'reply') {
        handle?.settle(message);
        return;
      }
      const event = toChildEvent(message);
      if (event) report(event);
      if (isChildMessage(message)) deps.onMessage(id, message);
    }

    return () => {
      stopped = true;
      unlisten();
      offClose();
      // Grandchildren may outlive the child: whatever is left of the group goes.
      keeper?.signal(id, 'SIGKILL').catch(() => {});
      if (handle && running) {
        handle.close();
        deps.unregister(id);
      }
    };
  });
}

/** A keeper child as ChildHandle sees it: its messages and stdin go through the keeper. */
function keeperChannel(
  current: () => KeeperClient | null,
  id: string,
  alive: () => boolean,
): ChildChannel {
  return {
    get connected() {
      return alive() && current()?.connected === true;
    },
    send(message) {
      // The keeper refuses a child that reads nothing (its own backlog check); the request
      // waits for the child's exit then, as with a direct child whose write failed.
      current()
        ?.send(id, message)
        .catch(() => {});
    },
    write(data) {
      current()
        ?.stdin(id, typeof data === 'string' ? data : data.toString('utf8'))
        .catch(() => {});
      return alive();
    },
    end() {
      current()
        ?.stdin(id, '', true)
        .catch(() => {});
    },
    backlog: () => current()?.unansweredBytes(id) ?? 0,
  };
}

function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  // A failed spawn carries the OS's error (ENOENT…) as its cause: that is what the user needs.
  const source = (error as { cause?: unknown }).cause;
  const shown =
    source && typeof source === 'object' && 'message' in source
      ? (source as { name?: string; message: string; code?: string })
      : (error as { name: string; message: string; code?: unknown });
  const code = shown.code;
  return {
    name: shown.name ?? 'Error',
    message: shown.message,
    ...(typeof code === 'string' ? { code } : {}),
  };
}
