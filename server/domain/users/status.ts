import type { z } from 'zod';
import { AppError } from '../../errors';
import type { setStatusInput } from '../../contract/users';
import { revokeUserKeys } from '../api-keys/keys';
import { writeAudit } from '../audit/write';
import { checkSeatThresholds } from '../seats/alerts';
import type { Scope } from '../scope';
import { claimSeat } from '../seats/seat-rule';
import { SEAT_HOLDING, type UserStatus } from '../../contract/statuses';
import { endUserSessions } from '../auth/sessions';
import { sendInvitation } from './create';
import { assertMayActOn, assertNotLastActiveOwner, findUser } from './rules';
import { USER_COLUMNS, type PublicUser } from './columns';

/** SPEC "Status and seats": what an admin may move a user to, from each status. */
const ADMIN_TRANSITIONS: Record<UserStatus, UserStatus[]> = {
  invited: ['deactivated', 'banned'],
  active: ['suspended', 'deactivated', 'banned'],
  suspended: ['active', 'deactivated', 'banned'],
  locked: ['active', 'deactivated', 'banned'],
  deactivated: ['active', 'banned'],
  banned: ['active'],
};

const VERB: Record<UserStatus, string> = {
  invited: 'invited',
  active: 'activated',
  suspended: 'suspended',
  locked: 'locked',
  deactivated: 'deactivated',
  banned: 'banned',
};

function refusal(from: UserStatus, to: UserStatus) {
  if (from === to) return `The user is already ${to}.`;
  if (to === 'locked') return 'Users are locked only by wrong passwords. Suspend the user instead.';
  if (to === 'invited') return 'A user cannot be moved back to invited. Reactivate them: they get a new invitation if they never set a password.';
  return `A ${from} user cannot be ${VERB[to]}.`;
}

export async function setUserStatus(scope: Scope, input: z.output<typeof setStatusInput>) {
  const { trx, tenantId, now } = scope;
  if (input.id === scope.actorUserId) {
    throw new AppError('FORBIDDEN', 'You cannot change your own status. Ask another administrator.', { reason: 'SELF' });
  }
  const user = await findUser(trx, input.id, { forUpdate: true });
  await assertMayActOn(trx, user, scope.permissions, 'change the status of');
  if (!ADMIN_TRANSITIONS[user.status].includes(input.status)) {
    throw new AppError('BAD_REQUEST', refusal(user.status, input.status), { field: 'status', reason: 'TRANSITION' });
  }
  if (input.status === 'banned' && !input.reason) {
    throw new AppError('BAD_REQUEST', 'Give a reason for the ban. It is kept with the user.', { field: 'reason' });
  }
  if (input.status !== 'active') await assertNotLastActiveOwner(trx, tenantId, user, VERB[input.status]);

  const regainsSeat = !SEAT_HOLDING.includes(user.status) && SEAT_HOLDING.includes(input.status);
  const claimed = regainsSeat ? await claimSeat({ trx, tenantId, seatType: user.kind, purpose: 'reactivate' }) : null;

  // A person who never set a password comes back as invited, with a new invitation (SPEC).
  const next: UserStatus = input.status === 'active' && user.kind !== 'api' && !user.passwordHash ? 'invited' : input.status;
  const [updated] = (await trx('users')
    .where({ id: user.id })
    .update({
      status: next,
      statusReason: next === 'active' || next === 'invited' ? null : (input.reason ?? null),
      deactivatedAt: next === 'deactivated' ? now : next === 'active' || next === 'invited' ? null : user.deactivatedAt,
      failedSignInCount: next === 'active' ? 0 : undefined,
      // Reactivation restarts the inactivity clock; otherwise the next sweep would undo it.
      lastActivityAt: regainsSeat ? now : undefined,
      updatedAt: now,
    })
    .returning(USER_COLUMNS)) as PublicUser[];

  if (next !== 'active') {
    await endUserSessions({ trx, userId: user.id });
    // Outstanding links die with access; a reactivated invitee gets a fresh one below.
    await trx('one_time_tokens').where({ userId: user.id }).whereNull('usedAt').update({ usedAt: now });
  }
  if (user.kind === 'api' && (next === 'deactivated' || next === 'banned')) {
    await revokeUserKeys({ trx, tenantId, userId: user.id, actor: scope.actor, ip: scope.ip, now, why: `user ${next}` });
  }
  if (next === 'invited') await sendInvitation(scope, updated);
  if (regainsSeat || SEAT_HOLDING.includes(user.status) !== SEAT_HOLDING.includes(next)) {
    await checkSeatThresholds({ trx, tenantId, seatType: user.kind, jobs: scope.jobs, used: claimed?.usedAfter });
  }
  await writeAudit({
    trx,
    tenantId,
    actor: scope.actor,
    action: 'user.status_changed',
    target: { type: 'user', id: user.id },
    before: { status: user.status, reason: user.statusReason },
    after: { status: next, reason: updated.statusReason },
    ip: scope.ip,
    at: now,
  });
  return updated;
}
