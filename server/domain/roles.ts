import type { Trx } from '../../db/index';

export const permissions = [
  'users.read',
  'users.manage',
  'billing.manage',
  'roles.manage',
  'audit.read',
  'settings.manage',
] as const;
export type Permission = (typeof permissions)[number];

export const audiences = ['internal', 'client', 'api'] as const;
export type Audience = (typeof audiences)[number];

/** SPEC "Roles and permissions": every tenant starts with these. */
export const builtInRoles: { key: string; name: string; audience: Audience; permissions: Permission[] }[] = [
  { key: 'owner', name: 'Owner', audience: 'internal', permissions: [...permissions] },
  { key: 'admin', name: 'Admin', audience: 'internal', permissions: permissions.filter((p) => p !== 'billing.manage') },
  { key: 'member', name: 'Member', audience: 'internal', permissions: [] },
  { key: 'read_only', name: 'Read Only', audience: 'internal', permissions: [] },
  { key: 'client', name: 'Client', audience: 'client', permissions: [] },
  { key: 'integration', name: 'Integration', audience: 'api', permissions: ['users.read', 'users.manage'] },
];

export async function createBuiltInRoles({ trx, tenantId }: { trx: Trx; tenantId: string }) {
  const rows = await trx('roles')
    .insert(builtInRoles.map((role) => ({ tenantId, ...role })))
    .returning(['id', 'key']);
  return Object.fromEntries(rows.map((r: { id: string; key: string }) => [r.key, r.id])) as Record<string, string>;
}
