import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import type { ImportRow } from '../../../db/tables';
import { importResultLabel, PREVIEW_ROWS, type previewImportInput } from '../../contract/imports';
import { SEAT_TYPES } from '../../contract/seats';
import { AppError } from '../../shared/errors';
import { usersImport } from '../../jobs/users-import';
import type { Scope } from '../scope';
import { getSeatSummary } from '../seats/seat-rule';
import { blockingMessage, cellsOf, classifyRows, mapHeaders, noEmailColumnMessage, nothingToDo, seatShortage } from './classify';
import { toCsv } from '../exports/csv';
import { readCsv, readFile, readRows, readXlsx, type Table } from './parse';

type PreviewInput = z.output<typeof previewImportInput>;

async function readSource(trx: Trx, source: PreviewInput['source']): Promise<{ table: Table; kind: string; fileName: string | null }> {
  if ('csv' in source) return { table: await readCsv(source.csv), kind: 'csv', fileName: null };
  if ('xlsxBase64' in source) return { table: await readXlsx(Buffer.from(source.xlsxBase64, 'base64')), kind: 'xlsx', fileName: null };
  if ('fileBase64' in source) {
    const bytes = Buffer.from(source.fileBase64, 'base64');
    const table = await readFile(bytes);
    const isXlsx = bytes[0] === 0x50 && bytes[1] === 0x4b;
    return { table, kind: isXlsx ? 'xlsx' : 'csv', fileName: source.fileName ?? null };
  }
  if ('rows' in source) return { table: readRows(source.rows), kind: 'rows', fileName: null };
  const earlier = await trx('imports').where({ id: source.importId }).first('headers', 'cells', 'source', 'fileName');
  if (!earlier) throw new AppError('NOT_FOUND', 'Import not found', { field: 'importId' });
  return { table: { headers: earlier.headers, rows: earlier.cells }, kind: earlier.source, fileName: earlier.fileName };
}

/** The answer of imports.preview and imports.get for an import as stored, with seats as they are now. */
export async function describeImport(trx: Trx, tenantId: string, row: ImportRow, { withRows }: { withRows: boolean }) {
  let seats = row.seats;
  let message = row.message;
  // Without an email column the preview is kept, with its columns, for the admin to map one.
  const hasEmail = row.mapping.some((m) => m.field === 'email');
  if (row.status === 'previewed') {
    // Seats bought (or taken) since the preview count: the page comes back here from Checkout.
    const summary = await getSeatSummary({ trx, tenantId });
    seats = Object.fromEntries(SEAT_TYPES.map((k) => [k, { needed: row.seats[k].needed, free: summary[k].available }])) as ImportRow['seats'];
    message = hasEmail ? blockingMessage({ counts: row.counts, seats }, row.updateExisting) : noEmailColumnMessage(row.headers);
  }
  return {
    id: row.id,
    status: row.status,
    source: row.source,
    fileName: row.fileName,
    updateExisting: row.updateExisting,
    sendInvitations: row.sendInvitations,
    total: row.total,
    done: row.done,
    counts: row.counts,
    seats,
    shortage: row.status === 'previewed' ? seatShortage(seats) : [],
    canRun: row.status === 'previewed' && message === null,
    message: message ?? undefined,
    /** The message is a notice (nothing to write), not an error. */
    nothingToDo: row.status === 'previewed' && hasEmail && message === nothingToDo(row.updateExisting),
    /** The rows could not be classified: no column is mapped to Email yet. */
    needsEmailColumn: !hasEmail,
    columns: row.mapping,
    unknownColumns: row.mapping.filter((m) => !m.field).map((m) => m.header),
    createdAt: row.createdAt,
    createdByLabel: row.createdByLabel,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    ...(withRows ? { rows: row.results.slice(0, PREVIEW_ROWS) } : {}),
  };
}

