/**
 * CSV as RFC 4180 writes it: CRLF between records, a field with a comma, a quote or a line break
 * in double quotes, a quote inside doubled. A cell a spreadsheet would run as a formula (one that
 * starts with = + - @, a tab or a carriage return) gets a leading apostrophe, so it stays text.
 */
const FORMULA = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string) {
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(rows: string[][]) {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
