import { type ChildProcess, spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { capIpcMessages, ipcBacklog, refuseHandles } from '../actors/child/ipc-guard.js';
import { killGroup } from '../actors/child/kill-group.js';
import { parseWrapperMessage } from '../actors/wrapper/parse-message.js';
import { parseManagerMessage } from '../cluster/protocol.js';
import { WRAPPER_CMD } from '../actors/wrapper/protocol.js';
import type { LogLevel } from '../logs/format.js';
import { logFilePath } from '../logs/format.js';
import { openUserLogFileAs, type UserLogFile } from '../logs/user-log-writer.js';
import { createLogWriter, type LogWriter } from '../logs/writer.js';
import { readProcessStartTime } from '../procfs/process-identity.js';
import {
  type ChildFacts,
  KEEPER_LIMITS,
  type KeeperEvent,
  type SpawnRequest,
  type WorkerExitFacts,
  type WorkerSlotFacts,
} from './protocol.js';

export interface KeptChildDeps {
  logsDir: string;
  /** Sends an event to the connected daemon, if any; false when it was not sent. */
  emit(event: KeeperEvent): boolean;
  /** Whether the daemon wants each output chunk as an event (someone follows the logs). */
  watchingOutput(): boolean;
  exited(child: KeptChild, code: number | null, signal: string | null): void;
  /** Every stream of the child has closed: its log files are closed too. */
  closed(child: KeptChild): void;
  onLogError(error: Error): void;
}

const LEVEL_OF_STREAM = { stdout: 'info', stderr: 'error' } as const;
/** Workers one cluster manager may report: more slots than any machine runs. */
const MAX_WORKERS = 1024;

/** A failure the daemon hears as an error reply: what went wrong, and the OS's error code. */
export class KeeperFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    override readonly cause?: { name: string; message: string; code?: string },
  ) {
    super(message);
  }
}

/**
 * One child the keeper started and owns: its pipes (written to its log files, whether a daemon
 * listens or not), its IPC channel (relayed to the daemon), its exit.
 */
export class KeptChild {
  readonly childId: string;
  readonly spawnedAt = Date.now();
  readonly request: SpawnRequest;
  meta: unknown;
  pid = 0;
  startTime: string | null = null;
  hasExited = false;
  readonly #deps: KeptChildDeps;
  /** By level, or by worker slot and level (`<slot>.<level>`) for a cluster manager. */
  readonly #writers = new Map<string, LogWriter>();
  /** A cluster manager's live workers, by worker id (bounded by the manager's own cap). */
  readonly #workers = new Map<string, WorkerSlotFacts>();
  /** The last exit of each worker not forked again since, by worker id, oldest first. */
  readonly #workerExits = new Map<string, WorkerExitFacts>();
  /** The user's own files (`--out-file`, `--error-file`), opened on their first line. */
  readonly #userFiles = new Map<'out' | 'err', UserLogFile>();
  /** The child closed: no file opens again (a writer process would outlive it). */
  #filesClosed = false;
  /** Epoch ms before which a log file that failed to open is not tried again. */
  #retryOpenAt = 0;
  #proc: ChildProcess | null = null;

  constructor(request: SpawnRequest, deps: KeptChildDeps) {
    this.childId = request.childId;
    this.request = request;
    this.meta = request.meta;
    this.#deps = deps;
  }

  /** Starts the child; resolves once it runs, rejects with a KeeperFailure when it cannot. */
  start(): Promise<void> {
    const { plan } = this.request;
    const proc = spawn(plan.command, plan.args, {
      cwd: plan.cwd,
      env: plan.env,
      detached: true,
      stdio: [plan.stdin, 'pipe', 'pipe', ...(plan.ipc ? (['ipc'] as const) : [])],
      ...(plan.uid === null ? {} : { uid: plan.uid }),
      ...(plan.gid === null ? {} : { gid: plan.gid }),
    });
    this.#proc = proc;
    return new Promise((resolve, reject) => {
      proc.once('spawn', () => {
        this.pid = proc.pid!;
        this.startTime = readProcessStartTime(this.pid);
        this.#watch(proc);
        resolve();
      });
      proc.once('error', (error: NodeJS.ErrnoException) => {
        if (this.pid !== 0) return;
        const cause = {
          name: error.name,
          message: error.message,
          ...(typeof error.code === 'string' ? { code: error.code } : {}),
        };
        reject(new KeeperFailure('GUV_KEEPER_SPAWN_FAILED', error.message, cause));
      });
    });
  }

