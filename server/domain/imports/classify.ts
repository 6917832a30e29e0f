import type { Trx } from '../../../db/index';
import type { ImportRow } from '../../../db/tables';
import { IMPORT_FIELD_LABELS, fieldOfHeader, kindOfCell, mapHeaders, type ColumnMapping, type ImportField, type ImportResult } from '../../contract/imports';
import { AUDIENCE_LABELS, AUDIENCE_OF_KIND, SEAT_LABELS, SEAT_TYPES, type SeatType } from '../../contract/seats';
import { createUserInput } from '../../contract/users';
import type { Permission } from '../roles/built-in';
import { getSeatSummary } from '../seats/seat-rule';
import type { Table } from './parse';

export type Cells = Partial<Record<ImportField, string>>;
export type RowError = { field: string; message: string };

const DEFAULT_ROLE = { standard: 'member', client: 'client', api: 'integration' } as const;

/** The single-user form's schema (the role comes by name instead); built once, not per row. */
const rowSchema = createUserInput.omit({ roleId: true });

/** What the run writes for a row: a user to create, the changes to an existing one, or nothing. */
export type NewUser = {
  line: number;
  kind: SeatType;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  userName: string | null;
  roleId: string;
  roleName: string;
  timeZone: string;
  locale: string;
  samlNameId: string | null;
};
export type UserChange = { line: number; id: string; before: Record<string, unknown>; after: Record<string, unknown> };

export type Classified = {
  results: ImportRow['results'];
  counts: Record<ImportResult, number>;
  seats: Record<SeatType, { needed: number; free: number }>;
  creates: NewUser[];
  changes: UserChange[];
};

const UPDATABLE = ['firstName', 'lastName', 'displayName', 'userName', 'timeZone', 'locale', 'samlNameId'] as const;

/** The mapped cells of each row, by field (what an import stores and reruns from). */
export function cellsOf(table: Table, mapping: ColumnMapping): { line: number; cells: Cells }[] {
  // Another email column that lost to a better one (Entra's userPrincipalName next to mail) gives
  // the email of rows whose chosen email cell is blank.
  const emailFallbacks = mapping.flatMap((m, i) => (!m.field && fieldOfHeader(m.header)?.field === 'email' ? [i] : []));
  const hasEmail = mapping.some((m) => m.field === 'email');
  return table.rows.map((row) => {
    const cells: Cells = {};
    mapping.forEach((m, i) => {
      if (m.field) cells[m.field] = row.cells[i] ?? '';
    });
    if (hasEmail && !(cells.email ?? '').trim()) {
      const fallback = emailFallbacks.map((i) => row.cells[i] ?? '').find((v) => v.trim());
      if (fallback) cells.email = fallback;
    }
    return { line: row.line, cells };
  });
}

export { mapHeaders };

/**
 * Every row against the workspace as it is now: new, update, unchanged or error (line, field,
 * message), with the same schema as the single-user form. Set-based: one query for the roles,
 * one for the users the file names by email, one for the user names it uses.
 */
