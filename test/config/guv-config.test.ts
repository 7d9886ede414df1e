import { describe, expect, it } from 'vitest';
import type { EcosystemContext } from '../../src/config/ecosystem.js';
import {
  defineConfig,
  parseEnvFile,
  startWaves,
  translateGuvConfig,
} from '../../src/config/guv-config.js';
import { defineConfig as exported } from '../../src/index.js';

const context: EcosystemContext = {
  baseDir: '/srv/site',
  envName: null,
  baseEnv: { PATH: '/usr/bin' },
  overrides: {},
  cpuCount: 4,
};

describe("guv's own config", () => {
  it('is typed by defineConfig, exported from guv', () => {
    expect(exported).toBe(defineConfig);
    const config = defineConfig({ apps: [{ name: 'web', script: 'server.js', instances: 2 }] });
    expect(translateGuvConfig(config, context).apps[0]?.request).toMatchObject({
      name: 'web',
      target: '/srv/site/server.js',
      instances: 2,
    });
  });

  it('orders apps by dependsOn and starts each wave once the one before runs', () => {
    const { apps } = translateGuvConfig(
      {
        apps: [
          { name: 'web', script: 'web.js', dependsOn: ['api'] },
          { name: 'api', script: 'api.js', dependsOn: ['db', 'cache'] },
          { name: 'db', script: 'db.js' },
          { name: 'cache', script: 'cache.js' },
        ],
      },
      context,
    );
    expect(apps.map((app) => app.name)).toEqual(['db', 'cache', 'api', 'web']);
    expect(startWaves(apps).map((wave) => wave.map((app) => app.name))).toEqual([
      ['db', 'cache'],
      ['api'],
      ['web'],
    ]);
  });

  it('refuses a dependsOn cycle, a missing dependency and an unknown setting in one line', () => {
    const cycle = {
      apps: [
        { name: 'a', script: 'a.js', dependsOn: ['b'] },
        { name: 'b', script: 'b.js', dependsOn: ['a'] },
      ],
    };
    expect(() => translateGuvConfig(cycle, context)).toThrow('dependsOn makes a cycle: a → b → a');
    expect(() =>
      translateGuvConfig({ apps: [{ name: 'a', script: 'a.js', dependsOn: ['z'] }] }, context),
    ).toThrow('a: dependsOn names "z", which the file does not list');
    expect(() =>
      translateGuvConfig({ apps: [{ name: 'a', script: 'a.js', watch: true }] }, context),
    ).toThrow('a: unknown setting "watch"');
  });

  it('reads env_file under env and --env K=V', () => {
    const files = new Map([
      ['/srv/site/.env', 'A=file\n# note\nexport B="quoted value"\nC=3 # c\n'],
    ]);
    const [app] = translateGuvConfig(
      { apps: [{ name: 'a', script: 'a.js', env_file: '.env', env: { A: 'env' } }] },
      { ...context, overrides: { C: 'cli' } },
      files,
    ).apps;
    expect(app?.request.env).toEqual({ PATH: '/usr/bin', A: 'env', B: 'quoted value', C: 'cli' });
    expect(parseEnvFile('X=1\nnot a pair\n Y = two ')).toEqual({ X: '1', Y: 'two' });
  });
});
