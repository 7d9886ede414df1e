import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GuvError } from '../errors.js';

/** What `guv start <folder>` runs: the package's entry, in the package's folder. */
export interface PackageTarget {
  target: string;
  args: string[];
  cwd: string;
  /** The package's name as a process name (`@acme/web` → `acme-web`), when it has a usable one. */
  name: string | null;
}

const PACKAGE_JSON_LIMIT = 1024 * 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The decision, given the folder's package.json (null when there is none) and which files exist:
 * `main` (as Node resolves it: the file, `.js` added, or its `index.js`), else the `start` script
 * through `npm start`, else `index.js` — what pm2 and guvnor ran for a folder.
 */
export function packageTarget(
  dir: string,
  pkg: Record<string, unknown> | null,
  isFile: (path: string) => boolean,
): PackageTarget {
  const rawName = typeof pkg?.name === 'string' ? pkg.name.replace(/^@/, '').replace('/', '-') : '';
  const name = NAME.test(rawName) ? rawName : null;
  if (typeof pkg?.main === 'string' && pkg.main !== '') {
    const main = resolve(dir, pkg.main);
    const found = [main, `${main}.js`, join(main, 'index.js')].find(isFile);
    if (!found)
      throw new GuvError(
        'GUV_BAD_ARGUMENT',
        `${dir}: package.json's main "${pkg.main}" is not a file`,
      );
    return { target: found, args: [], cwd: dir, name };
  }
  const scripts = pkg?.scripts as Record<string, unknown> | undefined;
  if (typeof scripts?.start === 'string') return { target: 'npm', args: ['start'], cwd: dir, name };
  const index = join(dir, 'index.js');
  if (isFile(index)) return { target: index, args: [], cwd: dir, name };
  throw new GuvError(
    'GUV_BAD_ARGUMENT',
    `${dir} is a folder with no package.json "main", no "start" script and no index.js: name a script`,
  );
}

/**
 * `target` read as a folder to start, or null when it is not one. A bare word (`web`) is a folder
 * only when it holds a package.json: otherwise it stays a command to look up on PATH.
 */
export function folderTarget(target: string, cwd: string): PackageTarget | null {
  const dir = resolve(cwd, target);
  if (!isDirectory(dir)) return null;
  const pkg = readPackageJson(join(dir, 'package.json'));
  const pathLike = target.includes('/') || target === '.' || target === '..';
  if (pkg === null && !pathLike) return null;
  return packageTarget(dir, pkg, isFile);
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

function readPackageJson(path: string): Record<string, unknown> | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > PACKAGE_JSON_LIMIT)
      throw new GuvError(
        'GUV_BAD_ARGUMENT',
        `${path} is not a package.json guv can read (1 MiB at most)`,
      );
    const buffer = Buffer.alloc(stat.size);
    readSync(fd, buffer, 0, stat.size, 0);
    const parsed: unknown = JSON.parse(buffer.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch (error) {
    if (error instanceof GuvError) throw error;
    throw new GuvError(
      'GUV_BAD_ARGUMENT',
      `${path} is not valid JSON: ${(error as Error).message}`,
    );
  } finally {
    closeSync(fd);
  }
}
