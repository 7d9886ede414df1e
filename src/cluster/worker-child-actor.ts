import { fromCallback } from 'xstate';
import { type ChildMessage, isChildMessage, toChildEvent } from '../actors/child/wrapper-events.js';
import type { Reply } from '../actors/child/pending-replies.js';
import type { ChildCommand, ChildEvent, ChildInput } from '../machines/process/child-protocol.js';
import type { ManagerLink, WorkerListener } from './manager-link.js';
import { type WorkerEnvOptions, workerEnv, workerIndexOf } from './worker-env.js';

export interface WorkerChildDeps extends WorkerEnvOptions {
  clusterId: string;
  link: ManagerLink;
  /** The graceful stop's own deadline inside the worker; the chart SIGKILLs after its kill timeout anyway. */
  killTimeoutMs: number;
  /** Every chunk of the worker's output, decoded. */
  onOutput(workerId: string, stream: 'stdout' | 'stderr', data: string): void;
  /** Wrapper messages the chart does not handle: logs, listening, heartbeat figures, config. */
  onMessage(workerId: string, message: ChildMessage): void;
  /** The worker's wrapper answered a request (send, gc, heapdump). */
  onReply?(workerId: string, reply: Reply): void;
  /** The worker exited or never started: its unanswered requests never will be. */
  onGone?(workerId: string): void;
}

/**
 * The `child` actor of every worker chart of one cluster (contract: child-protocol.ts): asks
 * the cluster's manager to fork the worker, maps what the manager relays to ChildEvents as the
 * plain child actor does, and obeys SIGNAL: the graceful one becomes the wrapper's `shutdown`
 * (which drains HTTP servers), SIGKILL a real SIGKILL. Stopping the actor kills a live worker.
 */
export function createWorkerChildLogic(deps: WorkerChildDeps) {
  const { link } = deps;
  return fromCallback<ChildCommand, ChildInput>(({ input, sendBack, receive }) => {
    const workerId = input.id;
    let stopped = false;
    let alive = false;
    const report = (event: ChildEvent) => {
      if (!stopped) sendBack(event);
    };

    receive((command) => {
      if (command.type !== 'SIGNAL' || !alive) return;
      if (command.signal === 'SIGKILL') link.signal(workerId, 'SIGKILL');
      else link.post(workerId, { type: 'shutdown', timeoutMs: deps.killTimeoutMs });
    });

    const listener: WorkerListener = {
      forked(pid) {
        alive = true;
        report({ type: 'CHILD.FORKED', pid });
      },
      forkFailed(error) {
        deps.onGone?.(workerId);
        report({ type: 'CHILD.SPAWN_FAILED', error });
      },
      wrapper(message) {
        if (message.type === 'reply') return deps.onReply?.(workerId, message);
        const event = toChildEvent(message);
        if (event) report(event);
        if (isChildMessage(message)) deps.onMessage(workerId, message);
      },
      output(stream, data) {
        deps.onOutput(workerId, stream, data);
      },
      exit(code, signal) {
        alive = false;
        deps.onGone?.(workerId);
        report({ type: 'CHILD.EXIT', code, signal });
      },
    };
    // Adopted (its chart rebuilt after a daemon restart): the manager runs it already.
    if (input.adoptPid !== undefined) {
      alive = true;
      link.listen(workerId, listener);
      return stop;
    }
    const env = workerEnv(workerId, workerIndexOf(deps.clusterId, workerId), input.spec, deps);
    const asked = link.fork(workerId, env, listener);
    if (!asked) {
      // Reported after this callback returns: the chart is still entering the state that invoked us.
      queueMicrotask(() =>
        report({
          type: 'CHILD.SPAWN_FAILED',
          error: {
            name: 'GuvError',
            code: 'GUV_MANAGER_GONE',
            message: `the cluster manager is not running; cannot start worker ${workerId}`,
          },
        }),
      );
    }

    return stop;

    function stop(): void {
      stopped = true;
      link.forget(workerId);
      deps.onGone?.(workerId);
      if (alive) link.signal(workerId, 'SIGKILL');
    }
  });
}
