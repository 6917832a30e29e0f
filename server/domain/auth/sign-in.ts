import { hasAccess } from '../../contract/statuses';
import { withTenant, type Db, type Trx } from '../../../db/index';
import type { Env } from '../../shared/env';
import { AppError } from '../../shared/errors';
import { emailSend } from '../../jobs/email-send';
import type { JobSender } from '../../jobs/index';
import type { LoginInput } from '../../contract/auth';
import { emailSchema } from '../../contract/fields';
import { hashPassword, needsRehash, verifyDummyPassword, verifyPassword } from './passwords';
import { hitRateLimit, RATE_LIMITS } from '../rate-limits';
import type { RequestMeta as Meta } from '../scope';
import { createSession } from './sessions';
import { countFailedSignIn } from '../users/status';
import { hashToken } from './tokens';
import { USER_COLUMNS } from '../users/columns';
import { findWorkspace } from '../tenants/workspaces';
import { getTenant } from '../tenants/tenants';
import { passwordNotAllowedMessage, passwordSignInOnlyForOwners } from '../sso/connection';
import type { LoginMethod, LoginResult } from '../../contract/users';

/** SPEC "Sign-in": the same words whether the workspace, the email or the password was wrong. */
export const INVALID_CREDENTIALS = 'Invalid email or password.';
export const API_USER_SIGN_IN = 'API users cannot sign in. Use an API key.';
export const LOCKED_MESSAGE =
  'Your account is locked after too many wrong passwords. Reset your password to unlock it, or contact your administrator.';
export const notActiveMessage = (status: string) =>
  `Your account is ${status === 'invited' ? 'not activated yet' : status}. Please contact your administrator.`;



/**
 * Issue #13: what was typed into the email field is kept only when it is an email address; a
 * password typed there by mistake must not end up in login history.
 */
export const NOT_AN_EMAIL = '(not an email address)';
const recordedEmail = (typed: string) => (emailSchema.safeParse(typed).success ? typed.trim() : NOT_AN_EMAIL);
/** A single sign-on answer refused before it could name anyone (a bad signature, a replay). */
export const NOT_NAMED = '(not known: refused before anyone was named)';

/** One row of login history; invitations and resets that sign a person in record one too. */
export async function recordAttempt(
  db: Db | Trx,
  event: { tenantId: string | null; userId: string | null; email: string | null; result: LoginResult; message: string; meta: Meta; now: Date; method?: LoginMethod },
) {
  await db('login_events').insert({
    tenantId: event.tenantId,
    userId: event.userId,
    email: event.email === null ? NOT_NAMED : recordedEmail(event.email),
    ip: event.meta.ip,
    userAgent: event.meta.userAgent,
    result: event.result,
    message: event.message,
    method: event.method ?? 'password',
    createdAt: event.now,
  });
}

/**
 * Every attempt is recorded and every wrong password counts, so the outcome is committed first
 * and only then thrown: a refusal must not roll back its own history row or lockout count.
 */
