import { MAY_RESET_PASSWORD, mayGetInvitation } from '../../contract/statuses';
import type { z } from 'zod';
import { AppError } from '../../shared/errors';
import { emailSend } from '../../jobs/email-send';
import type { requirePasswordChangeInput, updateUserInput } from '../../contract/users';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { sendInvitation } from './create';
import { assertMayActOn, findUser } from './rules';
import { USER_COLUMNS } from './columns';
import { getTenant } from '../tenants/tenants';
import { changedFields } from '../audit/changes';

/** Writes only what changed, and audits exactly that. */
export async function updateUser(scope: Scope, { id, ...changes }: z.output<typeof updateUserInput>) {
  const { trx, tenantId, now } = scope;
  const user = await findUser(trx, id, { forUpdate: true });
  await assertMayActOn(trx, user, scope.permissions, 'edit');
  const { passwordHash: _hash, ...current } = user;
  const { before, after, changed } = changedFields(current, changes);
  // Nothing changed: the user as it is, without the password hash findUser read for the checks.
  if (!changed) return current;
  const [updated] = await trx('users').where({ id }).update({ ...after, updatedAt: now }).returning(USER_COLUMNS);
  await writeAudit({ trx, tenantId, actor: scope.actor, action: 'user.updated', target: { type: 'user', id }, before, after, ip: scope.ip, at: now });
  return updated;
}

export async function requirePasswordChange(scope: Scope, { id, required }: z.output<typeof requirePasswordChangeInput>) {
  const { trx, tenantId, now } = scope;
  const user = await findUser(trx, id, { forUpdate: true });
  await assertMayActOn(trx, user, scope.permissions, 'require a password change of');
  if (user.kind === 'api') throw new AppError('BAD_REQUEST', 'API users have no password.', { reason: 'API_USER' });
  const [updated] = await trx('users').where({ id }).update({ mustChangePassword: required, updatedAt: now }).returning(USER_COLUMNS);
  await writeAudit({
    trx,
    tenantId,
    actor: scope.actor,
    action: 'user.password_change_required',
    target: { type: 'user', id },
    before: { mustChangePassword: user.mustChangePassword },
    after: { mustChangePassword: required },
    ip: scope.ip,
    at: now,
  });
  return updated;
}

export async function sendPasswordResetFor(scope: Scope, { id }: { id: string }) {
  const user = await findUser(scope.trx, id);
  await assertMayActOn(scope.trx, user, scope.permissions, 'send a password reset to');
  if (user.kind === 'api') throw new AppError('BAD_REQUEST', 'API users have no password. Manage their API keys instead.');
  if (!MAY_RESET_PASSWORD.includes(user.status)) {
    throw new AppError('BAD_REQUEST', `A ${user.status} user cannot reset a password. Change their status first.`);
  }
  const tenant = await getTenant({ trx: scope.trx, tenantId: scope.tenantId });
  // An admin sent it: the email says who, rather than "someone asked".
  const sender = scope.actorUserId ? await scope.trx('users').where({ id: scope.actorUserId }).first('displayName') : null;
  await scope.jobs(scope.trx, emailSend, {
    to: user.email,
    template: 'password-reset',
    tenantId: scope.tenantId,
    data: { firstName: user.firstName, tenantName: tenant.name, sentBy: sender?.displayName ?? 'Your administrator' },
    link: { purpose: 'password_reset', userId: user.id },
  });
  await writeAudit({ trx: scope.trx, tenantId: scope.tenantId, actor: scope.actor, action: 'user.password_reset_sent', target: { type: 'user', id }, ip: scope.ip, at: scope.now });
  return { sent: true };
}

/** A new link; the worker kills the older ones when it mints it. */
export async function resendInvitation(scope: Scope, { id }: { id: string }) {
  const user = await findUser(scope.trx, id);
  await assertMayActOn(scope.trx, user, scope.permissions, 'send an invitation to');
  if (!mayGetInvitation(user.status)) throw new AppError('BAD_REQUEST', `Only invited users get invitations; this user is ${user.status}.`);
  await sendInvitation(scope, user);
  await writeAudit({ trx: scope.trx, tenantId: scope.tenantId, actor: scope.actor, action: 'user.invitation_sent', target: { type: 'user', id }, ip: scope.ip, at: scope.now });
  return { sent: true };
}
