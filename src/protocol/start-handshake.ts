/**
 * How a daemon started by `connectOrStartDaemon` talks back to its starter: one IPC message
 * when it listens, or a known exit status when another daemon already holds the home.
 */

/** The one message a freshly started daemon sends its starter over the IPC channel. */
export const DAEMON_READY_MESSAGE = 'guv:daemon-ready';

/**
 * Exit status of a daemon that found another one holding its home's lock (EX_TEMPFAIL).
 * Its starter then connects to that other daemon instead of reporting a failure.
 */
export const DAEMON_ALREADY_RUNNING_EXIT_CODE = 75;

/**
 * Tell the CLI that started this daemon that the socket is listening, then drop the IPC
 * channel so neither side is held by it. A no-op for a daemon started any other way
 * (systemd, a container entrypoint, by hand).
 *
 * @example
 * await server.listen();
 * signalDaemonReady();
 */
export function signalDaemonReady(): void {
  if (typeof process.send !== 'function' || !process.connected) return;
  process.send(DAEMON_READY_MESSAGE, undefined, {}, () => {
    // Sent, or the starter is gone already: either way the channel has done its job.
    if (process.connected) process.disconnect();
  });
}

/**
 * Variables Node acts on at start-up, before any script runs, that the daemon does not need for
 * itself: NODE_EXTRA_CA_CERTS makes every Node process parse that CA file at start (~45 ms for a
 * whole CA bundle), and the daemon makes no TLS connection of its own. The starter hands each over
 * under another name; the daemon puts it back for the programs it runs itself (npm, git).
 * Supervised apps never see the daemon's environment: they get the one they were started with.
 */
const DEFERRED_ENV: Record<string, string> = {
  NODE_EXTRA_CA_CERTS: 'GUV_DEFERRED_NODE_EXTRA_CA_CERTS',
};

/** The daemon's environment, with the start-up-only variables renamed (see `restoreDeferredEnv`). */
export function deferStartupEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const deferred = { ...env };
  for (const [name, carrier] of Object.entries(DEFERRED_ENV)) {
    if (deferred[name] === undefined) continue;
    deferred[carrier] = deferred[name];
    delete deferred[name];
  }
  return deferred;
}

/** In the daemon, first thing: the variables its starter renamed get their names back. */
export function restoreDeferredEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, carrier] of Object.entries(DEFERRED_ENV)) {
    if (env[carrier] === undefined) continue;
    env[name] ??= env[carrier];
    delete env[carrier];
  }
}
