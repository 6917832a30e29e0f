/** Seat types, how the reference documentation names them, and which roles each may hold. */

export const SEAT_TYPES = ['standard', 'client', 'api'] as const;
export type SeatType = (typeof SEAT_TYPES)[number];

export const SEAT_LABELS: Record<SeatType, string> = { standard: 'User', client: 'Client User', api: 'API User' };

export const AUDIENCES = ['internal', 'client', 'api'] as const;
export type Audience = (typeof AUDIENCES)[number];

export const AUDIENCE_LABELS: Record<Audience, string> = { internal: 'internal', client: 'client', api: 'API' };

/** SPEC "Roles and permissions": a user may only hold a role of its kind's audience. */
export const AUDIENCE_OF_KIND: Record<SeatType, Audience> = { standard: 'internal', client: 'client', api: 'api' };
