import type { z } from 'zod';
import { withTenant, type Db, type Trx } from '../../../db/index';
import type { Env } from '../../shared/env';
import { AppError } from '../../shared/errors';
import { emailSend } from '../../jobs/email-send';
import type { JobSender } from '../../jobs/index';
import type { changePasswordInput, requestPasswordResetInput, resetPasswordInput } from '../../contract/auth';
import { writeAudit } from '../audit/write';
import { consumeOneTimeToken, peekLinkHolder } from './one-time-tokens';
import { hashPassword, verifyPassword } from './passwords';
import { hitRateLimit, RATE_LIMITS } from '../rate-limits';
import type { RequestMeta as Meta } from '../scope';
import { createSession, endUserSessions } from './sessions';
import { passwordSessionRefusal } from './password-policy';
import { recordAttempt } from './sign-in';
import { USER_COLUMNS } from '../users/columns';
import { MAY_RESET_PASSWORD } from '../../contract/statuses';
import { unlockByReset } from '../users/status';
import { findWorkspace } from '../tenants/workspaces';
import { getTenant } from '../tenants/tenants';


export const RESET_REQUESTED =
  'If an account exists for that email in that workspace, we have sent it a link to choose a new password. The link works for one hour.';
export const RESET_LINK_INVALID = 'This password reset link has expired or has already been used. Request a new one.';


/**
 * The answer is the same for a known and an unknown email, and only a known one gets mail
 * (SPEC "Sign-in": no enumeration).
 */
export async function requestPasswordReset({
  db,
  ownerDb,
  env,
  jobs,
  now,
  meta,
  input,
}: {
  db: Db;
  ownerDb: Db;
  env: Env;
  jobs: JobSender;
  now: Date;
  meta: Meta;
  input: z.output<typeof requestPasswordResetInput>;
}) {
  await hitRateLimit({
    db,
    now,
    subject: meta.ip ?? 'unknown',
    limit: RATE_LIMITS.passwordReset(env),
  });
  const tenantId = await findWorkspace({ ownerDb, slug: input.workspace });
  if (!tenantId) return { message: RESET_REQUESTED };
  await withTenant(db, tenantId, async (trx) => {
    const user = await trx('users').whereRaw('lower(email) = lower(?)', [input.email]).first('id', 'kind', 'status', 'email', 'firstName');
    if (!user || user.kind === 'api' || !MAY_RESET_PASSWORD.includes(user.status)) return;
    const tenant = await getTenant({ trx: trx, tenantId });
    await jobs(trx, emailSend, {
      to: user.email,
      template: 'password-reset',
      tenantId,
      data: { firstName: user.firstName, tenantName: tenant.name },
      link: { purpose: 'password_reset', userId: user.id },
    });
  });
  return { message: RESET_REQUESTED };
}

async function setPassword({
  trx,
  tenantId,
  userId,
  password,
  now,
  action,
  meta,
  unlock = false,
  extra = {},
}: {
  trx: Trx;
  tenantId: string;
  userId: string;
  password: string;
  now: Date;
  action: string;
  meta: Meta;
  /** A completed reset also unlocks (the status module's transition). */
  unlock?: boolean;
  extra?: Record<string, unknown>;
}) {
  const before = await trx('users').where({ id: userId }).first('status', 'mustChangePassword');
  if (unlock) await unlockByReset({ trx, userId, now });
  const [user] = await trx('users')
    .where({ id: userId })
    .update({ passwordHash: await hashPassword(password), mustChangePassword: false, failedSignInCount: 0, updatedAt: now, ...extra })
    .returning(USER_COLUMNS);
  await writeAudit({
    trx,
    tenantId,
    actor: { type: 'user', id: userId, label: user.email },
    action,
    target: { type: 'user', id: userId },
    before,
    after: { status: user.status, mustChangePassword: false },
    ip: meta.ip,
    at: now,
  });
  return user;
}

/**
 * Completing a reset proves control of the mailbox: it unlocks a locked user, ends every session
 * of the account, and signs this browser in with a fresh one.
 */
export async function resetPassword({
  db,
  ownerDb,
  now,
  meta,
  input,
}: {
  db: Db;
  ownerDb: Db;
  now: Date;
  meta: Meta;
  input: z.output<typeof resetPasswordInput>;
}) {
  const result = await consumeOneTimeToken({
    ownerDb,
    db,
    token: input.token,
    purpose: 'password_reset',
    now,
    then: async (trx, { tenantId, userId }) => {
      // Locked: an admin suspending the user meanwhile either waits for this reset or is seen by it.
      const current = await trx('users').where({ id: userId }).forNoKeyUpdate().first('status', 'roleId');
      if (!current || !MAY_RESET_PASSWORD.includes(current.status)) return null;
      const ssoOnly = await passwordSessionRefusal(trx, { tenantId, roleId: current.roleId, done: 'Your new password is saved.' });
      const signsIn = ssoOnly ? {} : { lastSignInAt: now, lastActivityAt: now };
      const user = await setPassword({ trx, tenantId, userId, password: input.password, now, meta, action: 'user.password_reset', unlock: true, extra: signsIn });
      await endUserSessions({ trx, userId });
      if (ssoOnly) {
        await recordAttempt(trx, { tenantId, userId, email: user.email, result: 'password_not_allowed', message: ssoOnly.message, meta, now });
        return { refused: ssoOnly };
      }
      const session = await createSession({ trx, tenantId, userId, ip: meta.ip, userAgent: meta.userAgent, now });
      await recordAttempt(trx, { tenantId, userId, email: user.email, result: 'success', message: 'Signed in after resetting the password.', meta, now });
      return { user, session };
    },
  });
  if (!result) throw new AppError('BAD_REQUEST', RESET_LINK_INVALID, { reason: 'LINK_INVALID' });
  // Thrown after the commit: the password is set, only the session is refused.
  if ('refused' in result) throw result.refused;
  return result;
}

/** Other browsers signed in as this user are signed out; this one stays. */
export async function changePassword({
  trx,
  tenantId,
  userId,
  sessionId,
  now,
  meta,
  input,
}: {
  trx: Trx;
  tenantId: string;
  userId: string;
  sessionId: string;
  now: Date;
  meta: Meta;
  input: z.output<typeof changePasswordInput>;
}) {
  const current = await trx('users').where({ id: userId }).first('passwordHash');
  if (!current?.passwordHash || !(await verifyPassword(current.passwordHash, input.currentPassword))) {
    throw new AppError('BAD_REQUEST', 'Your current password is not correct.', { field: 'currentPassword' });
  }
  if (input.currentPassword === input.newPassword) {
    throw new AppError('BAD_REQUEST', 'Choose a password different from the current one.', { field: 'newPassword' });
  }
  const user = await setPassword({ trx, tenantId, userId, password: input.newPassword, now, meta, action: 'user.password_changed' });
  await endUserSessions({ trx, userId, exceptSessionId: sessionId });
  return user;
}

/**
 * Issue #18: what the reset page shows before anyone types a password — the workspace and the email
 * the link is for — or the same refusal as `resetPassword` for a link that cannot be used. Reads only.
 */
export async function resetLinkInfo({ db, ownerDb, now, token }: { db: Db; ownerDb: Db; now: Date; token: string }) {
  const holder = await peekLinkHolder({ db, ownerDb, token, purpose: 'password_reset', now });
  if (!holder || !MAY_RESET_PASSWORD.includes(holder.user.status)) throw new AppError('NOT_FOUND', RESET_LINK_INVALID, { reason: 'LINK_INVALID' });
  return { email: holder.user.email, workspace: holder.tenant.name, slug: holder.tenant.slug };
}
