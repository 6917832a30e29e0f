import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import type { LoginEventRow } from '../../../db/tables';
import { DEFAULT_SORT_DIRECTION, USER_COUNT_CAP, type listUsersInput, type loginHistoryInput } from '../../contract/users';
import { AppError } from '../../shared/errors';
import { cursorSchemas, decodeCursor, encodeCursor, page } from '../pagination';
import { SIGN_IN_REQUIRED } from '../auth/sessions';
import { getTenant } from '../tenants/tenants';
import { findRole, findUser } from './rules';
import type { Audience } from '../../contract/seats';
import { USER_COLUMNS, type PublicUser } from './columns';

export async function getUser(trx: Trx, id: string) {
  const row = await trx('users as u')
    .join('roles as r', 'r.id', 'u.roleId')
    .where('u.id', id)
    .first<(PublicUser & { passwordHash: string | null; roleName: string; roleAudience: Audience }) | undefined>([
      ...USER_COLUMNS.map((c) => `u.${c}`),
      'u.passwordHash',
      'r.name as roleName',
      'r.audience as roleAudience',
    ]);
  if (!row) throw new AppError('NOT_FOUND', 'User not found', { field: 'id' });
  const { passwordHash, roleName, roleAudience, ...user } = row;
  return { ...user, hasPassword: Boolean(passwordHash), role: { id: user.roleId, name: roleName, audience: roleAudience } };
}

/** The signed-in person, their workspace and what they may do: what every page starts from. */
export async function getMe({ trx, tenantId, userId, permissions }: { trx: Trx; tenantId: string; userId: string; permissions: ReadonlySet<string> }) {
  const user = await trx('users').where({ id: userId }).first(...USER_COLUMNS);
  if (!user) throw new AppError('UNAUTHORIZED', SIGN_IN_REQUIRED);
  const tenant = await getTenant({ trx, tenantId });
  return { user, tenant, permissions: [...permissions].sort() };
}

export async function getUserPermissions(trx: Trx, id: string) {
  const user = await findUser(trx, id);
  const role = await findRole(trx, user.roleId);
  return { role: { id: role.id, name: role.name, audience: role.audience }, permissions: [...role.permissions].sort() };
}


const SORTS = {
  name: { columns: [`lower(display_name)`, 'id'], cursor: cursorSchemas.nameThenId },
  created: { columns: ['created_at', 'id'], cursor: cursorSchemas.timeThenId },
  lastSignIn: { columns: [`coalesce(last_sign_in_at, '-infinity')`, 'id'], cursor: cursorSchemas.optionalTimeThenId },
} as const;

export async function listUsers(trx: Trx, input: z.output<typeof listUsersInput>) {
  const sort = SORTS[input.sort];
  const direction = input.dir ?? DEFAULT_SORT_DIRECTION[input.sort];
  const after = decodeCursor<z.ZodTuple>(input.cursor, sort.cursor);
  // Keyset both ways: the page before a cursor is read in the opposite order, then turned round.
  const before = after ? null : decodeCursor<z.ZodTuple>(input.before, sort.cursor);
  // The indexed match (migrations 20261123020000_user_search, 20261123070000_request_functions, 20261201000000_sql_request_functions): a
  // case-insensitive substring of names, email and user name, whole rows of the tenant's users.
  const search = input.q ? `%${input.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
  const source = search ? trx.raw('user_search_rows(?) as users', [search]) : trx.raw('users');
  const matching = () =>
    trx
      .from(source)
      .where({ isSystem: false })
      .modify((q) => {
        if (input.status) q.where({ status: input.status });
        if (input.kind) q.where({ kind: input.kind });
        if (input.roleId) q.where({ roleId: input.roleId });
      });
  const read = async (from: unknown[] | null, order: 'asc' | 'desc'): Promise<(PublicUser & { sortKey: unknown })[]> =>
    matching()
      .select([...USER_COLUMNS, trx.raw(`${sort.columns[0]} as sort_key`)])
      .modify((q) => {
        if (from) q.whereRaw(`(${sort.columns[0]}, id) ${order === 'asc' ? '>' : '<'} (?, ?)`, from as [string, string]);
      })
      .orderByRaw(`${sort.columns[0]} ${order}, id ${order}`)
      .limit(input.limit + 1);

  let items: (PublicUser & { sortKey: unknown })[];
  let hasPrevious: boolean;
  let hasNext: boolean;
  const backwards = before ? await read(before, direction === 'asc' ? 'desc' : 'asc') : null;
  if (backwards && backwards.length >= input.limit) {
    items = backwards.slice(0, input.limit).reverse();
    hasPrevious = backwards.length > input.limit;
    hasNext = true;
  } else {
    // Forwards, or back to a start that holds less than a page: the first page, whole.
    const rows = await read(backwards ? null : after, direction);
    items = rows.slice(0, input.limit);
    hasPrevious = Boolean(after) && items.length > 0;
    hasNext = rows.length > input.limit;
  }
  // Capped: counting a million matches for a label costs more than the page; beyond the cap the UI says "10,000+".
  const [{ n }] = await trx.from(matching().select(trx.raw('1')).limit(USER_COUNT_CAP + 1).as('m')).select(trx.raw('count(*)::int as n'));
  const cursorValue = (v: unknown) => (v instanceof Date ? v.toISOString() : v === -Infinity ? '-infinity' : v);
  const key = (row: { sortKey: unknown; id: string }) => encodeCursor([cursorValue(row.sortKey), row.id]);
  return {
    items: items.map(({ sortKey: _sortKey, ...user }) => user),
    nextCursor: hasNext && items.length ? key(items[items.length - 1]) : null,
    prevCursor: hasPrevious ? key(items[0]) : null,
    /** Matching users, at most USER_COUNT_CAP; `totalCapped` says there are more. */
    total: Math.min(n, USER_COUNT_CAP),
    totalCapped: n > USER_COUNT_CAP,
  };
}

export type LoginEvent = Pick<LoginEventRow, 'id' | 'createdAt' | 'result' | 'message' | 'ip' | 'userAgent' | 'email' | 'userId'> & {
  userName: string | null;
};

/** Newest first; a user's attempts, or the workspace's (attempts on unknown emails included). */
export async function listLoginHistory(trx: Trx, input: z.output<typeof loginHistoryInput>) {
  if (input.id) await findUser(trx, input.id);
  const after = decodeCursor(input.cursor, cursorSchemas.serialId);
  const rows: LoginEvent[] = await trx('login_events as e')
    .leftJoin('users as u', 'u.id', 'e.userId')
    .modify((q) => {
      if (input.id) q.where('e.userId', input.id);
      if (input.result) q.where('e.result', input.result);
      if (input.email) q.whereRaw('lower(e.email) = lower(?)', [input.email]);
      if (input.ip) q.where('e.ip', input.ip);
      if (input.from) q.where('e.createdAt', '>=', input.from);
      if (input.to) q.where('e.createdAt', '<', input.to);
      if (after) q.where('e.id', '<', after[0]);
    })
    .orderBy('e.id', 'desc')
    .limit(input.limit + 1)
    .select('e.id', 'e.createdAt', 'e.result', 'e.message', 'e.ip', 'e.userAgent', 'e.email', 'e.userId', 'u.displayName as userName');
  return page(rows, input.limit, (row) => [Number(row.id)]);
}
