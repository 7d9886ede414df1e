import type { ChildProcess } from 'node:child_process';
import { ipcBacklog } from '../actors/child/ipc-guard.js';
import type { SupervisorBody, WrapperMessage } from '../actors/wrapper/protocol.js';
import type { SerializedError } from '../types/info.js';
import { MANAGER_LIMITS, type ManagerCommand, type ManagerMessage } from './protocol.js';

/** What happens to one worker, as its manager relays it. */
export interface WorkerListener {
  forked(pid: number): void;
  forkFailed(error: SerializedError): void;
  wrapper(message: WrapperMessage): void;
  output(stream: 'stdout' | 'stderr', data: string): void;
  exit(code: number | null, signal: string | null): void;
}

/** The manager's IPC channel: its own (a direct child) or the keeper's relay of it. */
export interface ManagerChannel {
  readonly connected: boolean;
  /** A failed write means the manager just died: its exit tells the story. */
  send(command: ManagerCommand): void;
  /** Bytes written but not yet read by the manager (0 when the keeper checks it itself). */
  backlog(): number;
}

/** A directly spawned manager's channel. */
export function childChannel(child: ChildProcess): ManagerChannel {
  return {
    get connected() {
      return child.connected;
    },
    send: (command) => child.send(command, () => {}),
    backlog: () => ipcBacklog(child),
  };
}

/**
 * The daemon's line to one cluster's manager process, shared by the cluster's `manager` actor
 * (which attaches the process once it is up) and its workers' `child` actors (which fork and
 * command their worker through it, and hear back through a listener per worker id).
 */
export class ManagerLink {
  #manager: ManagerChannel | null = null;
  readonly #workers = new Map<string, WorkerListener>();

  /** True while a manager process is up and set up. */
  get attached(): boolean {
    return this.#manager?.connected === true;
  }

  attach(manager: ManagerChannel): void {
    this.#manager = manager;
  }

  /**
   * This manager is gone: its workers went with it, and nobody hears about them any more. A
   * no-op when another manager (of the cluster's next run) is attached by now.
   */
  detach(manager: ManagerChannel | null): void {
    if (manager === null || this.#manager !== manager) return;
    this.#manager = null;
    this.#workers.clear();
  }

  /** Routes one message of the manager to the listener of the worker it is about. */
  dispatch(message: Exclude<ManagerMessage, { type: 'ready' | 'log' }>): void {
    const listener = this.#workers.get(message.workerId);
    if (!listener) return;
    switch (message.type) {
      case 'forked':
        listener.forked(message.pid);
        break;
      case 'fork-failed':
        this.#workers.delete(message.workerId);
        listener.forkFailed(message.error);
        break;
      case 'wrapper':
        listener.wrapper(message.message);
        break;
      case 'output':
        listener.output(message.stream, message.data);
        break;
      case 'exit':
        this.#workers.delete(message.workerId);
        listener.exit(message.code, message.signal);
        break;
    }
  }

  /** Listens to a worker the manager already runs (adopted after a daemon restart). */
  listen(workerId: string, listener: WorkerListener): void {
    this.#workers.set(workerId, listener);
  }

  /** Asks the manager for a worker; false when there is no manager to ask. */
  fork(workerId: string, env: Record<string, string>, listener: WorkerListener): boolean {
    this.#workers.set(workerId, listener);
    if (this.#send({ type: 'fork', workerId, env })) return true;
    this.#workers.delete(workerId);
    return false;
  }

  signal(workerId: string, signal: NodeJS.Signals): boolean {
    return this.#send({ type: 'signal', workerId, signal });
  }

  /** Sends the worker's preload wrapper a message (shutdown, send, gc…). */
  post(workerId: string, body: SupervisorBody): boolean {
    return this.#send({ type: 'wrapper', workerId, body });
  }

  /** Stops listening to a worker (its actor is gone). */
  forget(workerId: string): void {
    this.#workers.delete(workerId);
  }

  send(command: ManagerCommand): boolean {
    return this.#send(command);
  }

  #send(command: ManagerCommand): boolean {
    const manager = this.#manager;
    if (!manager?.connected) return false;
    // A manager (the app's user) that stops reading must not pile commands up in the daemon.
    if (manager.backlog() > MANAGER_LIMITS.ipcMessage) return false;
    manager.send(command);
    return true;
  }
}
