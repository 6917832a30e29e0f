import type { Trx } from '../../../db/index';
import { SEAT_TYPES, type SeatType } from '../../contract/seats';
import { SEAT_HOLDING, STATUSES, type UserStatus } from '../../contract/statuses';
import { AppError } from '../../shared/errors';


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
    .select<{ kind: SeatType; status: UserStatus; n: number }[]>('kind', 'status', trx.raw('count(*)::int as n'));

  const summary = {} as Record<SeatType, SeatPoolSummary & { included: number }>;
  for (const seatType of SEAT_TYPES) {
    const pool = pools.find((p) => p.seatType === seatType);
    const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<UserStatus, number>;
    for (const row of counts) if (row.kind === seatType) byStatus[row.status] = row.n;
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

const SEAT_NAMES: Record<SeatType, { none: string; limit: string }> = {
  standard: {
    none: "You don't have any Purchased User, You need to buy users to {purpose} this user",
    limit: 'You have reached Purchased User limit as {X} User, You need to buy more users to {purpose} this user',
  },
  client: {
    none: "You don't have any Purchased Client User, You need to buy more client users to {purpose} this user",
    limit: 'You have reached Purchased Client User limit as {X} User, You need to buy more client users to {purpose} this user',
  },
  api: {
    none: "You don't have any Purchased Api User, You need to buy more API users to {purpose} this user",
    limit: 'You have reached Purchased API User limit as {X} User, You need to buy more API users to {purpose} this user',
  },
};

/** Seats of a kind in use now: every seat-holding user of that kind. */
export async function countSeatHolders(trx: Trx, tenantId: string, seatType: SeatType) {
  const row = await trx('users')
    .where({ tenantId, kind: seatType, isSystem: false })
    .whereIn('status', SEAT_HOLDING)
    .first<{ used: number }>(trx.raw('count(*)::int as used'));
  return row.used;
}

/** SPEC "Seat rule and its messages", verbatim from the reference documentation. */
export function seatLimitMessage(seatType: SeatType, purchased: number, purpose: 'create' | 'reactivate') {
  const template = purchased === 0 ? SEAT_NAMES[seatType].none : SEAT_NAMES[seatType].limit;
  return template.replace('{X}', String(purchased)).replace('{purpose}', purpose);
}

/**
 * SPEC seat rule: the pool row is locked for the rest of the transaction, so the count and the
 * write that follows are atomic across every web process. Call it before inserting or reviving
 * the user, in the same transaction.
 */
export async function claimSeat({
  trx,
  tenantId,
  seatType,
  purpose,
}: {
  trx: Trx;
  tenantId: string;
  seatType: SeatType;
  purpose: 'create' | 'reactivate';
}) {
  const pool = await trx('seat_pools').where({ tenantId, seatType }).forUpdate().first('purchased');
  const used = await countSeatHolders(trx, tenantId, seatType);
  const purchased = pool?.purchased ?? 0;
  if (used >= purchased) {
    throw new AppError('FORBIDDEN', seatLimitMessage(seatType, purchased, purpose), {
      reason: 'SEAT_LIMIT',
      seatType,
      purchased,
      used,
    });
  }
  /** Seats in use once the caller has written the user it claimed for. */
  return { usedAfter: used + 1 };
}
