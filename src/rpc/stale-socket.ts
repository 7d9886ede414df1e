import { lstat, unlink } from '../fs/async-fs.js';
import { createConnection } from 'node:net';
import { GuvError } from '../errors.js';

/** Whether something accepts connections on `socketPath`. */
export function probeSocket(
  socketPath: string,
  timeoutMs = 1000,
): Promise<'answering' | 'refused' | 'missing'> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    // A listener too busy to accept in time is still alive: never delete its socket.
    const timer = setTimeout(() => finish('answering'), timeoutMs);
    socket.once('connect', () => finish('answering'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') finish('refused');
      else if (error.code === 'ENOENT') finish('missing');
      else finish(error);
    });
    function finish(outcome: 'answering' | 'refused' | 'missing' | Error) {
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    }
  });
}

/**
 * Make `socketPath` free to listen on: remove a socket file nobody answers on (left by a
 * daemon that died). Refuses with `GUV_DAEMON_RUNNING` when a live server answers there and
 * with `GUV_SOCKET_IN_USE` when the path is something other than a socket.
 */
export async function clearStaleSocket(socketPath: string): Promise<void> {
  const state = await probeSocket(socketPath);
  if (state === 'missing') return;
  if (state === 'answering') {
    throw new GuvError('GUV_DAEMON_RUNNING', `a server already answers on ${socketPath}`);
  }
  const stat = await lstat(socketPath).catch(() => undefined);
  if (stat === undefined) return;
  if (!stat.isSocket()) {
    throw new GuvError('GUV_SOCKET_IN_USE', `${socketPath} exists and is not a socket`);
  }
  await unlink(socketPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
