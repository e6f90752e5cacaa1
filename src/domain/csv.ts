/**
 * CSV for people who open it in a spreadsheet. Every cell is quoted; a cell a spreadsheet would
 * run as a formula (starting with =, +, -, @, a tab or a carriage return) gets a leading
 * apostrophe, as OWASP's "CSV injection" advice says, so it shows as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const defused = FORMULA_START.test(text) ? `'${text}` : text;
  return `"${defused.replace(/"/g, '""')}"`;
}

export function csvRows(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
