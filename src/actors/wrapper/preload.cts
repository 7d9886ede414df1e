/**
 * guv's in-child wrapper, loaded with `node --require <this file> script.js`. CommonJS with only
 * node builtins so it works for CommonJS and ESM scripts and costs little memory. The user's
 * script stays the main module. The protocol is documented in protocol.ts; the constants are
 * copied here on purpose (no imports from the ESM tree), and a test checks both copies agree.
 *
 * Inert unless GUV_CHILD_ID is set and an IPC channel exists, so requiring it elsewhere (or in a
 * grandchild that inherits execArgv) does nothing.
 */
import fs = require('node:fs');
import Module = require('node:module');
import net = require('node:net');
import util = require('node:util');

const WRAPPER_CMD = 'NODE_GUV';
const WRAPPER_ENV = {
  id: 'GUV_CHILD_ID',
  appReadiness: 'GUV_APP_READINESS',
  heartbeatMs: 'GUV_HEARTBEAT_MS',
  orphanKillMs: 'GUV_ORPHAN_KILL_MS',
};
const APP_LOG_EVENT = 'guv:log';
const APP_CONFIG_EVENT = 'guv:config';
const APP_READY_MESSAGE = 'ready';
const APP_MESSAGE_TYPE = 'process:msg';
const DEFAULT_HEARTBEAT_MS = 5000;
const DEFAULT_ORPHAN_KILL_MS = 5000;
/** How long a script whose first turn left nothing to wait on may take to end before it counts as ready. */
const AFTER_IDLE_TURN_MS = 20;
const WRAPPER_MESSAGE_TYPES = [
  'started',
  'ready',
  'errored',
  'uncaught',
  'log',
  'listening',
  'heartbeat',
  'config:request',
  'msg',
  'reply',
];
const SUPERVISOR_MESSAGE_TYPES = ['send', 'gc', 'heapdump', 'config:response', 'shutdown'];
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];
// The supervisor cuts longer texts, drops messages with longer keys and kills a child whose
// IPC message outgrows `ipcMessage`: texts are cut here already, so no app error trips that.
const WRAPPER_LIMITS = {
  logMessage: 64 * 1024,
  errorMessage: 8 * 1024,
  errorStack: 32 * 1024,
  errorName: 256,
  errorCode: 256,
  errorSite: 1024,
  configKey: 256,
  address: 1024,
  appMessage: 64 * 1024,
  ipcMessage: 1024 * 1024,
};
/** How long a draining HTTP server leaves a keep-alive connection idle before closing it. */
const IDLE_GRACE_MS = 1000;
/** How long a fatal report may take to reach the supervisor before the process dies anyway. */
const FATAL_FLUSH_MS = 1000;
const LOOP_DELAY_RESOLUTION_MS = 10;

type Message = { type: string; [key: string]: unknown };
type Callback = (error: Error | null, value?: unknown) => void;
type AnyFunction = (...args: unknown[]) => unknown;
type Response = import('node:http').ServerResponse;
/** What a draining HTTP(S) server needs to know: its connections and their requests in flight. */
type HttpTraffic = {
  sockets: Set<net.Socket>;
  responses: Set<Response>;
  inFlight: Map<net.Socket, number>;
  draining: boolean;
};

function serializeError(value: unknown): {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  site?: string;
} {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    const stack = value.stack;
    const site = typeof stack === 'string' ? userSite(stack) : null;
    return {
      name: truncateText(String(value.name), WRAPPER_LIMITS.errorName),
      message: truncateText(String(value.message), WRAPPER_LIMITS.errorMessage),
      ...(typeof code === 'string' ? { code: truncateText(code, WRAPPER_LIMITS.errorCode) } : {}),
      ...(typeof stack === 'string'
        ? { stack: truncateText(stack, WRAPPER_LIMITS.errorStack) }
        : {}),
      ...(site ? { site: truncateText(site, WRAPPER_LIMITS.errorSite) } : {}),
    };
  }
  return {
    name: 'NonError',
    message: truncateText(util.inspect(value), WRAPPER_LIMITS.errorMessage),
  };
}

/**
 * `/srv/app/server.js:12`: the first frame of the app's own code, so a crash is blamed on the
 * user's line, never on this wrapper (which patches `listen`) or on Node's internals; a frame in
 * node_modules only when nothing else is there. Null when the stack has no such frame.
 */
