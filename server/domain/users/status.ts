import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import type { SeatType } from '../../contract/seats';
import { SEAT_HOLDING, SYSTEM_TRANSITIONS, endsAccess, mayAdminMove, statusAtCreation, statusOnReactivation, statusVerb, transitionRefusal, type EndsAccess, type UserStatus } from '../../contract/statuses';
import type { UserRow as StoredUser } from '../../../db/tables';
import type { setStatusInput } from '../../contract/users';
import { AppError } from '../../shared/errors';
import type { AuditActor } from '../audit/write';
import { writeAudit } from '../audit/write';
import { endUserSessions } from '../auth/sessions';
import type { Scope } from '../scope';
import { checkSeatThresholds } from '../seats/alerts';
import { claimSeat } from '../seats/seat-rule';
import { USER_COLUMNS, type PublicUser } from './columns';
import { sendInvitation } from './create';
import { assertMayActOn, assertNotLastActiveOwner, findUser, lockTenant } from './rules';

/**
 * The status module: every change of a user's status is one of the routines below, each checking
 * the transition table in server/contract/statuses.ts. Nothing else writes users.status.
 */

export type EndedUser = { id: string; kind: string; previous: UserStatus; email: string; displayName: string; lastActivity: Date };

/**
 * SPEC "Seat history": the ledger row for users who take a seat. Every change of holding goes
 * through this module: a new user here, a return in reactivate(), a departure in endAccess().
 */
export async function recordSeatsTaken({
  trx,
  tenantId,
  users,
  actor,
  reason,
  at,
}: {
  trx: Trx;
  tenantId: string;
  users: { id: string; kind: SeatType }[];
  actor: AuditActor;
  reason: string;
  at: Date;
}) {
  if (!users.length) return;
  // One statement with one parameter for the users, however many (an import writes thousands).
  await trx.raw(
    `insert into seat_holding_changes (tenant_id, user_id, seat_type, holds, actor_type, actor_label, reason, created_at)
     select :tenantId, x.id, x.kind::seat_type, true, :actorType, :actorLabel, :reason, :at
     from jsonb_to_recordset(cast(:users as jsonb)) as x(id uuid, kind text)`,
    { tenantId, actorType: actor.type, actorLabel: actor.label ?? null, reason, at, users: JSON.stringify(users.map((u) => ({ id: u.id, kind: u.kind }))) },
  );
}

/** A new user starts in a seat (every status a user is created with holds one). */
export async function insertUser(
  { trx, tenantId, actor, now }: { trx: Trx; tenantId: string; actor: AuditActor; now: Date },
  row: Omit<Partial<StoredUser>, 'status' | 'tenantId'> & { kind: SeatType; hasPassword: boolean; signsInThroughIdp?: boolean },
) {
  const { hasPassword, signsInThroughIdp, ...values } = row;
  const [user] = await trx('users')
    .insert({ ...values, tenantId, status: statusAtCreation({ kind: row.kind, hasPassword, signsInThroughIdp }), createdAt: now, updatedAt: now })
    .returning(USER_COLUMNS);
  await recordSeatsTaken({ trx, tenantId, users: [user], actor, reason: 'created', at: now });
  return user;
}

/** A new user's values, as insertUsers takes them (its status comes from statusAtCreation). */
export type NewUserValues = Pick<StoredUser, 'kind' | 'email' | 'userName' | 'firstName' | 'lastName' | 'displayName' | 'roleId' | 'timeZone' | 'locale' | 'samlNameId'>;

/**
 * Many new users in one statement (an import), each starting where insertUser starts them, with
 * their seat ledger rows in one more. The caller has claimed the seats under the seat lock.
 */
