import type { Db } from '../../../db/index';
import { AppError } from '../../shared/errors';
import { writeAudit } from '../audit/write';
import type { RequestMeta } from '../scope';
import { consumeOneTimeToken, peekLinkHolder } from './one-time-tokens';
import { hashPassword } from './passwords';
import { createSession } from './sessions';
import { passwordSessionRefusal } from './password-policy';
import { recordAttempt } from './sign-in';
import { acceptInvitationStatus } from '../users/status';

export const INVITATION_INVALID =
  'This invitation link has expired or has already been used. Ask your administrator to send you a new one.';

/**
 * SPEC: `invited` → `active` when the person sets a password. An invitee already holds a seat,
 * so accepting needs no seat check; a user deactivated meanwhile can no longer accept.
 */
export async function acceptInvitation({
  db,
  ownerDb,
  now,
  meta,
  input,
}: {
  db: Db;
  ownerDb: Db;
  now: Date;
  meta: RequestMeta;
  input: { token: string; password: string };
}) {
  const result = await consumeOneTimeToken({
    ownerDb,
    db,
    token: input.token,
    purpose: 'invitation',
    now,
    then: async (trx, { tenantId, userId }) => {
      const user = await acceptInvitationStatus({ trx, userId, passwordHash: await hashPassword(input.password), now });
      if (!user) return null;
      await writeAudit({
        trx,
        tenantId,
        actor: { type: 'user', id: userId, label: user.email },
        action: 'user.invitation_accepted',
        target: { type: 'user', id: userId },
        before: { status: 'invited' },
        after: { status: 'active' },
        ip: meta.ip,
        at: now,
      });
      const ssoOnly = await passwordSessionRefusal(trx, { tenantId, roleId: user.roleId, done: 'Your invitation is accepted.' });
      if (ssoOnly) {
        await recordAttempt(trx, { tenantId, userId, email: user.email, result: 'password_not_allowed', message: ssoOnly.message, meta, now });
        return { refused: ssoOnly };
      }
      const session = await createSession({ trx, tenantId, userId, ip: meta.ip, userAgent: meta.userAgent, now });
      await recordAttempt(trx, { tenantId, userId, email: user.email, result: 'success', message: 'Signed in by accepting the invitation.', meta, now });
      return { user, session };
    },
  });
  if (!result) throw new AppError('BAD_REQUEST', INVITATION_INVALID, { reason: 'LINK_INVALID' });
  // Thrown after the commit: the invitation is accepted, only the session is refused.
  if ('refused' in result) throw result.refused;
  return result;
}

/**
 * Issue #18: what the invitation page shows before anyone types a password — the workspace and the
 * email the link is for — or, for a link that can no longer be accepted, the same refusal as
 * `acceptInvitation`. Reads only: the link stays usable.
 */
export async function invitationInfo({ db, ownerDb, now, token }: { db: Db; ownerDb: Db; now: Date; token: string }) {
  const holder = await peekLinkHolder({ db, ownerDb, token, purpose: 'invitation', now });
  if (holder?.user.status !== 'invited') throw new AppError('NOT_FOUND', INVITATION_INVALID, { reason: 'LINK_INVALID' });
  return { email: holder.user.email, firstName: holder.user.firstName, workspace: holder.tenant.name, slug: holder.tenant.slug };
}
