import type { AuditEventRow } from '../../../db/tables';
import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import type { listAuditInput } from '../../contract/audit';
import { cursorSchemas, decodeCursor, page } from '../pagination';

export type AuditEvent = Omit<AuditEventRow, 'tenantId'>;

/** Newest first; `action` matches a prefix, so `user.` lists every user change. */
export async function listAudit(trx: Trx, input: z.output<typeof listAuditInput>) {
  const after = decodeCursor(input.cursor, cursorSchemas.serialId);
  const rows: AuditEvent[] = await trx('audit_events')
    .modify((q) => {
      if (input.actorId) q.where({ actorId: input.actorId });
      if (input.targetId) q.where({ targetId: input.targetId });
      if (input.action) q.whereRaw(`action like ? escape '\\'`, [`${input.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
      if (input.from) q.where('createdAt', '>=', input.from);
      if (input.to) q.where('createdAt', '<', input.to);
      if (after) q.where('id', '<', after[0]);
    })
    .orderBy('id', 'desc')
    .limit(input.limit + 1)
    .select('id', 'actorType', 'actorId', 'actorLabel', 'action', 'targetType', 'targetId', 'before', 'after', 'ip', 'createdAt');
  return page(rows, input.limit, (row) => [Number(row.id)]);
}