export async function signIn({
  db,
  ownerDb,
  env,
  jobs,
  now,
  meta,
  input,
  previousSessionToken,
}: {
  db: Db;
  ownerDb: Db;
  env: Env;
  jobs: JobSender;
  now: Date;
  meta: Meta;
  input: LoginInput;
  previousSessionToken?: string;
}) {
  await hitRateLimit({
    db,
    now,
    subject: meta.ip ?? 'unknown',
    limit: RATE_LIMITS.signIn(env),
  });

  const tenantId = await findWorkspace({ ownerDb, slug: input.workspace });
  if (!tenantId) {
    await verifyDummyPassword(input.password);
    await recordAttempt(ownerDb, { tenantId: null, userId: null, email: input.email, result: 'unknown_user', message: INVALID_CREDENTIALS, meta, now });
    throw new AppError('UNAUTHORIZED', INVALID_CREDENTIALS);
  }

  const outcome = await withTenant(db, tenantId, async (trx) => {
    const attempt = (userId: string | null, result: LoginResult, message: string) =>
      recordAttempt(trx, { tenantId, userId, email: input.email, result, message, meta, now });
    const user = await trx('users')
      .whereRaw('lower(email) = lower(?)', [input.email])
      .first('id', 'kind', 'status', 'passwordHash', 'firstName', 'email', 'roleId');

    if (!user) {
      await verifyDummyPassword(input.password);
      await attempt(null, 'unknown_user', INVALID_CREDENTIALS);
      return { error: new AppError('UNAUTHORIZED', INVALID_CREDENTIALS) };
    }
    if (user.kind === 'api') {
      await verifyDummyPassword(input.password);
      await attempt(user.id, 'api_user', API_USER_SIGN_IN);
      return { error: new AppError('FORBIDDEN', API_USER_SIGN_IN, { reason: 'API_USER' }) };
    }

    // SPEC "Single sign-on": password sign-in may be kept for Owners only (break-glass). Decided
    // before the password is looked at: a guess at someone who signs in through the identity
    // provider must neither count toward their lockout (locked, they could not use it either)
    // nor tell a right password from a wrong one.
    const onlyOwners = await passwordSignInOnlyForOwners(trx, user.roleId);
    if (onlyOwners) {
      await verifyDummyPassword(input.password);
      const message = passwordNotAllowedMessage(onlyOwners.displayName);
      await attempt(user.id, 'password_not_allowed', message);
      return { error: new AppError('FORBIDDEN', message, { reason: 'SSO_REQUIRED', field: 'password' }) };
    }

    const correct = user.passwordHash
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyDummyPassword(input.password);
    if (!correct) {
      await countWrongPassword({ trx, tenantId, user, jobs, now, meta });
      await attempt(user.id, 'wrong_password', INVALID_CREDENTIALS);
      return { error: new AppError('UNAUTHORIZED', INVALID_CREDENTIALS) };
    }
    if (user.status === 'locked') {
      await attempt(user.id, 'locked', LOCKED_MESSAGE);
      return { error: new AppError('FORBIDDEN', LOCKED_MESSAGE, { reason: 'LOCKED' }) };
    }
    if (!hasAccess(user.status)) {
      const message = notActiveMessage(user.status);
      await attempt(user.id, 'not_active', message);
      return { error: new AppError('FORBIDDEN', message, { reason: 'NOT_ACTIVE', status: user.status }) };
    }

    const rehash = user.passwordHash && needsRehash(user.passwordHash) ? { passwordHash: await hashPassword(input.password) } : {};
    const [signedIn] = await trx('users')
      .where({ id: user.id })
      .update({ failedSignInCount: 0, lastSignInAt: now, lastActivityAt: now, ...rehash })
      .returning(USER_COLUMNS);
    // A new session id at every sign-in: a cookie planted before it is worth nothing after it.
    if (previousSessionToken) await trx('sessions').where({ tokenHash: hashToken(previousSessionToken) }).delete();
    const session = await createSession({ trx, tenantId, userId: user.id, ip: meta.ip, userAgent: meta.userAgent, now });
    await attempt(user.id, 'success', 'Signed in.');
    return { user: signedIn, session };
  });
  if ('error' in outcome) throw outcome.error;
  return outcome;
}

/** A wrong password counts toward the lockout; the locked user is emailed a reset link. */
async function countWrongPassword({
  trx,
  tenantId,
  user,
  jobs,
  now,
  meta,
}: {
  trx: Trx;
  tenantId: string;
  user: { id: string; email: string; firstName: string };
  jobs: JobSender;
  now: Date;
  meta: Meta;
}) {
  const { locked, attempts } = await countFailedSignIn({ trx, tenantId, userId: user.id, now, ip: meta.ip });
  if (!locked) return;
  const tenant = await getTenant({ trx: trx, tenantId });
  await jobs(trx, emailSend, {
    to: user.email,
    template: 'account-locked',
    tenantId,
    data: { firstName: user.firstName, tenantName: tenant.name, attempts },
    link: { purpose: 'password_reset', userId: user.id },
  });
}
