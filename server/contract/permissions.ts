/** SPEC "Roles and permissions": what a role can grant. */
export const PERMISSIONS = ['users.read', 'users.manage', 'billing.manage', 'roles.manage', 'audit.read', 'settings.manage'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** A refusal for want of a permission, in the same words from a procedure and from a page. */
export const missingPermission = (permission: Permission) => `You need the ${permission} permission to do this.`;

/** What a refused page adds: who can grant the permission. */
export const GRANT_HINT = 'Ask an Owner or an Admin of your workspace: they can give your role the permission.';