/** SPEC "Preview first, nothing written" (but the upload itself, kept for the run). */
export async function previewImport(scope: Scope, input: PreviewInput) {
  const { trx, tenantId } = scope;
  const { table, kind, fileName } = await readSource(trx, input.source);
  const mapping = mapHeaders(table.headers, input.columns);
  const hasEmail = mapping.some((m) => m.field === 'email');
  // No email column: nothing is classified, but the upload and its columns are kept so the admin
  // can choose the Email column on the preview and preview again (imports.preview {importId, columns}).
  const classified = await classifyRows({
    trx,
    tenantId,
    rows: hasEmail ? cellsOf(table, mapping) : [],
    updateExisting: input.updateExisting,
    permissions: scope.permissions,
  });
  const message = hasEmail ? blockingMessage(classified, input.updateExisting) : noEmailColumnMessage(table.headers);
  const [row] = await trx('imports')
    .insert({
      tenantId,
      createdBy: scope.actorUserId ?? null,
      createdByLabel: scope.actor.label ?? null,
      source: kind,
      fileName,
      updateExisting: input.updateExisting,
      sendInvitations: input.sendInvitations,
      status: 'previewed',
      headers: JSON.stringify(table.headers),
      mapping: JSON.stringify(mapping),
      cells: JSON.stringify(table.rows),
      results: JSON.stringify(classified.results),
      total: table.rows.length,
      counts: JSON.stringify(classified.counts),
      seats: JSON.stringify(classified.seats),
      message,
      createdAt: scope.now,
    })
    .returning('*');
  return { ...(await describeImport(trx, tenantId, row, { withRows: false })), rows: row.results.slice(0, PREVIEW_ROWS) };
}

async function findImport(trx: Trx, id: string, forUpdate = false) {
  const query = trx('imports').where({ id }).first();
  const row = await (forUpdate ? query.forUpdate() : query);
  if (!row) throw new AppError('NOT_FOUND', 'Import not found', { field: 'id' });
  return row;
}

export async function getImport(scope: Pick<Scope, 'trx' | 'tenantId'>, { id }: { id: string }, withRows = false) {
  return describeImport(scope.trx, scope.tenantId, await findImport(scope.trx, id), { withRows });
}

/** Queues the `users.import` job in this transaction, once. */
export async function startImport(scope: Scope, { id }: { id: string }) {
  const { trx, tenantId } = scope;
  const row = await findImport(trx, id, true);
  if (row.status !== 'previewed') throw new AppError('BAD_REQUEST', `This import has already been started (it is ${row.status}).`, { reason: 'IMPORT_STARTED' });
  const current = await describeImport(trx, tenantId, row, { withRows: false });
  if (!current.canRun) {
    const shortage = current.shortage[0];
    throw new AppError('BAD_REQUEST', current.message ?? 'This import cannot run.', {
      reason: shortage ? 'SEAT_LIMIT' : 'IMPORT_BLOCKED',
      ...(shortage ? { seatType: shortage.seatType, needed: shortage.needed, free: shortage.free } : {}),
    });
  }
  await trx('imports').where({ id }).update({ status: 'queued', startedAt: scope.now });
  await scope.jobs(trx, usersImport, { tenantId, importId: id });
  return { id, status: 'queued' as const };
}

export async function listImports(trx: Trx, { limit }: { limit: number }) {
  return trx('imports')
    .orderBy('createdAt', 'desc')
    .limit(limit)
    .select('id', 'status', 'source', 'fileName', 'total', 'done', 'counts', 'message', 'createdByLabel', 'createdAt', 'finishedAt');
}

/** SPEC: one line per input row with its result. */
export async function importReport(trx: Trx, { id }: { id: string }) {
  const row = await findImport(trx, id);
  const lines = [['line', 'email', 'result', 'fields', 'messages']];
  for (const r of row.results) {
    const errors = r.errors ?? [];
    lines.push([String(r.line), r.email, importResultLabel(r.result, row), errors.map((e) => e.field).join('; '), errors.map((e) => `${e.field}: ${e.message}`).join('; ')]);
  }
  return toCsv(lines);
}