export async function classifyRows({
  trx,
  tenantId,
  rows,
  updateExisting,
  permissions,
}: {
  trx: Trx;
  tenantId: string;
  rows: { line: number; cells: Cells }[];
  updateExisting: boolean;
  permissions: ReadonlySet<Permission>;
}): Promise<Classified> {
  const roles = await trx('roles').where({ tenantId }).select('id', 'key', 'name', 'audience', 'permissions');
  const roleByName = new Map(roles.map((r) => [r.name.toLowerCase(), r]));
  const roleById = new Map(roles.map((r) => [r.id, r]));
  const emails = [...new Set(rows.map((r) => (r.cells.email ?? '').trim().toLowerCase()).filter(Boolean))];
  const userNames = [...new Set(rows.map((r) => (r.cells.userName ?? '').trim().toLowerCase()).filter(Boolean))];
  const existing = emails.length
    ? await trx('users')
        .where({ tenantId })
        .whereRaw('lower(email) = any(?::text[])', [emails])
        .select('id', 'email', 'kind', 'firstName', 'lastName', 'displayName', 'userName', 'roleId', 'timeZone', 'locale', 'samlNameId', 'isSystem')
    : [];
  const byEmail = new Map(existing.map((u) => [u.email.toLowerCase(), u]));
  const takenNames = userNames.length
    ? await trx('users').where({ tenantId }).whereRaw('lower(user_name) = any(?::text[])', [userNames]).select('id', 'userName')
    : [];
  const nameOwner = new Map(takenNames.map((u) => [u.userName!.toLowerCase(), u.id]));

  const seenEmail = new Map<string, number>();
  const seenName = new Map<string, number>();
  const results: Classified['results'] = [];
  const creates: NewUser[] = [];
  const changes: UserChange[] = [];
  const counts: Record<ImportResult, number> = { new: 0, update: 0, unchanged: 0, error: 0 };

  for (const { line, cells } of rows) {
    const errors: { field: string; message: string }[] = [];
    const given = (field: ImportField) => {
      const value = cells[field];
      return value === undefined || value.trim() === '' ? undefined : value;
    };
    const kind = kindOfCell(cells.kind ?? '');
    if (!kind) errors.push({ field: 'kind', message: `Use standard, client or api (found "${(cells.kind ?? '').slice(0, 40)}")` });
    const parsed = rowSchema.safeParse({
      kind: kind ?? 'standard',
      email: cells.email ?? '',
      firstName: cells.firstName ?? '',
      lastName: cells.lastName ?? '',
      displayName: given('displayName'),
      userName: given('userName'),
      timeZone: given('timeZone'),
      // Okta exports locales as en_US; BCP 47 writes en-US.
      locale: given('locale')?.replace(/_/g, '-'),
      samlNameId: given('samlNameId'),
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ field: String(issue.path[0] ?? 'row'), message: issue.message });
    }
    const email = (cells.email ?? '').trim();
    const key = email.toLowerCase();
    if (key) {
      const first = seenEmail.get(key);
      if (first !== undefined) errors.push({ field: 'email', message: `This email is already on line ${first} of this file` });
      else seenEmail.set(key, line);
    }
    const userName = parsed.success ? (parsed.data.userName ?? null) : null;
    if (userName) {
      const first = seenName.get(userName.toLowerCase());
      if (first !== undefined) errors.push({ field: 'userName', message: `This user name is already on line ${first} of this file` });
      else seenName.set(userName.toLowerCase(), line);
    }
    const roleCell = given('role');
    const role = roleCell ? roleByName.get(roleCell.trim().toLowerCase()) : undefined;
    if (roleCell && !role) errors.push({ field: 'role', message: `There is no role named "${roleCell.trim().slice(0, 60)}" in this workspace` });

    const current = key ? byEmail.get(key) : undefined;
    const fitsRole = (k: SeatType) => {
      if (!role) return;
      if (role.audience !== AUDIENCE_OF_KIND[k]) {
        errors.push({ field: 'role', message: `If the user is defined as ${SEAT_LABELS[k]}, only ${AUDIENCE_LABELS[AUDIENCE_OF_KIND[k]]} roles can be given for this user.` });
      }
      const missing = role.permissions.filter((p) => !permissions.has(p));
      if (missing.length) errors.push({ field: 'role', message: `You cannot give the ${role.name} role: it has permissions you do not have (${missing.join(', ')}).` });
    };

    let result: ImportResult;
    if (current) {
      if (current.isSystem) errors.push({ field: 'email', message: 'This is the workspace’s system account; an import cannot change it' });
      else if (updateExisting) {
        const held = roleById.get(current.roleId);
        const missing = held ? held.permissions.filter((p) => !permissions.has(p)) : [];
        if (missing.length) errors.push({ field: 'email', message: `You cannot edit this user: their role, ${held!.name}, has permissions you do not have (${missing.join(', ')})` });
        fitsRole(current.kind);
      }
      if (userName && nameOwner.has(userName.toLowerCase()) && nameOwner.get(userName.toLowerCase()) !== current.id && updateExisting) {
        errors.push({ field: 'userName', message: 'This user name is taken' });
      }
      if (errors.length) result = 'error';
      else if (!updateExisting) result = 'unchanged';
      else {
        const before: Record<string, unknown> = {};
        const after: Record<string, unknown> = {};
        const data = parsed.success ? parsed.data : null;
        for (const field of UPDATABLE) {
          // Blank optional cells leave the field as it is; names are required, so always given.
          const value = data?.[field];
          if (value === undefined || value === null) continue;
          if (value !== current[field]) {
            before[field] = current[field];
            after[field] = value;
          }
        }
        if (role && role.id !== current.roleId) {
          before.roleId = current.roleId;
          after.roleId = role.id;
        }
        if (Object.keys(after).length) {
          result = 'update';
          changes.push({ line, id: current.id, before, after });
        } else result = 'unchanged';
      }
    } else {
      if (kind) fitsRole(kind);
      if (userName && nameOwner.has(userName.toLowerCase())) errors.push({ field: 'userName', message: 'This user name is taken' });
      if (errors.length || !parsed.success || !kind) result = 'error';
      else {
        const data = parsed.data;
        const chosen = role ?? roles.find((r) => r.key === DEFAULT_ROLE[kind] && r.audience === AUDIENCE_OF_KIND[kind]);
        if (!chosen) throw new Error(`The built-in ${DEFAULT_ROLE[kind]} role is missing from this workspace.`);
        result = 'new';
        creates.push({
          line,
          kind,
          email: data.email,
          firstName: data.firstName,
          lastName: data.lastName,
          displayName: data.displayName ?? `${data.firstName} ${data.lastName}`,
          userName: data.userName ?? null,
          roleId: chosen.id,
          roleName: chosen.name,
          timeZone: data.timeZone ?? 'UTC',
          locale: data.locale ?? 'en',
          samlNameId: data.samlNameId ?? null,
        });
      }
    }
    if (result === 'error' && !errors.length) errors.push({ field: 'row', message: 'This row cannot be imported' });
    counts[result] += 1;
    results.push({ line, result, email: email.slice(0, 254), ...(result === 'error' ? { errors: dedupe(errors) } : {}) });
  }

  const summary = await getSeatSummary({ trx, tenantId });
  const seats = Object.fromEntries(
    SEAT_TYPES.map((k) => [k, { needed: creates.filter((c) => c.kind === k).length, free: summary[k].available }]),
  ) as Classified['seats'];
  return { results, counts, seats, creates, changes };
}

