import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/command-table.js';
import {
  type CliResult,
  cleanupHome,
  guv,
  makeHome,
  processesMentioning,
  repoRoot,
  type TestHome,
} from '../helpers/daemon-harness.js';

// Issue 14, "The CLI": --help on every command, with an example, that never runs the command;
// "did you mean" for typos; bad input is one line and exit 2. All in a home where no daemon runs:
// a command that ran would start one (or write its files), which the checks would see.
let home: TestHome;

beforeAll(() => {
  home = makeHome();
});

afterAll(async () => {
  await cleanupHome(home);
}, 60_000);

/** Nothing in the home, no process of it: no command ran and no daemon started. */
function untouched(): void {
  expect(readdirSync(home.dir)).toEqual([]);
  expect(processesMentioning(home.dir)).toEqual([]);
}

function badInput(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^guv: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stdout).toBe('');
}

const visible = COMMANDS.filter((spec) => !spec.hidden);

describe('guv <command> --help, for every command, never runs it', () => {
  it('the table has every command with at least one example', () => {
    expect(visible.length).toBeGreaterThan(30);
    for (const spec of visible) expect(spec.examples.length, spec.name).toBeGreaterThan(0);
  });

  it.each(visible.map((spec) => [spec.name, spec] as const))(
    'guv %s --help prints its usage, options and examples, exit 0, and does nothing',
    async (name, spec) => {
      const result = await guv(home, [name, '--help']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^usage: guv ${name}`));
      expect(result.stdout).toContain('--help');
      for (const option of spec.options ?? []) expect(result.stdout).toContain(option.flags);
      expect(result.stdout).toContain('examples:');
      for (const example of spec.examples) expect(result.stdout).toContain(example);
      untouched();
    },
    30_000,
  );

  it('-h, an alias, `guv help <command>` and help after the arguments are help too', async () => {
    for (const args of [
      ['kill', '-h'],
      ['ls', '--help'],
      ['help', 'dump'],
      ['stop', 'web', '--help'],
      ['start', 'app.js', '-n', 'x', '-h'],
    ]) {
      const result = await guv(home, args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/^usage: guv /);
      expect(result.stdout).toContain('examples:');
    }
    untouched();
  }, 60_000);

  it('guv --help lists every command with its summary and the global options', async () => {
    const result = await guv(home, ['--help']);
    expect(result.code).toBe(0);
    for (const spec of visible)
      expect(result.stdout).toMatch(new RegExp(`^  ${spec.name}\\b`, 'm'));
    expect(result.stdout).not.toContain('__processes');
    expect(result.stdout).toContain('--host <name>');
    expect(result.stdout).toContain('--no-color');
    untouched();
  });

  it('guv --version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-v']) {
      const result = await guv(home, [flag]);
      expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
    untouched();
  });

  it('guv alone prints the help on stderr and exits 2', async () => {
    const result = await guv(home, []);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^usage: guv /);
    untouched();
  });
});

describe('bad input: one line on stderr, exit 2, with what you may have meant', () => {
  it('a mistyped command suggests the command', async () => {
    badInput(await guv(home, ['lst']), /unknown command 'lst' \(did you mean .*list/);
    badInput(await guv(home, ['help', 'lst']), /unknown command 'lst' \(did you mean .*list/);
    badInput(await guv(home, ['lst', '--help']), /unknown command 'lst' \(did you mean .*list/);
    badInput(
      await guv(home, ['restrat', 'web']),
      /unknown command 'restrat' \(did you mean restart\?\)/,
    );
    untouched();
  });

  it('a mistyped option suggests the option of that command', async () => {
    badInput(
      await guv(home, ['list', '--jsn']),
      /unknown option '--jsn' \(did you mean --json\?\)/,
    );
    badInput(
      await guv(home, ['start', 'app.js', '--max-restart', '3']),
      /unknown option '--max-restart' \(did you mean --max-restarts\?\)/,
    );
    untouched();
  });

  it('a missing or an extra argument', async () => {
    badInput(await guv(home, ['why']), /missing required argument 'p'/);
    badInput(await guv(home, ['signal', 'web']), /missing required argument 'signal'/);
    badInput(await guv(home, ['list', 'extra']), /too many arguments/);
    badInput(await guv(home, ['completion', 'fish']), /no completion for "fish"/);
    untouched();
  });

  it('a bad --host is refused before anything runs', async () => {
    badInput(await guv(home, ['--host', 'a b', 'status']), /--host/);
    untouched();
  });
});

describe('--host, before or after the command', () => {
  it('is accepted in both places, and names a host of <config>/hosts.json (none here: one line)', async () => {
    for (const args of [
      ['--host', 'example.org', 'status'],
      ['status', '--host', 'example.org'],
      ['status', '--host=example.org', '--json'],
    ]) {
      const result = await guv(home, args);
      expect(result.stderr, args.join(' ')).toMatch(/^guv: no host "example\.org": .*hosts\.json/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.code, args.join(' ')).not.toBe(0);
    }
    untouched();
  });
});
