/** Seat types, how the reference documentation names them, and which roles each may hold. */

export const SEAT_TYPES = ['standard', 'client', 'api'] as const;
export type SeatType = (typeof SEAT_TYPES)[number];

export const SEAT_LABELS: Record<SeatType, string> = { standard: 'User', client: 'Client User', api: 'API User' };

export const AUDIENCES = ['internal', 'client', 'api'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const AUDIENCE_LABELS: Record<Audience, string> = { internal: 'internal', client: 'client', api: 'API' };

/** SPEC "Roles and permissions": a user may only hold a role of its kind's audience. */
export const AUDIENCE_OF_KIND: Record<SeatType, Audience> = { standard: 'internal', client: 'client', api: 'api' };

/** "seat" for one, "seats" for any other count. */
export const seatWord = (n: number) => (n === 1 ? 'seat' : 'seats');

const labelOf = (type: SeatType | string) => SEAT_LABELS[type as SeatType] ?? type;

/**
 * A count of seats as a sentence reads it: "1 Client User seat", "2 Client User seats". Takes a
 * seat type or its label; `shown` is the count as the page or email formats it.
 */
export function seatCount(n: number, type: SeatType | string, shown: string = String(n)) {
  return `${shown} ${labelOf(type)} ${seatWord(n)}`;
}

/** One seat with its article: "an API User seat", "a Client User seat", "a User seat". */
export function aSeat(type: SeatType | string) {
  const label = labelOf(type);
  // "User" is said "you-", so only A, E, I and O take "an".
  return `${/^[aeio]/i.test(label) ? 'an' : 'a'} ${label} seat`;
}