function userSite(stack: string): string | null {
  let fallback: string | null = null;
  for (const line of stack.split('\n')) {
    const match = /^\s*at (?:.*? \()?(.+?):(\d+):\d+\)?$/.exec(line);
    if (!match) continue;
    const file = match[1]!.replace(/^file:\/\//, '');
    if (file === __filename || file.startsWith('node:') || !file.startsWith('/')) continue;
    const site = `${file}:${match[2]}`;
    if (!file.includes('/node_modules/')) return site;
    fallback ??= site;
  }
  return fallback;
}

/** The same cut as the supervisor's (parse-message.ts): start of the text plus a marker. */
function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = ` … [truncated by guv: ${text.length} characters]`;
  let end = Math.max(0, max - marker.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + marker;
}

function isAppMessage(message: unknown): message is { type: string; data?: unknown } {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === APP_MESSAGE_TYPE
  );
}

function readEnv(name: string): string | undefined {
  const value = process.env[name];
  // Deleted so that node grandchildren (which inherit env and execArgv) stay unwrapped.
  delete process.env[name];
  return value;
}

function serverKind(server: net.Server): string {
  const web = 'headersTimeout' in server;
  if (typeof (server as { setSecureContext?: unknown }).setSecureContext === 'function') {
    return web ? 'https' : 'tls';
  }
  return web ? 'http' : 'net';
}

