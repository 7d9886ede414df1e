import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliResult,
  cleanupHome,
  eventually,
  fixture,
  guv,
  makeHome,
  repoRoot,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

// Issue 14, "Any command, any interpreter": commands on PATH, interpreters by extension or by
// name, TypeScript through the project's tsx with guv's wrapper kept, option values with dashes.
let home: TestHome;
let projects: string;

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const python = hasCommand('python3');

beforeAll(async () => {
  home = makeHome();
  projects = mkdtempSync('/tmp/guvc-');
  await startDaemon(home);
}, 60_000);

afterAll(async () => {
  await cleanupHome(home);
  rmSync(projects, { recursive: true, force: true });
}, 60_000);

function project(name: string, files: Record<string, string>): string {
  const dir = join(projects, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** A project with the repo's tsx installed as a devDependency would be. */
function withTsx(dir: string): string {
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules/tsx'), join(dir, 'node_modules/tsx'));
  symlinkSync('../tsx/dist/cli.mjs', join(dir, 'node_modules/.bin/tsx'));
  return dir;
}

function logOf(name: string, file?: string): string {
  try {
    return readFileSync(file ? join(home.dir, 'logs', name, file) : home.logFile(name), 'utf8');
  } catch {
    return '';
  }
}

/** A line's text without the timestamp guv's log files put first. */
function text(line: string): string {
  return line.replace(/^\S+Z /, '');
}

async function logLine(name: string, pattern: RegExp, file?: string): Promise<string> {
  const line = await eventually(
    () =>
      logOf(name, file)
        .split('\n')
        .find((line) => pattern.test(line)),
    `a line matching ${pattern} in ${name}'s log`,
    30_000,
  );
  return text(line);
}

function started(result: CliResult): void {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

function oneLineError(result: CliResult, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('guv start <command>: a command that is not a file here is looked up on PATH', () => {
  // python3 where the machine has it; bash (always present) stands in where it does not: one of
  // the two runs, the other is reported skipped.
  it.runIf(python)(
    'guv start python3 -- -c "…" runs python3 from PATH with the arguments',
    async () => {
      const cwd = project('py', {});
      const code =
        "import sys, time; print('python args', sys.argv[1:], flush=True); time.sleep(60)";
      const result = await guv(home, ['start', 'python3', '-n', 'py', '--', '-c', code, 'x'], {
        cwd,
      });
      started(result);
      expect(await logLine('py', /python args/)).toContain("['x']");
    },
    60_000,
  );

  // Skipped where python3 exists (the test above covers PATH lookup there): bash stands in only
  // on machines without python3.
  it.runIf(!python)(
    'guv start bash -- -c "…" runs bash from PATH with the arguments',
    async () => {
      const cwd = project('sh', {});
      const result = await guv(
        home,
        ['start', 'bash', '-n', 'py', '--', '-c', 'echo "bash args $0"; exec sleep 60', 'x'],
        { cwd },
      );
      started(result);
      expect(await logLine('py', /bash args/)).toContain('bash args x');
    },
    60_000,
  );

  it('guv start npm -- run start runs the package script', async () => {
    const cwd = project('npm-app', {
      'package.json': JSON.stringify({
        name: 'npm-app',
        private: true,
        scripts: { start: 'node server.js' },
      }),
      'server.js':
        "console.log('npm start ran', process.argv.length); setInterval(() => {}, 1000);",
    });
    const result = await guv(home, ['start', 'npm', '-n', 'npmapp', '--', 'run', 'start'], { cwd });
    started(result);
    await logLine('npmapp', /npm start ran/);
  }, 60_000);

  it('guv start "npm run start" splits the command from its arguments', async () => {
    const cwd = project('npm-words', {
      'package.json': JSON.stringify({
        name: 'npm-words',
        private: true,
        scripts: { start: 'node s.js' },
      }),
      's.js': "console.log('npm words ran'); setInterval(() => {}, 1000);",
    });
    const result = await guv(home, ['start', 'npm run start', '-n', 'npmwords'], { cwd });
    started(result);
    await logLine('npmwords', /npm words ran/);
  }, 60_000);

  it('a command found nowhere is refused in one line naming it', async () => {
    const cwd = project('none', {});
    const result = await guv(home, ['start', 'no-such-command-guv', '--', 'x'], { cwd });
    oneLineError(result, /no-such-command-guv/);
    expect(result.stderr).toMatch(/PATH/);
  }, 60_000);

  it('a relative PATH entry is never searched: a command there is not found', async () => {
    const cwd = project('relpath', { 'bin/sneaky': '#!/bin/sh\necho sneaky ran\nsleep 60\n' });
    chmodSync(join(cwd, 'bin/sneaky'), 0o755);
    // Relative to the caller's folder, and to the daemon's (its state folder).
    const fromDaemon = relative(home.stateDir, join(cwd, 'bin'));
    const env = { ...home.env, PATH: `bin:${fromDaemon}:${home.env.PATH ?? '/usr/bin:/bin'}` };
    const result = await guv({ ...home, env }, ['start', 'sneaky'], { cwd });
    oneLineError(result, /sneaky/);
    expect(logOf('sneaky')).not.toContain('sneaky ran');
  }, 60_000);
});

describe('interpreters by extension and by --interpreter', () => {
  it('a .sh script (not executable) runs under bash', async () => {
    const cwd = project('shell', {
      'run.sh': 'echo "bash version [$BASH_VERSION] args $*"\nexec sleep 60\n',
    });
    chmodSync(join(cwd, 'run.sh'), 0o644);
    const result = await guv(home, ['start', 'run.sh', '-n', 'shell', '--', 'one'], { cwd });
    started(result);
    const line = await logLine('shell', /bash version/);
    expect(line).not.toContain('version []');
    expect(line).toContain('args one');
  }, 60_000);

  it('--interpreter bash runs a script without extension under bash', async () => {
    const cwd = project('interp', { job: 'echo "interp [$BASH_VERSION]"\nexec sleep 60\n' });
    const result = await guv(home, ['start', 'job', '-n', 'interp', '--interpreter', 'bash'], {
      cwd,
    });
    started(result);
    expect(await logLine('interp', /interp /)).not.toContain('[]');
  }, 60_000);

  it('a .ts app with tsx as a devDependency runs under node with the wrapper', async () => {
    const cwd = withTsx(
      project('ts-app', {
        'package.json': JSON.stringify({ name: 'ts-app', devDependencies: { tsx: '*' } }),
        'src/app.ts':
          "const n: number = 42;\nconsole.log('ts says', n, typeof process.send, process.execArgv.join(' '));\nsetInterval(() => {}, 1000);\n",
      }),
    );
    const result = await guv(home, ['start', 'src/app.ts', '-n', 'tsapp'], { cwd });
    started(result);
    const line = await logLine('tsapp', /ts says/);
    // IPC (process.send) is there: guv's wrapper runs, after tsx's loader.
    expect(line).toContain('ts says 42 function');
    expect(line).toMatch(/--import \S*tsx\S*loader\.mjs/);
    expect(line).toContain('preload.cjs');
  }, 60_000);

  it('a .ts cluster gets the loader in every worker', async () => {
    const cwd = withTsx(
      project('ts-cluster', {
        'package.json': JSON.stringify({ name: 'ts-cluster', devDependencies: { tsx: '*' } }),
        'app.ts':
          "const id: string = process.env.NODE_APP_INSTANCE ?? '?';\nconsole.log('worker', id, 'ts');\nsetInterval(() => {}, 1000);\n",
      }),
    );
    const result = await guv(home, ['start', 'app.ts', '-n', 'tscluster', '-i', '2'], { cwd });
    started(result);
    await logLine('tscluster', /worker 0 ts/, 'worker-0.out.log');
    await logLine('tscluster', /worker 1 ts/, 'worker-1.out.log');
  }, 90_000);

  it('-d on a bash script is refused in one line instead of handing bash a node flag', async () => {
    const cwd = project('debug-sh', { 'job.sh': 'echo never\n' });
    const result = await guv(home, ['start', 'job.sh', '-d'], { cwd });
    oneLineError(result, /-d \(debug\) runs a Node script/);
  }, 60_000);

  it('--interpreter node on a .ts without a loader is refused in one line saying how to fix it', async () => {
    const cwd = project('ts-bare', { 'app.ts': "console.log('never');\n" });
    const result = await guv(home, ['start', 'app.ts', '--interpreter', 'node'], { cwd });
    oneLineError(result, /tsx/);
    expect(result.stderr).toMatch(/npm install/);
  }, 60_000);
});

describe('option values that begin with a dash', () => {
  it('-e "--max-old-space-size=256" reaches the child\'s execArgv', async () => {
    const result = await guv(home, [
      'start',
      fixture('print-argv.js'),
      '-n',
      'heapflag',
      '-e',
      '--max-old-space-size=256',
      '--restart',
      'never',
    ]);
    expect(result.stderr).toBe('');
    const line = await logLine('heapflag', /execArgv/);
    expect(JSON.parse(line).execArgv).toContain('--max-old-space-size=256');
  }, 60_000);

  it('-e "--env-file=.env" loads the project\'s .env in the child', async () => {
    const cwd = project('envfile', {
      '.env': 'GREETING=hello-from-env-file\n',
      'app.js': "console.log('greeting', process.env.GREETING);\n",
    });
    const result = await guv(
      home,
      ['start', 'app.js', '-n', 'envfile', '-e', '--env-file=.env', '--restart', 'never'],
      { cwd },
    );
    expect(result.stderr).toBe('');
    expect(await logLine('envfile', /greeting/)).toBe('greeting hello-from-env-file');
  }, 60_000);

  it('-a "--port 80" reaches argv', async () => {
    const result = await guv(home, [
      'start',
      fixture('print-argv.js'),
      '-n',
      'portflag',
      '-a',
      '--port 80',
      '--restart',
      'never',
    ]);
    expect(result.stderr).toBe('');
    const line = await logLine('portflag', /execArgv/);
    expect(JSON.parse(line).argv).toEqual(['--port', '80']);
  }, 60_000);
});
