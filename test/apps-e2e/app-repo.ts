import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '../helpers/daemon-harness.js';
import { sh } from '../apps/git-fixtures.js';

export interface AppRepo {
  dir: string;
  url: string;
  /** Commit of a tag or branch in the origin. */
  commit(ref: string): string;
  /** Commit `version` as a new commit on main and tag it (a release pushed later). */
  release(version: string): Promise<void>;
}

/** server.js: writes "<version> <pid>" to $APP_PROBE, says so on stdout, and stays up. */
function server(version: string): string {
  return [
    "const { writeFileSync } = require('node:fs');",
    `const version = ${JSON.stringify(version)};`,
    'if (process.env.APP_PROBE) writeFileSync(process.env.APP_PROBE, `${version} ${process.pid}\\n`);',
    'console.log(`shop ${version} running`);',
    'setInterval(() => {}, 1000);',
    '',
  ].join('\n');
}

/**
 * An npm-style app repository in `<parent>/<folder>`: package.json named `packageName` with
 * `main: server.js` and a lockfile; tag `v1` (annotated) runs "v1", `main` runs "v2", branch
 * `dev` runs "dev". `dependencies` go into package.json (no lockfile then), `scripts` too.
 */
export async function makeAppRepo(
  parent: string,
  options: {
    folder?: string;
    packageName?: string;
    dependencies?: Record<string, string>;
    scripts?: Record<string, string>;
  } = {},
): Promise<AppRepo> {
  const dir = join(parent, options.folder ?? 'origin');
  await mkdir(dir, { recursive: true });
  const name = options.packageName ?? '@acme/shop';
  const pkg = {
    name,
    version: '1.0.0',
    main: 'server.js',
    ...(options.dependencies ? { dependencies: options.dependencies } : {}),
    ...(options.scripts ? { scripts: options.scripts } : {}),
  };
  sh(dir, 'init', '-q', '-b', 'main');
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  if (!options.dependencies) {
    const lock = {
      name,
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name, version: '1.0.0' } },
    };
    await writeFile(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  }
  await writeFile(join(dir, 'server.js'), server('v1'));
  sh(dir, 'add', '-A');
  sh(dir, 'commit', '-q', '-m', 'v1');
  sh(dir, 'tag', '-a', '-m', 'release v1', 'v1');
  await writeFile(join(dir, 'server.js'), server('v2'));
  sh(dir, 'commit', '-q', '-am', 'v2');
  sh(dir, 'checkout', '-q', '-b', 'dev');
  await writeFile(join(dir, 'server.js'), server('dev'));
  sh(dir, 'commit', '-q', '-am', 'dev');
  sh(dir, 'checkout', '-q', 'main');
  return {
    dir,
    url: `file://${dir}`,
    commit: (ref) => sh(dir, 'rev-parse', `${ref}^{commit}`).trim(),
    release: async (version) => {
      await writeFile(join(dir, 'server.js'), server(version));
      sh(dir, 'commit', '-q', '-am', version);
      sh(dir, 'tag', version);
    },
  };
}

/** Waits until the app behind `probe` says it runs `version`; returns its pid. */
export async function runningVersion(probe: string, version: string): Promise<number> {
  const line = await eventually(() => {
    if (!existsSync(probe)) return null;
    const text = readFileSync(probe, 'utf8');
    return text.startsWith(`${version} `) ? text : null;
  }, `the app to run ${version}`);
  return Number(line.split(' ')[1]);
}
