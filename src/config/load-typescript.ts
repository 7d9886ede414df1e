import { lstatSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GuvError } from '../errors.js';
import { findPackageAbove } from '../supervision/typescript-loader.js';

// A .ts apps file (guv.config.ts, ecosystem.config.ts) is compiled by the project's own tsx,
// as a .ts app is: guv ships no TypeScript compiler.

const MAX_PACKAGE_JSON = 1024 * 1024;

type TsImport = (specifier: string, options: { parentURL: string }) => Promise<unknown>;

function noLoader(path: string, why: string): never {
  throw new GuvError(
    'GUV_NO_TS_LOADER',
    `${basename(path)} is TypeScript and ${why}: run "npm i -D tsx" in the project, or write it as .js or .json`,
  );
}

/** The file tsx's `./esm/api` export names for `import`, kept inside its package. */
function esmApiOf(packageDir: string): string | null {
  try {
    const manifest = join(packageDir, 'package.json');
    const info = lstatSync(manifest);
    if (!info.isFile() || info.size > MAX_PACKAGE_JSON) return null;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> };
    const api = pkg.exports?.['./esm/api'] as
      | { import?: { default?: unknown } | string }
      | undefined;
    const target = typeof api?.import === 'string' ? api.import : api?.import?.default;
    if (typeof target !== 'string') return null;
    const entry = resolve(packageDir, target);
    return relative(packageDir, entry).startsWith('..') ? null : entry;
  } catch {
    return null;
  }
}

/**
 * Imports a TypeScript file with the tsx found in its folder or above (as root, only a tsx that
 * root and no one else controls). Throws GUV_NO_TS_LOADER in one line saying how to fix it.
 *
 * @example
 * await importTypeScript('/srv/site/guv.config.ts'); // { default: { apps: [...] } }
 */
export async function importTypeScript(path: string): Promise<Record<string, unknown>> {
  const trust = { owners: process.getuid?.() === 0 ? [0] : null };
  const passedOver: string[] = [];
  const dir = findPackageAbove(dirname(path), 'tsx', trust, passedOver);
  if (dir === null) {
    const skipped =
      passedOver.length > 0
        ? ` (passed over, as root loads nothing another user controls: ${passedOver.join(', ')})`
        : '';
    noLoader(path, `no tsx was found above ${dirname(path)}${skipped}`);
  }
  const api =
    esmApiOf(dir) ?? noLoader(path, `the tsx in ${dir} has no esm/api (tsx 4.8 or later)`);
  const apiUrl = pathToFileURL(api).href;
  const { tsImport } = (await import(apiUrl)) as { tsImport?: TsImport };
  if (typeof tsImport !== 'function')
    noLoader(path, `the tsx in ${dir} has no tsImport (tsx 4.8 or later)`);
  const url = pathToFileURL(path).href;
  return (await tsImport(url, { parentURL: url })) as Record<string, unknown>;
}
