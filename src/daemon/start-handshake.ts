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
