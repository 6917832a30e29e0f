import type { Trx } from '../../../db/index';

import { PERMISSIONS, type Permission } from '../../contract/permissions';
import type { Audience } from '../../contract/seats';

export type { Permission };

/** SPEC "Roles and permissions": every tenant starts with these. */
export const builtInRoles: { key: string; name: string; audience: Audience; permissions: Permission[] }[] = [
  { key: 'owner', name: 'Owner', audience: 'internal', permissions: [...PERMISSIONS] },
  { key: 'admin', name: 'Admin', audience: 'internal', permissions: PERMISSIONS.filter((p) => p !== 'billing.manage') },
  { key: 'member', name: 'Member', audience: 'internal', permissions: [] },
  { key: 'read_only', name: 'Read Only', audience: 'internal', permissions: [] },
  { key: 'client', name: 'Client', audience: 'client', permissions: [] },
  { key: 'integration', name: 'Integration', audience: 'api', permissions: ['users.read', 'users.manage'] },
];

/** Active users whose role grants `permission`: who is told about what that permission governs. */
export function usersWithPermission(trx: Trx, tenantId: string, permission: Permission): Promise<{ email: string; firstName: string }[]> {
  return trx('users as u')
    .join('roles as r', 'r.id', 'u.roleId')
    .where({ 'u.tenantId': tenantId, 'u.status': 'active' })
    .whereRaw('? = any(r.permissions)', [permission])
    .select('u.email', 'u.firstName');
}

export async function createBuiltInRoles({ trx, tenantId }: { trx: Trx; tenantId: string }) {
  const rows = await trx('roles')
    .insert(builtInRoles.map((role) => ({ tenantId, ...role })))
    .returning(['id', 'key']);
  return new Map(rows.map((r) => [r.key, r.id]));

}
