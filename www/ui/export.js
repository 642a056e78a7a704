// Exports: one CSV writer for every table the page offers as a file.

/**
 * One CSV cell: empty for null or undefined, quoted when it holds a comma, a quote
 * or a line break (RFC 4180), with quotes doubled.
 * @param {unknown} v
 */
export function csvCell(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Rows of objects as CSV with the given columns, in that order.
 * @param {Record<string, unknown>[]} rows
 * @param {readonly string[]} columns
 */
export function toCSV(rows, columns) {
  return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}
