import { join, relative, resolve, sep } from 'node:path';
import type { RunAs } from '../actors/git/run-as.js';
import { GuvError } from '../errors.js';
import { parseAppName } from './validate.js';
import { isReachable } from './path-exists.js';
import { readAppFile } from './read-app-file.js';

/** More than any real package.json; a larger one is refused unread. */
export const PACKAGE_JSON_MAX_BYTES = 1024 * 1024;

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

export interface ReadAppPackageOptions {
  /** The app's user, when it has one under a root daemon: package.json is read as that user. */
  runAs?: RunAs | null;
}

/**
 * Read an app's package.json as data (never `require`d: it is someone else's code) and the
 * facts guv needs from it. A folder without package.json is an app with defaults. Only a file
 * inside `dir` of at most {@link PACKAGE_JSON_MAX_BYTES} is read (see readAppFile).
 */
export async function readAppPackage(
  dir: string,
  options: ReadAppPackageOptions = {},
): Promise<AppPackage> {
  const text = await readAppFile(dir, 'package.json', {
    runAs: options.runAs ?? null,
    maxBytes: PACKAGE_JSON_MAX_BYTES,
    code: 'GUV_BAD_PACKAGE_JSON',
  });
  const json = text === null ? null : parseJsonObject(text, join(dir, 'package.json'));
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

function parseJsonObject(text: string, file: string): Record<string, unknown> {
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
