import { connect, connectOrStart, type GuvClient } from '../client/api.js';
import { GuvError } from '../errors.js';
import { resolveHome } from '../protocol/home.js';

/**
 * The client every daemon command uses: the daemon is started on the first command. With
 * `GUV_HOST` (`--host <name>`), the daemon of that host in hosts.json, over TLS; a remote daemon
 * is never started.
 */
export function daemonClient(env: NodeJS.ProcessEnv): Promise<GuvClient> {
  if (env.GUV_HOST) return remoteClient(env, env.GUV_HOST);
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
  if (env.GUV_HOST) return remoteClient(env, env.GUV_HOST);
  try {
    return await connect(env.GUV_HOME ? { home: env.GUV_HOME } : {});
  } catch (error) {
    if (error instanceof GuvError && error.code === 'GUV_DAEMON_NOT_RUNNING') return null;
    throw error;
  }
}

/** Loaded only for `--host`: TLS and crypto stay off the local commands' cold path. */
async function remoteClient(env: NodeJS.ProcessEnv, name: string): Promise<GuvClient> {
  const [{ readHost }, { remote }] = await Promise.all([
    import('../remote/hosts-file.js'),
    import('../remote/remote-client.js'),
  ]);
  return remote(await readHost(resolveHome(env).config, name));
}
