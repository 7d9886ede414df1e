import { readFile } from '../fs/async-fs.js';
import { join, relative, resolve, sep } from 'node:path';
import { GuvError } from '../errors.js';
import { parseAppName } from './validate.js';
import { isReachable } from './path-exists.js';

export interface AppPackage {
  /** `name` from package.json, unchecked; null when absent. */
  packageName: string | null;
  /** The default app name: the package name without its `@scope/`, when that is a valid app name. */
  appName: string | null;
  /** The entry script relative to the app folder: `main`, else `index.js`. */
  main: string;
  /** The npm lockfile present (`npm ci` needs one), or null. */
  lockfile: 'package-lock.json' | 'npm-shrinkwrap.json' | null;
}

/**
 * Read an app's package.json as data (never `require`d: it is someone else's code) and the
 * facts guv needs from it. A folder without package.json is an app with defaults.
 */
export async function readAppPackage(dir: string): Promise<AppPackage> {
  const json = await readJsonObject(join(dir, 'package.json'));
  const packageName = typeof json?.name === 'string' ? json.name : null;
  return {
    packageName,
    appName: defaultAppName(packageName),
    main: entryScript(dir, json?.main),
    lockfile: await findLockfile(dir),
  };
}

/** `@scope/shop` → `shop`; null when the result is not a valid app name. */
export function defaultAppName(packageName: string | null): string | null {
  if (!packageName) return null;
  const bare = packageName.replace(/^@[^/]+\//, '');
  try {
    return parseAppName(bare);
  } catch {
    return null;
  }
}

function entryScript(dir: string, main: unknown): string {
  if (main === undefined || main === null || main === '') return 'index.js';
  const inside = typeof main === 'string' ? relative(dir, resolve(dir, main)) : '..';
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || inside.startsWith(sep)) {
    throw new GuvError(
      'GUV_BAD_PACKAGE_JSON',
      `package.json "main" ${JSON.stringify(main)} does not name a file inside the app`,
    );
  }
  return inside;
}

async function findLockfile(dir: string): Promise<AppPackage['lockfile']> {
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json'] as const) {
    if (await isReachable(join(dir, name))) return name;
  }
  return null;
}

async function readJsonObject(file: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new GuvError('GUV_BAD_PACKAGE_JSON', `${file} is not valid JSON`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new GuvError('GUV_BAD_PACKAGE_JSON', `${file} does not hold a JSON object`);
  }
  return data as Record<string, unknown>;
}
