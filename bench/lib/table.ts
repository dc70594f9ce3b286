/** Plain-text table printing: left-aligned text columns, right-aligned numbers, no dependencies. */

export type Cell = string | number | undefined;

/** Formats a number with a fixed count of decimals; undefined prints as "-". */
export function fixed(value: number | undefined, decimals: number): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(decimals);
}

export function renderTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => headers.map((_, column) => cellText(row[column])));
  const numeric = headers.map((_, column) => rows.every((row) => isNumeric(row[column])));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...text.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric[column] && column > 0 ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(headers), rule, ...text.map(line)].join('\n');
}

function cellText(cell: Cell): string {
  return cell === undefined ? '-' : String(cell);
}

function isNumeric(cell: Cell): boolean {
  return cell === undefined || typeof cell === 'number' || /^-?[\d.]+$|^-$/.test(cell);
}
