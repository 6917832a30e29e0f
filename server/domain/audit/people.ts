import type { Knex } from 'knex';
import type { Trx } from '../../../db/index';
import { isUuid } from '../../contract/fields';

/** How many people a filter or a suggestion list names; past that, the person types more. */
export const PEOPLE_SHOWN = 10;

export type AuditPerson = { id: string; displayName: string; email: string };

/**
 * Who a typed name stands for: the people shown, whether there are more, and every match's id,
 * as text (audit rows keep ids as text) or as uuid (to join other tables).
 */
export type ResolvedPeople = { query: string; people: AuditPerson[]; more: boolean; ids: (as: 'text' | 'uuid') => Knex.QueryBuilder | string[] };

const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The tenant's people (system users aside) whose names, user name or email contain `q`, by name. */
function matching(trx: Trx, q: string) {
  return trx.from(trx.raw('user_search_rows(?) as u', [likePattern(q)])).where('u.isSystem', false);
}

/** Suggestions as a name is typed (issue #18): the first people by name, and whether there are more. */
export async function listAuditPeople(trx: Trx, { q }: { q: string }) {
  const rows: AuditPerson[] = await matching(trx, q).orderBy(['u.displayName', 'u.id']).limit(PEOPLE_SHOWN + 1).select('u.id', 'u.displayName', 'u.email');
  return { people: rows.slice(0, PEOPLE_SHOWN), more: rows.length > PEOPLE_SHOWN };
}

/**
 * A typed actor or target (issue #18: audit filters pick people by name). An email, a user name
 * or a display name that is exactly one person's picks that person; otherwise every person whose
 * name or email contains the text, so the list shows all their events and the page offers them as
 * choices to narrow down.
 */
export async function resolvePeople(trx: Trx, query: string): Promise<ResolvedPeople> {
  const exact: AuditPerson[] = await matching(trx, query)
    .where((w) =>
      w
        .whereRaw('lower(u.email) = lower(?)', [query])
        .orWhereRaw('lower(u.user_name) = lower(?)', [query])
        .orWhereRaw('lower(u.display_name) = lower(?)', [query]),
    )
    .orderBy(['u.displayName', 'u.id'])
    .limit(2)
    .select('u.id', 'u.displayName', 'u.email');
  if (exact.length === 1) return { query, people: exact, more: false, ids: () => [exact[0].id] };
  const { people, more } = await listAuditPeople(trx, { q: query });
  return { query, people, more, ids: (as) => (more ? matching(trx, query).select(as === 'text' ? trx.raw('u.id::text') : 'u.id') : people.map((p) => p.id)) };
}

/** The person an id in the address names, so the filter shows a name rather than an id. */
export async function personById(trx: Trx, id: string): Promise<AuditPerson | null> {
  if (!isUuid(id)) return null;
  return (await trx('users').where({ id }).first('id', 'displayName', 'email')) ?? null;
}
