import type { UserStatus } from '../../server/contract/statuses';

/**
 * SPEC "Status and seats", restated independently of the implementation so the tests check it:
 * the moves an admin may make. `invited` (the user accepts) and `locked` (wrong passwords) are
 * reached otherwise.
 */
export const ADMIN_TRANSITIONS: Record<UserStatus, UserStatus[]> = {
  invited: ['deactivated', 'banned'],
  active: ['suspended', 'deactivated', 'banned'],
  suspended: ['active', 'deactivated', 'banned'],
  locked: ['active', 'deactivated', 'banned'],
  deactivated: ['active', 'banned'],
  banned: ['active'],
};
