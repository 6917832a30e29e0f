import { hasAccess } from '../../contract/statuses';
import { sessionOpening, transactionOpenedWith, type Db, type Trx } from '../../../db/index';
import { getTenant } from '../tenants/tenants';
import { AppError } from '../../shared/errors';
import type { Env } from '../../shared/env';
import type { Permission } from '../roles/built-in';
import { hashToken, newToken } from './tokens';

/** Loaded with the credential in one query, so a request needs no second look-up of its user. */
export type ActorProfile = { email: string; permissions: Permission[]; mustChangePassword: boolean };

export type SessionActor = { type: 'user'; tenantId: string; userId: string; sessionId: string } & ActorProfile;

/** `__Host-` pins the cookie to our origin over HTTPS; browsers refuse it over plain http. */
export const sessionCookie = (env: Pick<Env, 'NODE_ENV'>) =>
  env.NODE_ENV === 'production' ? '__Host-seatwise_session' : 'seatwise_session';

/** Fewer writes: a session's last_seen_at, and an API key's last use, move at most once a minute. */
export const TOUCH_AFTER_MS = 60_000;

export async function createSession({
  trx,
  tenantId,
  userId,
  ip,
  userAgent,
  now,
}: {
  trx: Trx;
  tenantId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
  now: Date;
}) {
  const tenant = await getTenant({ trx, tenantId });
  const expiresAt = new Date(now.getTime() + tenant.sessionAbsoluteHours * 3600_000);
  const token = newToken();
  const [session] = await trx('sessions')
    .insert({ tenantId, userId, tokenHash: hashToken(token), ip, userAgent, createdAt: now, lastSeenAt: now, expiresAt })
    .returning(['id']);
  return { id: session.id as string, token, expiresAt };
}

export const SIGN_IN_REQUIRED = 'Please sign in to continue.';

/**
 * Runs fn in the request's transaction as the session's user, in the session's tenant. BEGIN, the
 * session look-up and the tenant travel in one round trip (session_actor(), migration
 * 20261123060000). An unknown, expired or idle session, or one whose user is no longer active,
 * is refused; the ended ones are deleted.
 */
export async function withSession<T>(
  { db, ownerDb, token, now, readOnly }: { db: Db; ownerDb: Db; token: string; now: Date; readOnly: boolean },
  fn: (trx: Trx, actor: SessionActor) => Promise<T>,
): Promise<T> {
  const outcome = await transactionOpenedWith(
    db,
    sessionOpening(hashToken(token)),
    async (trx, [row]) => {
      if (!row) return { refused: true as const };
      const idleDeadline = row.last_seen_at.getTime() + row.session_idle_minutes * 60_000;
      if (now >= row.expires_at || now.getTime() >= idleDeadline || !hasAccess(row.status)) {
        return { refused: true as const, endedSessionId: row.session_id };
      }
      const actor: SessionActor = {
        type: 'user',
        tenantId: row.tenant_id,
        userId: row.user_id,
        sessionId: row.session_id,
        email: row.email,
        permissions: row.permissions,
        mustChangePassword: row.must_change_password,
      };
      const touch = now.getTime() - row.last_seen_at.getTime() > TOUCH_AFTER_MS;
      return { value: await fn(trx, actor), touchSessionId: touch ? row.session_id : undefined };
    },
    { readOnly },
  );
  // Both writes are rare (an ended session once, a touch once a minute) and must not depend on
  // the request's own transaction, which may be read-only or roll back.
  if ('refused' in outcome) {
    if (outcome.endedSessionId) await ownerDb('sessions').where({ id: outcome.endedSessionId }).delete();
    throw new AppError('UNAUTHORIZED', SIGN_IN_REQUIRED, { reason: 'SIGN_IN_REQUIRED' });
  }
  if (outcome.touchSessionId) await ownerDb('sessions').where({ id: outcome.touchSessionId }).update({ lastSeenAt: now });
  return outcome.value;
}

export async function deleteSession({ trx, sessionId }: { trx: Trx; sessionId: string }) {
  await trx('sessions').where({ id: sessionId }).delete();
}

/** SPEC: any change that removes access (status, role, password) ends the user's sessions at once. */
export async function endUserSessions({
  trx,
  userId,
  exceptSessionId,
}: {
  trx: Trx;
  userId: string;
  exceptSessionId?: string;
}) {
  return trx('sessions')
    .where({ userId })
    .modify((q) => (exceptSessionId ? q.whereNot({ id: exceptSessionId }) : q))
    .delete();
}
