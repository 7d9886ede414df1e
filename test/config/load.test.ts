import {
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppsFile, loadAppsFile } from '../../src/config/load.js';
import { fixture, repoRoot } from '../helpers/daemon-harness.js';

// Reading apps files (issue 14): YAML as plain data with bounds, and .ts with the project's tsx.

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'guv-load-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('YAML apps files', () => {
  it('reads ecosystem.config.yaml and .yml as pm2 writes them', async () => {
    const text = [
      'apps:',
      '  - name: web',
      '    script: ./server.js',
      '    instances: 2',
      '    exec_mode: cluster',
      '    env:',
      '      PORT: 8080',
      '    env_production:',
      '      NODE_ENV: production',
    ].join('\n');
    for (const name of ['ecosystem.config.yaml', 'process.yml']) {
      const path = write(name, text);
      expect(await isAppsFile(path, dir)).toBe(true);
      expect(await loadAppsFile(path)).toEqual({
        apps: [
          {
            name: 'web',
            script: './server.js',
            instances: 2,
            exec_mode: 'cluster',
            env: { PORT: 8080 },
            env_production: { NODE_ENV: 'production' },
          },
        ],
      });
    }
    // Any .yaml listing apps is one, whatever its name; other YAML is not.
    expect(await isAppsFile(write('deploy.yaml', text), dir)).toBe(true);
    expect(await isAppsFile(write('other.yaml', 'version: 3\n'), dir)).toBe(false);
  });

  it('names the line and column of a syntax error, in one line', async () => {
    const path = write('bad.config.yaml', 'apps:\n  - name: web\n    script: [a.js\n  - b\n');
    const error = await loadAppsFile(path).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GUV_APPS_FILE_UNREADABLE' });
    expect((error as Error).message).toMatch(/bad\.config\.yaml:\d+:\d+: \S/);
    expect((error as Error).message).not.toContain('\n');
    const duplicate = write('twice.config.yaml', 'apps: []\napps: []\n');
    await expect(loadAppsFile(duplicate)).rejects.toThrow(
      /twice\.config\.yaml:2:1: Map keys must be unique/,
    );
  });

  it('refuses tags beyond plain data (!!js/function, !!binary, custom ones)', async () => {
    for (const tag of ['!!js/function "() => 1"', '!!binary aGVsbG8=', '!custom x', '!!set {a}']) {
      const path = write('tagged.config.yaml', `apps:\n  - name: a\n    script: ${tag}\n`);
      await expect(loadAppsFile(path)).rejects.toThrow(
        /tagged\.config\.yaml:3:\d+: Unresolved tag/,
      );
    }
  });

  it('refuses an alias bomb, and a file over 1 MiB', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    lines.push('apps: []');
    const bomb = write('bomb.config.yaml', `${lines.join('\n')}\n`);
    await expect(loadAppsFile(bomb)).rejects.toThrow(/bomb\.config\.yaml: too many aliases/);
    const big = write('big.config.yaml', `apps: []\n# ${'x'.repeat(1024 * 1024)}\n`);
    await expect(loadAppsFile(big)).rejects.toThrow(/is larger than 1 MiB/);
  });
});

describe('TypeScript apps files', () => {
  it("loads guv.config.ts with the project's own tsx", async () => {
    const project = join(dir, 'with-tsx');
    cpSync(fixture('ts-config'), project, { recursive: true });
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(join(repoRoot, 'node_modules/tsx'), join(project, 'node_modules/tsx'));
    const config = join(project, 'guv.config.ts');
    expect(await isAppsFile(config, project)).toBe(true);
    expect(await loadAppsFile(config)).toMatchObject({
      apps: [{ name: 'tsc-app', script: 'app.js', env: { GREETING: 'from-ts-config' } }],
    });
    // .mts, and a pm2 ecosystem file in TypeScript.
    const mts = join(project, 'ecosystem.config.mts');
    writeFileSync(
      mts,
      "const apps: Array<{ name: string; script: string }> = [{ name: 'm', script: 'app.js' }];\nexport default { apps };\n",
    );
    expect(await loadAppsFile(mts)).toEqual({ apps: [{ name: 'm', script: 'app.js' }] });
  });

  it('says in one line how to get tsx when the project has none', async () => {
    const project = join(dir, 'without-tsx');
    cpSync(fixture('ts-config'), project, { recursive: true });
    const error = await loadAppsFile(join(project, 'guv.config.ts')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GUV_NO_TS_LOADER' });
    expect((error as Error).message).toMatch(
      /^guv\.config\.ts is TypeScript and no tsx was found above .*: run "npm i -D tsx" in the project/,
    );
  });

  it.skipIf(process.getuid?.() !== 0)(
    'as root, loads no tsx from a node_modules another user owns',
    async () => {
      const project = join(dir, 'foreign-tsx');
      cpSync(fixture('ts-config'), project, { recursive: true });
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(join(repoRoot, 'node_modules/tsx'), join(project, 'node_modules/tsx'));
      chownSync(join(project, 'node_modules'), 65534, 65534);
      const error = await loadAppsFile(join(project, 'guv.config.ts')).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'GUV_NO_TS_LOADER' });
      expect((error as Error).message).toMatch(
        /passed over, as root loads nothing another user controls: .*node_modules belongs to uid 65534/,
      );
    },
  );
});
