import { withTenant, type Db, type Trx } from '../../../db/index';
import { hasAccess, type UserStatus } from '../../contract/statuses';
import type { SsoTestReport } from '../../contract/sso';
import type { LoginResult } from '../../contract/users';
import { AppError } from '../../shared/errors';
import { API_USER_SIGN_IN, LOCKED_MESSAGE, notActiveMessage, recordAttempt } from '../auth/sign-in';
import { createSession } from '../auth/sessions';
import { hashToken } from '../auth/tokens';
import type { AuditActor } from '../audit/write';
import type { RequestMeta } from '../scope';
import type { JobSender } from '../../jobs/index';
import { PERMISSIONS } from '../../contract/permissions';
import { createOneUser } from '../users/create';
import { findRole } from '../users/rules';
import { roleForGroupNames } from '../provisioning/group-roles';
import { findConnection } from './connection';

/** Who the identity provider says signed in, from a validated ID token or SAML assertion. */
export type SsoIdentity = {
  method: 'oidc' | 'saml';
  /** OIDC `sub` or SAML NameID. */
  subject: string;
  /** False for a SAML transient NameID, new at every sign-in: such a person is matched by email only. */
  persistent: boolean;
  email: string | null;
  /** OIDC `email_verified`; SAML assertions are the IdP's word. */
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  groups: string[];
  /** Claims or attributes as received, for "Test connection". */
  received: Record<string, unknown>;
};

const SSO_ACTOR: AuditActor = { type: 'system', label: 'single sign-on' };

export const noAccountMessage = (email: string | null) =>
  `Your identity provider signed you in${email ? ` as ${email}` : ''}, but this workspace has no Seatwise account for you. Ask your administrator to add you.`;
export const unverifiedEmailMessage = (email: string) =>
  `Your identity provider has not verified the email address ${email}, so no Seatwise account can be created from it. Verify it at your identity provider, or ask your administrator to add you.`;
export const emailTakenMessage = (email: string) =>
  `This workspace already has an account for ${email}, and it could not be matched to your identity provider's sign-in. Ask your administrator to check your account.`;
export const LINKED_ELSEWHERE = 'This Seatwise account is linked to another identity at your identity provider. Ask your administrator to check your account.';

type Outcome = { kind: 'signed_in'; session: { token: string; expiresAt: Date }; userId: string } | { kind: 'tested' } | { kind: 'refused'; error: AppError };

/**
 * SPEC "Single sign-on": match, provision just in time, apply the status rules, and open the
 * same kind of session a password opens. Every attempt is recorded, and the record is committed
 * even when the attempt is refused (as the password path does).
 */
export async function completeSsoSignIn({
  db,
  tenantId,
  identity,
  purpose,
  meta,
  now,
  previousSessionToken,
  jobs,
}: {
  db: Db;
  jobs: JobSender;
  tenantId: string;
  identity: SsoIdentity;
  purpose: 'sign_in' | 'test';
  meta: RequestMeta;
  now: Date;
  previousSessionToken?: string;
}): Promise<Outcome> {
  return withTenant(db, tenantId, async (trx) => {
    const connection = await findConnection(trx);
    if (!connection?.enabled) return { kind: 'refused', error: new AppError('FORBIDDEN', 'Single sign-on is turned off for this workspace. Sign in with your password.', { reason: 'SSO_OFF' }) };
    if (purpose === 'test') {
      const report: SsoTestReport = {
        at: now.toISOString(),
        ok: Boolean(identity.subject),
        message: identity.email ? `Signed in at the identity provider as ${identity.email}.` : 'Signed in at the identity provider, but it sent no email address: people cannot be matched by email.',
        received: identity.received,
      };
      await trx('sso_connections').where({ tenantId }).update({ lastTest: JSON.stringify(report) });
      return { kind: 'tested' };
    }
    const attempt = (userId: string | null, result: LoginResult, message: string) =>
      recordAttempt(trx, { tenantId, userId, email: identity.email ?? identity.subject, result, message, meta, now, method: identity.method });
    const refuse = async (userId: string | null, result: LoginResult, error: AppError): Promise<Outcome> => {
      await attempt(userId, result, error.message);
      return { kind: 'refused', error };
    };

    const match = await findPerson(trx, identity);
    if (match === 'linked_elsewhere') return refuse(null, 'sso_refused', new AppError('FORBIDDEN', LINKED_ELSEWHERE, { reason: 'SSO_LINKED_ELSEWHERE' }));
    let user = match;
    if (!user) {
      if (!connection.jitProvisioning || !identity.email) return refuse(null, 'unknown_user', new AppError('FORBIDDEN', noAccountMessage(identity.email), { reason: 'SSO_NO_ACCOUNT' }));
      // An address the IdP says it has not verified could be anyone's: no account is made from it.
      if (!identity.emailVerified) return refuse(null, 'sso_refused', new AppError('FORBIDDEN', unverifiedEmailMessage(identity.email), { reason: 'SSO_EMAIL_UNVERIFIED' }));
      try {
        // A savepoint: the same person signing in twice at once makes one of the inserts fail.
        user = await trx.transaction((savepoint) => provision(savepoint, tenantId, identity, now, meta, jobs));
      } catch (error) {
        if (error instanceof AppError && error.data.reason === 'SEAT_LIMIT') return refuse(null, 'seat_limit', error);
        if ((error as { code?: string }).code !== '23505') throw error;
        // Someone took this email (or this identity) meanwhile: the same person, or another account.
        const created = await findPerson(trx, identity);
        if (!created || created === 'linked_elsewhere') return refuse(null, 'sso_refused', new AppError('FORBIDDEN', emailTakenMessage(identity.email), { reason: 'SSO_EMAIL_TAKEN' }));
        user = created;
      }
    }
    if (user.kind === 'api') return refuse(user.id, 'api_user', new AppError('FORBIDDEN', API_USER_SIGN_IN, { reason: 'API_USER' }));
    if (user.status === 'locked') return refuse(user.id, 'locked', new AppError('FORBIDDEN', LOCKED_MESSAGE, { reason: 'LOCKED' }));
    if (!hasAccess(user.status)) return refuse(user.id, 'not_active', new AppError('FORBIDDEN', notActiveMessage(user.status), { reason: 'NOT_ACTIVE', status: user.status }));

    // First sign-in links the identity, so a later change of email at the IdP still finds the person.
    const link = !identity.persistent ? {} : identity.method === 'oidc' ? { oidcSubject: identity.subject } : { samlNameId: identity.subject };
    await trx('users')
      .where({ id: user.id })
      .update({ ...link, failedSignInCount: 0, lastSignInAt: now, lastActivityAt: now });
    if (previousSessionToken) await trx('sessions').where({ tokenHash: hashToken(previousSessionToken) }).delete();
    const session = await createSession({ trx, tenantId, userId: user.id, ip: meta.ip, userAgent: meta.userAgent, now });
    await attempt(user.id, 'success', 'Signed in.');
    return { kind: 'signed_in', session, userId: user.id };
  });
}

