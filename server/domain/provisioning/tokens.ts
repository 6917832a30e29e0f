import type { z } from 'zod';
import type { Db } from '../../../db/index';
import { PERMISSIONS, type Permission } from '../../contract/permissions';
import type { createScimTokenInput } from '../../contract/scim';
import { AppError } from '../../shared/errors';
import { generateSecret, hashSecret, isWellFormedSecret } from '../api-keys/key-format';
import { writeAudit } from '../audit/write';
import { TOUCH_AFTER_MS } from '../auth/sessions';
import { countHitSql, rateLimitKey, refuseOverLimit, windowStartOf, type RateLimit } from '../rate-limits';
import type { Scope } from '../scope';

/**
 * SPEC "Directory provisioning": provisioning tokens are shown once, stored as a SHA-256 hash
 * with a visible `sws_` prefix, revocable, and record their last use.
 */
const TOKEN_COLUMNS = ['id', 'name', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt'] as const;

/** What the directory does (create, change, deactivate users) needs both. */
export const TOKEN_NEEDS: Permission[] = ['settings.manage', 'users.manage'];

const knownPermissions = (stored: readonly string[]) => stored.filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p));

export const hashScimToken = hashSecret;

export function generateScimToken() {
  const { secret, prefix, hash } = generateSecret('sws');
  return { token: secret, prefix, hash };
}

/**
 * The only time the token itself leaves the server. The token acts with its creator's permissions
 * as they are now, kept on the row: a token never holds more than the person who made it.
 */
export async function createScimToken(scope: Scope, input: z.output<typeof createScimTokenInput>) {
  const missing = TOKEN_NEEDS.filter((p) => !scope.permissions.has(p));
  if (missing.length) {
    throw new AppError('FORBIDDEN', `You need the ${missing.join(' and ')} permission${missing.length > 1 ? 's' : ''} to create a provisioning token: the directory acts with your permissions.`, {
      reason: 'TOKEN_PERMISSIONS',
      missing,
    });
  }
  const creator = scope.actorUserId
    ? await scope.trx('users as u').join('roles as r', 'r.id', 'u.roleId').where('u.id', scope.actorUserId).first('r.name')
    : undefined;
  const { token, prefix, hash } = generateScimToken();
  const [row] = await scope
    .trx('scim_tokens')
    .insert({
      tenantId: scope.tenantId,
      name: input.name,
      prefix,
      tokenHash: hash,
      createdBy: scope.actorUserId ?? null,
      permissions: [...scope.permissions].sort(),
      creatorRoleName: creator?.name ?? null,
      createdAt: scope.now,
    })
    .returning(TOKEN_COLUMNS);
  await writeAudit({
    trx: scope.trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action: 'provisioning.token_created',
    target: { type: 'scim_token', id: row.id },
    after: { name: row.name, prefix, permissions: [...scope.permissions].sort() },
    ip: scope.ip,
    at: scope.now,
  });
  return { id: row.id, prefix, token };
}

/** Each token with whose permissions it carries (the creator's name as it is now, the role as it was). */
export async function listScimTokens(scope: Scope) {
  const rows = await scope
    .trx('scim_tokens as t')
    .leftJoin('users as u', 'u.id', 't.createdBy')
    .orderBy('t.createdAt', 'desc')
    .select(...TOKEN_COLUMNS.map((c) => `t.${c}`), 't.permissions', 't.creatorRoleName', 'u.displayName as creatorName');
  return rows.map((t) => ({
    id: t.id as string,
    name: t.name as string,
    prefix: t.prefix as string,
    createdAt: t.createdAt as Date,
    lastUsedAt: t.lastUsedAt as Date | null,
    revokedAt: t.revokedAt as Date | null,
    status: t.revokedAt ? ('revoked' as const) : ('active' as const),
    permissions: knownPermissions(t.permissions as string[]),
    creatorName: (t.creatorName as string | null) ?? null,
    creatorRoleName: (t.creatorRoleName as string | null) ?? null,
  }));
}

export async function revokeScimToken(scope: Scope, { id }: { id: string }) {
  const token = await scope.trx('scim_tokens').where({ id }).forUpdate().first(...TOKEN_COLUMNS);
  if (!token) throw new AppError('NOT_FOUND', 'Provisioning token not found', { field: 'id' });
  if (token.revokedAt) return token;
  const [revoked] = await scope.trx('scim_tokens').where({ id }).update({ revokedAt: scope.now }).returning(TOKEN_COLUMNS);
  await writeAudit({
    trx: scope.trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action: 'provisioning.token_revoked',
    target: { type: 'scim_token', id },
    before: { name: token.name, prefix: token.prefix },
    after: { revoked: true },
    ip: scope.ip,
    at: scope.now,
  });
  return revoked;
}

export type DirectoryActor = { tenantId: string; tokenId: string; prefix: string; permissions: Permission[] };

/**
 * Resolves a bearer token to its tenant and counts the request against the token's limit, in one
 * statement on the privileged connection (a token names its tenant, as a workspace slug does).
 * A revoked or unknown token is a 401 that reveals nothing about any tenant. Every request counts,
 * refused ones included.
 */
export async function authenticateScimToken({ ownerDb, token, now, limit }: { ownerDb: Db; token: string; now: Date; limit: RateLimit }): Promise<DirectoryActor> {
  if (!isWellFormedSecret('sws', token)) {
    throw new AppError('UNAUTHORIZED', 'This provisioning token is malformed: check that it was copied whole (it starts with sws_).', { reason: 'TOKEN_MALFORMED' });
  }
  const { rows } = await ownerDb.raw<{ rows: { id: string; tenant_id: string; prefix: string; permissions: string[]; revoked_at: Date | null; last_used_at: Date | null; hits: number | null }[] }>(
    `with t as (select id, tenant_id, prefix, permissions, revoked_at, last_used_at from scim_tokens where token_hash = ?),
     hit as (${countHitSql(`select ? || t.id::text, cast(? as timestamptz), 1 from t`)})
     select t.*, (select hits from hit) as hits from t`,
    [hashScimToken(token), rateLimitKey(limit, ''), windowStartOf(limit, now)],
  );
  const row = rows[0];
  if (!row) throw new AppError('UNAUTHORIZED', 'This provisioning token is not recognised.', { reason: 'TOKEN_UNKNOWN' });
  if (row.revoked_at) throw new AppError('UNAUTHORIZED', 'This provisioning token has been revoked. Create a new one in Settings → Provisioning.', { reason: 'TOKEN_REVOKED' });
  refuseOverLimit(limit, row.hits ?? Number.POSITIVE_INFINITY, now);
  // Last use moves at most once a minute, and concurrent requests touch it once.
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > TOUCH_AFTER_MS) {
    await ownerDb('scim_tokens')
      .where({ id: row.id })
      .where((q) => q.whereNull('lastUsedAt').orWhere('lastUsedAt', '<', new Date(now.getTime() - TOUCH_AFTER_MS)))
      .update({ lastUsedAt: now });
  }
  return { tenantId: row.tenant_id, tokenId: row.id, prefix: row.prefix, permissions: knownPermissions(row.permissions) };
}
