import { SCIM, USER_TYPES } from '../../contract/scim';
import type { ScimUserRow } from './users';

/** RFC 7643 resources as Seatwise serves them. SPEC: `active` is true for invited and active users. */
export function userResource(user: ScimUserRow, baseUrl: string) {
  return {
    schemas: [SCIM.user, SCIM.enterprise],
    id: user.id,
    externalId: user.externalId ?? undefined,
    userName: user.scimUserName ?? user.email,
    name: { givenName: user.firstName, familyName: user.lastName, formatted: `${user.firstName} ${user.lastName}`.trim() },
    displayName: user.displayName,
    emails: [{ value: user.email, type: 'work', primary: true }],
    active: user.status === 'invited' || user.status === 'active',
    locale: user.locale,
    timezone: user.timeZone,
    userType: user.kind === 'client' ? USER_TYPES.client : USER_TYPES.standard,
    groups: user.groups.map((g) => ({ value: g.value, display: g.display, $ref: `${baseUrl}/Groups/${g.value}` })),
    [SCIM.enterprise]: { department: user.department ?? undefined, employeeNumber: user.employeeNumber ?? undefined },
    meta: { resourceType: 'User', created: user.createdAt.toISOString(), lastModified: user.updatedAt.toISOString(), location: `${baseUrl}/Users/${user.id}` },
  };
}

export type ScimGroupView = {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  members: { value: string; display: string }[];
};

export function groupResource(group: ScimGroupView, baseUrl: string) {
  return {
    schemas: [SCIM.group],
    id: group.id,
    externalId: group.externalId ?? undefined,
    displayName: group.displayName,
    members: group.members.map((m) => ({ value: m.value, display: m.display, $ref: `${baseUrl}/Users/${m.value}` })),
    meta: { resourceType: 'Group', created: group.createdAt.toISOString(), lastModified: group.updatedAt.toISOString(), location: `${baseUrl}/Groups/${group.id}` },
  };
}
