import type { SeatType } from './seats';

/**
 * SPEC "Status and seats": the statuses, which of them hold a seat, and every transition with who
 * makes it. server/domain/users/status.ts has one routine per transition and checks this table;
 * the user page offers exactly the admin transitions listed here.
 */

export const STATUSES = ['invited', 'active', 'suspended', 'locked', 'deactivated', 'banned'] as const;
export type UserStatus = (typeof STATUSES)[number];

/** Deactivated and banned users hold no seat. */
export const SEAT_HOLDING: readonly UserStatus[] = ['invited', 'active', 'suspended', 'locked'];

export const STATUS_LABELS: Record<UserStatus, string> = {
  invited: 'Invited',
  active: 'Active',
  suspended: 'Suspended',
  locked: 'Locked',
  deactivated: 'Deactivated',
  banned: 'Banned',
};

/** What an admin (in the browser or with an API key) may move a user to, from each status, and the button's label. */
export const ADMIN_TRANSITIONS: Record<UserStatus, readonly { to: UserStatus; label: string }[]> = {
  invited: [
    { to: 'deactivated', label: 'Deactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  active: [
    { to: 'suspended', label: 'Suspend' },
    { to: 'deactivated', label: 'Deactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  suspended: [
    { to: 'active', label: 'Reactivate' },
    { to: 'deactivated', label: 'Deactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  locked: [
    { to: 'active', label: 'Unlock' },
    { to: 'deactivated', label: 'Deactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  deactivated: [
    { to: 'active', label: 'Reactivate' },
    { to: 'banned', label: 'Ban' },
  ],
  banned: [{ to: 'active', label: 'Unban' }],
};

/** Transitions the system makes on its own, each from the statuses listed. */
export const SYSTEM_TRANSITIONS = {
  /** Too many wrong passwords. */
  lock: { from: ['active'], to: 'locked' },
  /** A completed password reset unlocks (and keeps active users active). */
  unlock: { from: ['locked'], to: 'active' },
  /** An invitee sets a password. */
  acceptInvitation: { from: ['invited'], to: 'active' },
  /** The inactivity sweep: every seat holder who has been away too long. */
  sweep: { from: SEAT_HOLDING, to: 'deactivated' },
} as const satisfies Record<string, { from: readonly UserStatus[]; to: UserStatus }>;

/** SPEC "Sign-in": only an active user signs in, keeps a session or uses an API key. */
export const hasAccess = (status: UserStatus) => status === 'active';

/** Only an invited user gets (another) invitation. */
export const mayGetInvitation = (status: UserStatus) => status === 'invited';

/**
 * Where a new user starts: a person who set a password at sign-up, one created by single sign-on
 * as they sign in (SPEC "Just-in-time provisioning") and an API user are active; an invitee is invited.
 */
export const statusAtCreation = ({ kind, hasPassword, signsInThroughIdp = false }: { kind: SeatType; hasPassword: boolean; signsInThroughIdp?: boolean }): UserStatus =>
  kind === 'api' || hasPassword || signsInThroughIdp ? 'active' : 'invited';

/**
 * Where an admin's move to active (Reactivate, Unban, Unlock) really lands: a person who never set a
 * password goes back to invited and gets a new invitation; everyone else becomes active.
 */
export const statusOnReactivation = ({ kind, hasPassword }: { kind: SeatType; hasPassword: boolean }): UserStatus => statusAtCreation({ kind, hasPassword });

/** The statuses an admin moves a user to that take their access away. */
export const ENDS_ACCESS = ['suspended', 'deactivated', 'banned'] as const satisfies readonly UserStatus[];
export type EndsAccess = (typeof ENDS_ACCESS)[number];
export const endsAccess = (status: UserStatus): status is EndsAccess => (ENDS_ACCESS as readonly UserStatus[]).includes(status);

/** Who may get and complete a password reset: it can unlock a locked user but never revive a blocked one. */
export const MAY_RESET_PASSWORD: readonly UserStatus[] = ['active', ...SYSTEM_TRANSITIONS.unlock.from];

/** Who is warned before the sweep: only people who can still act on it (sign in, or reset a password to unlock). */
export const WARNED_BEFORE_SWEEP: readonly UserStatus[] = ['active', 'locked'];

export const mayAdminMove = (from: UserStatus, to: UserStatus) => ADMIN_TRANSITIONS[from].some((t) => t.to === to);

const VERB: Record<UserStatus, string> = {
  invited: 'invited',
  active: 'activated',
  suspended: 'suspended',
  locked: 'locked',
  deactivated: 'deactivated',
  banned: 'banned',
};
export const statusVerb = (status: UserStatus) => VERB[status];

/** Why an admin cannot make a move the table does not list, in words they can act on. */
export function transitionRefusal(from: UserStatus, to: UserStatus) {
  if (from === to) return `The user is already ${to}.`;
  if (to === 'locked') return 'Users are locked only by wrong passwords. Suspend the user instead.';
  if (to === 'invited') return 'A user cannot be moved back to invited. Reactivate them: they get a new invitation if they never set a password.';
  return `${/^[aeiou]/.test(from) ? 'An' : 'A'} ${from} user cannot be ${VERB[to]}.`;
}
