import { hasAccess } from '../../contract/statuses';
import type { z } from 'zod';
import { apiKeyOpenings, transactionOpenedWith, type Db, type Trx } from '../../../db/index';
import { AppError } from '../../shared/errors';
import type { createApiKeyInput } from '../../contract/api-keys';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from './key-format';
import { writeAudit, type AuditActor } from '../audit/write';
import type { Scope } from '../scope';
import { rateLimitKey, refuseOverLimit, windowStartOf, type RateLimit } from '../rate-limits';
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
 * Runs fn in the request's transaction as the key's API user, in the key's tenant. The key's
 * rate-limit hit, its look-up and the tenant travel with BEGIN in one message (api_key_hit() and
 * api_key_actor(), migration 20261201020000; db/transaction-opening.ts, apiKeyOpenings()): a key
 * request pays one round trip before its statements, as a session's does (issue #20).
 *
 * SPEC "API users and keys": every refusal is a 401 that says which check failed, and none
 * reveals anything about another tenant (an unknown key is just unknown).
 */
export async function withApiKey<T>(
  {
    db,
    ownerDb,
    key,
    now,
    limit,
    calls = 1,
    readOnly,
  }: {
    db: Db;
    ownerDb: Db;
    key: string;
    now: Date;
    limit: RateLimit;
    /** Procedures in this request: a batch of ten counts ten against the key's limit (issue #13). */
    calls?: number;
    readOnly: boolean;
  },
  fn: (trx: Trx, actor: ApiKeyActor) => Promise<T>,
): Promise<T> {
  if (!isWellFormedApiKey(key)) {
    throw new AppError('UNAUTHORIZED', 'This API key is malformed: check that it was copied whole (it starts with swk_).', { reason: 'KEY_MALFORMED' });
  }
  // The subject of the key's counter is its id, appended in SQL to the limit's prefix.
  const { preamble, opening } = apiKeyOpenings({ keyHash: hashApiKey(key), counterPrefix: rateLimitKey(limit, ''), windowStart: windowStartOf(limit, now), calls });
  let touch: { keyId: string; userId: string } | undefined;
  try {
    return await transactionOpenedWith(
      db,
      opening,
      async (trx, [row], [hit]) => {
        if (!row) throw new AppError('UNAUTHORIZED', 'This API key is not recognised.', { reason: 'KEY_UNKNOWN' });
        if (row.revoked_at) throw new AppError('UNAUTHORIZED', 'This API key has been revoked.', { reason: 'KEY_REVOKED' });
        if (row.expires_at && row.expires_at <= now) {
          throw new AppError('UNAUTHORIZED', `This API key expired on ${row.expires_at.toISOString()}.`, { reason: 'KEY_EXPIRED' });
        }
        if (!hasAccess(row.status)) {
          throw new AppError('UNAUTHORIZED', `The API user of this key is ${row.status}; its keys do not work.`, { reason: 'USER_NOT_ACTIVE' });
        }
        // The hit was counted for this key before BEGIN, so it is there (a key deleted in between is unknown above).
        refuseOverLimit(limit, hit?.hits ?? Number.POSITIVE_INFINITY, now);
        if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > TOUCH_AFTER_MS) touch = { keyId: row.key_id, userId: row.user_id };
        return fn(trx, {
          type: 'api_key',
          tenantId: row.tenant_id,
          userId: row.user_id,
          keyId: row.key_id,
          prefix: row.prefix,
          email: row.email,
          permissions: row.permissions,
          mustChangePassword: false,
        });
      },
      { readOnly, preamble },
    );
  } finally {
    // Last use (and the user's activity, which the inactivity sweep reads) moves at most once a
    // minute, outside the request's transaction (which may be read-only or roll back); the
    // condition is rechecked in the update so that concurrent requests touch it once.
    if (touch) await touchApiKey(ownerDb, touch, now);
  }
}

async function touchApiKey(ownerDb: Db, { keyId, userId }: { keyId: string; userId: string }, now: Date) {
  const touched = await ownerDb('api_keys')
    .where({ id: keyId })
    .where((q) => q.whereNull('lastUsedAt').orWhere('lastUsedAt', '<', new Date(now.getTime() - TOUCH_AFTER_MS)))
    .update({ lastUsedAt: now });
  if (touched) await ownerDb('users').where({ id: userId }).update({ lastActivityAt: now });
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
