/**
 * The wire protocol between the daemon and its keeper: one JSON value per line over the
 * keeper's unix socket (see src/rpc/frame.ts for the framing, reused here).
 *
 * Daemon → keeper: a request `{ id, op, ... }`. Keeper → daemon: a reply `{ re, ok: true, result }`
 * or `{ re, ok: false, error: { code, message } }`, or an event `{ ev, ... }`.
 *
 * The keeper is the part of guv that must never die: it imports Node built-ins and a few small
 * modules of this tree that do too, never XState, pino or the daemon.
 */

/** Bumped when a request or event changes shape: the newest version this tree speaks. */
export const KEEPER_PROTOCOL_VERSION = 2;
/**
 * The oldest version this tree still speaks (raised when support for an old one is dropped).
 * 2: a spawn's LogTarget carries `time` and the user's own files, which a version-1 keeper would
 * drop (it would also leave those files unwritten).
 */
export const KEEPER_PROTOCOL_OLDEST = 2;

/** The protocol versions one side speaks: every whole number from `oldest` to `newest`. */
export interface KeeperVersions {
  oldest: number;
  newest: number;
}

export const KEEPER_VERSIONS: KeeperVersions = {
  oldest: KEEPER_PROTOCOL_OLDEST,
  newest: KEEPER_PROTOCOL_VERSION,
};

/** The highest version both ranges hold, or null when they do not overlap. */
export function agreedVersion(ours: KeeperVersions, theirs: KeeperVersions): number | null {
  const version = Math.min(ours.newest, theirs.newest);
  return version >= Math.max(ours.oldest, theirs.oldest) ? version : null;
}

export const KEEPER_LIMITS = {
  /** A request frame (a spawn plan with its environment, or one IPC message for a child). */
  requestFrame: 2 * 1024 * 1024,
  /** A frame the daemon accepts from its keeper (an IPC message relayed, or the facts). */
  replyFrame: 16 * 1024 * 1024,
  /** Children one keeper runs. */
  children: 4096,
  /** Exits recorded while no daemon listens; the oldest go first, counted. */
  exits: 1000,
  /** Requests a daemon may have unanswered (spawns wait for the 'spawn' event). */
  inFlight: 256,
  /** What the daemon keeps with a child (restart counters, worker slots), as JSON text. */
  meta: 64 * 1024,
  /**
   * Bytes of the daemon's socket not yet written past which the daemon is taken for hung and cut
   * off (it reconnects and reads the facts). Well above one frame: a child may send a burst of
   * IPC messages of up to 1 MiB each (50 large exceptions are 35 MB) faster than a busy daemon
   * reads them, and IPC messages, unlike output, are never skipped.
   */
  daemonBacklog: 64 * 1024 * 1024,
  /** Bytes of the daemon's socket not yet written: past it, output events are skipped. */
  eventHighWater: 4 * 1024 * 1024,
  /** An unauthenticated connection must say hello within this. */
  helloMs: 5000,
  argCount: 4096,
  argBytes: 128 * 1024,
  envCount: 4096,
  envBytes: 1024 * 1024,
  pathBytes: 4096,
  nameBytes: 255,
  idBytes: 256,
} as const;

/** Files of a keeper in its home's socket folder. */
export const KEEPER_FILES = {
  socket: 'keeper.sock',
  /** The one-keeper-per-home lock (pid and start time of the holder). */
  lock: 'keeper.pid',
  /** A secret a daemon shows in `hello`: read access to it is the right to connect. */
  token: 'keeper.token',
} as const;

/** A signal by name (`os.constants.signals` decides which names exist). */
export type KeeperSignal = NodeJS.Signals;

/** Where a child's output and wrapper log records go, and how its files rotate. */
export interface LogTarget {
  /** The process's name: its log folder under the keeper's logs folder. */
  name: string;
  /** A cluster worker slot's files (`worker-<n>.out.log`), else the process's own. */
  workerIndex: number | null;
  /**
   * The child is a cluster manager (src/cluster/manager.cts): the workers' output and log
   * records it relays over IPC go to their slots' files too, with or without a daemon.
   */
  cluster: boolean;
  maxBytes: number;
  keep: number;
  fileMode: number;
  dirMode: number;
  gid: number | null;
  /**
   * false: lines go to the user's files raw, without guv's time prefix (`--log-time false`).
   * guv's own files keep it always: `guv logs` reads it.
   */
  time: boolean;
  /** The files the user named (`--out-file`, `--error-file`), or null when there are none. */
  userFiles: UserLogFiles | null;
}

/**
 * Files the user named, written by a small process running as `uid`/`gid` (the app's account,
 * resolved by the daemon): the keeper never opens them itself. A cluster's workers share them.
 */
export interface UserLogFiles {
  /** Standard output and the info/debug records. */
  out: string | null;
  /** Standard error and the error/warn records. */
  err: string | null;
  /** Null: the keeper's own (root's) id. */
  uid: number | null;
  gid: number | null;
}

