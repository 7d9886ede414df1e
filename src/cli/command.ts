export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Whether stdout may be coloured (a TTY, no NO_COLOR, no --no-color; FORCE_COLOR forces). */
  color?: boolean;
}

/** A command line as commander parsed it: what a command receives. */
export interface ParsedArgs<O extends object = Record<string, unknown>> {
  /** The arguments in the order the table declares them; a variadic last one is spread. */
  args: string[];
  /** The options by commander's camel-cased names (`--kill-timeout` → `killTimeout`). */
  options: O;
  /** What followed `--`, for a command that passes it on (`guv start app.js -- --port 80`). */
  rest: string[];
  /** The whole command table: for the commands that describe the CLI itself (completion). */
  table: readonly CommandSpec[];
}

/** A CLI command: does its job with the parsed command line, resolves to the exit status. */
export type CliCommand<O extends object = Record<string, unknown>> = (
  parsed: ParsedArgs<O>,
  io: CliIO,
) => Promise<number>;
/** One option of a command, as commander spells it: `-n, --name <name>`, `--json`. */
export interface OptionSpec {
  flags: string;
  description: string;
  /** Shown in help; the command applies it (commander is given no default). */
  default?: string;
  /** May be given several times; the command receives every value, in order. */
  repeatable?: boolean;
}

/**
 * A command module's shape. A method, not a function property, so that a command declaring its
 * own option type (`CliCommand<{ json?: boolean }>`) fits.
 */
export interface CommandModule {
  default(parsed: ParsedArgs, io: CliIO): Promise<number>;
}

/** One row of the command table (src/cli/command-table.ts). */
export interface CommandSpec {
  name: string;
  aliases?: readonly string[];
  /** commander's argument syntax: `<p>`, `[file]`, `<targets...>`. */
  arguments?: string;
  /** The first line of its help and its line in `guv --help`. */
  summary: string;
  /** More lines for its help (and docs/cli.md). */
  details?: string;
  options?: readonly OptionSpec[];
  /** Command lines, each optionally followed by `  # what it does`; at least one. */
  examples: readonly string[];
  /** Its arguments name processes: completion offers the running daemon's process names. */
  completesProcesses?: boolean;
  /** Words after `--` reach the command as `rest` instead of as arguments. */
  passesRest?: boolean;
  /** Not listed in help, docs or completion (helpers the completion scripts call). */
  hidden?: boolean;
  /** Imports the command's module: only when it runs, so `guv list` loads only list's code. */
  load: () => Promise<CommandModule>;
}
