import { describe, expect, it } from 'vitest';
import type { EcosystemContext } from '../../src/config/ecosystem.js';
import {
  defineConfig,
  parseEnvFile,
  startWaves,
  stopOrder,
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
      translateGuvConfig({ apps: [{ name: 'a', script: 'a.js', wath: ['src'] }] }, context),
    ).toThrow('a: unknown setting "wath"');
  });

  it("takes every start option of the API by the API's names (watch, memory, cron, delays, log files)", () => {
    const [app] = translateGuvConfig(
      {
        apps: [
          {
            name: 'a',
            script: 'a.js',
            watch: ['src'],
            ignoreWatch: ['*.tmp'],
            maxMemoryBytes: 300 * 1024 * 1024,
            cronRestart: '0 3 * * *',
            restartDelayMs: 2000,
            listenTimeoutMs: 5000,
            outFile: '/tmp/a.out.log',
          },
        ],
      },
      context,
    ).apps;
    expect(app!.request).toMatchObject({
      watch: ['src'],
      ignoreWatch: ['*.tmp'],
      maxMemoryBytes: 300 * 1024 * 1024,
      cronRestart: '0 3 * * *',
      restartDelayMs: 2000,
      listenTimeoutMs: 5000,
      outFile: '/tmp/a.out.log',
    });
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

describe('guv config: env_<name> and the stop order (issue 14)', () => {
  it('--env production merges env_production over env, under --env K=V', () => {
    const config = {
      apps: [
        {
          name: 'api',
          script: 'api.js',
          env: { NODE_ENV: 'development', A: 'env' },
          env_production: { NODE_ENV: 'production', B: 'prod' },
        },
        { name: 'db', script: 'db.js', env: { NODE_ENV: 'development' } },
      ],
    };
    const plan = translateGuvConfig(config, {
      ...context,
      envName: 'production',
      overrides: { B: 'cli' },
    });
    expect(plan.apps[0]?.request.env).toEqual({
      PATH: '/usr/bin',
      NODE_ENV: 'production',
      A: 'env',
      B: 'cli',
    });
    expect(plan.apps[0]?.envKeys.sort()).toEqual(['A', 'B', 'NODE_ENV']);
    // An app without that environment keeps its env, and the user is told.
    expect(plan.apps[1]?.request.env.NODE_ENV).toBe('development');
    expect(plan.warnings).toEqual(['db: has no env_production: only its env applies']);
    // Without --env, env_production is not applied and nothing is refused.
    const plain = translateGuvConfig(config, context);
    expect(plain.apps[0]?.request.env.NODE_ENV).toBe('development');
    expect(plain.warnings).toEqual([]);
    expect(() =>
      translateGuvConfig(
        { apps: [{ name: 'a', script: 'a.js', env_production: 'yes' }] },
        { ...context, envName: 'production' },
      ),
    ).toThrow('a: env_production must be an object of variables');
  });

  it('stops dependents first: the start waves backwards', () => {
    const { apps } = translateGuvConfig(
      {
        apps: [
          { name: 'web', script: 'web.js', dependsOn: ['api'] },
          { name: 'api', script: 'api.js', dependsOn: ['db', 'cache'] },
          { name: 'db', script: 'db.js' },
          { name: 'cache', script: 'cache.js' },
          { name: 'cron', script: 'cron.js', dependsOn: ['db'] },
        ],
      },
      context,
    );
    const order = stopOrder(apps).map((app) => app.name);
    expect(order).toEqual(['web', 'api', 'cron', 'db', 'cache']);
    // Each app stops before everything it depends on.
    for (const app of apps)
      for (const dependency of app.after ?? [])
        expect(order.indexOf(app.name)).toBeLessThan(order.indexOf(dependency));
    // Without dependsOn, the file's order.
    const flat = translateGuvConfig(
      {
        apps: [
          { name: 'a', script: 'a.js' },
          { name: 'b', script: 'b.js' },
        ],
      },
      context,
    ).apps;
    expect(stopOrder(flat).map((app) => app.name)).toEqual(['a', 'b']);
  });
});