function activate(): void {
  const rawSend = process.send!.bind(process) as (
    message: unknown,
    handle: undefined,
    options: undefined,
    callback: (error: Error | null) => void,
  ) => boolean;
  const appReadiness = readEnv(WRAPPER_ENV.appReadiness) === '1';
  const heartbeatMs = Number(readEnv(WRAPPER_ENV.heartbeatMs) ?? DEFAULT_HEARTBEAT_MS);
  const orphanKillMs = Number(readEnv(WRAPPER_ENV.orphanKillMs) ?? DEFAULT_ORPHAN_KILL_MS);

  let started = false;
  let loadFailed = false;
  let appReady = !appReadiness;
  let readySent = false;
  let firstTurnDone = false;
  /** An uncaught exception is being reported: the process exits once it is out. */
  let dying = false;
  let nextRequestId = 0;
  const configRequests = new Map<number, Callback>();
  const servers = new Set<net.Server>();

  function send(message: Message, done?: () => void): void {
    const callback = () => done?.();
    if (!process.connected) {
      callback();
      return;
    }
    try {
      rawSend({ cmd: WRAPPER_CMD, ...message }, undefined, undefined, callback);
    } catch {
      callback();
    }
  }

  function sendReadyWhenDue(): void {
    if (started && firstTurnDone && appReady && !readySent && !dying) {
      readySent = true;
      send({ type: 'ready' });
    }
  }

  /**
   * Whether anything the script started (a server, a timer, a socket, a child…) holds the event
   * loop. stdout and stderr pipes are listed as resources but hold nothing.
   */
  function keepsLoopAlive(): boolean {
    const handles = (
      process as unknown as { _getActiveHandles(): Array<{ _isStdio?: boolean; fd?: number }> }
    )._getActiveHandles();
    const stdio = handles.filter((h) => h?._isStdio === true && (h.fd === 1 || h.fd === 2));
    return process.getActiveResourcesInfo().length > stdio.length;
  }

  function mainLoaded(): void {
    if (started || loadFailed) return;
    started = true;
    send({ type: 'started' });
    // Ready only after the script's first turn: an error its first turn queued (a port taken:
    // `listen` reports EADDRINUSE on the next tick) is a failed start, not a running app.
    setImmediate(() => {
      const sayReady = () => {
        firstTurnDone = true;
        sendReadyWhenDue();
      };
      if (keepsLoopAlive()) return sayReady();
      // Nothing keeps the event loop alive: the script is about to end (a task, not a server),
      // and calling it running would be a lie. Unreferenced, so it never keeps the process up.
      setTimeout(sayReady, AFTER_IDLE_TURN_MS).unref();
    });
  }

  // Module.runMain runs the entry point. CommonJS mains finish synchronously inside it; ESM mains
  // (and any main when --import is used) go through Node's async entry runner, which adds an
  // 'exit' listener named handleProcessExit and removes it once the main module has settled.
  const runMain = (Module as unknown as { runMain: (...args: unknown[]) => void }).runMain;
  (Module as unknown as { runMain: unknown }).runMain = function guvRunMain(
    this: unknown,
    ...args: unknown[]
  ) {
    (Module as unknown as { runMain: unknown }).runMain = runMain;
    const onRemove = (name: string | symbol, listener: { name?: string }) => {
      if (name === 'exit' && listener.name === 'handleProcessExit') {
        process.off('removeListener', onRemove);
        mainLoaded();
      }
    };
    process.on('removeListener', onRemove);
    runMain.apply(this, args);
    if (!process.listeners('exit').some((listener) => listener.name === 'handleProcessExit')) {
      process.off('removeListener', onRemove);
      mainLoaded();
    }
  };

  function guvUncaught(error: unknown): void {
    const handled = process.listenerCount('uncaughtException') > 1;
    if (handled) {
      send({ type: 'uncaught', error: serializeError(error), handled: true });
      return;
    }
    if (!started) loadFailed = true;
    dying = true;
    // Print as Node would, report, and exit 1 once the report is flushed (or after a grace time).
    process.off('uncaughtException', guvUncaught);
    try {
      fs.writeSync(2, `${util.inspect(error)}\n\nNode.js ${process.version}\n`);
    } catch {
      // stderr closed: the report still goes out.
    }
    const exit = () => process.exit(1);
    setTimeout(exit, FATAL_FLUSH_MS);
    const report = started
      ? { type: 'uncaught', error: serializeError(error), handled: false }
      : { type: 'errored', error: serializeError(error) };
    send(report, exit);
  }
  process.on('uncaughtException', guvUncaught);

  // The app's own messages to its supervisor: 'ready' (app-level readiness) and pm2's
  // { type: 'process:msg', data }, passed on as guv's `msg`. Anything else goes out as before.
  const appSend = process.send!;
  process.send = function guvAppSend(this: unknown, message: unknown, ...rest: unknown[]) {
    const callback = rest.find((arg) => typeof arg === 'function') as Callback | undefined;
    if (appReadiness && message === APP_READY_MESSAGE) {
      appReady = true;
      sendReadyWhenDue();
      if (callback) process.nextTick(callback, null);
      return true;
    }
    if (isAppMessage(message)) return sendAppMessage(message.data, callback);
    return (appSend as AnyFunction).call(process, message, ...rest);
  } as typeof process.send;

  /** Over its cap or not JSON, a message is refused here, where the app can hear why. */
  function sendAppMessage(data: unknown, callback: Callback | undefined): boolean {
    let size: number;
    try {
      size = (JSON.stringify(data ?? null) ?? '').length;
    } catch (error) {
      refuse(`it is not JSON (${(error as Error).message})`);
      return false;
    }
    if (size > WRAPPER_LIMITS.appMessage) {
      refuse(`its data is over ${WRAPPER_LIMITS.appMessage} characters of JSON`);
      return false;
    }
    send({ type: 'msg', data: data ?? null }, () => callback?.(null));
    return true;

    function refuse(why: string): void {
      const error = new Error(`guv: a ${APP_MESSAGE_TYPE} was not sent: ${why}`);
      if (callback) process.nextTick(callback, error);
      else process.emitWarning(error.message);
    }
  }

  process.on('warning', (warning) => {
    const message = truncateText(`${warning.name}: ${warning.message}`, WRAPPER_LIMITS.logMessage);
    send({ type: 'log', level: 'warn', message });
  });
  process.on(APP_LOG_EVENT, (level: unknown, ...parts: unknown[]) => {
    const known = LOG_LEVELS.includes(level as string);
    const message = util.format(...(known ? parts : [level, ...parts]));
    send({
      type: 'log',
      level: known ? level : 'info',
      message: truncateText(message, WRAPPER_LIMITS.logMessage),
    });
  });
  process.on(APP_CONFIG_EVENT, (key: unknown, callback: unknown) => {
    if (typeof callback !== 'function') return;
    const name = String(key);
    if (name.length > WRAPPER_LIMITS.configKey) {
      const error = Object.assign(new Error('config key too long'), {
        code: 'GUV_CONFIG_NOT_FOUND',
      });
      process.nextTick(callback as Callback, error);
      return;
    }
    const requestId = ++nextRequestId;
    configRequests.set(requestId, callback as Callback);
    send({ type: 'config:request', requestId, key: name });
  });

  const httpTraffic = new Map<net.Server, HttpTraffic>();

  /** Follows an HTTP(S) server's connections and requests so that a shutdown can drain it. */
  function trackTraffic(server: net.Server, kind: string): void {
    if (httpTraffic.has(server)) return;
    const traffic: HttpTraffic = {
      sockets: new Set(),
      responses: new Set(),
      inFlight: new Map(),
      draining: false,
    };
    httpTraffic.set(server, traffic);
    server.on(kind === 'https' ? 'secureConnection' : 'connection', (socket: net.Socket) => {
      traffic.sockets.add(socket);
      socket.once('close', () => {
        traffic.sockets.delete(socket);
        traffic.inFlight.delete(socket);
      });
    });
    // First in line, so that a draining server's answer says `Connection: close` before the app writes it.
    server.prependListener('request', (request: { socket: net.Socket }, response: Response) => {
      const socket = request.socket;
      traffic.inFlight.set(socket, (traffic.inFlight.get(socket) ?? 0) + 1);
      traffic.responses.add(response);
      if (traffic.draining) response.shouldKeepAlive = false;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        traffic.responses.delete(response);
        if (traffic.inFlight.has(socket))
          traffic.inFlight.set(socket, (traffic.inFlight.get(socket) ?? 1) - 1);
      };
      response.once('finish', finish);
      response.once('close', finish);
    });
  }

  /**
   * Drains an HTTP(S) server: stops accepting; each request in flight or still to come on a
   * keep-alive connection is answered with `Connection: close`, so its connection closes once
   * that response is out; connections left idle are closed after a grace period. Node's own
   * http `close()` would close idle keep-alive connections at once, resetting those whose next
   * request is already on the wire (what makes a reload drop requests).
   */
  function drainHttp(server: net.Server, traffic: HttpTraffic, done: () => void): void {
    traffic.draining = true;
    net.Server.prototype.close.call(server, () => done());
    for (const response of traffic.responses) {
      if (!response.headersSent) response.shouldKeepAlive = false;
    }
    setInterval(() => {
      for (const socket of traffic.sockets) {
        if ((traffic.inFlight.get(socket) ?? 0) === 0) socket.destroy();
      }
    }, IDLE_GRACE_MS).unref();
  }

  const listen = net.Server.prototype.listen;
  function onListening(this: net.Server): void {
    servers.add(this);
    this.once('close', () => servers.delete(this));
    const kind = serverKind(this);
    if (kind === 'http' || kind === 'https') trackTraffic(this, kind);
    const address = this.address();
    const port = typeof address === 'object' && address !== null ? address.port : null;
    const where = typeof address === 'string' ? address : (address?.address ?? '');
    send({ type: 'listening', kind, port, address: where });
  }
  net.Server.prototype.listen = function guvListen(this: net.Server, ...args: unknown[]) {
    if (!this.listeners('listening').includes(onListening)) this.on('listening', onListening);
    return (listen as AnyFunction).apply(this, args);
  } as typeof listen;

  /**
   * guv's drain of one server; a close() the app calls on it later (its own SIGTERM handler)
   * joins the drain instead of closing idle keep-alive connections at once or failing with
   * ERR_SERVER_NOT_RUNNING: its callback runs when the drained server closes.
   */
  function drainServer(server: net.Server, done: () => void): void {
    const traffic = httpTraffic.get(server);
    if (traffic) drainHttp(server, traffic, done);
    else net.Server.prototype.close.call(server, () => done());
    const joined = server as net.Server & { closeIdleConnections?: () => void };
    joined.close = function guvJoinDrain(callback?: (error?: Error) => void) {
      if (typeof callback === 'function') server.once('close', () => callback());
      return server;
    };
    if (typeof joined.closeIdleConnections === 'function') joined.closeIdleConnections = () => {};
  }

  /** Drains every listening server; `done` once all have closed. */
  function drainServers(done: () => void): void {
    let open = servers.size;
    if (open === 0) {
      done();
      return;
    }
    const closed = () => {
      open -= 1;
      if (open === 0) done();
    };
    for (const server of [...servers]) drainServer(server, closed);
  }

  /** Set once the supervisor asked for a stop: a disconnect then is ours or the app's own. */
  let leavingOnPurpose = false;
  /**
   * Ends the IPC channel, the one thing guv adds that keeps a process alive (a cluster worker's
   * channel is always referenced), so the event loop can end once the app's own work is done.
   * A cluster worker leaves through node:cluster, which would otherwise exit at once on
   * 'disconnect'; the kill timeout stays the backstop for an app that keeps running.
   */
  function leave(): void {
    if (!process.connected) return;
    const cluster = require('node:cluster') as import('node:cluster').Cluster;
    if (cluster.isWorker && cluster.worker) cluster.worker.disconnect();
    else process.disconnect();
  }

  let shuttingDown = false;
  /**
   * The supervisor's graceful stop: guv drains every server (stops accepting, lets requests in
   * flight finish with `Connection: close`). An app without a SIGTERM listener exits once that
   * is done. An app with one (Express docs: `server.close()` on SIGTERM) has it run too, and
   * the process leaves the channel once the handler returned and no server is listening.
   */
  function shutdown(timeoutMs: number): void {
    if (shuttingDown) return;
    shuttingDown = true;
    leavingOnPurpose = true;
    if (process.listenerCount('SIGTERM') === 0) {
      setTimeout(() => process.exit(1), timeoutMs);
      drainServers(() => process.exit(0));
      return;
    }
    let drained = false;
    let handled = false;
    const leaveWhenDone = () => {
      if (drained && handled) setImmediate(leave);
    };
    drainServers(() => {
      drained = true;
      leaveWhenDone();
    });
    try {
      process.emit('SIGTERM', 'SIGTERM');
    } catch (error) {
      // As if the signal's listener threw: an uncaught exception, not an error in guv's reply.
      process.nextTick(() => {
        throw error;
      });
    }
    handled = true;
    leaveWhenDone();
  }

  function runGc(): void {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') {
      exposed();
      return;
    }
    require('node:v8').setFlagsFromString('--expose-gc');
    require('node:vm').runInNewContext('gc')();
  }

  function perform(message: Message): unknown {
    switch (message.type) {
      case 'send':
        return (process.emit as (event: string, ...args: unknown[]) => boolean)(
          message.event as string,
          ...(message.args as unknown[]),
        );
      case 'gc':
        return runGc();
      case 'heapdump':
        return require('node:v8').writeHeapSnapshot(message.path as string);
      case 'shutdown':
        return shutdown(Number(message.timeoutMs) || DEFAULT_ORPHAN_KILL_MS);
      default:
        throw new Error(`guv wrapper: unknown message type ${String(message.type)}`);
    }
  }

  process.on('internalMessage', (message: Message & { cmd?: unknown }) => {
    if (message === null || typeof message !== 'object' || message.cmd !== WRAPPER_CMD) return;
    const requestId = message.requestId as number;
    if (message.type === 'config:response') {
      const callback = configRequests.get(requestId);
      configRequests.delete(requestId);
      const error = message.error as { message: string } | undefined;
      callback?.(error ? Object.assign(new Error(error.message), error) : null, message.value);
      return;
    }
    try {
      const result = perform(message);
      send({ type: 'reply', requestId, ok: true, result });
    } catch (error) {
      send({ type: 'reply', requestId, ok: false, error: serializeError(error) });
    }
  });

  // The supervisor died: stop the whole group (our own SIGTERM handling included), SIGKILL later.
  function onSupervisorGone(): void {
    if (leavingOnPurpose) return;
    try {
      process.kill(-process.pid, 'SIGTERM');
      setTimeout(() => process.kill(-process.pid, 'SIGKILL'), orphanKillMs);
    } catch {
      process.exit(1);
    }
  }
  // A 'disconnect' listener would normally keep the channel (and so the child) alive; hide ours
  // from Node's ref-counting hook so a script that finishes still exits as it would without guv.
  const refHooks = (process.listeners as (event: string) => AnyFunction[])('newListener').filter(
    (hook) => hook.name === 'onNewListener',
  );
  for (const hook of refHooks) process.off('newListener', hook as () => void);
  process.on('disconnect', onSupervisorGone);
  for (const hook of refHooks) process.on('newListener', hook as () => void);

  // Set up once the script's first turn has run: the script's first line does not wait for
  // perf_hooks to load (~2 ms of every start and restart).
  if (heartbeatMs > 0) setImmediate(startHeartbeat);

  function startHeartbeat(): void {
    const { monitorEventLoopDelay } =
      require('node:perf_hooks') as typeof import('node:perf_hooks');
    const delay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    // The histogram records the whole sampling interval: subtract it to get the delay.
    const lag = (ns: number) => Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS);
    delay.enable();
    let cpu = process.cpuUsage();
    let since = Date.now();
    setInterval(() => {
      const memory = process.memoryUsage();
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      const now = Date.now();
      send({
        type: 'heartbeat',
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        rss: memory.rss,
        loopDelayP50: lag(delay.percentile(50)),
        loopDelayP99: lag(delay.percentile(99)),
        loopDelayMax: lag(delay.max),
        cpuUser: used.user,
        cpuSystem: used.system,
        periodMs: now - since,
      });
      since = now;
      delay.reset();
    }, heartbeatMs).unref();
  }
}

if (readEnv(WRAPPER_ENV.id) !== undefined && typeof process.send === 'function') activate();

export = {
  WRAPPER_CMD,
  WRAPPER_ENV,
  APP_LOG_EVENT,
  APP_CONFIG_EVENT,
  APP_READY_MESSAGE,
  APP_MESSAGE_TYPE,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_ORPHAN_KILL_MS,
  WRAPPER_MESSAGE_TYPES,
  SUPERVISOR_MESSAGE_TYPES,
  WRAPPER_LIMITS,
};
