import type { Knex } from 'knex';
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
type Sort = (typeof SORTS)[keyof typeof SORTS];

/**
 * What a search matches: a case-insensitive substring of names, email and user name. Verbatim the
 * expression of the trigram index `users_search` and of user_search_rows() (migrations
 * 20261123020000_user_search, 20261201000000_sql_request_functions), so that every plan below
 * finds the same rows.
 */
const SEARCH_MATCH = `lower(first_name || ' ' || last_name || ' ' || display_name || ' ' || email || ' ' || coalesce(user_name, ''))`;

/** `q` as a LIKE pattern: its own `%`, `_` and `\` match themselves. */
const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * pg_trgm finds a LIKE pattern's rows from the trigrams of its words (runs of letters and
 * digits); a pattern without three such characters in a row has none, and the index would
 * return every row.
 */
const trigramsCanHelp = (q: string) => /[\p{L}\p{N}]{3}/u.test(q);

/**
 * How many of the tenant's users, in the page's order, a search reads before it gives up on
 * finding a page that way and asks the trigram index instead (issue #20): a page of 50 is found
 * this way when at least one user in five matches. Each read user costs a lower() of the match
 * expression; EXPLAIN ANALYZE of the selective search at 100,000 users on a loaded 2-core VM:
 * 2.4 ms with 250, 16–20 ms with 1,000, 2.6 ms for the trigram plan alone.
 */
export const SEARCH_WALK_ROWS = 250;

/**
 * The two ways to find a search's rows, as a FROM item named `users` (the tenant's rows that
 * match, whole), for the page below and for anything else counted over the same match:
 *
 * - `walk`: the tenant's rows, filtered by the match (the tenant named as well as enforced, so
 *   that the statement reads one tenant's index range on a connection without row-level security). Under row-level security that is all the
 *   planner can do with LIKE (not leakproof), so it reads the sort index in order and stops at
 *   the page's end: fast when matches are common (`a`, `@example.com`), a read of the whole
 *   tenant when there are none. A capped count over it stops after its cap of matches.
 * - `trigram`: user_search_rows(), the trigram index as the table owner within the tenant:
 *   fast for rare patterns, but it returns every match, and the page is sorted from them (a
 *   second per 100,000 matches).
 */
export function userSearchSource(trx: Trx, q: string, plan: 'walk' | 'trigram') {
  const pattern = likePattern(q);
  return plan === 'walk' ? trx.raw(`(select * from users where tenant_id = current_tenant_id() and ${SEARCH_MATCH} like ?) as users`, [pattern]) : trx.raw('user_search_rows(?) as users', [pattern]);
}

export type SearchPlan = 'auto' | 'walk' | 'trigram';

/**
 * A page of the tenant's users: filtered, optionally searched, in keyset order. A search runs as
 * one statement whichever way it finds its rows (`plan` forces one way, for tests and benches):
 * a pattern that trigrams cannot help walks the sort index; any other first walks at most
 * SEARCH_WALK_ROWS users from the cursor, and when they do not fill the page, the trigram plan
 * answers instead, in the same statement. Both give the same rows in the same order. (`walkRows`
 * changes the limit, for tests.)
 */
/**
 * A page of the tenant's users: filtered, optionally searched, in keyset order both ways, with a
 * capped count. A search runs as one statement whichever way it finds its rows (`plan` forces one
 * way, for tests and benches): a pattern that trigrams cannot help walks the sort index; any other
 * first walks at most SEARCH_WALK_ROWS users from the cursor, and when they do not fill the page,
 * the trigram plan answers instead, in the same statement. Both give the same rows in the same
 * order. (`walkRows` changes the limit, for tests.)
 */
