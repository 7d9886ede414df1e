import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { GuvError } from '../errors.js';
import type { CliIO, CommandSpec, OptionSpec } from './command.js';
import { printable } from './errors.js';
import { wantsColor } from './format/color.js';

// Builds the commander program from the command table and runs one command line. Commander
// parses, prints help and suggests; the command's module is imported only once it runs.

/** Options every command takes, before or after its name. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: '--host <name>', description: 'the daemon to talk to (sets GUV_HOST)' },
  { flags: '--no-color', description: 'never colour the output (as NO_COLOR=1 does)' },
];

/** A host name as given: one word, nothing unprintable (the connection checks the rest). */
const isHostWord = (host: string) => /^\S{1,255}$/.test(host) && printable(host) === host;

/** guv's version, from the package.json next to the build (read only when asked). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

function addOption(command: Command, spec: OptionSpec): void {
  const option = new Option(spec.flags, spec.description);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.repeatable)
    option.argParser((value: string, previous: string[] | undefined) => [
      ...(previous ?? []),
      value,
    ]);
  command.addOption(option);
}

/** `examples:` and its lines, for a command's help. */
export function examplesText(spec: CommandSpec): string {
  return `\nexamples:\n${spec.examples.map((line) => `  ${line}`).join('\n')}\n`;
}

/** Where the command's name is in `argv`: after the global options, or -1. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--host') i++;
    else if (!word.startsWith('--host=') && word !== '--no-color') return i;
  }
  return -1;
}

/**
 * `guv help <command>` as `guv <command> --help`: an unknown name is then an unknown command,
 * with suggestions, rather than the list of commands.
 */
function helpAsOption(argv: readonly string[]): readonly string[] {
  const at = commandIndex(argv);
  if (argv[at] !== 'help' || argv[at + 1] === undefined) return argv;
  return [...argv.slice(0, at), argv[at + 1]!, '--help'];
}

/**
 * The command `argv` names: then the program is built with that command alone (the cold path:
 * `guv list` builds one command, not forty). Anything else (help, a typo, an option before the
 * command) gets the whole table, for the list of commands and the suggestions.
 */
function namedCommand(
  argv: readonly string[],
  table: readonly CommandSpec[],
): CommandSpec | undefined {
  const word = argv[commandIndex(argv)];
  return table.find((spec) => spec.name === word || spec.aliases?.includes(word ?? ''));
}

/** The words after the first `--`: the command's own arguments (`guv start app.js -- --port 80`). */
function wordsAfterDashes(argv: readonly string[]): string[] {
  const dashes = argv.indexOf('--');
  return dashes === -1 ? [] : argv.slice(dashes + 1);
}

/**
 * Parses `argv` (the words after `guv`) with a program built from `table` and runs the command;
 * resolves to the exit status. Bad input is one `guv: …` line on stderr and status 2; `--help`
 * prints and never runs the command. A command's own failure is thrown, for main to report.
 */
export async function runCli(
  given: readonly string[],
  table: readonly CommandSpec[],
  io: CliIO,
): Promise<number> {
  const argv = helpAsOption(given);
  let status = 0;
  const program = new Command('guv')
    .description('guv runs your Node.js apps under a supervising daemon.')
    .usage('[--host <name>] [--no-color] <command> [options]')
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
    })
    .configureHelp({
      styleTitle: (title) => title.toLowerCase(),
      sortSubcommands: true,
      // `list|ls`: the list of commands stays narrow; each command's help has its arguments.
      subcommandTerm: (command) => [command.name(), ...command.aliases()].join('|'),
    })
    .helpOption('-h, --help', 'show help (never runs the command)')
    .helpCommand('help [command]', "show a command's help");
  for (const spec of GLOBAL_OPTIONS) addOption(program, spec);
  program.option('-v, --version', "print guv's version");
  program.on('option:version', () => {
    io.stdout.write(`${version()}\n`);
    throw new CommanderError(0, 'commander.version', 'version');
  });
  program.addHelpText(
    'after',
    "\nexamples:\n  guv start app.js -n web\n  guv list\n  guv help start\n\nrun 'guv <command> --help' for a command's options and examples; exit statuses: docs/cli.md\n",
  );

  const named = namedCommand(argv, table);
  for (const spec of named ? [named] : table) {
    const command = program.command(spec.name, spec.hidden ? { hidden: true } : {});
    command.description(spec.details ? `${spec.summary}\n\n${spec.details}` : spec.summary);
    command.summary(spec.summary);
    if (spec.aliases) command.aliases([...spec.aliases]);
    if (spec.arguments) command.arguments(spec.arguments);
    for (const option of spec.options ?? []) addOption(command, option);
    for (const option of GLOBAL_OPTIONS) addOption(command, option);
    command.addHelpText('after', examplesText(spec));
    command.action(async (...received: unknown[]) => {
      const parsed = received.at(-1) as Command;
      const { host, color, ...options } = parsed.opts();
      const globals = program.opts();
      const chosenHost = (host ?? globals.host) as string | undefined;
      if (chosenHost !== undefined) {
        if (!isHostWord(chosenHost))
          throw new GuvError('GUV_BAD_ARGUMENT', '--host needs a host name without spaces');
        io.env.GUV_HOST = chosenHost;
      }
      const flag = color !== false && globals.color !== false;
      const isTTY = (io.stdout as { isTTY?: boolean }).isTTY === true;
      const rest = spec.passesRest ? wordsAfterDashes(argv) : [];
      const args = parsed.processedArgs.flatMap((value: unknown) =>
        value === undefined ? [] : Array.isArray(value) ? (value as string[]) : [String(value)],
      );
      const run = (await spec.load()).default;
      status = await run(
        { args: args.slice(0, args.length - rest.length), options, rest, table },
        { ...io, color: wantsColor({ flag, env: io.env, isTTY }) },
      );
    });
  }

  try {
    // An unknown command with --help is still an unknown command: the suggestion, not the list.
    const word = argv[commandIndex(argv)];
    const unknown = !named && word !== undefined && word !== 'help' && !word.startsWith('-');
    const words = unknown ? argv.filter((w) => w !== '--help' && w !== '-h') : argv;
    await program.parseAsync([...words], { from: 'user' });
    return status;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and the version were printed: a success, or bad input when no command was named.
    if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed')
      return error.exitCode === 0 ? 0 : 2;
    if (error.code === 'commander.version') return 0;
    io.stderr.write(`${commanderLine(error)}\n`);
    return 2;
  }
}

/** commander's `error: unknown command 'lst'\n(Did you mean list?)` as one `guv: ` line. */
export function commanderLine(error: CommanderError): string {
  const message = error.message.replace(/^error: /, '');
  const suggestion = /\n\(Did you mean (.*)\?\)$/.exec(message);
  const what = suggestion ? message.slice(0, suggestion.index) : message;
  const hint = suggestion
    ? ` (did you mean ${suggestion[1]}?)`
    : error.code === 'commander.unknownCommand'
      ? " (run 'guv --help' for the list)"
      : '';
  return `guv: ${printable(what)}${printable(hint)}`;
}
