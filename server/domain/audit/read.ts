import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import type { AuditEventRow } from '../../../db/tables';
import type { listAuditInput } from '../../contract/audit';
import { cursorSchemas, decodeCursor, page } from '../pagination';

/** An event with the people it names, by their names today (the label kept in the row says who it was then). */
export type AuditEvent = Omit<AuditEventRow, 'tenantId'> & { actorName: string | null; targetName: string | null };

/** Newest first; `action` matches a prefix, so `user.` lists every user change. */
export async function listAudit(trx: Trx, input: z.output<typeof listAuditInput>) {
  const after = decodeCursor(input.cursor, cursorSchemas.serialId);
  const rows: AuditEvent[] = await trx('audit_events as a')
    // A person acting signs with their user id; an API key with the key's id, so only people join.
    .leftJoin('users as actor', (j) => j.on(trx.raw("a.actor_type = 'user'")).andOn(trx.raw('actor.id::text = a.actor_id')))
    .leftJoin('users as target', (j) => j.on(trx.raw("a.target_type = 'user'")).andOn(trx.raw('target.id::text = a.target_id')))
    .modify((q) => {
      if (input.actorId) q.where('a.actorId', input.actorId);
      if (input.targetId) q.where('a.targetId', input.targetId);
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
  return page(rows, input.limit, (row) => [Number(row.id)]);
}
