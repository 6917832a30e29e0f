/**
 * CSV as RFC 4180 writes it: CRLF between records, a field with a comma, a quote or a line break
 * in double quotes, a quote inside doubled. Written by hand rather than with csv-stringify, which
 * took four times as long on a 100,000-user export (bench/import.ts).
 *
 * SPEC "Export": a cell a spreadsheet would run as a formula (one that starts with = + - @, a tab
 * or a carriage return) gets a leading apostrophe, so it stays text. Imports drop it again.
 */
const FORMULA = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export const neutralise = (value: unknown) => {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  return FORMULA.test(text) ? `'${text}` : text;
};

const cell = (value: unknown) => {
  const safe = neutralise(value);
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export const toCsv = (rows: unknown[][]) => {
  let out = '';
  for (const row of rows) out += `${row.map(cell).join(',')}\r\n`;
  return out;
};
