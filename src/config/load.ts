import { open, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GuvError } from '../errors.js';
import { hasConfigName, isAppsJson, looksLikeAppsExport } from './detect.js';
import { importTypeScript } from './load-typescript.js';
import { parseYaml } from './yaml.js';

// Loads an apps file in the CLI, as the user who runs the CLI: a .js config is code, and the
// daemon (often root) never runs it.

const MAX_BYTES = 1024 * 1024;
const SNIFF_BYTES = 64 * 1024;
const IMPORT_DEADLINE_MS = 10_000;
const CODE = new Set(['.js', '.cjs', '.mjs']);
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);
const YAML = new Set(['.yaml', '.yml']);

function unreadable(message: string, cause?: unknown): never {
  throw new GuvError('GUV_APPS_FILE_UNREADABLE', message, cause === undefined ? {} : { cause });
}

/** The first `limit` bytes of a file as text, or null when it is not a readable file. */
async function head(path: string, limit: number): Promise<string | null> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(limit);
      const { bytesRead } = await handle.read(buffer, 0, limit, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

/**
 * Whether `target` (relative to `cwd`) is an apps file rather than a script: named like one, or
 * a .json with an `apps` list, or a script whose export begins with `apps`.
 */
export async function isAppsFile(target: string, cwd: string): Promise<boolean> {
  const path = resolve(cwd, target);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return false;
  if (hasConfigName(path)) return true;
  const extension = extname(path).toLowerCase();
  const data = extension === '.json' || YAML.has(extension);
  if (!data && !CODE.has(extension)) return false;
  const source = await head(path, data ? MAX_BYTES + 1 : SNIFF_BYTES);
  if (source === null) return false;
  if (!data) return looksLikeAppsExport(source);
  try {
    return isAppsJson(extension === '.json' ? JSON.parse(source) : await parseYaml(source, path));
  } catch {
    return false;
  }
}

/**
 * Reads an apps file: .json as JSON, .yaml and .yml as plain YAML; .js, .cjs and .mjs by
 * importing them (their export, or its `default`), .ts, .mts and .cts likewise with the
 * project's own tsx. Throws GUV_APPS_FILE_UNREADABLE with one line.
 */
export async function loadAppsFile(path: string): Promise<unknown> {
  const info = await stat(path).catch((error: unknown) =>
    unreadable(`cannot read ${path}: ${(error as Error).message}`, error),
  );
  if (!info.isFile()) unreadable(`${path} is not a file`);
  if (info.size > MAX_BYTES) unreadable(`${path} is larger than 1 MiB`);
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return readJson(path);
  if (YAML.has(extension)) return readYaml(path);
  if (CODE.has(extension) || TYPESCRIPT.has(extension)) return importCode(path);
  unreadable(`${path}: guv reads apps files ending in .js, .cjs, .mjs, .ts, .mts, .json or .yaml`);
}

async function readYaml(path: string): Promise<unknown> {
  const text = (await head(path, MAX_BYTES + 1)) ?? unreadable(`cannot read ${path}`);
  if (Buffer.byteLength(text) > MAX_BYTES) unreadable(`${path} is larger than 1 MiB`);
  return parseYaml(text, path);
}

async function readJson(path: string): Promise<unknown> {
  const text = (await head(path, MAX_BYTES + 1)) ?? unreadable(`cannot read ${path}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    // pm2 evaluated .json files as JavaScript: comments and trailing commas passed there.
    unreadable(
      `${path} is not valid JSON (${(error as Error).message}); comments need a .js file`,
      error,
    );
  }
}

/**
 * As root, a .js apps file is code that would run as root: it must be root's, in a folder of
 * root's, neither writable by anyone else (a repository's file is another user's to change).
 */
async function checkRootMayRun(path: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (const [what, target] of [
    ['file', path],
    ['folder', dirname(path)],
  ] as const) {
    const info = await stat(target).catch((error: unknown) =>
      unreadable(`cannot read ${target}: ${(error as Error).message}`, error),
    );
    if (info.uid !== 0 || (info.mode & 0o022) !== 0)
      unreadable(
        `${path}: as root, guv runs no .js apps file whose ${what} another user can change (owner uid ${info.uid}, mode ${(info.mode & 0o777).toString(8)}): use a .json file, or make it root's`,
      );
  }
}

/**
 * A module's export: its `default`, else its named exports. A CommonJS .ts file compiled from
 * `export default` nests the export once more (`module.exports.default`).
 */
function exportOf(loaded: Record<string, unknown>): unknown {
  const value = loaded.default !== undefined ? loaded.default : { ...loaded };
  const nested = (value as { default?: unknown; apps?: unknown } | null)?.default;
  return nested !== undefined && (value as { apps?: unknown }).apps === undefined ? nested : value;
}

/**
 * Node reads a .js file of a `"type": "module"` project as an ES module, where pm2's
 * `module.exports = {…}` fails ("module is not defined") or exports nothing: say how to fix it.
 */
async function explainCommonJs(path: string): Promise<void> {
  if (extname(path).toLowerCase() !== '.js') return;
  const source = await head(path, SNIFF_BYTES);
  if (source !== null && /\bmodule\.exports\b/.test(source))
    unreadable(
      `${path} uses module.exports, but the nearest package.json makes .js files ES modules ("type": "module"): rename it to ${basename(path, '.js')}.cjs, or write export default`,
    );
}

async function importCode(path: string): Promise<unknown> {
  await checkRootMayRun(path);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not finish loading within ${IMPORT_DEADLINE_MS / 1000}s`)),
      IMPORT_DEADLINE_MS,
    );
  });
  try {
    const url = pathToFileURL(path).href;
    const loading = TYPESCRIPT.has(extname(path).toLowerCase())
      ? importTypeScript(path)
      : import(url);
    const loaded = (await Promise.race([loading, deadline])) as Record<string, unknown>;
    if (Object.keys(loaded).length === 0) await explainCommonJs(path);
    return exportOf(loaded);
  } catch (error) {
    if (error instanceof GuvError) throw error;
    if (/\b(?:module|exports|require) is not defined in ES module scope/.test(String(error)))
      await explainCommonJs(path);
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    unreadable(`${path}: ${message}`, error);
  } finally {
    clearTimeout(timer);
  }
}

const MAX_ENV_FILE_BYTES = 256 * 1024;

/** The text of every `env_file` a guv config names, by resolved path (missing ones left out). */
export async function readEnvFiles(
  exported: unknown,
  baseDir: string,
): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const apps = (exported as { apps?: unknown })?.apps;
  if (!Array.isArray(apps)) return texts;
  for (const app of apps) {
    const file = (app as { env_file?: unknown } | null)?.env_file;
    if (typeof file !== 'string') continue;
    const path = resolve(baseDir, file);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) continue;
    if (info.size > MAX_ENV_FILE_BYTES) unreadable(`${path} is larger than 256 KiB`);
    const text = await head(path, MAX_ENV_FILE_BYTES);
    if (text !== null) texts.set(path, text);
  }
  return texts;
}
