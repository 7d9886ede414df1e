import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppRegistry } from '../../src/apps/registry.js';
import type { AppInfo } from '../../src/types/info.js';
import { makeTempDir, removeDir } from './git-fixtures.js';

let base: string;
let file: string;
beforeEach(async () => {
  base = await makeTempDir('guv-registry-');
  file = join(base, 'apps.json');
});
afterEach(async () => {
  await removeDir(base);
});

const app = (name: string): AppInfo => ({
  name,
  url: `https://example.com/${name}.git`,
  user: null,
  ref: 'main',
  commit: 'a'.repeat(40),
  dir: `/srv/apps/${name}`,
});

describe('app registry', () => {
  it('starts empty without a file', async () => {
    const registry = createAppRegistry(file);
    expect(await registry.list()).toEqual([]);
    expect(await registry.get('shop')).toBeUndefined();
  });

  it('adds, gets, updates and removes, persisting each change', async () => {
    const registry = createAppRegistry(file);
    await registry.add(app('shop'));
    await registry.add(app('blog'));
    expect(await registry.get('shop')).toEqual(app('shop'));

    const updated = await registry.update('shop', { ref: 'v2', commit: 'b'.repeat(40) });
    expect(updated).toMatchObject({ name: 'shop', ref: 'v2', dir: '/srv/apps/shop' });

    // A fresh registry on the same file sees the same apps.
    expect(await createAppRegistry(file).list()).toEqual([updated, app('blog')]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      apps: [updated, app('blog')],
    });

    expect(await registry.remove('shop')).toEqual(updated);
    expect(await registry.list()).toEqual([app('blog')]);
  });

  it('never changes name or dir on update', async () => {
    const registry = createAppRegistry(file);
    await registry.add(app('shop'));
    const sneaky = { name: 'other', dir: '/etc' } as unknown as Partial<AppInfo>;
    expect(await registry.update('shop', sneaky)).toEqual(app('shop'));
  });

  it('refuses duplicates and unknown names', async () => {
    const registry = createAppRegistry(file);
    await registry.add(app('shop'));
    await expect(registry.add(app('shop'))).rejects.toMatchObject({ code: 'GUV_APP_EXISTS' });
    await expect(registry.remove('nope')).rejects.toMatchObject({ code: 'GUV_APP_NOT_FOUND' });
    await expect(registry.update('nope', {})).rejects.toMatchObject({
      code: 'GUV_APP_NOT_FOUND',
    });
  });

  it('applies concurrent changes one after another, losing none', async () => {
    const registry = createAppRegistry(file);
    await Promise.all(Array.from({ length: 20 }, (_, i) => registry.add(app(`app${i}`))));
    expect((await registry.list()).map((entry) => entry.name).sort()).toHaveLength(20);
  });

  it('reports a corrupt file with GUV_REGISTRY_CORRUPT', async () => {
    await writeFile(file, '{"version":1,"apps":[{"name":3}]}');
    await expect(createAppRegistry(file).list()).rejects.toMatchObject({
      code: 'GUV_REGISTRY_CORRUPT',
    });
    await writeFile(file, 'not json');
    await expect(createAppRegistry(file).list()).rejects.toMatchObject({
      code: 'GUV_REGISTRY_CORRUPT',
    });
  });
});
