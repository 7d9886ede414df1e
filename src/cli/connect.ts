import { connect, connectOrStart, type GuvClient } from '../client/api.js';
import { GuvError } from '../errors.js';

/** The client every daemon command uses: the daemon is started on the first command. */
export function daemonClient(env: NodeJS.ProcessEnv): Promise<GuvClient> {
  return connectOrStart(env.GUV_HOME ? { home: env.GUV_HOME } : {});
}

/** Runs `body` with a connected client and always disconnects. */
export async function withClient<T>(
  env: NodeJS.ProcessEnv,
  body: (client: GuvClient) => Promise<T>,
): Promise<T> {
  const client = await daemonClient(env);
  try {
    return await body(client);
  } finally {
    await client.disconnect();
  }
}

/** A client of the running daemon, or null when none runs: for commands that never start one. */
export async function clientIfRunning(env: NodeJS.ProcessEnv): Promise<GuvClient | null> {
  try {
    return await connect(env.GUV_HOME ? { home: env.GUV_HOME } : {});
  } catch (error) {
    if (error instanceof GuvError && error.code === 'GUV_DAEMON_NOT_RUNNING') return null;
    throw error;
  }
}
