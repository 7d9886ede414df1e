/**
 * A plain aligned text table. Hand-written (about 20 lines) because `guv list` is on the CLI's
 * cold path, where every loaded module costs start-up time. `style` may colour a cell: widths
 * are measured on the plain text, the padding stays outside the colour codes.
 */
export function renderTable(
  headers: string[],
  rows: string[][],
  style?: (cell: string, column: number) => string,
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[], styled: boolean) =>
    cells
      .map((cell, column) => {
        const pad = ' '.repeat(Math.max(0, (widths[column] ?? 0) - cell.length));
        return `${styled && style ? style(cell, column) : cell}${pad}`;
      })
      .join('  ')
      .trimEnd();
  return [line(headers, false), ...rows.map((row) => line(row, true))].join('\n');
}
