import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readAppPackage } from '../package-json.js';
import { runAsForApp } from '../run-as.js';
import type { AppService } from './app-service.js';
import type { StartRequest } from '../../supervision/start-request.js';

/**
 * `guv start <app>`: the start request for an installed app's main script (package.json
 * `main`, else index.js; `.js` added when `main` names a file without it), run in the app's
 * folder as the app's user, under the app's name unless another is asked for. Null when
 * `request.target` is not an installed app.
 */
export async function appStartRequest(
  apps: AppService,
  request: StartRequest,
): Promise<{ app: string; request: StartRequest } | null> {
  if (!apps.has(request.target)) return null;
  const app = apps.get(request.target);
  // As the app's user: the folder is that user's to fill with links to what only root may read.
  const pkg = await readAppPackage(app.dir, { runAs: await runAsForApp(app) });
  const script = join(app.dir, pkg.main);
  return {
    app: app.name,
    request: {
      ...request,
      target: !existsSync(script) && existsSync(`${script}.js`) ? `${script}.js` : script,
      cwd: app.dir,
      user: request.user ?? app.user,
      name: request.name ?? app.name,
    },
  };
}
