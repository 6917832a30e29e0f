import type { Trx } from '../../../db/index';

export type AuditActor =
  | { type: 'user'; id: string; label?: string }
  | { type: 'api_key'; id: string; label?: string }
  | { type: 'worker' | 'stripe' | 'system'; id?: string; label?: string }
  /** SPEC "Directory provisioning": an identity provider, by its token's id and prefix. */
  | { type: 'directory'; id: string; label: string };

/** SPEC "Audit log": written in the same transaction as the change it records. */
export async function writeAudit({
  trx,
  tenantId,
  actor,
  action,
  target,
  before,
  after,
  ip,
  at,
}: {
  trx: Trx;
  tenantId: string;
  actor: AuditActor;
  action: string;
  target?: { type: string; id: string };
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  at?: Date;
}) {
  await trx('audit_events').insert({
    tenantId,
    actorType: actor.type,
    actorId: actor.id ?? null,
    actorLabel: actor.label ?? null,
    action,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    before: before === undefined ? null : JSON.stringify(before),
    after: after === undefined ? null : JSON.stringify(after),
    ip: ip ?? null,
    ...(at ? { createdAt: at } : {}),
  });
}
