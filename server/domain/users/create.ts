import type { z } from 'zod';
import { emailSend } from '../../jobs/email-send';
import type { createUserInput } from '../../contract/users';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { checkSeatThresholds } from '../seats/alerts';
import { claimSeat } from '../seats/seat-rule';
import { assertCanGrant, assertRoleFitsKind, findRole, type RoleRow } from './rules';
import { AUDIENCE_OF_KIND } from '../../contract/seats';
import { mayGetInvitation } from '../../contract/statuses';
import { getTenant } from '../tenants/tenants';
import { insertUser } from './status';

const DEFAULT_ROLE = { standard: 'member', client: 'client', api: 'integration' } as const;

/** The invitation email: the worker mints the single-use link (SPEC "Sign-in": 7 days). */
export async function sendInvitation(scope: Scope, user: { id: string; email: string; firstName: string }) {
  const tenant = await getTenant({ trx: scope.trx, tenantId: scope.tenantId });
  const inviter = scope.actorUserId ? await scope.trx('users').where({ id: scope.actorUserId }).first('displayName') : null;
  await scope.jobs(scope.trx, emailSend, {
    to: user.email,
    template: 'invitation',
    tenantId: scope.tenantId,
    data: { firstName: user.firstName, tenantName: tenant.name, slug: tenant.slug, inviter: inviter?.displayName ?? 'Your administrator' },
    link: { purpose: 'invitation', userId: user.id },
  });
}

/**
 * SPEC: a person is created `invited` and emailed an invitation; an API user is created `active`
 * with no password. Either way only if a seat of its kind is free.
 */
export async function createUser(scope: Scope, input: z.output<typeof createUserInput>) {
  const { trx } = scope;
  let role: RoleRow;
  if (input.roleId) {
    role = await findRole(trx, input.roleId);
    assertRoleFitsKind(role, input.kind);
  } else {
    const builtIn = await trx('roles').where({ key: DEFAULT_ROLE[input.kind], audience: AUDIENCE_OF_KIND[input.kind] }).first('id', 'key', 'name', 'audience', 'permissions');
    if (!builtIn) throw new Error(`The built-in ${DEFAULT_ROLE[input.kind]} role is missing from this workspace.`);
    role = builtIn;
  }
  return createOneUser(scope, {
    kind: input.kind,
    email: input.email,
    userName: input.userName ?? null,
    firstName: input.firstName,
    lastName: input.lastName,
    displayName: input.displayName ?? `${input.firstName} ${input.lastName}`,
    role,
    timeZone: input.timeZone ?? 'UTC',
    locale: input.locale ?? 'en',
    samlNameId: input.samlNameId ?? null,
  });
}

type NewUser = Omit<Parameters<typeof insertUser>[1], 'roleId' | 'hasPassword'> & { role: RoleRow };

/**
 * The one way a single person or API user comes into being, whoever asks — the new-user form,
 * the directory (SCIM), a just-in-time sign-in: a role the actor may give, a seat claimed under the
 * seat lock, the row with its seat-ledger entry, the audit event (with `audit` added to it), the
 * invitation when they must set a password, and the seat alerts.
 */
export async function createOneUser(scope: Scope, { role, ...values }: NewUser, { audit = {} }: { audit?: Record<string, unknown> } = {}) {
  const { trx, tenantId, now } = scope;
  assertCanGrant(role, scope.permissions);
  const { usedAfter } = await claimSeat({ trx, tenantId, seatType: values.kind, purpose: 'create' });
  const user = await insertUser({ trx, tenantId, actor: scope.actor, now }, { ...values, roleId: role.id, hasPassword: false });
  await writeAudit({
    trx,
    tenantId,
    actor: scope.actor,
    action: 'user.created',
    target: { type: 'user', id: user.id },
    after: { email: user.email, kind: user.kind, status: user.status, role: role.name, ...audit },
    ip: scope.ip,
    at: now,
  });
  if (mayGetInvitation(user.status)) await sendInvitation(scope, user);
  await checkSeatThresholds({ trx, tenantId, seatType: user.kind, jobs: scope.jobs, used: usedAfter });
  return user;
}