  facts(): ChildFacts {
    return {
      childId: this.childId,
      pid: this.pid,
      startTime: this.startTime,
      spawnedAt: this.spawnedAt,
      ipc: this.request.plan.ipc,
      logs: this.request.logs,
      meta: this.meta,
      workers: [...this.#workers.values()],
      workerExits: [...this.#workerExits.values()],
    };
  }

  /** Sends `message` over the child's IPC channel. */
  send(message: unknown): void {
    const proc = this.#live();
    if (!this.request.plan.ipc)
      throw new KeeperFailure('GUV_NO_IPC', 'the child has no IPC channel');
    if (!proc.connected) throw new KeeperFailure('GUV_PROCESS_NOT_RUNNING', 'IPC channel closed');
    if (ipcBacklog(proc) > this.request.plan.maxIpcBytes) {
      throw new KeeperFailure('GUV_CHILD_NOT_READING', 'the child does not read its messages');
    }
    // A failed write (the child just died) shows up as its exit.
    proc.send(message as object, () => {});
  }

  writeStdin(data: string, end: boolean): boolean {
    const stdin = this.#live().stdin;
    if (!stdin || stdin.destroyed)
      throw new KeeperFailure('GUV_PROCESS_NOT_RUNNING', 'stdin is closed');
    // A child that reads nothing must not grow the keeper: refuse past one request's worth.
    if (stdin.writableLength > KEEPER_LIMITS.requestFrame) {
      throw new KeeperFailure('GUV_CHILD_NOT_READING', 'the child does not read its stdin');
    }
    const accepted = data.length > 0 ? stdin.write(data) : true;
    if (end) stdin.end();
    return accepted;
  }

  /** Signals the child's process group (also after the leader exited: grandchildren). */
  signal(signal: NodeJS.Signals): boolean {
    return this.pid !== 0 && killGroup(this.pid, signal);
  }

  #live(): ChildProcess {
    if (!this.#proc || this.hasExited) {
      throw new KeeperFailure('GUV_PROCESS_NOT_RUNNING', `${this.childId} is not running`);
    }
    return this.#proc;
  }

  #watch(proc: ChildProcess): void {
    proc.stdin?.on('error', () => {});
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = proc[stream];
      if (!source) continue;
      const decoder = new StringDecoder('utf8');
      source.on('data', (chunk: Buffer) => {
        const level = LEVEL_OF_STREAM[stream];
        // A cluster manager's own output stays in guv's files: its workers' is the app's.
        if (!this.request.logs.cluster) this.#userFile(level)?.write(chunk);
        const writer = this.#writer(level);
        if (writer && !writer.write(chunk)) {
          source.pause();
          writer.once('drain', () => source.resume());
        }
        if (this.#deps.watchingOutput()) {
          const data = decoder.write(chunk);
          if (data) this.#deps.emit({ ev: 'output', childId: this.childId, stream, data });
        }
      });
    }
    if (this.request.plan.ipc) this.#watchIpc(proc);
    proc.once('exit', (code, signal) => {
      this.hasExited = true;
      this.#deps.exited(this, code, signal);
    });
    proc.once('close', () => {
      this.#filesClosed = true;
      const files = [...this.#writers.values(), ...this.#userFiles.values()];
      void Promise.allSettled(files.map((file) => file.close())).then(() =>
        this.#deps.closed(this),
      );
    });
  }

