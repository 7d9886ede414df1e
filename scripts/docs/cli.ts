// Writes docs/cli.md from the command table (src/cli/command-table.ts) and the error registry.
//   node --import tsx scripts/docs/cli.ts           write it
//   node --import tsx scripts/docs/cli.ts --check   exit 1 when it is out of date
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CommandSpec, OptionSpec } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/command-table.js';
import { GLOBAL_OPTIONS } from '../../src/cli/program.js';
import { ERROR_CODES, type ErrorCodeSpec } from '../../src/error-codes.js';

/** docs/cli.md in the checkout this script belongs to. */
export const CLI_DOC = join(dirname(fileURLToPath(import.meta.url)), '../../docs/cli.md');

/** `guv list|ls [options]`, `guv start [options] <targets...>`. */
export function usageLine(spec: CommandSpec): string {
  const names = [spec.name, ...(spec.aliases ?? [])].join('|');
  return ['guv', names, '[options]', spec.arguments].filter(Boolean).join(' ');
}

function optionRows(options: readonly OptionSpec[]): string[] {
  return [
    '| Option | What it does |',
    '| --- | --- |',
    ...options.map((option) => {
      const notes = [
        option.default === undefined ? '' : ` (default: ${option.default})`,
        option.repeatable ? ' (repeatable)' : '',
      ].join('');
      return `| \`${option.flags}\` | ${cell(option.description)}${notes} |`;
    }),
  ];
}

function commandSection(spec: CommandSpec): string {
  const lines = [`### guv ${spec.name}`, '', `${cell(spec.summary)}.`, ''];
  if (spec.details) lines.push(spec.details, '');
  lines.push('```', usageLine(spec), '```', '');
  if (spec.aliases?.length) lines.push(`Alias: ${spec.aliases.map((a) => `\`${a}\``).join(', ')}.`, '');
  if (spec.options?.length) lines.push(...optionRows(spec.options), '');
  lines.push('Examples:', '', '```sh', ...spec.examples, '```');
  return lines.join('\n');
}

/** The text of docs/cli.md: global options, exit statuses, then every command. */
export function renderCliDoc(): string {
  const visible = COMMANDS.filter((spec) => !spec.hidden);
  const codes = Object.entries(ERROR_CODES) as [string, ErrorCodeSpec][];
  return `${[
    '# The guv command line',
    '',
    '<!-- Generated from src/cli/command-table.ts and src/error-codes.ts by',
    '     `node --import tsx scripts/docs/cli.ts`: edit those, not this file. -->',
    '',
    '`guv <command> --help` (or `guv help <command>`) prints what is here for one command; it never',
    'runs the command. A mistyped command or option is answered with what you may have meant.',
    '',
    '## Global options',
    '',
    'Accepted before or after the command name.',
    '',
    ...optionRows([
      ...GLOBAL_OPTIONS,
      { flags: '-h, --help', description: 'show help (never runs the command)' },
      { flags: '-v, --version', description: "print guv's version (before the command only)" },
    ]),
    '',
    'Output is coloured only on a terminal, and never with `NO_COLOR` set (not empty) or',
    '`--no-color`; `FORCE_COLOR` (not `0`) colours even into a pipe.',
    '',
    '## Exit statuses',
    '',
    '| Status | When |',
    '| --- | --- |',
    '| 0 | The command did what was asked (`--help` and `--version` too). |',
    '| 1 | A failure: an error code below with status 1, an app that failed to start, an unexpected error. |',
    '| 2 | Bad input, before anything was done: an unknown command or option, a missing or extra argument, an error code below with status 2. |',
    '| 3 | `guv status` only: no daemon runs (as systemd and LSB say "not running"). |',
    '',
    'A failure is one line on stderr (`guv: …`); with `GUV_DEBUG=1` the error code, its hint and the',
    'stack follow. What each code means and what to do: [errors.md](errors.md).',
    '',
    '| Error code | Exit status | What happened |',
    '| --- | --- | --- |',
    ...codes.map(([code, spec]) => `| \`${code}\` | ${spec.exit} | ${cell(spec.summary)} |`),
    '',
    '## Shell completion',
    '',
    '```sh',
    'source <(guv completion bash)   # in ~/.bashrc',
    'source <(guv completion zsh)    # in ~/.zshrc, after compinit',
    '```',
    '',
    '## Commands',
    '',
    ...visible.map((spec) => `- [\`${spec.name}\`](#guv-${spec.name}): ${cell(spec.summary)}`),
    '',
    visible.map(commandSection).join('\n\n'),
  ].join('\n')}\n`;
}

/** A table cell: a `|` would end it, a newline would end the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function main(args: string[]): number {
  const text = renderCliDoc();
  if (args.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(CLI_DOC, 'utf8');
    } catch {}
    if (current === text) return 0;
    process.stderr.write(`${CLI_DOC} is out of date: run node --import tsx scripts/docs/cli.ts\n`);
    return 1;
  }
  mkdirSync(dirname(CLI_DOC), { recursive: true });
  writeFileSync(CLI_DOC, text);
  process.stdout.write(`wrote ${CLI_DOC}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
