import { lstat, readlink, realpath } from '../fs/async-fs.js';
import { basename, join } from 'node:path';
import { GuvError } from '../errors.js';
import { parseAppName } from './validate.js';

/**
 * The folder of app `name` under `appsRoot`, after checking that it really is that folder:
 * the root is resolved through its symlinks and the app folder, when it exists, must resolve
 * to exactly `<real root>/<name>` (so a symlink out of the root, or to another app, is refused).
 *
 * @example
 * await resolveAppDir('/var/lib/guv/apps', 'shop'); // '/var/lib/guv/apps/shop'
 */
export async function resolveAppDir(appsRoot: string, name: string): Promise<string> {
  parseAppName(name);
  const root = await realAppsRoot(appsRoot);
  const dir = join(root, name);
  await assertNotRedirected(dir);
  return dir;
}

/**
 * Check an AppInfo's `dir` before touching it: it must be `<apps root>/<app name>` and not a
 * symlink; returns the checked path.
 */
export async function checkedAppDir(
  appsRoot: string,
  app: { name: string; dir: string },
): Promise<string> {
  const dir = await resolveAppDir(appsRoot, app.name);
  const claimed = await realParent(app.dir);
  if (claimed !== dir) {
    throw new GuvError(
      'GUV_UNSAFE_PATH',
      `app "${app.name}" has folder ${JSON.stringify(app.dir)}, which is not ${dir}`,
    );
  }
  return dir;
}

/** The sibling folder an app is cloned and installed into before it is renamed into place. */
export async function stagingDirFor(appsRoot: string, name: string): Promise<string> {
  parseAppName(name);
  const dir = join(await realAppsRoot(appsRoot), `.${name}.installing`);
  await assertNotRedirected(dir);
  return dir;
}

/** The apps root with its symlinks resolved; GUV_APPS_ROOT_MISSING when it cannot be read. */
export async function realAppsRoot(appsRoot: string): Promise<string> {
  try {
    return await realpath(appsRoot);
  } catch (error) {
    throw new GuvError('GUV_APPS_ROOT_MISSING', `apps folder ${appsRoot} cannot be read`, {
      cause: error,
    });
  }
}

async function assertNotRedirected(dir: string): Promise<void> {
  const link = await lstat(dir).catch(() => null);
  if (link?.isSymbolicLink()) {
    const target = await readlink(dir);
    throw new GuvError(
      'GUV_UNSAFE_PATH',
      `refusing ${dir}: it is a symlink (to ${target}); an app folder must be a real folder`,
    );
  }
  const real = await realpathIfExists(dir);
  if (real !== null && real !== dir) {
    throw new GuvError(
      'GUV_UNSAFE_PATH',
      `refusing ${dir}: it is a symlink to ${real}, outside its place in the apps folder`,
    );
  }
}

async function realParent(path: string): Promise<string> {
  const real = await realpathIfExists(path);
  if (real !== null) return real;
  const parent = await realpathIfExists(join(path, '..'));
  return join(parent ?? join(path, '..'), basename(path));
}

async function realpathIfExists(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
