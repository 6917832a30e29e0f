import type { UserRow } from '../../../db/tables';

/** The shape of a user that leaves the server: never the password hash. */
export const USER_COLUMNS = [
  'id', 'tenantId', 'kind', 'email', 'userName', 'firstName', 'lastName', 'displayName', 'roleId', 'timeZone',
  'locale', 'status', 'statusReason', 'samlNameId', 'exemptFromInactivity', 'lastSignInAt', 'lastActivityAt',
  'mustChangePassword', 'createdAt', 'updatedAt', 'deactivatedAt',
] as const;

export type PublicUser = Pick<UserRow, (typeof USER_COLUMNS)[number]>;
