import { stringify as stringifySync } from 'csv-stringify/sync';

/**
 * SPEC "Export": a cell a spreadsheet would run as a formula (one that starts with = + - @, a tab
 * or a carriage return) gets a leading apostrophe, so it stays text. Imports drop it again.
 */
const FORMULA = /^[=+\-@\t\r]/;
export const neutralise = (value: unknown) => {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value);
  return FORMULA.test(text) ? `'${text}` : text;
};

const options = { record_delimiter: 'windows' } as const;

export const toCsv = (rows: unknown[][]) => stringifySync(rows.map((r) => r.map(neutralise)), options);