type Person = { id: string; kind: string; status: UserStatus; samlNameId: string | null; oidcSubject: string | null };
const PERSON = ['id', 'kind', 'status', 'samlNameId', 'oidcSubject'] as const;

/** SPEC: by SAML NameID / linked OIDC `sub` first, else by email, case-insensitive. */
async function findPerson(trx: Trx, identity: SsoIdentity): Promise<Person | null | 'linked_elsewhere'> {
  const bySubject = !identity.persistent
    ? undefined
    : identity.method === 'oidc'
      ? await trx('users').where({ oidcSubject: identity.subject }).first(...PERSON)
      : await trx('users').where({ samlNameId: identity.subject }).first(...PERSON);
  if (bySubject) return bySubject;
  // An address the IdP itself says is unverified could be anyone's: it never matches an account.
  if (!identity.email || !identity.emailVerified) return null;
  const byEmail = await trx('users').whereRaw('lower(email) = lower(?)', [identity.email]).first(...PERSON);
  if (!byEmail) return null;
  const linked = identity.method === 'oidc' ? byEmail.oidcSubject : byEmail.samlNameId;
  return identity.persistent && linked && linked !== identity.subject ? 'linked_elsewhere' : byEmail;
}

/**
 * SPEC "Just-in-time provisioning": active, standard, through the seat rule and the status module,
 * with the role of the person's highest group mapped in Settings → Provisioning (groups matched by
 * name to those the directory pushed), or Read Only.
 */
async function provision(trx: Trx, tenantId: string, identity: SsoIdentity, now: Date, meta: RequestMeta, jobs: JobSender): Promise<Person> {
  const { roleId } = await roleForGroupNames(trx, { groupNames: identity.groups, kind: 'standard' });
  const email = identity.email!;
  const firstName = identity.firstName?.trim() || email.split('@')[0];
  const lastName = identity.lastName?.trim() || '';
  // Seatwise itself creates the person it is signing in: every permission, as the worker has.
  const scope = { trx, tenantId, actor: SSO_ACTOR, permissions: new Set(PERMISSIONS), ip: meta.ip, now, jobs };
  const user = await createOneUser(
    scope,
    {
      kind: 'standard',
      signsInThroughIdp: true,
      email,
      firstName: firstName.slice(0, 100),
      lastName: lastName.slice(0, 100),
      displayName: (identity.displayName?.trim() || `${firstName} ${lastName}`.trim()).slice(0, 200),
      role: await findRole(trx, roleId),
      timeZone: 'UTC',
      locale: 'en',
      samlNameId: identity.method === 'saml' && identity.persistent ? identity.subject : null,
      oidcSubject: identity.method === 'oidc' ? identity.subject : null,
    },
    { audit: { via: identity.method } },
  );
  return { id: user.id, kind: user.kind, status: user.status, samlNameId: user.samlNameId, oidcSubject: identity.method === 'oidc' ? identity.subject : null };
}
