import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import { AppError } from '../../shared/errors';
import type { createRoleInput, updateRoleInput } from '../../contract/roles';
import { writeAudit } from '../audit/write';
import type { Scope } from '../scope';
import { assertCanGrant, findRole, type RoleRow } from '../users/rules';

const ROLE_COLUMNS = ['id', 'key', 'name', 'audience', 'permissions', 'createdAt', 'updatedAt'] as const;

export async function listRoles(trx: Trx) {
  const roles = await trx('roles as r')
    .select(ROLE_COLUMNS.map((c) => `r.${c}`))
    .select(trx.raw(`(select count(*)::int from users u where u.role_id = r.id) as user_count`))
    .orderBy([{ column: 'r.audience' }, { column: 'r.name' }]);
  return roles.map((r: RoleRow & { userCount: number }) => ({ ...r, builtIn: Boolean(r.key) }));
}

export async function createRole(scope: Scope, input: z.output<typeof createRoleInput>) {
  assertCanGrant({ ...input, id: '', key: null } as RoleRow, scope.permissions);
  const [role] = await scope.trx('roles').insert({ tenantId: scope.tenantId, ...input, createdAt: scope.now, updatedAt: scope.now }).returning(ROLE_COLUMNS);
  await writeAudit({ trx: scope.trx, tenantId: scope.tenantId, actor: scope.actor, action: 'role.created', target: { type: 'role', id: role.id }, after: input, ip: scope.ip, at: scope.now });
  return role;
}

export async function updateRole(scope: Scope, { id, ...changes }: z.output<typeof updateRoleInput>) {
  const role = await findRole(scope.trx, id);
  if (role.key === 'owner') throw new AppError('FORBIDDEN', 'The Owner role always has every permission and cannot be changed.');
  if (changes.permissions) assertCanGrant({ ...role, permissions: changes.permissions }, scope.permissions);
  const [updated] = await scope.trx('roles').where({ id }).update({ ...changes, updatedAt: scope.now }).returning(ROLE_COLUMNS);
  await writeAudit({
    trx: scope.trx,
    tenantId: scope.tenantId,
    actor: scope.actor,
    action: 'role.updated',
    target: { type: 'role', id },
    before: { name: role.name, permissions: role.permissions },
    after: { name: updated.name, permissions: updated.permissions },
    ip: scope.ip,
    at: scope.now,
  });
  return updated;
}
