import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import type { exportAuditInput } from '../../contract/audit';
import type { exportLoginHistoryInput, exportUsersInput } from '../../contract/users';
import { toCsv } from './csv';

/** Rows fetched per round trip: what an export holds in memory at once, whatever its size. */
const BATCH = 1000;

export type Write = (chunk: string) => void | Promise<void>;

/**
 * SPEC "Export": CSV written as it is read from a server-side cursor, so a hundred thousand
 * users never sit in memory. The cursor lives in the caller's transaction (tenant set).
 */
async function streamCsv(trx: Trx, sql: string, bindings: unknown[], header: string[], toRow: (row: Record<string, unknown>) => unknown[], write: Write) {
  await trx.raw(`declare csv_export no scroll cursor for ${sql}`, bindings as never[]);
  await write(toCsv([header]));
  for (;;) {
    const { rows } = await trx.raw<{ rows: Record<string, unknown>[] }>(`fetch ${BATCH} from csv_export`);
    if (!rows.length) break;
    await write(toCsv(rows.map(toRow)));
  }
  await trx.raw('close csv_export');
}

/** A WHERE clause built one filter at a time, with its bindings in order. */
function conditions(first: string) {
  const where = [first];
  const bindings: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    where.push(sql);
    bindings.push(value);
  };
  return { where, bindings, add };
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : ((value as string | null) ?? ''));

/** Times as ISO 8601 text from PostgreSQL itself: parsing 100,000 Dates to print them again is the slow part. */
const isoText = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The columns an import recognises (server/contract/imports.ts), so an export imports back
 * unchanged; status and times follow, and an import lists them as ignored.
 */
export const USER_EXPORT_HEADER = ['Email', 'First name', 'Last name', 'Display name', 'User name', 'Kind', 'Role', 'Time zone', 'Locale', 'SAML name id', 'Status', 'Last sign-in', 'Created'];

export async function streamUsersCsv(trx: Trx, input: z.output<typeof exportUsersInput>, write: Write) {
  const { where, bindings, add } = conditions('not u.is_system');
  let source = 'users';
  if (input.q) {
    // The indexed search users.list uses (user_search_rows), for the same matches.
    source = 'user_search_rows(?)';
    bindings.push(`%${input.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (input.status) add('u.status = ?', input.status);
  if (input.kind) add('u.kind = ?', input.kind);
  if (input.roleId) add('u.role_id = ?', input.roleId);
  await streamCsv(
    trx,
    `select u.email, u.first_name, u.last_name, u.display_name, u.user_name, u.kind, r.name as role, u.time_zone, u.locale, u.saml_name_id,
            u.status, ${isoText('u.last_sign_in_at')} as last_sign_in_at, ${isoText('u.created_at')} as created_at
     from ${source} as u join roles r on r.id = u.role_id
     where ${where.join(' and ')}
     order by u.created_at, u.id`,
    bindings,
    USER_EXPORT_HEADER,
    (r) => [r.email, r.first_name, r.last_name, r.display_name, r.user_name, r.kind, r.role, r.time_zone, r.locale, r.saml_name_id, r.status, iso(r.last_sign_in_at), iso(r.created_at)],
    write,
  );
}

export async function streamLoginHistoryCsv(trx: Trx, input: z.output<typeof exportLoginHistoryInput>, write: Write) {
  const { where, bindings, add } = conditions('true');
  if (input.id) add('e.user_id = ?', input.id);
  if (input.result) add('e.result = ?', input.result);
  if (input.email) add('lower(e.email) = lower(?)', input.email);
  if (input.ip) add('e.ip = ?', input.ip);
  if (input.from) add('e.created_at >= ?', input.from);
  if (input.to) add('e.created_at < ?', input.to);
  await streamCsv(
    trx,
    `select e.created_at, e.email, u.display_name, e.result, e.message, e.ip, e.user_agent, e.method
     from login_events e left join users u on u.id = e.user_id
     where ${where.join(' and ')} order by e.id desc`,
    bindings,
    ['Time', 'Email', 'User', 'Result', 'Message', 'Address', 'Browser', 'Method'],
    (r) => [iso(r.created_at), r.email, r.display_name, r.result, r.message, r.ip, r.user_agent, r.method],
    write,
  );
}

export async function streamAuditCsv(trx: Trx, input: z.output<typeof exportAuditInput>, write: Write) {
  const { where, bindings, add } = conditions('true');
  if (input.actorId) add('a.actor_id = ?', input.actorId);
  if (input.targetId) add('a.target_id = ?', input.targetId);
  if (input.action) add(`a.action like ? escape '\\'`, `${input.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (input.from) add('a.created_at >= ?', input.from);
  if (input.to) add('a.created_at < ?', input.to);
  await streamCsv(
    trx,
    `select a.created_at, a.actor_type, a.actor_label, a.action, a.target_type, a.target_id, a.before, a.after, a.ip
     from audit_events a where ${where.join(' and ')} order by a.id desc`,
    bindings,
    ['Time', 'Actor type', 'Actor', 'Action', 'Target type', 'Target', 'Before', 'After', 'Address'],
    (r) => [iso(r.created_at), r.actor_type, r.actor_label, r.action, r.target_type, r.target_id, r.before === null ? '' : JSON.stringify(r.before), r.after === null ? '' : JSON.stringify(r.after), r.ip],
    write,
  );
}

/** The whole CSV as one string: what the tRPC procedures answer (the pages stream instead). */
export async function collectCsv(run: (write: Write) => Promise<void>) {
  const parts: string[] = [];
  await run((chunk) => void parts.push(chunk));
  return parts.join('');
}