export async function insertUsers(
  { trx, tenantId, actor, now, reason }: { trx: Trx; tenantId: string; actor: AuditActor; now: Date; reason: string },
  rows: NewUserValues[],
) {
  if (!rows.length) return [];
  const data = rows.map((r) => ({ ...r, status: statusAtCreation({ kind: r.kind, hasPassword: false }) }));
  const { rows: created } = await trx.raw<{ rows: { id: string; email: string; kind: SeatType; firstName: string; status: UserStatus }[] }>(
    `insert into users (tenant_id, kind, email, user_name, first_name, last_name, display_name, role_id, time_zone, locale, saml_name_id, status, created_at, updated_at)
     select :tenantId, x.kind::seat_type, x.email, x."userName", x."firstName", x."lastName", x."displayName", x."roleId", x."timeZone", x.locale,
            x."samlNameId", x.status::user_status, :now, :now
     from jsonb_to_recordset(cast(:data as jsonb)) as x(kind text, email text, "userName" text, "firstName" text, "lastName" text, "displayName" text,
          "roleId" uuid, "timeZone" text, locale text, "samlNameId" text, status text)
     returning id, email, kind, first_name as "firstName", status`,
    { tenantId, now, data: JSON.stringify(data) },
  );
  await recordSeatsTaken({ trx, tenantId, users: created, actor, reason, at: now });
  return created;
}

/**
 * The one way access ends, for one user or a hundred thousand, in a fixed number of statements:
 * status, one audit row per user, sessions ended, outstanding links spent, and (when the seat is
 * given up) API keys revoked with their own audit rows.
 *
 * `which` is a condition on `users`. It is tested again in the UPDATE itself, where PostgreSQL
 * rechecks it against a row changed meanwhile (a sign-in during a sweep): no candidate is
 * deactivated on a stale reading.
 */
export async function endAccess({
  trx,
  tenantId,
  which,
  from,
  to,
  reason,
  actor,
  ip = null,
  now,
}: {
  trx: Trx;
  tenantId: string;
  which: Knex.Raw;
  from: readonly UserStatus[];
  to: EndsAccess;
  reason: string | null;
  actor: AuditActor;
  ip?: string | null;
  now: Date;
}): Promise<EndedUser[]> {
  const { rows } = await trx.raw<{ rows: EndedUser[] }>(
    `with candidates as (
       select id, status as previous, status_reason as previous_reason, email, display_name, kind,
              coalesce(last_activity_at, created_at) as last_activity
       from users where tenant_id = :tenantId and status::text = any(string_to_array(:from, ',')) and :which
     ),
     changed as (
       update users set status = cast(:to as user_status), status_reason = :reason, updated_at = :now,
              deactivated_at = case when :to = 'deactivated' then cast(:now as timestamptz) else users.deactivated_at end
       from candidates c
       where users.id = c.id and users.status::text = any(string_to_array(:from, ',')) and :which
       returning users.id, users.kind, c.previous, c.previous_reason, c.email, c.display_name, c.last_activity
     ),
     audited as (
       insert into audit_events (tenant_id, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, ip, created_at)
       select cast(:tenantId as uuid), :actorType, :actorId, :actorLabel, 'user.status_changed', 'user', cast(id as text),
              jsonb_build_object('status', previous, 'reason', previous_reason), jsonb_build_object('status', cast(:to as text), 'reason', cast(:reason as text)),
              :ip, cast(:now as timestamptz)
       from changed
     ),
     seats_given_up as (
       insert into seat_holding_changes (tenant_id, user_id, seat_type, holds, actor_type, actor_label, reason, created_at)
       select cast(:tenantId as uuid), id, kind, false, :actorType, :actorLabel,
              case when cast(:reason as text) is null then cast(:to as text) else :to || ': ' || :reason end, cast(:now as timestamptz)
       from changed
       where previous::text = any(string_to_array(:holding, ',')) and not (cast(:to as text) = any(string_to_array(:holding, ',')))
     ),
     ended as (delete from sessions where user_id in (select id from changed)),
     links as (update one_time_tokens set used_at = :now where user_id in (select id from changed) and used_at is null),
     revoked as (
       update api_keys set revoked_at = :now
       where :to <> 'suspended' and user_id in (select id from changed) and revoked_at is null
       returning id, user_id, name, prefix
     ),
     keys_audited as (
       insert into audit_events (tenant_id, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, ip, created_at)
       select cast(:tenantId as uuid), :actorType, :actorId, :actorLabel, 'api_key.revoked', 'user', cast(user_id as text),
              jsonb_build_object('keyId', id, 'name', name, 'prefix', prefix), jsonb_build_object('revoked', true, 'why', 'user ' || :to),
              :ip, cast(:now as timestamptz)
       from revoked
     )
     select id, kind, previous, email, display_name as "displayName", last_activity as "lastActivity" from changed order by display_name`,
    {
      tenantId,
      which,
      from: from.join(','),
      holding: SEAT_HOLDING.join(','),
      to,
      reason,
      now,
      ip,
      actorType: actor.type,
      actorId: actor.id ?? null,
      actorLabel: actor.label ?? null,
    },
  );
  return rows;
}

