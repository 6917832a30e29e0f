import { hasAccess, type UserStatus } from '../../contract/statuses';
import type { z } from 'zod';
import type { Db, Trx } from '../../../db/index';
import { AppError } from '../../shared/errors';
import type { createApiKeyInput } from '../../contract/api-keys';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from './key-format';
import { writeAudit, type AuditActor } from '../audit/write';
import type { Scope } from '../scope';
import { countHitSql, rateLimitKey, refuseOverLimit, windowStartOf, type RateLimit } from '../rate-limits';
import type { Permission } from '../roles/built-in';
import { TOUCH_AFTER_MS, type ActorProfile } from '../auth/sessions';
import { assertMayActOn, findUser } from '../users/rules';

export type ApiKeyRow = {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

export type ApiKeyActor = { type: 'api_key'; tenantId: string; userId: string; keyId: string; prefix: string } & ActorProfile;

const KEY_COLUMNS = ['id', 'userId', 'name', 'prefix', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt'] as const;

/**
 * SPEC "API users and keys": every refusal is a 401 that says which check failed, and none
 * reveals anything about another tenant (an unknown key is just unknown).
 */
export async function resolveApiKey({
  ownerDb,
  key,
  now,
  limit,
  calls = 1,
}: {
  ownerDb: Db;
  key: string;
  now: Date;
  limit: RateLimit;
  /** Procedures in this request: a batch of ten counts ten against the key's limit (issue #13). */
  calls?: number;
}): Promise<ApiKeyActor> {
  if (!isWellFormedApiKey(key)) {
    throw new AppError('UNAUTHORIZED', 'This API key is malformed: check that it was copied whole (it starts with swk_).', { reason: 'KEY_MALFORMED' });
  }
  // One round trip: the key, its user and role, and this request's hit in the key's rate limit.
  type KeyRow = { id: string; tenant_id: string; user_id: string; prefix: string; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null; status: UserStatus; email: string; permissions: Permission[]; hits: number };
  const { rows } = await ownerDb.raw<{ rows: KeyRow[] }>(
    `with k as (
       select k.id, k.tenant_id, k.user_id, k.prefix, k.expires_at, k.revoked_at, k.last_used_at, u.status, u.email, r.permissions
       from api_keys k join users u on u.id = k.user_id join roles r on r.id = u.role_id
       where k.key_hash = ?
     ), hit as (${countHitSql('select ? || k.id, ?, ?::int from k')})
     select k.*, (select hits from hit) as hits from k`,
    // The subject is the key's id, appended in SQL to the limit's prefix.
    [hashApiKey(key), rateLimitKey(limit, ''), windowStartOf(limit, now), calls],
  );
  const row: KeyRow | undefined = rows[0];
  if (!row) throw new AppError('UNAUTHORIZED', 'This API key is not recognised.', { reason: 'KEY_UNKNOWN' });
  if (row.revoked_at) throw new AppError('UNAUTHORIZED', 'This API key has been revoked.', { reason: 'KEY_REVOKED' });
  if (row.expires_at && row.expires_at <= now) {
    throw new AppError('UNAUTHORIZED', `This API key expired on ${row.expires_at.toISOString()}.`, { reason: 'KEY_EXPIRED' });
  }
  if (!hasAccess(row.status)) {
    throw new AppError('UNAUTHORIZED', `The API user of this key is ${row.status}; its keys do not work.`, { reason: 'USER_NOT_ACTIVE' });
  }
  refuseOverLimit(limit, row.hits, now);
  // Last use (and the user's activity, which the inactivity sweep reads) moves at most once a
  // minute; the condition is rechecked in the update so that concurrent requests touch it once.
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > TOUCH_AFTER_MS) {
    const touched = await ownerDb('api_keys')
      .where({ id: row.id })
      .where((q) => q.whereNull('lastUsedAt').orWhere('lastUsedAt', '<', new Date(now.getTime() - TOUCH_AFTER_MS)))
      .update({ lastUsedAt: now });
    if (touched) await ownerDb('users').where({ id: row.user_id }).update({ lastActivityAt: now });
  }
  return {
    type: 'api_key',
    tenantId: row.tenant_id,
    userId: row.user_id,
    keyId: row.id,
    prefix: row.prefix,
    email: row.email,
    permissions: row.permissions,
    mustChangePassword: false,
  };
}

async function findApiUser(trx: Trx, userId: string) {
  const user = await findUser(trx, userId);
  if (user.kind !== 'api') throw new AppError('BAD_REQUEST', 'Only API users have API keys.', { field: 'userId' });
  return user;
}

/** The only time the key itself leaves the server. */
export async function createApiKey(scope: Scope, input: z.output<typeof createApiKeyInput>) {
  const user = await findApiUser(scope.trx, input.userId);
  await assertMayActOn(scope.trx, user, scope.permissions, 'create API keys for');
  if (!hasAccess(user.status)) throw new AppError('BAD_REQUEST', `The API user is ${user.status}: reactivate it before creating keys.`);
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt <= scope.now) throw new AppError('BAD_REQUEST', 'Choose an expiry in the future.', { field: 'expiresAt' });
  const { key, prefix, hash } = generateApiKey();
  const [row] = await scope.trx('api_keys')
    .insert({ tenantId: scope.tenantId, userId: user.id, name: input.name, prefix, keyHash: hash, createdBy: scope.actorUserId ?? null, createdAt: scope.now, expiresAt })
    .returning(KEY_COLUMNS);
  await writeAudit({
    trx: scope.trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action: 'api_key.created',
    target: { type: 'user', id: user.id },
    after: { keyId: row.id, name: row.name, prefix, expiresAt },
    ip: scope.ip,
    at: scope.now,
  });
  return { ...row, key };
}

