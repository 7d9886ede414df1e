// Writes docs/errors.md from the registry in src/error-codes.ts.
//   node --import tsx scripts/docs/errors.ts           write it
//   node --import tsx scripts/docs/errors.ts --check   exit 1 when it is out of date
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ERROR_AREAS, ERROR_CODES, type ErrorCodeSpec } from '../../src/error-codes.js';

/** docs/errors.md in the checkout this script belongs to. */
export const ERRORS_DOC = join(dirname(fileURLToPath(import.meta.url)), '../../docs/errors.md');

/** The text of docs/errors.md: one table per area, in registry order. */
export function renderErrorsDoc(): string {
  const entries = Object.entries(ERROR_CODES) as [string, ErrorCodeSpec][];
  const sections = Object.entries(ERROR_AREAS).map(([area, title]) => {
    const rows = entries
      .filter(([, spec]) => spec.area === area)
      .map(([code, { exit, summary, hint }]) => {
        return `| \`${code}\` | ${exit} | ${cell(summary)} | ${cell(hint ?? '')} |`;
      });
    const head = ['| Code | Exit | What happened | What you can do |', '| --- | --- | --- | --- |'];
    return [`## ${title}`, '', ...head, ...rows].join('\n');
  });
  return `${[
    '# Error codes',
    '',
    '<!-- Generated from src/error-codes.ts by `node --import tsx scripts/docs/errors.ts`:',
    '     edit the registry, not this file. -->',
    '',
    'Every failure guv reports to a user is a `GuvError` with one of these stable codes. The CLI prints',
    'its message on one line (`guv: …`) and exits with the status shown: 2 for a usage error, 1 for',
    'any other failure; with `GUV_DEBUG=1` it adds the code, its hint and the stack. Programs using',
    'the API read `error.code`; `isGuvErrorCode(value)` tells whether a string is one of these.',
    '',
    `${entries.length} codes.`,
    '',
    sections.join('\n\n'),
  ].join('\n')}\n`;
}

/** A table cell: a `|` would end it, a newline would end the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function main(args: string[]): number {
  const text = renderErrorsDoc();
  if (args.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(ERRORS_DOC, 'utf8');
    } catch {}
    if (current === text) return 0;
    const command = 'node --import tsx scripts/docs/errors.ts';
    process.stderr.write(`${ERRORS_DOC} is out of date: run ${command}\n`);
    return 1;
  }
  mkdirSync(dirname(ERRORS_DOC), { recursive: true });
  writeFileSync(ERRORS_DOC, text);
  process.stdout.write(`wrote ${ERRORS_DOC}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