const dedupe = (errors: RowError[]) => errors.filter((e, i) => errors.findIndex((o) => o.field === e.field && o.message === e.message) === i);

/** SPEC: "This import needs N User seats but only F are free. Buy M more User seats or remove rows." */
export function seatShortage(seats: Classified['seats']) {
  return SEAT_TYPES.filter((k) => seats[k].needed > seats[k].free).map((k) => {
    const { needed, free } = seats[k];
    return { seatType: k, needed, free, missing: needed - free, message: `This import needs ${needed} ${SEAT_LABELS[k]} seats but only ${free} are free. Buy ${needed - free} more ${SEAT_LABELS[k]} seats or remove rows.` };
  });
}

/** Not an error: the import has nothing to write (shown as a notice). */
export const nothingToDo = (updateExisting: boolean) =>
  updateExisting
    ? 'Nothing to do: every row matches a user as they are.'
    : 'Nothing to do: every row is a user who already exists, and existing users are skipped. Tick “Update users who already exist” and preview again to update them.';

/** The SPEC's message when no column holds the email (the preview is kept so the admin can map one). */
export const noEmailColumnMessage = (headers: string[]) =>
  `No column holds the email address. The columns found are: ${headers.map((h) => `"${h.slice(0, 60)}"`).join(', ')}. Choose the Email column below and preview again.`;

/** Why an import cannot run, or null when it can. */
export function blockingMessage(classified: Pick<Classified, 'counts' | 'seats'>, updateExisting = true) {
  const messages = seatShortage(classified.seats).map((s) => s.message);
  if (classified.counts.error) {
    messages.unshift(`${classified.counts.error} ${classified.counts.error === 1 ? 'row has' : 'rows have'} errors: correct ${classified.counts.error === 1 ? 'it' : 'them'} in the file and upload it again, or remove ${classified.counts.error === 1 ? 'it' : 'them'}.`);
  }
  if (!classified.counts.new && !classified.counts.update && !classified.counts.error) messages.push(nothingToDo(updateExisting));
  return messages.length ? messages.join(' ') : null;
}

export const fieldLabel = (field: string) => IMPORT_FIELD_LABELS[field as ImportField] ?? field;
