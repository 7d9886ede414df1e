import { type EventObject, fromCallback } from 'xstate';
import { killGroup } from '../actors/child/kill-group.js';
import type { KeeperClient } from '../keeper/client.js';
import { followKeeper } from '../keeper/follow.js';
import type { KeeperEvent, LogTarget } from '../keeper/protocol.js';
import type { ManagerEvent, ManagerInput } from '../machines/cluster/cluster-types.js';
import { serializeError } from '../machines/process/serialize-error.js';
import { isSameProcessAlive } from '../procfs/process-identity.js';
import type { SerializedError } from '../types/info.js';
import type { ManagerActorDeps } from './manager-actor.js';
import type { ManagerChannel } from './manager-link.js';
import { planManager } from './manager-plan.js';
import { MANAGER_LIMITS, parseManagerMessage } from './protocol.js';

export interface KeeperManagerDeps extends ManagerActorDeps {
  /** The connection to the keeper, or a promise of the next one while it is being reached. */
  keeper(): KeeperClient | Promise<KeeperClient>;
  /** Where the keeper writes the cluster's files (`cluster: true`: its workers' too). */
  logTarget(id: string): LogTarget | Promise<LogTarget>;
}

/**
 * The cluster chart's `manager` actor when the keeper owns the manager (guv.json `keeper`): same
 * contract as createManagerLogic, but the keeper spawns manager.cjs and relays its IPC, so the
 * manager and its workers outlive the daemon. Adopted (input.adoptPid, after a daemon restart),
 * it attaches to the running manager and sets nothing up. Stopped, it kills the manager's group.
 *
 * @example
 * provideCluster({ manager: createKeeperManagerLogic({ link, onOutput, keeper, logTarget }), … });
 */
export function createKeeperManagerLogic(deps: KeeperManagerDeps) {
  return fromCallback<EventObject, ManagerInput>(({ input, sendBack }) => {
    const { id, spec } = input;
    let stopped = false;
    let pid: number | null = null;
    let keeper: KeeperClient | null = null;
    let unlisten = () => {};
    let offClose = () => {};
    /** An exit read before the spawn's answer: applied once the pid is known. */
    let early: Extract<KeeperEvent, { ev: 'exit' }> | null = null;
    const fail = (error: SerializedError) => {
      if (!stopped) sendBack({ type: 'MANAGER.FAILED', error } satisfies ManagerEvent);
    };
    const channel: ManagerChannel = {
      get connected() {
        return pid !== null && keeper?.connected === true;
      },
      send(command) {
        // The keeper refuses a manager that reads nothing; a failed send shows up as its exit.
        keeper?.send(id, command).catch(() => {});
      },
      backlog: () => keeper?.unansweredBytes(id) ?? 0,
    };

    follow(deps.keeper(), (client) => {
      if (input.adoptPid === undefined) {
        unlisten = client.listen(id, onEvent);
        void spawn(client).catch((error: unknown) => fail(serializeError(error)));
        return;
      }
      // Adopted: attached before listening, so an exit the keeper saw before the chart was
      // rebuilt (handed over on listen) is this manager's; heard once the chart has entered
      // the state that invoked this actor.
      pid = input.adoptPid;
      deps.link.attach(channel);
      queueMicrotask(() => {
        if (!stopped) unlisten = client.listen(id, onEvent);
      });
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
          failed: (error) => fail(serializeError(error)),
        },
        then,
      );
    }

    /**
     * A keeper still alive keeps the manager: follow the daemon to its next connection. A
     * keeper that died took the manager along (it stops when its IPC closes; what is left of its
     * group is killed here). Its socket may close a moment before its pid is gone, so the next
     * connection's keeper is checked too: another keeper never knew this manager.
     */
    function onClosed(client: KeeperClient) {
      if (stopped) return;
      unlisten();
      const same = (next: KeeperClient) =>
        next.facts.pid === client.facts.pid && next.facts.startTime === client.facts.startTime;
      if (pid === null || !isSameProcessAlive(client.facts.pid, client.facts.startTime)) {
        return lost();
      }
      follow(deps.keeper(), (next) => {
        if (!same(next)) return lost();
        unlisten = next.listen(id, onEvent);
      });
    }

    function lost() {
      const gone = pid;
      pid = null;
      deps.link.detach(channel);
      if (gone !== null) {
        try {
          killGroup(gone, 'SIGKILL');
        } catch {
          // Not ours to signal any more: it stops with its IPC channel.
        }
      }
      fail(failure(`the keeper running the cluster manager of ${input.name} is gone`));
    }

    async function spawn(client: KeeperClient): Promise<void> {
      const plan = await planManager(spec, deps);
      const logs = await deps.logTarget(id);
      if (stopped) return;
      const facts = await client.spawn(
        id,
        {
          command: plan.command,
          args: plan.args,
          cwd: spec.cwd,
          env: plan.env as Record<string, string>,
          uid: plan.uid ?? null,
          gid: plan.gid ?? null,
          stdin: 'ignore',
          ipc: true,
          maxIpcBytes: MANAGER_LIMITS.ipcMessage,
        },
        { ...logs, cluster: true },
        null,
      );
      if (stopped) {
        client.signal(id, 'SIGKILL').catch(() => {});
        return;
      }
      pid = facts.pid;
      deps.link.attach(channel);
      channel.send(plan.setup);
      const exit = early;
      early = null;
      if (exit) onEvent(exit);
    }

    function onEvent(event: KeeperEvent): void {
      switch (event.ev) {
        case 'output':
          deps.onOutput(event.stream, Buffer.from(event.data));
          return;
        case 'dropped':
          deps.onDropped?.(event.reason);
          return;
        case 'ipc':
          if (!event.internal) onMessage(event.message);
          return;
        case 'exit':
          // Only this run's exit: an older run's, kept by the keeper, is not news.
          if (pid === null) {
            early = event;
            return;
          }
          if (event.pid !== pid) return;
          pid = null;
          deps.link.detach(channel);
          // Its workers share its process group: none may outlive it.
          keeper?.signal(id, 'SIGKILL').catch(() => {});
          keeper?.ack(event.seq).catch(() => {});
          fail(
            failure(
              `the cluster manager of ${input.name} exited with ${
                event.signal === null ? `code ${event.code}` : `signal ${event.signal}`
              }`,
            ),
          );
          return;
      }
    }

    function onMessage(raw: unknown) {
      const parsed = parseManagerMessage(raw);
      if (!parsed.ok) return deps.onDropped?.(parsed.reason);
      const message = parsed.message;
      if (message.type === 'log') return deps.onLog?.(message.level, message.message);
      if (message.type !== 'ready') return deps.link.dispatch(message);
      // The pid the keeper spawned, never one the manager names.
      if (message.pid !== pid) return deps.onDropped?.("ready: pid is not the manager's");
      if (!stopped) sendBack({ type: 'MANAGER.READY', pid } satisfies ManagerEvent);
    }

    return () => {
      stopped = true;
      unlisten();
      offClose();
      deps.link.detach(channel);
      keeper?.signal(id, 'SIGKILL').catch(() => {});
    };
  });
}

function failure(message: string): SerializedError {
  return { name: 'GuvError', code: 'GUV_MANAGER_FAILED', message };
}
