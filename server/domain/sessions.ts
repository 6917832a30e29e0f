import type { Db, Trx } from '../../db/index';
import type { Env } from '../env';
import type { Permission } from './roles';
import { hashToken, newToken } from './tokens';

/** Loaded with the credential in one query, so a request needs no second look-up of its user. */
export type ActorProfile = { email: string; permissions: Permission[]; mustChangePassword: boolean };

export type SessionActor = { type: 'user'; tenantId: string; userId: string; sessionId: string } & ActorProfile;

/** `__Host-` pins the cookie to our origin over HTTPS; browsers refuse it over plain http. */
export const sessionCookie = (env: Pick<Env, 'NODE_ENV'>) =>
  env.NODE_ENV === 'production' ? '__Host-seatwise_session' : 'seatwise_session';

/** Fewer writes: last_seen_at moves at most once a minute per session. */
const TOUCH_AFTER_MS = 60_000;

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
  const tenant = await trx('tenants').where({ id: tenantId }).first('sessionAbsoluteHours');
  const expiresAt = new Date(now.getTime() + tenant.sessionAbsoluteHours * 3600_000);
  const token = newToken();
  const [session] = await trx('sessions')
    .insert({ tenantId, userId, tokenHash: hashToken(token), ip, userAgent, createdAt: now, lastSeenAt: now, expiresAt })
    .returning(['id']);
  return { id: session.id as string, token, expiresAt };
}

/**
 * The cookie alone names no tenant, so this look-up is one of the few that use the privileged
 * connection; everything after it runs as the web role inside the session's tenant.
 */
export async function resolveSession({
  ownerDb,
  token,
  now,
}: {
  ownerDb: Db;
  token: string;
  now: Date;
}): Promise<SessionActor | null> {
  const row = await ownerDb('sessions as s')
    .join('tenants as t', 't.id', 's.tenantId')
    .join('users as u', 'u.id', 's.userId')
    .join('roles as r', 'r.id', 'u.roleId')
    .where('s.tokenHash', hashToken(token))
    .first('s.id', 's.tenantId', 's.userId', 's.lastSeenAt', 's.expiresAt', 't.sessionIdleMinutes', 'u.status', 'u.email', 'u.mustChangePassword', 'r.permissions');
  if (!row) return null;
  const idleDeadline = row.lastSeenAt.getTime() + row.sessionIdleMinutes * 60_000;
  if (now >= row.expiresAt || now.getTime() >= idleDeadline || row.status !== 'active') {
    await ownerDb('sessions').where({ id: row.id }).delete();
    return null;
  }
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_AFTER_MS) {
    await ownerDb('sessions').where({ id: row.id }).update({ lastSeenAt: now });
  }
  return {
    type: 'user',
    tenantId: row.tenantId,
    userId: row.userId,
    sessionId: row.id,
    email: row.email,
    permissions: row.permissions,
    mustChangePassword: row.mustChangePassword,
  };
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
