import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { wantsColor } from '../../src/cli/format/color.js';
import {
  fixture,
  guv,
  guvBin,
  repoRoot,
  type TestHome,
  useSharedDaemon,
} from '../helpers/daemon-harness.js';

// `guv list` colours a process's status only on a terminal, never with NO_COLOR or --no-color;
// FORCE_COLOR forces it into a pipe. Through the built CLI and a real daemon.
let home: TestHome;

useSharedDaemon((shared) => {
  home = shared.home;
});

const ESC = '\u001b[';
const GREEN_RUNNING = `${ESC}32mrunning${ESC}0m`;

/** The text without SGR colour sequences. */
function stripColour(text: string): string {
  return text.replaceAll(new RegExp(`${ESC.replace('[', '\\[')}\\d+m`, 'g'), '');
}

/** The home's environment without the colour variables, plus `extra`. */
function envWith(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...home.env, ...extra };
  for (const name of ['NO_COLOR', 'FORCE_COLOR'] as const) if (!(name in extra)) delete env[name];
  return env;
}

async function list(extra: NodeJS.ProcessEnv, args: string[] = []): Promise<string> {
  const result = await guv({ ...home, env: envWith(extra) }, ['list', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** `guv list` on a pseudo-terminal (util-linux `script`), as a user at a terminal runs it. */
function listOnTerminal(extra: NodeJS.ProcessEnv): string {
  const command = `'${process.execPath}' '${guvBin}' list`;
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    env: envWith({ TERM: 'xterm', ...extra }),
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('colour in guv list', () => {
  it('a running process is listed', async () => {
    const started = await guv(home, ['start', fixture('hello.js'), '-n', 'painted']);
    expect(started.code, started.stderr).toBe(0);
  }, 60_000);

  it('none into a pipe', async () => {
    const out = await list({});
    expect(out).toMatch(/ painted .* running /);
    expect(out).not.toContain(ESC);
  }, 60_000);

  it('FORCE_COLOR colours into a pipe; --no-color, before or after the command, wins', async () => {
    expect(await list({ FORCE_COLOR: '1' })).toContain(GREEN_RUNNING);
    expect(await list({ FORCE_COLOR: '1' }, ['--no-color'])).not.toContain(ESC);
    const before = await guv({ ...home, env: envWith({ FORCE_COLOR: '1' }) }, [
      '--no-color',
      'list',
    ]);
    expect(before.stdout).not.toContain(ESC);
  }, 60_000);

  it('the table stays aligned when coloured: each column starts under its header', async () => {
    const coloured = await list({ FORCE_COLOR: '1' });
    expect(coloured).toContain(GREEN_RUNNING);
    const [header = '', ...rows] = stripColour(coloured).trimEnd().split('\n');
    const starts = ['name', 'pid', 'status', 'uptime', 'restarts'].map((h) => header.indexOf(h));
    const row = rows.find((r) => r.includes(' painted ')) ?? '';
    for (const start of starts) {
      expect(row[start - 1], row).toBe(' ');
      expect(row[start], row).not.toBe(' ');
    }
  }, 60_000);

  // util-linux `script` gives the CLI a real terminal; without it the pipe cases above still run.
  it.runIf(hasScript)(
    'on a terminal: coloured, unless NO_COLOR is set',
    () => {
      expect(listOnTerminal({})).toContain(GREEN_RUNNING);
      const plain = listOnTerminal({ NO_COLOR: '1' });
      expect(plain).toMatch(/painted/);
      expect(plain).not.toContain(ESC);
    },
    60_000,
  );
});

describe('wantsColor', () => {
  it('follows --no-color, FORCE_COLOR, NO_COLOR, TERM=dumb, then the terminal', () => {
    const tty = { flag: true, isTTY: true };
    expect(wantsColor({ ...tty, env: {} })).toBe(true);
    expect(wantsColor({ ...tty, isTTY: false, env: {} })).toBe(false);
    expect(wantsColor({ ...tty, env: { NO_COLOR: '1' } })).toBe(false);
    expect(wantsColor({ ...tty, env: { NO_COLOR: '' } })).toBe(true);
    expect(wantsColor({ ...tty, env: { TERM: 'dumb' } })).toBe(false);
    expect(wantsColor({ ...tty, isTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(wantsColor({ ...tty, env: { FORCE_COLOR: '0' } })).toBe(false);
    expect(wantsColor({ ...tty, flag: false, env: { FORCE_COLOR: '1' } })).toBe(false);
  });
});