export async function listApiKeys(scope: Scope, { userId }: { userId: string }) {
  await findApiUser(scope.trx, userId);
  const rows = await scope.trx('api_keys').where({ userId }).orderBy('createdAt', 'desc').select(...KEY_COLUMNS);
  return rows.map((k) => ({
    ...k,
    status: k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt <= scope.now ? 'expired' : 'active',
  }));
}

export async function revokeApiKey(scope: Scope, { id }: { id: string }) {
  const key = await scope.trx('api_keys').where({ id }).forUpdate().first(...KEY_COLUMNS);
  if (!key) throw new AppError('NOT_FOUND', 'API key not found', { field: 'id' });
  await assertMayActOn(scope.trx, await findUser(scope.trx, key.userId), scope.permissions, 'revoke the API keys of');
  if (key.revokedAt) return key;
  const [revoked] = await scope.trx('api_keys').where({ id }).update({ revokedAt: scope.now }).returning(KEY_COLUMNS);
  await auditRevocation(scope.trx, scope.tenantId, scope.actor, key, scope.ip, scope.now, 'revoked by an administrator');
  return revoked;
}

/** SPEC: deactivating or banning an API user revokes its keys; reactivation does not restore them. */
export async function revokeUserKeys({ trx, tenantId, userId, actor, ip, now, why }: { trx: Trx; tenantId: string; userId: string; actor: AuditActor; ip: string | null; now: Date; why: string }) {
  const keys = await trx('api_keys').where({ userId }).whereNull('revokedAt').update({ revokedAt: now }).returning(KEY_COLUMNS);
  for (const key of keys) await auditRevocation(trx, tenantId, actor, key, ip, now, why);
  return keys.length;
}

function auditRevocation(trx: Trx, tenantId: string, actor: AuditActor, key: { id: string; userId: string; name: string; prefix: string }, ip: string | null, now: Date, why: string) {
  return writeAudit({
    trx,
    tenantId,
    actor,
    action: 'api_key.revoked',
    target: { type: 'user', id: key.userId },
    before: { keyId: key.id, name: key.name, prefix: key.prefix },
    after: { revoked: true, why },
    ip,
    at: now,
  });
}
