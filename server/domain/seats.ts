import type { Trx } from '../../db/index';

export const SEAT_TYPES = ['standard', 'client', 'api'] as const;
export type SeatType = (typeof SEAT_TYPES)[number];

export const STATUSES = ['invited', 'active', 'suspended', 'locked', 'deactivated', 'banned'] as const;
export type UserStatus = (typeof STATUSES)[number];

/** SPEC "Status and seats": deactivated and banned users hold no seat. */
export const SEAT_HOLDING: readonly UserStatus[] = ['invited', 'active', 'suspended', 'locked'];

export type SeatPoolSummary = {
  purchased: number;
  used: number;
  available: number;
  overLimit: boolean;
  /** How many seat holders must go (or seats be bought) to be within the limit again. */
  overBy: number;
  byStatus: Record<UserStatus, number>;
};

export async function getSeatSummary({ trx, tenantId }: { trx: Trx; tenantId: string }) {
  const pools = await trx('seat_pools').where({ tenantId }).select('seatType', 'included', 'purchased');
  const counts = await trx('users')
    .where({ tenantId, isSystem: false })
    .groupBy('kind', 'status')
    .select('kind', 'status', trx.raw('count(*)::int as n'));

  const summary = {} as Record<SeatType, SeatPoolSummary & { included: number }>;
  for (const seatType of SEAT_TYPES) {
    const pool = pools.find((p: { seatType: string }) => p.seatType === seatType);
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<UserStatus, number>;
    for (const row of counts) if (row.kind === seatType) byStatus[row.status as UserStatus] = row.n;
    const used = SEAT_HOLDING.reduce((sum, status) => sum + byStatus[status], 0);
    const purchased = pool?.purchased ?? 0;
    summary[seatType] = {
      included: pool?.included ?? 0,
      purchased,
      used,
      available: Math.max(0, purchased - used),
      overLimit: used > purchased,
      overBy: Math.max(0, used - purchased),
      byStatus,
    };
  }
  return summary;
}
