import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIO, CommandSpec, ParsedArgs } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/program.js';

// The program built from a command table, run in-process: what a command receives, which modules
// are loaded, and the global options. The real table and the built CLI are tested in help.test.ts.

interface Run {
  status: number;
  stdout: string;
  stderr: string;
  calls: { parsed: ParsedArgs; io: CliIO }[];
  loaded: string[];
}

function table(): { specs: CommandSpec[]; calls: Run['calls']; loaded: string[] } {
  const calls: Run['calls'] = [];
  const loaded: string[] = [];
  const spec = (name: string, extra: Partial<CommandSpec> = {}): CommandSpec => ({
    name,
    summary: `the ${name} command`,
    examples: [`guv ${name}`],
    load: async () => {
      loaded.push(name);
      return {
        default: async (parsed, io) => {
          calls.push({ parsed, io });
          return 0;
        },
      };
    },
    ...extra,
  });
  return {
    calls,
    loaded,
    specs: [
      spec('show', {
        aliases: ['sh'],
        arguments: '[p]',
        options: [{ flags: '--json', description: 'json' }],
      }),
      spec('go', {
        arguments: '<targets...>',
        passesRest: true,
        options: [
          { flags: '-e, --execArgv <flags>', description: 'node flags' },
          { flags: '-a, --argv <args>', description: 'arguments' },
          { flags: '--env <K=V>', description: 'a variable', repeatable: true },
          { flags: '--kill-timeout <time>', description: 'grace' },
        ],
      }),
    ],
  };
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, isTTY = false): Promise<Run> {
  const { specs, calls, loaded } = table();
  const stdout = Object.assign(new PassThrough(), { isTTY });
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const status = await runCli(argv, specs, { stdout, stderr, env });
  return { status, stdout: out, stderr: err, calls, loaded };
}

describe('runCli', () => {
  it('loads and runs only the command given, with its parsed arguments and options', async () => {
    const result = await run(['sh', 'web', '--json']);
    expect(result.status).toBe(0);
    expect(result.loaded).toEqual(['show']);
    expect(result.calls[0]?.parsed).toMatchObject({
      args: ['web'],
      options: { json: true },
      rest: [],
    });
  });

  it('--help and -h load nothing and run nothing', async () => {
    for (const argv of [['show', '--help'], ['go', 'x', '-h'], ['help', 'go'], ['--help']]) {
      const result = await run(argv);
      expect(result.status, argv.join(' ')).toBe(0);
      expect(result.loaded).toEqual([]);
      expect(result.stdout).toMatch(/^usage: guv/);
    }
  });

  it('option values may begin with a dash; words after -- are the rest, not arguments', async () => {
    const result = await run([
      'go',
      'app.js',
      '-e',
      '--max-old-space-size=256',
      '-a',
      '--port 80',
      '--env',
      'A=1',
      '--env',
      'B=2',
      '--kill-timeout',
      '2s',
      '--',
      '--inspect',
      'x',
    ]);
    expect(result.stderr).toBe('');
    expect(result.calls[0]?.parsed).toMatchObject({
      args: ['app.js'],
      options: {
        execArgv: '--max-old-space-size=256',
        argv: '--port 80',
        env: ['A=1', 'B=2'],
        killTimeout: '2s',
      },
      rest: ['--inspect', 'x'],
    });
  });

  it('--host before or after the command sets GUV_HOST for the command', async () => {
    for (const argv of [
      ['--host', 'h1', 'show'],
      ['show', '--host', 'h1'],
      ['show', '--host=h1'],
    ]) {
      const env: NodeJS.ProcessEnv = {};
      const result = await run(argv, env);
      expect(result.status, argv.join(' ')).toBe(0);
      expect(result.calls[0]?.io.env.GUV_HOST).toBe('h1');
      expect(env.GUV_HOST).toBe('h1');
      expect(result.calls[0]?.parsed.options).toEqual({});
    }
  });

  it('colour: on a TTY; never with NO_COLOR or --no-color (before or after); FORCE_COLOR forces', async () => {
    const color = async (argv: string[], env: NodeJS.ProcessEnv, tty: boolean) =>
      (await run(argv, env, tty)).calls[0]?.io.color;
    expect(await color(['show'], {}, true)).toBe(true);
    expect(await color(['show'], {}, false)).toBe(false);
    expect(await color(['show'], { NO_COLOR: '1' }, true)).toBe(false);
    expect(await color(['show'], { NO_COLOR: '' }, true)).toBe(true);
    expect(await color(['show'], { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(await color(['show'], { FORCE_COLOR: '0' }, true)).toBe(false);
    expect(await color(['--no-color', 'show'], { FORCE_COLOR: '1' }, true)).toBe(false);
    expect(await color(['show', '--no-color'], {}, true)).toBe(false);
  });

  it('a typo is one line with a suggestion, status 2, and nothing loaded', async () => {
    const command = await run(['shw']);
    expect(command).toMatchObject({ status: 2, stdout: '', loaded: [] });
    expect(command.stderr).toMatch(/^guv: unknown command 'shw' \(did you mean .*show\?\)\n$/);
    const option = await run(['show', '--jsn']);
    expect(option).toMatchObject({ status: 2, loaded: [] });
    expect(option.stderr).toBe("guv: unknown option '--jsn' (did you mean --json?)\n");
  });

  it('guv help <command> is its help; help for an unknown name is a typo, with a suggestion', async () => {
    const known = await run(['help', 'go']);
    expect(known).toMatchObject({ status: 0, loaded: [] });
    expect(known.stdout).toMatch(/^usage: guv go /);
    const typo = await run(['--no-color', 'help', 'shw']);
    expect(typo).toMatchObject({ status: 2, stdout: '', loaded: [] });
    expect(typo.stderr).toMatch(/^guv: unknown command 'shw' \(did you mean .*show\?\)\n$/);
  });

  it('an unprintable word in an error is escaped, still one line', async () => {
    const result = await run(['bad\nguv: forged']);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toContain('\\u000a');
  });
});
