/** SPEC "Roles and permissions": what a role can grant. */
export const PERMISSIONS = ['users.read', 'users.manage', 'billing.manage', 'roles.manage', 'audit.read', 'settings.manage'] as const;
export type Permission = (typeof PERMISSIONS)[number];