  #watchIpc(proc: ChildProcess): void {
    refuseHandles(proc);
    const max = this.request.plan.maxIpcBytes;
    capIpcMessages(proc, max, () => {
      this.#deps.emit({
        ev: 'dropped',
        childId: this.childId,
        reason: `an IPC message over ${max} bytes: killed`,
      });
      this.signal('SIGKILL');
    });
    proc.on('message', (message: unknown) => {
      if (this.request.logs.cluster) this.#keepWorkerLog(message);
      this.#deps.emit({ ev: 'ipc', childId: this.childId, internal: false, message });
    });
    proc.on('internalMessage', (message: unknown) => {
      // Node's own internal messages (NODE_HANDLE…) share the event; only guv's are relayed.
      if ((message as { cmd?: unknown } | null)?.cmd !== WRAPPER_CMD) return;
      this.#keepLogRecord(message);
      this.#deps.emit({ ev: 'ipc', childId: this.childId, internal: true, message });
    });
  }

  /** A wrapper's log record goes to the files here, so none is lost while no daemon runs. */
  #keepLogRecord(raw: unknown): void {
    if ((raw as { type?: unknown }).type !== 'log') return;
    const parsed = parseWrapperMessage(raw);
    if (!parsed.ok || parsed.message.type !== 'log') return;
    const { level, message } = parsed.message;
    this.#writer(level)?.writeRecord(message);
    this.#userFile(level)?.writeRecord(message);
  }

  /** What a cluster manager relays of its workers (and its own log lines) goes to the files. */
  #keepWorkerLog(raw: unknown): void {
    const parsed = parseManagerMessage(raw);
    if (!parsed.ok) return;
    const message = parsed.message;
    if (message.type === 'log') {
      this.#writer(message.level)?.writeRecord(message.message);
      return;
    }
    if (message.type === 'forked' || message.type === 'exit') {
      this.#trackWorker(message);
      return;
    }
    if (message.type !== 'output' && message.type !== 'wrapper') return;
    const slot = this.#slotOf(message.workerId);
    if (slot === null) return;
    // Every worker's lines go to the one file the user named (pm2's merge_logs).
    if (message.type === 'output') {
      const level = LEVEL_OF_STREAM[message.stream];
      const data = Buffer.from(message.data);
      this.#writer(level, slot)?.write(data);
      this.#userFile(level)?.write(data);
    } else if (message.message.type === 'log') {
      const { level, message: text } = message.message;
      this.#writer(level, slot)?.writeRecord(text);
      this.#userFile(level)?.writeRecord(text);
    }
  }

  #trackWorker(
    message:
      | { type: 'forked'; workerId: string; pid: number }
      | { type: 'exit'; workerId: string; code: number | null; signal: string | null },
  ): void {
    if (message.type === 'exit') {
      const gone = this.#workers.get(message.workerId);
      if (!gone) return;
      this.#workers.delete(message.workerId);
      // Kept for the next daemon: a worker that died while none ran is a crash of its slot.
      this.#workerExits.delete(message.workerId);
      this.#workerExits.set(message.workerId, {
        workerId: message.workerId,
        slot: gone.slot,
        pid: gone.pid,
        code: message.code,
        signal: message.signal,
        forkedAt: gone.forkedAt ?? this.spawnedAt,
        at: Date.now(),
      });
      const oldest = this.#workerExits.keys().next();
      if (this.#workerExits.size > MAX_WORKERS && !oldest.done) {
        this.#workerExits.delete(oldest.value);
      }
      return;
    }
    const slot = this.#slotOf(message.workerId);
    if (slot === null || this.#workers.size >= MAX_WORKERS) return;
    this.#workerExits.delete(message.workerId);
    // Its own child, by the manager's word: kept as a fact to check (pid and start time), no more.
    this.#workers.set(message.workerId, {
      workerId: message.workerId,
      slot,
      pid: message.pid,
      startTime: readProcessStartTime(message.pid),
      forkedAt: Date.now(),
    });
  }

  /** `<cluster id>.<slot>` or `<cluster id>.<slot>.<serial>` (machines/cluster/worker-records.ts). */
  #slotOf(workerId: string): number | null {
    if (!workerId.startsWith(`${this.childId}.`)) return null;
    const slot = Number(workerId.slice(this.childId.length + 1).split('.')[0]);
    return Number.isInteger(slot) && slot >= 0 && slot <= 65535 ? slot : null;
  }

  #writer(level: LogLevel, slot?: number): LogWriter | null {
    const key = slot === undefined ? level : `${slot}.${level}`;
    let writer = this.#writers.get(key);
    if (writer) return writer;
    const { logs } = this.request;
    // A folder that cannot be written is reported once a minute, not once per chunk.
    if (Date.now() < this.#retryOpenAt) return null;
    try {
      writer = createLogWriter({
        path: logFilePath(
          this.#deps.logsDir,
          logs.name,
          level,
          slot ?? logs.workerIndex ?? undefined,
        ),
        maxBytes: logs.maxBytes,
        keep: logs.keep,
        access: { fileMode: logs.fileMode, dirMode: logs.dirMode, gid: logs.gid },
        onError: (error) => this.#deps.onLogError(error),
      });
    } catch (error) {
      this.#retryOpenAt = Date.now() + 60_000;
      this.#deps.onLogError(error as Error);
      return null;
    }
    this.#writers.set(key, writer);
    return writer;
  }

  /**
   * The file the user named for `level` (info, debug: out; error, warn: err), as the router does
   * without a keeper. Written by a process running as the app's account: never opened here.
   */
  #userFile(level: LogLevel): UserLogFile | null {
    const files = this.request.logs.userFiles;
    if (!files || this.#filesClosed) return null;
    const which = level === 'info' || level === 'debug' ? 'out' : 'err';
    const path = files[which];
    if (path === null) return null;
    let file = this.#userFiles.get(which);
    if (!file) {
      file = openUserLogFileAs(
        path,
        { uid: files.uid, gid: files.gid },
        { time: this.request.logs.time, onError: (error) => this.#deps.onLogError(error) },
      );
      this.#userFiles.set(which, file);
    }
    return file;
  }
}
