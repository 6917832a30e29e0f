import type { Db, Trx } from '../../../db/index';
import { withTenant } from '../../../db/index';
import { hashToken, newToken } from './tokens';

export type TokenPurpose = 'invitation' | 'password_reset';

/** SPEC "Sign-in": invitation links last 7 days, reset links 1 hour. */
export const TOKEN_TTL_MINUTES: Record<TokenPurpose, number> = { invitation: 7 * 24 * 60, password_reset: 60 };

/**
 * A new single-use link for the user. Older unused links of the same purpose die with it, so only
 * the newest email works. Returns the only plaintext copy of the token.
 */
export async function issueOneTimeToken({
  trx,
  tenantId,
  userId,
  purpose,
  now,
}: {
  trx: Trx;
  tenantId: string;
  userId: string;
  purpose: TokenPurpose;
  now: Date;
}) {
  await trx('one_time_tokens').where({ tenantId, userId, purpose }).whereNull('usedAt').update({ usedAt: now });
  const token = newToken();
  await trx('one_time_tokens').insert({
    tenantId,
    userId,
    purpose,
    tokenHash: hashToken(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + TOKEN_TTL_MINUTES[purpose] * 60_000),
  });
  return token;
}

/**
 * Marks the token used and returns its user, or null when it is unknown, used or expired. The
 * conditional update makes it single-use even when two requests race with the same link.
 */
export async function consumeOneTimeToken<T>({
  ownerDb,
  db,
  token,
  purpose,
  now,
  then,
}: {
  ownerDb: Db;
  db: Db;
  token: string;
  purpose: TokenPurpose;
  now: Date;
  /** Runs in the same transaction as the consumption: if it fails, the link stays usable. */
  then: (trx: Trx, owner: { tenantId: string; userId: string }) => Promise<T | null>;
}): Promise<T | null> {
  const tokenHash = hashToken(token);
  const found = await ownerDb('one_time_tokens').where({ tokenHash, purpose }).first('tenantId');
  if (!found) return null;
  return withTenant(db, found.tenantId, async (trx) => {
    const [row] = await trx('one_time_tokens')
      .where({ tokenHash, purpose })
      .whereNull('usedAt')
      .where('expiresAt', '>', now)
      .update({ usedAt: now })
      .returning(['tenantId', 'userId']);
    if (!row) return null;
    return then(trx, row);
  });
}

/**
 * Issue #18: who a link is for and in which workspace, without using it up — the page checks the
 * link when it opens, so a used, expired or replaced link says so at once instead of after the form
 * is filled in. Null when the token is unknown, used or expired (the cases `consumeOneTimeToken`
 * refuses); the caller decides whether the user's status still lets the link be used.
 */
export async function peekLinkHolder({ db, ownerDb, token, purpose, now }: { db: Db; ownerDb: Db; token: string; purpose: TokenPurpose; now: Date }) {
  const found = await ownerDb('one_time_tokens').where({ tokenHash: hashToken(token), purpose }).whereNull('usedAt').where('expiresAt', '>', now).first('tenantId', 'userId');
  if (!found) return null;
  return withTenant(
    db,
    found.tenantId,
    async (trx) => {
      const user = await trx('users').where({ id: found.userId }).first('email', 'firstName', 'status');
      const tenant = await trx('tenants').where({ id: found.tenantId }).first('name', 'slug');
      return user && tenant ? { user, tenant } : null;
    },
    { readOnly: true },
  );
}
