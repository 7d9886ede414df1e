import { type ChildProcess, spawn } from 'node:child_process';
import { type EventObject, fromCallback } from 'xstate';
import type { ResolveIdentityOptions } from '../actors/child/identity.js';
import { groupAlive, killGroup } from '../actors/child/kill-group.js';
import type { WrapperLogLevel } from '../actors/wrapper/protocol.js';
import type { ManagerEvent, ManagerInput } from '../machines/cluster/cluster-types.js';
import { serializeError } from '../machines/process/serialize-error.js';
import type { GuvErrorCode } from '../error-codes.js';
import type { SerializedError } from '../types/info.js';
import { childChannel, type ManagerChannel, type ManagerLink } from './manager-link.js';
import { planManager } from './manager-plan.js';
import { capIpcMessages, refuseHandles } from '../actors/child/ipc-guard.js';
import { MANAGER_LIMITS, type ManagerSetup, parseManagerMessage } from './protocol.js';

export interface ManagerActorDeps extends ResolveIdentityOptions {
  link: ManagerLink;
  /** Every chunk the manager itself writes (not its workers'). */
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  managerPath?: string;
  preloadPath?: string;
  orphanKillMs?: number;
  /**
   * A message of the manager (which runs as the app's user) was malformed and dropped, or its
   * IPC message outgrew `MANAGER_LIMITS.ipcMessage` and the manager was killed.
   */
  onDropped?(reason: string): void;
  /** A log line of the manager's own. */
  onLog?(level: WrapperLogLevel, message: string): void;
}

function failure(message: string, code: GuvErrorCode = 'GUV_MANAGER_FAILED'): SerializedError {
  return { name: 'GuvError', code, message };
}

/**
 * The cluster chart's real `manager` actor: starts the manager process (manager.cjs) in its
 * own process group, sets it up, and sends MANAGER.READY { pid } (the chart gives it a deadline);
 * if it cannot start or dies,
 * it sends MANAGER.FAILED and kills the manager's whole group, so no worker outlives it.
 * Stopping the actor kills the group too.
 *
 * @example
 * provideCluster({ manager: createManagerLogic({ link, onOutput }), child, publish });
 */
export function createManagerLogic(deps: ManagerActorDeps) {
  return fromCallback<EventObject, ManagerInput>(({ input, sendBack }) => {
    const { spec } = input;
    let stopped = false;
    let manager: ChildProcess | null = null;
    let channel: ManagerChannel | null = null;
    const fail = (error: SerializedError) => {
      if (!stopped) sendBack({ type: 'MANAGER.FAILED', error } satisfies ManagerEvent);
    };
    const killAll = () => {
      const pid = manager?.pid;
      if (pid !== undefined && groupAlive(pid)) killGroup(pid, 'SIGKILL');
    };

    void launch().catch((error: unknown) => fail(serializeError(error)));

    async function launch(): Promise<void> {
      const plan = await planManager(spec, deps);
      if (stopped) return;
      const child = spawn(plan.command, plan.args, {
        cwd: spec.cwd,
        env: plan.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        ...(plan.uid === undefined ? {} : { uid: plan.uid }),
        ...(plan.gid === undefined ? {} : { gid: plan.gid }),
      });
      manager = child;
      watch(child, plan.setup);
    }

    function watch(child: ChildProcess, setup: ManagerSetup): void {
      let spawned = false;
      child.once('spawn', () => {
        spawned = true;
        if (stopped) return killAll();
        channel = childChannel(child);
        deps.link.attach(channel);
        child.send(setup, () => {});
      });
      child.on('error', (error) => {
        if (!spawned) fail(serializeError(error));
      });
      child.stdout?.on('data', (chunk: Buffer) => deps.onOutput('stdout', chunk));
      child.stderr?.on('data', (chunk: Buffer) => deps.onOutput('stderr', chunk));
      refuseHandles(child);
      capIpcMessages(child, MANAGER_LIMITS.ipcMessage, () => {
        deps.onDropped?.(`an IPC message over ${MANAGER_LIMITS.ipcMessage} bytes: killed`);
        killAll();
      });
      child.on('message', (raw: unknown) => {
        const parsed = parseManagerMessage(raw);
        if (!parsed.ok) return deps.onDropped?.(parsed.reason);
        const message = parsed.message;
        if (message.type === 'log') return deps.onLog?.(message.level, message.message);
        if (message.type !== 'ready') return deps.link.dispatch(message);
        // The cluster's pid is saved and, after a daemon crash, its group is killed as a
        // leftover: it is the pid spawned here, never one the manager names.
        if (message.pid !== child.pid) return deps.onDropped?.("ready: pid is not the manager's");
        if (!stopped) sendBack({ type: 'MANAGER.READY', pid: child.pid } satisfies ManagerEvent);
      });
      child.once('exit', (code, signal) => {
        if (!spawned) return;
        deps.link.detach(channel);
        // Its workers share its process group: none may outlive it.
        killAll();
        const how = signal === null ? `code ${code}` : `signal ${signal}`;
        fail(failure(`the cluster manager of ${input.name} exited with ${how}`));
      });
    }

    return () => {
      stopped = true;
      deps.link.detach(channel);
      killAll();
    };
  });
}
