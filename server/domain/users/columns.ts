import type { SeatType } from '../../contract/seats';
import type { UserStatus } from '../../contract/statuses';

/** The shape of a user that leaves the server: never the password hash. */
export const USER_COLUMNS = [
  'id', 'tenantId', 'kind', 'email', 'userName', 'firstName', 'lastName', 'displayName', 'roleId', 'timeZone',
  'locale', 'status', 'statusReason', 'samlNameId', 'exemptFromInactivity', 'lastSignInAt', 'lastActivityAt',
  'mustChangePassword', 'createdAt', 'updatedAt', 'deactivatedAt',
] as const;

export type PublicUser = {
  id: string;
  tenantId: string;
  kind: SeatType;
  email: string;
  userName: string | null;
  firstName: string;
  lastName: string;
  displayName: string;
  roleId: string;
  timeZone: string;
  locale: string;
  status: UserStatus;
  statusReason: string | null;
  samlNameId: string | null;
  exemptFromInactivity: boolean;
  lastSignInAt: Date | null;
  lastActivityAt: Date | null;
  mustChangePassword: boolean;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
};