/** A spawn the daemon decided (src/actors/child/spawn-plan.ts); the keeper only checks and runs it. */
export interface KeeperSpawnPlan {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  uid: number | null;
  gid: number | null;
  /** 'ignore' for a cluster manager, whose workers never read guv's stdin. */
  stdin: 'pipe' | 'ignore';
  /** An IPC channel on fd 3 (guv's wrapper, or a cluster manager). */
  ipc: boolean;
  /** The largest IPC message the child may send before it is killed as hostile. */
  maxIpcBytes: number;
}

export interface SpawnRequest {
  op: 'spawn';
  /** The daemon's id of the process (or worker slot). */
  childId: string;
  plan: KeeperSpawnPlan;
  logs: LogTarget;
  /** Whatever the daemon wants back in `facts` (restart counters, its spec's hash…). */
  meta: unknown;
}

/**
 * The daemon's first request. `version` is the newest it speaks, `oldest` the oldest (absent in
 * version 1's hello: the same as `version`); the keeper answers with its facts, whose `version`
 * is the one both speak from then on, or refuses with GUV_KEEPER_VERSION when none is.
 */
export interface HelloRequest {
  op: 'hello';
  token: string;
  version: number;
  oldest: number;
}

/**
 * Stops every child (SIGTERM to each group, SIGKILL after `killMs`) and the keeper. Taken with
 * the token instead of a hello, so a daemon retires a keeper it cannot speak with: this
 * request's shape and answer (`{ pid, children }`, the keeper's pid and the children it
 * stopped) must stay the same in every version, forever.
 */
export interface RetireRequest {
  op: 'retire';
  token: string;
  killMs: number;
}

export interface RetireResult {
  pid: number;
  children: number;
}

export type KeeperRequest =
  | HelloRequest
  | RetireRequest
  | SpawnRequest
  | { op: 'send'; childId: string; message: unknown }
  | { op: 'stdin'; childId: string; data: string; end: boolean }
  | { op: 'signal'; childId: string; signal: KeeperSignal }
  | { op: 'note'; childId: string; meta: unknown }
  | { op: 'facts' }
  | { op: 'ack'; upTo: number }
  | { op: 'watchOutput'; on: boolean }
  | { op: 'shutdown'; killMs: number };

export type KeeperRequestFrame = KeeperRequest & { id: number };

/** One live child, as the keeper knows it. */
export interface ChildFacts {
  childId: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat: with the pid, names the process for good. */
  startTime: string | null;
  /** Epoch ms of the spawn. */
  spawnedAt: number;
  ipc: boolean;
  logs: LogTarget;
  meta: unknown;
  /**
   * A cluster manager's live workers, as its own messages told (`forked`, `exit`): what a new
   * daemon rebuilds the worker charts from. Empty for other children.
   */
  workers: WorkerSlotFacts[];
  /**
   * The last exit of each worker of a cluster manager that has not been forked again since
   * (a crash while no daemon ran, among others), oldest first. Absent from an older keeper.
   */
  workerExits?: WorkerExitFacts[];
}

export interface WorkerSlotFacts {
  workerId: string;
  slot: number;
  pid: number;
  /** Field 22 of /proc/<pid>/stat when it was forked. */
  startTime: string | null;
  /** Epoch ms the keeper heard it was forked. Absent from an older keeper. */
  forkedAt?: number;
}

/** A cluster worker's exit, as its manager reported it to the keeper. */
export interface WorkerExitFacts {
  workerId: string;
  slot: number;
  pid: number;
  code: number | null;
  signal: string | null;
  /** Epoch ms it was forked, and it exited (the keeper's clock). */
  forkedAt: number;
  at: number;
}

/** An exit the keeper saw, kept until a daemon acknowledges it. */
export interface ExitRecord {
  /** Increasing per keeper: `ack { upTo: seq }` forgets this one and those before. */
  seq: number;
  childId: string;
  pid: number;
  code: number | null;
  signal: string | null;
  /** Epoch ms. */
  at: number;
  /** Whether a daemon was connected when it happened. */
  witnessed: boolean;
  meta: unknown;
}

export interface KeeperFacts {
  pid: number;
  startTime: string | null;
  /** The protocol version the keeper and this daemon agreed on in `hello`. */
  version: number;
  children: ChildFacts[];
  exits: ExitRecord[];
  /** Exits recorded but forgotten because more than `KEEPER_LIMITS.exits` waited. */
  exitsDropped: number;
}

export type KeeperEvent =
  | { ev: 'output'; childId: string; stream: 'stdout' | 'stderr'; data: string }
  /** A message off the child's IPC channel; `internal` for Node's internal (`NODE_…`) ones. */
  | { ev: 'ipc'; childId: string; internal: boolean; message: unknown }
  | ({ ev: 'exit' } & ExitRecord)
  /** The child was killed or a message dropped by the keeper's own checks. */
  | { ev: 'dropped'; childId: string; reason: string };

export interface KeeperErrorBody {
  code: string;
  message: string;
  /** For a failed spawn: the OS's error (ENOENT, EACCES…). */
  cause?: { name: string; message: string; code?: string };
}

export type KeeperReply =
  | { re: number; ok: true; result: unknown }
  | { re: number | null; ok: false; error: KeeperErrorBody };
