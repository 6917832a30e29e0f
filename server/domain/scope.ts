import type { Trx } from '../../db/index';
import type { JobSender } from '../jobs/index';
import type { AuditActor } from './audit/write';
import type { Permission } from './roles/built-in';

/** Who sent a request, as the audit log and login history record it. */
export type RequestMeta = { ip: string | null; userAgent: string | null };

/** What a use case inside a tenant needs: its transaction (tenant set), who acts, and when. */
export type Scope = {
  trx: Trx;
  tenantId: string;
  actor: AuditActor;
  /** The acting user, when a person or an API user acts (not the worker or Stripe). */
  actorUserId?: string;
  permissions: ReadonlySet<Permission>;
  ip: string | null;
  now: Date;
  jobs: JobSender;
};