/** The inactivity sweep's transition: every seat holder the condition names, to deactivated. */
export async function deactivateForInactivity(args: { trx: Trx; tenantId: string; which: Knex.Raw; reason: string; now: Date }) {
  const { from, to } = SYSTEM_TRANSITIONS.sweep;
  // An admin suspending one Owner while the sweep deactivates another take turns (lockTenant),
  // and the later one sees the earlier's result.
  await lockTenant(args.trx, args.tenantId);
  return endAccess({ ...args, from, to, actor: { type: 'worker', label: 'inactivity sweep' } });
}

/**
 * Too many wrong passwords: the row lock of the conditional update serialises concurrent wrong
 * attempts, so the count is exact and exactly one of them moves the user from active to locked.
 */
export async function countFailedSignIn({ trx, tenantId, userId, now, ip }: { trx: Trx; tenantId: string; userId: string; now: Date; ip: string | null }) {
  const { from, to } = SYSTEM_TRANSITIONS.lock;
  const { rows } = await trx.raw<{ rows: { status: UserStatus; attempts: number; previous: UserStatus }[] }>(
    `with before as (select status from users where id = :userId for no key update)
     update users u set
       failed_sign_in_count = u.failed_sign_in_count + 1,
       status = case when u.status::text = any(string_to_array(:from, ',')) and u.failed_sign_in_count + 1 >= t.lockout_threshold
                     then cast(:to as user_status) else u.status end,
       updated_at = case when u.status::text = any(string_to_array(:from, ',')) and u.failed_sign_in_count + 1 >= t.lockout_threshold
                         then :now else u.updated_at end
     from tenants t, before
     where u.id = :userId and t.id = u.tenant_id
     returning u.status, u.failed_sign_in_count as attempts, before.status as previous`,
    { userId, from: from.join(','), to, now },
  );
  const { status, attempts, previous } = rows[0];
  const locked = status === to && previous !== to;
  if (locked) {
    await endUserSessions({ trx, userId });
    await writeAudit({
      trx,
      tenantId,
      actor: { type: 'system', label: 'sign-in lockout' },
      action: 'user.locked',
      target: { type: 'user', id: userId },
      before: { status: previous },
      after: { status: to, failedSignInCount: attempts },
      ip,
      at: now,
    });
  }
  return { locked, attempts };
}

/** A completed reset proves control of the mailbox: a locked user becomes active again. */
export async function unlockByReset({ trx, userId, now }: { trx: Trx; userId: string; now: Date }) {
  const { from, to } = SYSTEM_TRANSITIONS.unlock;
  const unlocked = await trx('users').where({ id: userId }).whereIn('status', from).update({ status: to, failedSignInCount: 0, updatedAt: now });
  return unlocked > 0;
}

/** An invitee sets a password; null when the user is no longer invited (deactivated meanwhile). */
export async function acceptInvitationStatus({ trx, userId, passwordHash, now }: { trx: Trx; userId: string; passwordHash: string; now: Date }) {
  const { to } = SYSTEM_TRANSITIONS.acceptInvitation;
  const from: readonly UserStatus[] = SYSTEM_TRANSITIONS.acceptInvitation.from;
  const current = await trx('users').where({ id: userId }).forNoKeyUpdate().first('status');
  if (!current || !from.includes(current.status)) return null;
  const [user] = await trx('users')
    .where({ id: userId })
    .update({ status: to, passwordHash, lastSignInAt: now, lastActivityAt: now, updatedAt: now })
    .returning(USER_COLUMNS);
  return user;
}

