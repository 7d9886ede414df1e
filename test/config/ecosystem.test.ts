import { describe, expect, it } from 'vitest';
import { hasConfigName, isAppsJson, looksLikeAppsExport } from '../../src/config/detect.js';
import { type EcosystemContext, translateEcosystem } from '../../src/config/ecosystem.js';
import { GuvError } from '../../src/errors.js';

const context: EcosystemContext = {
  baseDir: '/srv/site',
  envName: null,
  baseEnv: { PATH: '/usr/bin', GREETING: 'from-shell' },
  overrides: {},
  cpuCount: 4,
};

function translate(exported: unknown, extra: Partial<EcosystemContext> = {}) {
  return translateEcosystem(exported, { ...context, ...extra });
}

function failure(exported: unknown): GuvError {
  try {
    translate(exported);
  } catch (error) {
    expect(error).toBeInstanceOf(GuvError);
    expect((error as GuvError).code).toBe('GUV_APPS_FILE_INVALID');
    return error as GuvError;
  }
  throw new Error('expected the translation to fail');
}

describe('translateEcosystem', () => {
  it('maps pm2 keys onto start requests, scripts and cwd relative to the file', () => {
    const { apps, warnings } = translate({
      apps: [
        {
          name: 'web',
          script: 'server.js',
          cwd: 'app',
          args: '--port 80 "a b"',
          node_args: ['--max-old-space-size=256'],
          kill_timeout: 3000,
          listen_timeout: '8s',
          wait_ready: true,
          uid: 'www-data',
          gid: 33,
        },
        { script: './jobs/cron.js', autorestart: false },
        { name: 'npm-start', script: 'npm', args: ['start'], interpreter: 'none' },
      ],
    });
    expect(warnings).toEqual([]);
    expect(apps.map((app) => app.name)).toEqual(['web', 'cron', 'npm-start']);
    expect(apps[0]?.request).toMatchObject({
      target: '/srv/site/app/server.js',
      cwd: '/srv/site/app',
      args: ['--port', '80', 'a b'],
      execArgv: ['--max-old-space-size=256'],
      killTimeoutMs: 3000,
      listenTimeoutMs: 8000,
      appReadiness: true,
      user: 'www-data',
      group: '33',
      instances: null,
      restart: null,
    });
    expect(apps[1]?.request).toMatchObject({ target: '/srv/site/jobs/cron.js', restart: 'never' });
    expect(apps[2]?.request).toMatchObject({ target: 'npm', interpreter: 'none', args: ['start'] });
  });

  it('layers the environment: the shell, env, env_<name>, then --env K=V; lists only the file’s names', () => {
    const app = {
      script: 'a.js',
      env: { GREETING: 'from-env', PORT: 3000, DEBUG: false, NESTED: { a: 1 } },
      env_production: { GREETING: 'from-production', NODE_ENV: 'production' },
    };
    const [plain] = translate({ apps: [app] }).apps;
    expect(plain?.request.env).toMatchObject({
      PATH: '/usr/bin',
      GREETING: 'from-env',
      PORT: '3000',
    });
    expect(plain?.request.env).toMatchObject({ DEBUG: 'false', NESTED: '{"a":1}' });
    expect(plain?.request.env.NODE_ENV).toBeUndefined();
    const [production] = translate(
      { apps: [app] },
      { envName: 'production', overrides: { PORT: '9' } },
    ).apps;
    expect(production?.request.env).toMatchObject({
      GREETING: 'from-production',
      NODE_ENV: 'production',
      PORT: '9',
    });
    expect(production?.envKeys.sort()).toEqual(['DEBUG', 'GREETING', 'NESTED', 'NODE_ENV', 'PORT']);
  });

  it('warns when the selected env_<name> is missing', () => {
    const { warnings } = translate(
      { apps: [{ name: 'a', script: 'a.js' }] },
      { envName: 'staging' },
    );
    expect(warnings).toEqual(['a: has no env_staging: only its env applies']);
  });

  it('runs a Node.js app with instances as a cluster, as pm2 does; max, 0 and -1 by CPU', () => {
    const requests = translate({
      apps: [
        { name: 'a', script: 'a.js', instances: 2 },
        { name: 'b', script: 'b.js', instances: 'max', exec_mode: 'cluster_mode' },
        { name: 'c', script: 'c.js', instances: 0 },
        { name: 'd', script: 'd.js', instances: -1 },
        { name: 'e', script: 'e.js', exec_mode: 'cluster' },
      ],
    }).apps.map((app) => app.request.instances);
    expect(requests).toEqual([2, 'max', 'max', 3, 1]);
  });

  it('starts a forked app’s instances as numbered processes, and says so', () => {
    const { apps, warnings } = translate({
      apps: [{ name: 'q', script: 'q.js', instances: 3, exec_mode: 'fork' }],
    });
    expect(apps.map((app) => [app.name, app.request.instances])).toEqual([
      ['q-0', null],
      ['q-1', null],
      ['q-2', null],
    ]);
    expect(warnings).toEqual([
      'q: exec_mode fork with 3 instances: guv starts 3 processes, q-0 to q-2',
    ]);
  });

  it('maps the restart numbers, and names what differs from pm2', () => {
    const { apps, warnings } = translate({
      apps: [
        { name: 'a', script: 'a.js', min_uptime: '5s', max_restarts: 4, restart_delay: 1000 },
        { name: 'b', script: 'b.js', exp_backoff_restart_delay: 200, min_uptime: 1000 },
      ],
    });
    expect(apps[0]?.request.policy).toEqual({ stableMs: 5000, maxFailures: 4 });
    expect(apps[0]?.request).toMatchObject({
      restartDelayMs: 1000,
      expBackoffRestartDelayMs: null,
    });
    expect(apps[1]?.request.policy).toEqual({ stableMs: 1000 });
    expect(apps[1]?.request).toMatchObject({ restartDelayMs: null, expBackoffRestartDelayMs: 200 });
    expect(warnings).toEqual([]);
  });

  it('maps watch, memory, cron and log keys onto start options', () => {
    const { apps, warnings } = translate({
      apps: [
        {
          name: 'w',
          script: 'w.js',
          watch: ['src'],
          ignore_watch: 'tmp',
          watch_delay: 1000,
          max_memory_restart: '300M',
          cron_restart: '0 3 * * *',
          out: './out.log',
          error_file: './err.log',
          time: false,
        },
      ],
    });
    expect(warnings).toEqual([]);
    expect(apps[0]?.request).toMatchObject({
      watch: ['src'],
      ignoreWatch: ['tmp'],
      watchDelayMs: 1000,
      maxMemoryBytes: 300 * 1024 ** 2,
      cronRestart: '0 3 * * *',
      outFile: './out.log',
      errorFile: './err.log',
      logTime: false,
    });
    expect(
      failure({ apps: [{ name: 'c', script: 'c.js', cron_restart: 'daily' }] }).message,
    ).toMatch(/^c: cron_restart must be a cron expression of 5 or 6 fields/);
  });

  it('names every key it does not honour, pm2 aliases included', () => {
    const { apps, warnings } = translate({
      apps: [
        {
          name: 'w',
          exec: 'w.js',
          interpreter_args: '--inspect',
          user: 'nobody',
          vizion: true,
          pmx: false,
        },
      ],
      deploy: {},
    });
    expect(apps[0]?.request).toMatchObject({ execArgv: ['--inspect'], user: 'nobody' });
    expect(warnings).toEqual([
      'deploy is not supported by guv (ignored)',
      'w: vizion is not supported by guv (ignored)',
      'w: pmx is not supported by guv (ignored)',
    ]);
  });

  it('accepts a bare list of apps and a single app object', () => {
    expect(translate([{ script: 'a.js' }]).apps[0]?.name).toBe('a');
    expect(translate({ script: 'b.js' }).apps[0]?.name).toBe('b');
  });

  it('refuses a bad file in one line naming the app and the key', () => {
    expect(failure({ services: [] }).message).toBe('the file exports no "apps" list');
    expect(failure({ apps: [] }).message).toBe('the file lists no apps');
    expect(failure({ apps: [{ name: 'x' }] }).message).toMatch(/^apps\[0\] has no "script"/);
    expect(failure({ apps: [{ script: 'a.js' }, { script: 'lib/a.js' }] }).message).toBe(
      'two apps are called "a"',
    );
    expect(failure({ apps: [{ name: 'x', script: 'a.js', instances: 'lots' }] }).message).toMatch(
      /^x: instances must be a number/,
    );
    expect(failure({ apps: [{ name: 'x', script: 'a.js', min_uptime: 'soon' }] }).message).toMatch(
      /^x: min_uptime must be a duration/,
    );
    expect(failure({ apps: [{ name: 'bad name', script: 'a.js' }] }).message).toMatch(
      /^bad name: invalid name/,
    );
    expect(
      failure({
        apps: [{ name: 'p', script: 'p.py', interpreter: 'python3', exec_mode: 'cluster' }],
      }).message,
    ).toBe('p: exec_mode cluster needs a Node.js app (no other interpreter)');
    expect(failure({ apps: [{ name: 'x', script: 'a.js', uid: '--x' }] }).message).toMatch(
      /^x: invalid user name/,
    );
  });
});

describe('what counts as an apps file', () => {
  it('by name', () => {
    for (const name of [
      'ecosystem.config.js',
      '/a/ecosystem.config.cjs',
      'app.config.mjs',
      'ecosystem.json',
      'pm2.prod.json',
      'process.json',
      'ecosystem.yml',
    ])
      expect(hasConfigName(name), name).toBe(true);
    for (const name of [
      'server.js',
      'config.js',
      'index.mjs',
      'package.json',
      'pm2-bench.js',
      'cluster-config.js',
    ])
      expect(hasConfigName(name), name).toBe(false);
  });

  it('by content: an export that begins with apps, or JSON with an apps list', () => {
    expect(
      looksLikeAppsExport("module.exports = {\n  // pm2\n  apps: [{ script: 'a.js' }] }"),
    ).toBe(true);
    expect(looksLikeAppsExport('export default { "apps": [] }')).toBe(true);
    expect(
      looksLikeAppsExport("const http = require('http'); http.createServer().listen(80);"),
    ).toBe(false);
    expect(isAppsJson({ apps: [] })).toBe(true);
    expect(isAppsJson({ name: 'pkg' })).toBe(false);
  });
});
