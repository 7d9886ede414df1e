/**
 * guv's cluster manager: a thin `node:cluster` primary, started by the daemon as
 * `node manager.cjs` in its own process group with an IPC channel. It forks, signals and talks
 * to workers only when the daemon says so, and relays what they do (fork, wrapper messages,
 * output, exit) back; the cluster and worker charts live in the daemon. CommonJS with node
 * builtins only, so it stays small. Its protocol is in protocol.ts; the type lists are copied
 * here on purpose, and a test checks that both copies agree.
 *
 * If the daemon goes away, the manager asks every worker to shut down gracefully, SIGKILLs its
 * whole group after the orphan timeout, and exits. Workers exit on their own when the manager
 * dies (node:cluster workers leave when their IPC channel to the primary closes).
 */
import cluster = require('node:cluster');
import stringDecoder = require('node:string_decoder');

const WRAPPER_CMD = 'NODE_GUV';
const MANAGER_COMMAND_TYPES = ['setup', 'fork', 'signal', 'wrapper'];
const MANAGER_MESSAGE_TYPES = [
  'ready',
  'forked',
  'fork-failed',
  'wrapper',
  'output',
  'exit',
  'log',
];
const DEFAULT_ORPHAN_KILL_MS = 5000;
/** WRAPPER_LIMITS.ipcMessage: the daemon kills a manager whose message outgrows twice this. */
const MAX_RELAYED_MESSAGE = 1024 * 1024;

type Message = { type: string; [key: string]: unknown };
type Worker = import('node:cluster').Worker;

const primary = cluster as unknown as import('node:cluster').Cluster;
const workers = new Map<string, Worker>();
let isSetUp = false;
let orphanKillMs = DEFAULT_ORPHAN_KILL_MS;
let leaving = false;

function send(message: Message): void {
  if (!process.connected) return;
  try {
    process.send!(message, undefined, undefined, () => {});
  } catch {
    // The daemon just went away: 'disconnect' follows.
  }
}

/** A line of the manager's own, published as cluster:log:<level>. */
function log(level: 'debug' | 'warn', message: string): void {
  send({ type: 'log', level, message });
}

function serializeError(value: unknown): { name: string; message: string; code?: string } {
  if (!(value instanceof Error)) return { name: 'Error', message: String(value) };
  const code = (value as { code?: unknown }).code;
  return {
    name: value.name,
    message: value.message,
    ...(typeof code === 'string' ? { code } : {}),
  };
}

function setUp(message: Message): void {
  orphanKillMs = Number(message.orphanKillMs) || DEFAULT_ORPHAN_KILL_MS;
  primary.setupPrimary({
    exec: String(message.exec),
    args: message.args as string[],
    execArgv: message.execArgv as string[],
    silent: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  isSetUp = true;
  send({ type: 'ready', pid: process.pid });
  log('debug', `set up to fork ${String(message.exec)}`);
}

function relayOutput(workerId: string, stream: 'stdout' | 'stderr', worker: Worker): () => void {
  const decoder = new stringDecoder.StringDecoder('utf8');
  const source = worker.process[stream];
  const forward = (data: string) => {
    if (data.length > 0) send({ type: 'output', workerId, stream, data });
  };
  source?.on('data', (chunk: Buffer) => forward(decoder.write(chunk)));
  return () => forward(decoder.end());
}

function fork(workerId: string, env: Record<string, string>): void {
  if (!isSetUp || leaving || workers.has(workerId)) {
    const why = leaving ? 'the manager is leaving' : isSetUp ? 'id in use' : 'not set up';
    send({
      type: 'fork-failed',
      workerId,
      error: { name: 'Error', message: `cannot fork: ${why}` },
    });
    return;
  }
  let worker: Worker;
  try {
    worker = primary.fork(env);
  } catch (error) {
    send({ type: 'fork-failed', workerId, error: serializeError(error) });
    return;
  }
  workers.set(workerId, worker);
  const child = worker.process;
  let spawned = false;
  child.once('spawn', () => {
    spawned = true;
    send({ type: 'forked', workerId, pid: child.pid });
    log('debug', `forked worker ${workerId} (pid ${child.pid})`);
  });
  child.on('error', (error) => {
    if (spawned) return;
    workers.delete(workerId);
    send({ type: 'fork-failed', workerId, error: serializeError(error) });
  });
  // node:cluster re-emits its child's errors on the Worker (e.g. EPIPE when a message races a
  // worker's death); unheard, that would be an uncaught exception that takes the manager down.
  // The worker's exit tells the story.
  worker.on('error', (error: Error) => log('warn', `worker ${workerId}: ${error.message}`));
  const flushOut = relayOutput(workerId, 'stdout', worker);
  const flushErr = relayOutput(workerId, 'stderr', worker);
  child.on('internalMessage', (message: { cmd?: unknown }) => {
    if (message === null || typeof message !== 'object' || message.cmd !== WRAPPER_CMD) return;
    // guv's wrapper never sends this much: one hostile worker must not get the manager (and
    // so every worker) killed by the daemon's cap.
    const size = JSON.stringify(message).length;
    if (size > MAX_RELAYED_MESSAGE) {
      log(
        'warn',
        `dropped a message of worker ${workerId}: over ${MAX_RELAYED_MESSAGE} characters`,
      );
      return;
    }
    send({ type: 'wrapper', workerId, message });
  });
  child.once('exit', (code, signal) => {
    if (!spawned) return;
    flushOut();
    flushErr();
    workers.delete(workerId);
    send({ type: 'exit', workerId, code, signal });
    log('debug', `worker ${workerId} exited with ${signal === null ? `code ${code}` : signal}`);
    if (leaving && workers.size === 0) process.exit(0);
  });
}

function postToWrapper(worker: Worker, body: Message): void {
  if (!worker.process.connected) return;
  worker.process.send({ cmd: WRAPPER_CMD, ...body }, undefined, undefined, () => {});
}

function obey(message: Message): void {
  const worker = typeof message.workerId === 'string' ? workers.get(message.workerId) : undefined;
  switch (message.type) {
    case 'setup':
      setUp(message);
      return;
    case 'fork':
      fork(String(message.workerId), message.env as Record<string, string>);
      return;
    case 'signal':
      if (worker) worker.process.kill(message.signal as NodeJS.Signals);
      return;
    case 'wrapper':
      if (worker) postToWrapper(worker, message.body as Message);
      return;
  }
}

// The daemon died: no one supervises the workers any more. Drain them, then go.
function onDaemonGone(): void {
  leaving = true;
  if (workers.size === 0) process.exit(0);
  for (const worker of workers.values()) {
    postToWrapper(worker, { type: 'shutdown', timeoutMs: orphanKillMs });
  }
  setTimeout(() => {
    try {
      process.kill(-process.pid, 'SIGKILL');
    } finally {
      process.exit(1);
    }
  }, orphanKillMs);
}

// Inert when required (the protocol agreement test does that): only `node manager.cjs` runs it.
if (require.main === module && typeof process.send === 'function') {
  process.on('message', (message: Message) => {
    if (message === null || typeof message !== 'object') return;
    if (!MANAGER_COMMAND_TYPES.includes(message.type)) return;
    obey(message);
  });
  process.on('disconnect', onDaemonGone);
  process.on('warning', (warning) => log('warn', `${warning.name}: ${warning.message}`));
}

export = { MANAGER_COMMAND_TYPES, MANAGER_MESSAGE_TYPES, WRAPPER_CMD, MAX_RELAYED_MESSAGE };