type UserRow = PublicUser & { passwordHash: string | null };

/** How a reactivated person signs in: through the tenant's identity provider, or with a password. */
export type ReactivateOptions = { signsInThroughIdp?: boolean };

/**
 * Back to a seat: claimed under the seat lock first. A person who never set a password comes
 * back as invited, with a new invitation (SPEC). Reactivation restarts the inactivity clock;
 * otherwise the next sweep would undo it.
 */
export async function reactivate(scope: Scope, user: UserRow, { signsInThroughIdp = false }: ReactivateOptions = {}) {
  const { trx, tenantId, now } = scope;
  const regainsSeat = !SEAT_HOLDING.includes(user.status);
  const claimed = regainsSeat ? await claimSeat({ trx, tenantId, seatType: user.kind, purpose: 'reactivate' }) : null;
  // SPEC "Directory provisioning": with single sign-on there is no password to set, so no invitation.
  const next = statusOnReactivation({ kind: user.kind, hasPassword: Boolean(user.passwordHash) || signsInThroughIdp });
  const [updated] = await trx('users')
    .where({ id: user.id })
    .update({
      status: next,
      statusReason: null,
      deactivatedAt: null,
      failedSignInCount: next === 'active' ? 0 : undefined,
      lastActivityAt: regainsSeat ? now : undefined,
      updatedAt: now,
    })
    .returning(USER_COLUMNS);
  if (next === 'invited') {
    // Links sent before the user left died with their access; this invitation is the live one.
    await trx('one_time_tokens').where({ userId: user.id }).whereNull('usedAt').update({ usedAt: now });
    await sendInvitation(scope, updated);
  }
  if (regainsSeat) await recordSeatsTaken({ trx, tenantId, users: [user], actor: scope.actor, reason: `reactivated as ${next}`, at: now });
  if (regainsSeat) await checkSeatThresholds({ trx, tenantId, seatType: user.kind, jobs: scope.jobs, used: claimed?.usedAfter });
  await writeAudit({
    trx,
    tenantId,
    actor: scope.actor,
    action: 'user.status_changed',
    target: { type: 'user', id: user.id },
    before: { status: user.status, reason: user.statusReason },
    after: { status: next, reason: null },
    ip: scope.ip,
    at: now,
  });
  return updated;
}

/** An admin (in the browser or with an API key) moves a user along ADMIN_TRANSITIONS. */
export async function changeStatusByAdmin(scope: Scope, input: z.output<typeof setStatusInput>, options: ReactivateOptions = {}) {
  const { trx, tenantId, now } = scope;
  if (input.id === scope.actorUserId) {
    throw new AppError('FORBIDDEN', 'You cannot change your own status. Ask another administrator.', { reason: 'SELF' });
  }
  await lockTenant(trx, tenantId);
  const user = await findUser(trx, input.id, { forUpdate: true });
  await assertMayActOn(trx, user, scope.permissions, 'change the status of');
  if (!mayAdminMove(user.status, input.status)) {
    throw new AppError('BAD_REQUEST', transitionRefusal(user.status, input.status), { field: 'status', reason: 'TRANSITION' });
  }
  const to = input.status;
  if (!endsAccess(to)) return reactivate(scope, user, options);
  if (to === 'banned' && !input.reason) {
    throw new AppError('BAD_REQUEST', 'Give a reason for the ban. It is kept with the user.', { field: 'reason' });
  }
  await assertNotLastActiveOwner(trx, tenantId, user, statusVerb(to));
  await endAccess({
    trx,
    tenantId,
    which: trx.raw('users.id = ?', [user.id]),
    from: [user.status],
    to,
    reason: input.reason ?? null,
    actor: scope.actor,
    ip: scope.ip,
    now,
  });
  if (SEAT_HOLDING.includes(user.status) !== SEAT_HOLDING.includes(to)) {
    await checkSeatThresholds({ trx, tenantId, seatType: user.kind, jobs: scope.jobs });
  }
  return await trx('users').where({ id: user.id }).first(...USER_COLUMNS);
}
