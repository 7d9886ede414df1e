import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/command-table.js';
import {
  cleanupHome,
  fixture,
  guv,
  guvBin,
  makeHome,
  processesMentioning,
  startDaemon,
  type TestHome,
} from '../helpers/daemon-harness.js';

// `guv completion bash|zsh`, tried for real: the bash script is sourced in bash and its function
// called as bash would (COMP_WORDS, COMP_CWORD), with `guv` on PATH being the built CLI.
let withDaemon: TestHome;
let noDaemon: TestHome;
let bin: string;
let bashScript: string;

beforeAll(async () => {
  withDaemon = makeHome();
  noDaemon = makeHome();
  bin = mkdtempSync('/tmp/guvcomp-');
  writeFileSync(join(bin, 'guv'), `#!/bin/sh\nexec '${process.execPath}' '${guvBin}' "$@"\n`);
  chmodSync(join(bin, 'guv'), 0o755);
  await startDaemon(withDaemon);
  for (const name of ['web-api', 'worker']) {
    const started = await guv(withDaemon, ['start', fixture('hello.js'), '-n', name]);
    expect(started.code, started.stderr).toBe(0);
  }
  const printed = await guv(noDaemon, ['completion', 'bash']);
  expect(printed.code, printed.stderr).toBe(0);
  bashScript = join(bin, 'guv.bash');
  writeFileSync(bashScript, printed.stdout);
}, 90_000);

afterAll(async () => {
  await cleanupHome(withDaemon);
  await cleanupHome(noDaemon);
  rmSync(bin, { recursive: true, force: true });
}, 60_000);

/** What bash's completion offers for `words`, the last being the one under the cursor. */
function complete(home: TestHome, words: string[]): string[] {
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `source '${bashScript}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _guv; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['-c', script], {
    env: { ...home.env, PATH: `${bin}:${process.env.PATH}` },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split('\n').filter((line) => line !== '');
}

describe('guv completion bash', () => {
  it('completes command names and aliases', () => {
    expect(complete(noDaemon, ['guv', 'li'])).toEqual(['list']);
    expect(complete(noDaemon, ['guv', 'res']).sort()).toEqual(['reset', 'restart', 'restore']);
    const all = complete(noDaemon, ['guv', '']);
    for (const spec of COMMANDS.filter((s) => !s.hidden)) expect(all).toContain(spec.name);
    expect(all).toContain('ls');
    expect(all).not.toContain('__processes');
  });

  it("completes each command's options, the global ones too, also after --host", () => {
    expect(complete(noDaemon, ['guv', 'list', '--j'])).toEqual(['--json']);
    expect(complete(noDaemon, ['guv', 'start', 'app.js', '--max-r'])).toEqual(['--max-restarts']);
    expect(complete(noDaemon, ['guv', '--host', 'h', 'logs', '--fo'])).toEqual(['--follow']);
    expect(complete(noDaemon, ['guv', 'why', '--'])).toEqual(
      expect.arrayContaining(['--worker', '--host', '--no-color', '--help']),
    );
    expect(complete(noDaemon, ['guv', '--no'])).toEqual(['--no-color']);
  });

  it('completes process names from the running daemon', () => {
    expect(complete(withDaemon, ['guv', 'stop', 'w']).sort()).toEqual(['web-api', 'worker']);
    expect(complete(withDaemon, ['guv', 'logs', 'web'])).toEqual(['web-api']);
    expect(complete(withDaemon, ['guv', 'restart', 'web-api', 'wo'])).toEqual(['worker']);
    // Not where the word is an option's value or the command takes no process.
    expect(complete(withDaemon, ['guv', 'logs', '--level', 'w'])).toEqual([]);
    expect(complete(withDaemon, ['guv', 'lsrefs', 'w'])).toEqual([]);
  }, 60_000);

  it('offers no process names, and starts no daemon, when none runs', () => {
    expect(complete(noDaemon, ['guv', 'stop', ''])).toEqual([]);
    expect(readdirSync(noDaemon.dir)).toEqual([]);
    expect(processesMentioning(noDaemon.dir)).toEqual([]);
  }, 60_000);
});

// zsh is absent from some machines (apt-get install zsh): its test is then reported skipped.
const hasZsh = (() => {
  try {
    execFileSync('zsh', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('guv completion zsh', () => {
  it('prints a script defining _guv for guv, naming every command', async () => {
    const printed = await guv(noDaemon, ['completion', 'zsh']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^#compdef guv\n/);
    expect(printed.stdout).toContain('compdef _guv guv');
    for (const spec of COMMANDS.filter((s) => !s.hidden))
      expect(printed.stdout).toContain(`'${spec.name}:`);
  });

  // zsh is not installed on every machine: where it is, the script must parse, and its function
  // offers the right words. Outside a completion widget, compadd and _describe are stood in for
  // by functions that print what they were given (zsh calls functions before builtins).
  it.runIf(hasZsh)(
    'parses under zsh -n, and completes commands, options and processes',
    async () => {
      const printed = await guv(noDaemon, ['completion', 'zsh']);
      const file = join(bin, '_guv');
      writeFileSync(file, printed.stdout);
      const parsed = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
      expect(parsed.status, parsed.stderr).toBe(0);
      const zshComplete = (home: TestHome, words: string[]) => {
        const quoted = words.map((w) => `'${w}'`).join(' ');
        const script = [
          'compdef() { :; }',
          `source '${file}'`,
          'compadd() { while [[ $1 == -* && $1 != -- ]]; do shift; done; [[ $1 == -- ]] && shift; print -rl -- "$@"; }',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh's parameter expansion
          '_describe() { local name=$4; local -a items; items=("${(@P)name}"); print -rl -- "${items[@]%%:*}"; }',
          '_files() { print -r -- FILES; }',
          `words=(${quoted}); CURRENT=${words.length}`,
          '_guv',
        ].join('\n');
        const result = spawnSync('zsh', ['-f', '-c', script], {
          env: { ...home.env, PATH: `${bin}:${process.env.PATH}` },
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(result.status, result.stderr).toBe(0);
        return result.stdout.split('\n').filter((line) => line !== '');
      };
      expect(zshComplete(noDaemon, ['guv', ''])).toEqual(
        expect.arrayContaining(['list', 'ls', 'start']),
      );
      expect(zshComplete(noDaemon, ['guv', 'list', '--'])).toEqual(
        expect.arrayContaining(['--json', '--host', '--no-color', '--help']),
      );
      expect(zshComplete(withDaemon, ['guv', 'stop', ''])).toEqual(
        expect.arrayContaining(['web-api', 'worker']),
      );
      expect(zshComplete(noDaemon, ['guv', 'stop', ''])).toEqual(['FILES']);
      expect(readdirSync(noDaemon.dir)).toEqual([]);
    },
    60_000,
  );
});
