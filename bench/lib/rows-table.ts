import { markdownTable } from './table.js';

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? value.toLocaleString('en')
      : value.toLocaleString('en', { maximumFractionDigits: 2 });
  }
  return String(value);
}

/** A markdown table of plain row objects, one column per key (the first row's keys). */
export function rowsMarkdown(rows: readonly object[]): string {
  if (rows.length === 0) return '(no rows)';
  const headers = Object.keys(rows[0]!);
  return markdownTable(
    headers,
    rows.map((row) => headers.map((key) => show((row as Record<string, unknown>)[key]))),
  );
}
