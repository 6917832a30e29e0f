import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../contract/imports';
import { AppError } from '../../shared/errors';

/** A spreadsheet as read: its header line and every row after it, as text. */
export type Table = { headers: string[]; rows: { line: number; cells: string[] }[] };

/** Longer cells than this cannot be valid in any field; kept long enough to fail the field's own check. */
const MAX_CELL = 1000;

const bad = (message: string, reason = 'IMPORT_FILE') => new AppError('BAD_REQUEST', message, { reason, field: 'file' });

const tooManyRows = () => bad(`This file has more than ${MAX_IMPORT_ROWS.toLocaleString('en')} rows. Split it into files of at most ${MAX_IMPORT_ROWS.toLocaleString('en')} rows.`, 'IMPORT_TOO_MANY_ROWS');

function assertSize(bytes: number) {
  if (bytes > MAX_IMPORT_BYTES) {
    throw bad(`This file is ${(bytes / 1024 / 1024).toFixed(1)} MB; an import file may be at most 20 MB. Split it into smaller files.`, 'IMPORT_TOO_LARGE');
  }
}

const clip = (value: string) => (value.length > MAX_CELL ? value.slice(0, MAX_CELL + 1) : value);

/**
 * An export neutralises formulas with a leading apostrophe (SPEC "Export"); reading one back
 * drops it, so an export imports back unchanged. Any other cell is taken as text, formulas included.
 */
const unneutralise = (value: string) => (/^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value);

function finish(headers: string[], rows: { line: number; cells: string[] }[]): Table {
  const trimmed = headers.map((h) => h.trim());
  if (!trimmed.some(Boolean)) throw bad('This file is empty: it needs a header line (Email, First name, Last name, …) and a row per person.', 'IMPORT_EMPTY');
  if (!rows.length) throw bad('This file has a header line but no rows: add a row per person below it.', 'IMPORT_NO_ROWS');
  return { headers: trimmed, rows };
}

/** Comma or semicolon (or tab), whichever the header line uses most outside quotes. */
function detectDelimiter(text: string) {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length && i < 64 * 1024; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c in counts) counts[c as keyof typeof counts] += 1;
  }
  const [best] = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return best[1] > 0 ? best[0] : ',';
}

export async function readCsv(text: string): Promise<Table> {
  assertSize(Buffer.byteLength(text));
  const body = text.replace(/^\ufeff/, '');
  if (!body.trim()) throw bad('This file is empty: it needs a header line (Email, First name, Last name, …) and a row per person.', 'IMPORT_EMPTY');
  const parser = Readable.from([body]).pipe(
    parseCsv({ delimiter: detectDelimiter(body), relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }),
  );
  let headers: string[] | null = null;
  const rows: Table['rows'] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!headers) {
        headers = record;
        continue;
      }
      if (record.every((v) => v.trim() === '')) continue;
      if (rows.length >= MAX_IMPORT_ROWS) throw tooManyRows();
      rows.push({ line: info.lines, cells: record.map((v) => unneutralise(clip(v))) });
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const detail = (error as { message?: string }).message ?? '';
    throw bad(`This CSV file cannot be read: ${detail}. Save it again as "CSV UTF-8" and retry.`, 'IMPORT_UNREADABLE');
  } finally {
    parser.destroy();
  }
  return finish(headers ?? [], rows);
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    // Formulas are taken as the text the author typed, never evaluated (SPEC "Limits").
    if ('formula' in value && value.formula) return `=${value.formula}`;
    if ('sharedFormula' in value && value.sharedFormula) return `=${value.sharedFormula}`;
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    return '';
  }
  return String(value);
}

const isZip = (bytes: Buffer) => bytes.length >= 22 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
const UNREADABLE_XLSX = 'This XLSX workbook cannot be read (it may be damaged or protected). Open it and save it again as .xlsx or CSV UTF-8.';
/** exceljs's unzipper waits forever on some truncated archives: a workbook gets this long to be read. */
const XLSX_READ_MS = 60_000;

/** The first sheet of a workbook, read as a stream. */
export async function readXlsx(bytes: Buffer): Promise<Table> {
  assertSize(bytes.length);
  if (!bytes.length) throw bad('This file is empty: it needs a header line (Email, First name, Last name, …) and a row per person.', 'IMPORT_EMPTY');
  if (!isZip(bytes)) throw bad('This is not an XLSX workbook. Upload an .xlsx file, or a CSV file as {csv}.', 'IMPORT_NOT_SPREADSHEET');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(bad(UNREADABLE_XLSX, 'IMPORT_UNREADABLE')), XLSX_READ_MS);
  });
  try {
    return await Promise.race([readWorkbook(bytes), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function readWorkbook(bytes: Buffer): Promise<Table> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  let headers: string[] | null = null;
  const rows: Table['rows'] = [];
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
        if (!headers) {
          headers = values;
          continue;
        }
        if (values.every((v) => v.trim() === '')) continue;
        if (rows.length >= MAX_IMPORT_ROWS) throw tooManyRows();
        rows.push({ line: row.number, cells: values.map((v) => unneutralise(clip(v))) });
      }
      break;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw bad(UNREADABLE_XLSX, 'IMPORT_UNREADABLE');
  }
  return finish(headers ?? [], rows);
}

/** Rows as JSON objects (the API): the header line is every key, in first-seen order. */
export function readRows(objects: Record<string, string | number | boolean | null>[]): Table {
  const headers: string[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    for (const k of Object.keys(o)) {
      if (seen.has(k)) continue;
      seen.add(k);
      headers.push(k);
    }
  }
  const rows = objects
    .map((o, i) => ({ line: i + 1, cells: headers.map((h) => (o[h] === null || o[h] === undefined ? '' : clip(String(o[h])))) }))
    .filter((r) => r.cells.some((c) => c.trim() !== ''));
  if (!objects.length) throw bad('There are no rows to import.', 'IMPORT_NO_ROWS');
  return finish(headers, rows);
}

/** An uploaded file: XLSX or CSV by its content, anything else refused naming what it is. */
export async function readFile(bytes: Buffer): Promise<Table> {
  assertSize(bytes.length);
  if (!bytes.length) throw bad('This file is empty: it needs a header line (Email, First name, Last name, …) and a row per person.', 'IMPORT_EMPTY');
  const head = bytes.subarray(0, 8);
  if (isZip(bytes)) return readXlsx(bytes);
  if (head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))) {
    throw bad('This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as CSV UTF-8 and upload that.', 'IMPORT_NOT_SPREADSHEET');
  }
  if (head.subarray(0, 4).toString('latin1') === '%PDF') throw bad('This is a PDF, not a spreadsheet. Upload a CSV or XLSX file.', 'IMPORT_NOT_SPREADSHEET');
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw bad('This file is saved as UTF-16, not UTF-8. Save it as "CSV UTF-8" and upload it again.', 'IMPORT_NOT_UTF8');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw bad('This file is not UTF-8 text (nor an XLSX workbook). Save it as "CSV UTF-8" or as .xlsx and upload it again.', 'IMPORT_NOT_UTF8');
  }
  if (text.includes('\u0000')) throw bad('This is not a spreadsheet: it holds binary data. Upload a CSV or XLSX file.', 'IMPORT_NOT_SPREADSHEET');
  return readCsv(text);
}
