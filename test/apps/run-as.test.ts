import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installApp } from '../../src/apps/install-app.js';
import { createAppOperations } from '../../src/apps/operations.js';
import { createAppRegistry } from '../../src/apps/registry.js';
import { resolveRunAs, runAsForApp } from '../../src/apps/run-as.js';
import { makeDemoRepo, makeTempDir, removeDir } from './git-fixtures.js';

const isRoot = process.getuid?.() === 0;

describe('runAsForApp', () => {
  it('runs as the daemon’s user when the app has none', async () => {
    expect(await runAsForApp({ user: null }, 0)).toBeNull();
    expect(await runAsForApp({ user: null }, 1000)).toBeNull();
  });

  it('resolves the app’s user with a clean environment when the daemon is root', async () => {
    const nobody = await runAsForApp({ user: 'nobody' }, 0);
    expect(nobody).toMatchObject({ uid: 65534, env: { USER: 'nobody', LOGNAME: 'nobody' } });
    expect(Object.keys(nobody!.env).sort()).toEqual(['HOME', 'LANG', 'LOGNAME', 'PATH', 'USER']);
  });

  it('refuses to switch users when the daemon is not root', async () => {
    await expect(runAsForApp({ user: 'nobody' }, 1000)).rejects.toMatchObject({
      code: 'GUV_NOT_ROOT',
    });
  });

  it('refuses unknown and malformed users', async () => {
    await expect(resolveRunAs('no-such-user-guv')).rejects.toMatchObject({
      code: 'GUV_USER_NOT_FOUND',
    });
    await expect(resolveRunAs('-x')).rejects.toMatchObject({ code: 'GUV_BAD_USER' });
    await expect(resolveRunAs('a:b')).rejects.toMatchObject({ code: 'GUV_BAD_USER' });
  });
});

describe.runIf(isRoot)('as root, an app with a user', () => {
  let base: string;
  let appsRoot: string;
  beforeEach(async () => {
    base = await makeTempDir('guv-runas-');
    appsRoot = join(base, 'apps');
    await mkdir(appsRoot, { mode: 0o755 });
  });
  afterEach(async () => {
    await removeDir(base);
  });

  // Owned by nobody: git refuses to read a repository another user owns ("dubious ownership").
  const scriptedRepo = async (owner: number) => {
    // A dependency from a local tarball: npm needs a cache for it, but never the network.
    await mkdir(join(base, 'dep'));
    await writeFile(join(base, 'dep', 'package.json'), '{"name":"dep","version":"1.0.0"}');
    execFileSync('tar', [
      '-czf',
      join(base, 'dep.tgz'),
      '-C',
      base,
      '--transform',
      's/^dep/package/',
      'dep',
    ]);
    await chmod(join(base, 'dep.tgz'), 0o644);
    const repo = await makeDemoRepo(base, {
      lockfile: false,
      packageJson: {
        name: 'scripted',
        version: '1.0.0',
        dependencies: { dep: `file:${join(base, 'dep.tgz')}` },
        scripts: {
          postinstall: `node -e "require('fs').writeFileSync('script-ran', String(process.getuid()))"`,
        },
      },
    });
    await chownTree(repo.dir, owner, owner);
    return repo;
  };

  it('clones and runs npm (and its scripts) as that user', async () => {
    const repo = await scriptedRepo(65534);
    const app = await installApp(
      { url: repo.url, user: 'nobody' },
      { appsRoot, registry: createAppRegistry(join(base, 'apps.json')), runAsFor: runAsForApp },
    );
    for (const file of ['.', '.git', '.git/HEAD', 'index.js', 'script-ran']) {
      expect((await stat(join(app.dir, file))).uid, file).toBe(65534);
    }
    expect(await readFile(join(app.dir, 'script-ran'), 'utf8')).toBe('65534');
    expect((await stat(join(app.dir, 'node_modules', 'dep', 'package.json'))).uid).toBe(65534);
    // nobody has no home: npm got a private cache under the apps root.
    expect((await stat(join(appsRoot, '.npm-cache', '65534'))).mode & 0o777).toBe(0o700);

    // Later git work for the app runs as its user too (root would hit "dubious ownership").
    const ops = createAppOperations({ appsRoot });
    expect((await ops.switchRef({ app, ref: 'v1' })).ref).toBe('v1');
    expect(await ops.updateRefs({ app })).toEqual(['dev', 'main', 'v1']);
    expect((await stat(join(app.dir, '.git', 'FETCH_HEAD'))).uid).toBe(65534);
  });

  it('skips npm lifecycle scripts for an app without a user', async () => {
    const repo = await scriptedRepo(0);
    const ops = createAppOperations({ appsRoot });
    const app = {
      name: 'rootly',
      url: repo.url,
      user: null,
      ref: null,
      commit: null,
      dir: join(appsRoot, 'rootly'),
    };
    await ops.cloneRepo({ app });
    const result = await ops.installDependencies({ app });
    expect(result.npmArgs).toContain('--ignore-scripts');
    await expect(stat(join(app.dir, 'script-ran'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(join(app.dir, 'index.js'))).uid).toBe(0);
  });
});

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await chown(child, uid, gid);
  }
}