export async function listUsers(
  trx: Trx,
  input: z.output<typeof listUsersInput>,
  { plan = 'auto', walkRows = SEARCH_WALK_ROWS }: { plan?: SearchPlan; walkRows?: number } = {},
) {
  const sort: Sort = SORTS[input.sort];
  const direction = input.dir ?? DEFAULT_SORT_DIRECTION[input.sort];
  const after = decodeCursor<z.ZodTuple>(input.cursor, sort.cursor) as [string, string] | null;
  // Keyset both ways: the page before a cursor is read in the opposite order, then turned round.
  const before = after ? null : (decodeCursor<z.ZodTuple>(input.before, sort.cursor) as [string, string] | null);
  const filtered = (q: Knex.QueryBuilder) => {
    q.where({ isSystem: false });
    if (input.status) q.where({ status: input.status });
    if (input.kind) q.where({ kind: input.kind });
    if (input.roleId) q.where({ roleId: input.roleId });
  };

  /** Up to a page and one more from `from` (exclusive) in `order`; `via` says which plan found them. */
  const read = async (from: [string, string] | null, order: 'asc' | 'desc') => {
    const boundary = (q: Knex.QueryBuilder, key: string) => {
      if (from) q.whereRaw(`(${key}, id) ${order === 'asc' ? '>' : '<'} (?, ?)`, from);
    };
    /** The page from a source of whole user rows, ordered by `key` (an expression, or the source's own sort_key). */
    const pageFrom = (source: Knex.Raw | string, via: 'all' | 'walk' | 'trigram', key: string = sort.columns[0]) =>
      trx
        .from(source)
        .select([...USER_COLUMNS, trx.raw(`${key} as sort_key`), trx.raw('?::text as via', [via])])
        .modify(filtered)
        .modify((q) => boundary(q, key))
        .orderByRaw(`${key} ${order}, id ${order}`)
        .limit(input.limit + 1);

    const q = input.q;
    let query: Knex.QueryBuilder;
    if (!q) query = pageFrom('users', 'all');
    else if (plan !== 'auto') query = pageFrom(userSearchSource(trx, q, plan), plan);
    else if (!trigramsCanHelp(q)) query = pageFrom(userSearchSource(trx, q, 'walk'), 'walk');
    else {
      // The walk, limited to `walkRows` users from the cursor in the page's order; the trigram
      // plan runs only when the walk found no full page (its gate is evaluated first). The walk
      // names its key sort_key so that the planner sees its rows come in order and stops at the
      // page's end, rather than matching all `walkRows` rows and sorting them.
      const key = sort.columns[0];
      const walked = trx('users')
        .select('*', trx.raw(`${key} as sort_key`))
        .whereRaw('tenant_id = current_tenant_id()')
        .modify((q) => boundary(q, key))
        .orderByRaw(`${key} ${order}, id ${order}`)
        .limit(walkRows)
        .as('walked');
      const probe = trx.raw(`(select * from ? where ${SEARCH_MATCH} like ?) as users`, [walked, likePattern(q)]);
      const full = input.limit + 1;
      const trigram = pageFrom(userSearchSource(trx, q, 'trigram'), 'trigram').whereRaw('(select count(*) from walk) < ?', [full]);
      query = trx
        .with('walk', pageFrom(probe, 'walk', 'sort_key'))
        .select('*')
        .from(trx.raw(`(select * from walk where (select count(*) from walk) = ? union all ?) as users`, [full, trigram]))
        .orderByRaw(`sort_key ${order}, id ${order}`);
    }
    const rows: (PublicUser & { sortKey: unknown; via: 'all' | 'walk' | 'trigram' })[] = await query;
    return rows;
  };

  let rows: Awaited<ReturnType<typeof read>>;
  let items: typeof rows;
  let hasPrevious: boolean;
  let hasNext: boolean;
  const backwards = before ? await read(before, direction === 'asc' ? 'desc' : 'asc') : null;
  if (backwards && backwards.length >= input.limit) {
    rows = backwards;
    items = backwards.slice(0, input.limit).reverse();
    hasPrevious = backwards.length > input.limit;
    hasNext = true;
  } else {
    // Forwards, or back to a start that holds less than a page: the first page, whole.
    rows = await read(backwards ? null : after, direction);
    items = rows.slice(0, input.limit);
    hasPrevious = Boolean(after) && items.length > 0;
    hasNext = rows.length > input.limit;
  }
  // Capped: counting a million matches for a label costs more than the page; beyond the cap the UI
  // says "10,000+". Counted the way the page was found: a walk's matches are dense, so a capped
  // walk stops early; a page the trigram index found has few matches, which it finds fast.
  if (!input.withTotal) return { ...pageOf(items, hasNext, hasPrevious), total: null, totalCapped: false };
  const countPlan = !input.q ? null : plan !== 'auto' ? plan : rows[0]?.via === 'walk' || !trigramsCanHelp(input.q) ? 'walk' : 'trigram';
  const source = countPlan ? userSearchSource(trx, input.q!, countPlan) : 'users';
  const matching = trx.from(source).select(trx.raw('1')).modify(filtered).limit(USER_COUNT_CAP + 1).as('m');
  const [{ n }] = await trx.from(matching).select(trx.raw('count(*)::int as n'));
  return {
    ...pageOf(items, hasNext, hasPrevious),
    /** Matching users, at most USER_COUNT_CAP; `totalCapped` says there are more. */
    total: Math.min(n, USER_COUNT_CAP),
    totalCapped: n > USER_COUNT_CAP,
  };
}

/** The page's users and its cursors both ways. */
function pageOf(items: (PublicUser & { sortKey: unknown; via: string })[], hasNext: boolean, hasPrevious: boolean) {
  const cursorValue = (v: unknown) => (v instanceof Date ? v.toISOString() : v === -Infinity ? '-infinity' : v);
  const key = (row: { sortKey: unknown; id: string }) => encodeCursor([cursorValue(row.sortKey), row.id]);
  return {
    items: items.map(({ sortKey: _sortKey, via: _via, ...user }) => user),
    nextCursor: hasNext && items.length ? key(items[items.length - 1]) : null,
    prevCursor: hasPrevious ? key(items[0]) : null,
  };
}

export type LoginEvent = Pick<LoginEventRow, 'id' | 'createdAt' | 'result' | 'message' | 'ip' | 'userAgent' | 'email' | 'userId' | 'method'> & {
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
    .select('e.id', 'e.createdAt', 'e.result', 'e.message', 'e.ip', 'e.userAgent', 'e.email', 'e.userId', 'e.method', 'u.displayName as userName');
  return page(rows, input.limit, (row) => [Number(row.id)]);
}
