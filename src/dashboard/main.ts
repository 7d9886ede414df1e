import { parseArgs } from 'node:util';
import { resolveHome } from '../protocol/home.js';
import { dashboardFiles, loadDashboardConfig } from './config.js';
import { connectHost } from './hosts.js';
import { createDashboardServer } from './server.js';

/**
 * The dashboard process (`guv-web`, started by `guv web` under the daemon):
 * `node dist/dashboard/start.cjs --port 8420 [--home <GUV_HOME>]`.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, home: { type: 'string' } },
    strict: true,
  });
  const port = Number(values.port ?? '8420');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: ${values.port}`);
  const home = resolveHome(values.home ? { ...process.env, GUV_HOME: values.home } : process.env);
  const files = dashboardFiles(home);
  const config = await loadDashboardConfig(files.config, values.home ?? null);
  const server = createDashboardServer({ config, usersFile: files.users, connectHost, port });
  const origin = await server.listen();
  process.stdout.write(
    `guv dashboard listening on ${origin}/ over ${config.hosts.map((h) => h.name).join(', ')}\n`,
  );
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`guv dashboard: ${(error as Error)?.message ?? error}\n`);
  process.exit(1);
});
