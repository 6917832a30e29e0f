import type { z } from 'zod';
import type { setRoleInput } from '../../contract/users';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { endUserSessions } from '../auth/sessions';
import { assertCanGrant, assertMayActOn, assertNotLastActiveOwner, assertRoleFitsKind, findRole, findUser, lockTenant } from './rules';
import { USER_COLUMNS } from './columns';

export async function setUserRole(scope: Scope, input: z.output<typeof setRoleInput>) {
  const { trx, tenantId, now } = scope;
  await lockTenant(trx, tenantId);
  const user = await findUser(trx, input.id, { forUpdate: true });
  const role = await findRole(trx, input.roleId);
  // Unchanged: the user as it is, without the password hash findUser read for the checks.
  const { passwordHash: _hash, ...unchanged } = user;
  if (role.id === user.roleId) return unchanged;
  assertRoleFitsKind(role, user.kind);
  assertCanGrant(role, scope.permissions);
  // Taking a role away is granting in reverse: an Admin cannot demote an Owner.
  const current = await assertMayActOn(trx, user, scope.permissions, 'change the role of');
  if (role.key !== 'owner') await assertNotLastActiveOwner(trx, tenantId, user, 'moved off the Owner role');

  const [updated] = await trx('users').where({ id: user.id }).update({ roleId: role.id, updatedAt: now }).returning(USER_COLUMNS);
  // SPEC: a role change ends the user's sessions at once.
  await endUserSessions({ trx, userId: user.id });
  await writeAudit({
    trx,
    tenantId,
    actor: scope.actor,
    action: 'user.role_changed',
    target: { type: 'user', id: user.id },
    before: { role: current.name, roleId: current.id },
    after: { role: role.name, roleId: role.id },
    ip: scope.ip,
    at: now,
  });
  return updated;
}
