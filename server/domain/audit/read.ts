import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import type { AuditEventRow } from '../../../db/tables';
import type { listAuditInput } from '../../contract/audit';
import { cursorSchemas, decodeCursor, page } from '../pagination';
import { personById, resolvePeople, type AuditPerson, type ResolvedPeople } from './people';

/** An event with the people it names, by their names today (the label kept in the row says who it was then). */
export type AuditEvent = Omit<AuditEventRow, 'tenantId'> & { actorName: string | null; targetName: string | null };

/** What a person filter stands for, as the page shows it back: the people it matched (or the one an id names). */
export type PeopleFilter = { query: string; people: AuditPerson[]; more: boolean };

async function peopleFilter(trx: Trx, id: string | undefined, query: string | undefined): Promise<(PeopleFilter & Pick<ResolvedPeople, 'ids'>) | null> {
  if (id) {
    const person = await personById(trx, id);
    return person ? { query: person.displayName, people: [person], more: false, ids: () => [id] } : null;
  }
  return query ? resolvePeople(trx, query) : null;
}

/**
 * Newest first; `action` matches a prefix, so `user.` lists every user change. An actor or target
 * typed by name (issue #18) lists the events of every person it matches; an actor includes what
 * that person's API keys did.
 */
export async function listAudit(trx: Trx, input: z.output<typeof listAuditInput>) {
  const after = decodeCursor(input.cursor, cursorSchemas.serialId);
  const actor = await peopleFilter(trx, input.actorId, input.actor);
  const target = await peopleFilter(trx, input.targetId, input.target);
  const rows: AuditEvent[] = await trx('audit_events as a')
    // A person acting signs with their user id; an API key with the key's id, so only people join.
    .leftJoin('users as actor', (j) => j.on(trx.raw("a.actor_type = 'user'")).andOn(trx.raw('actor.id::text = a.actor_id')))
    .leftJoin('users as target', (j) => j.on(trx.raw("a.target_type = 'user'")).andOn(trx.raw('target.id::text = a.target_id')))
    .modify((q) => {
      if (input.actorId) q.where('a.actorId', input.actorId);
      else if (actor) {
        q.where((w) =>
          w
            .where((u) => u.where('a.actorType', 'user').whereIn('a.actorId', actor.ids('text')))
            .orWhere((k) => k.where('a.actorType', 'api_key').whereIn('a.actorId', trx('api_keys').whereIn('userId', actor.ids('uuid')).select(trx.raw('id::text')))),
        );
      }
      if (input.targetId) q.where('a.targetId', input.targetId);
      else if (target) q.where('a.targetType', 'user').whereIn('a.targetId', target.ids('text'));
      if (input.action) q.whereRaw(`a.action like ? escape '\\'`, [`${input.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
      if (input.from) q.where('a.createdAt', '>=', input.from);
      if (input.to) q.where('a.createdAt', '<', input.to);
      if (after) q.where('a.id', '<', after[0]);
    })
    .orderBy('a.id', 'desc')
    .limit(input.limit + 1)
    .select(
      'a.id',
      'a.actorType',
      'a.actorId',
      'a.actorLabel',
      'a.action',
      'a.targetType',
      'a.targetId',
      'a.before',
      'a.after',
      'a.ip',
      'a.createdAt',
      'actor.displayName as actorName',
      'target.displayName as targetName',
    );
  const shown = (f: typeof actor): PeopleFilter | null => (f ? { query: f.query, people: f.people, more: f.more } : null);
  return { ...page(rows, input.limit, (row) => [Number(row.id)]), actor: shown(actor), target: shown(target) };
}
