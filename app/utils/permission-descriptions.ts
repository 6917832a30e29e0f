import type { Permission } from '../../server/contract/permissions';

/**
 * What each permission lets its holder do, in plain words for the roles page. Typed against the
 * contract's list, so a new permission without a description is a type error.
 */
export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'users.read': 'See users and seats',
  'users.manage': 'Invite, edit, suspend and deactivate users, and manage API keys',
  'billing.manage': 'Buy seats and manage billing',
  'roles.manage': 'Create and edit roles',
  'audit.read': 'Read the audit log',
  'settings.manage': 'Change workspace settings',
};

/** The plain words for a permission the contract may not know (an old row): the key itself. */
export const describePermission = (permission: string) =>
  (PERMISSION_DESCRIPTIONS as Record<string, string>)[permission] ?? permission;
