import type { z } from 'zod';
import type { Trx } from '../../../db/index';
import type { seatHistoryInput, seatHoldersInput } from '../../contract/seat-history';
import { SEAT_TYPES, type SeatType } from '../../contract/seats';

export type SeatHistoryPoint = { at: Date; purchased: number; used: number };

const STEP = { day: '1 day', week: '1 week', month: '1 month' } as const;

/**
 * SPEC "Seat history": per seat type, purchased and used at the end of each interval (UTC), in one
 * statement. Used is a running sum over the holding ledger: each change is put in the interval it
 * falls in (changes before the range in the first), summed per interval, then accumulated with a
 * window. Purchased is the seat ledger's figure in force at each point (before the first purchase
 * change: the figure it started from; with no change at all: today's).
 */
export async function seatHistory(trx: Trx, tenantId: string, { from, to, interval }: z.output<typeof seatHistoryInput>) {
  const { rows } = await trx.raw<{ rows: { seatType: SeatType; at: Date; purchased: number; used: number }[] }>(
    `with bounds as (
       select date_trunc(:unit, cast(:from as timestamptz), 'UTC') + cast(:step as interval) as first_end,
              cast(:to as timestamptz) as last_at
     ),
     points as (
       select distinct least(p, b.last_at) as at
       from bounds b, generate_series(b.first_end, date_trunc(:unit, b.last_at, 'UTC') + cast(:step as interval), cast(:step as interval)) p
     ),
     types as (select unnest(enum_range(null::seat_type)) as seat_type),
     changes as (
       -- Everything before the first point is its starting figure: one sum, no per-row arithmetic.
       select h.seat_type, least(b.first_end, b.last_at) as at, sum(case when h.holds then 1 else -1 end) as delta
       from seat_holding_changes h, bounds b
       where h.tenant_id = :tenantId and h.created_at < b.first_end and h.created_at <= b.last_at
       group by 1, 2
       union all
       -- Within the range, each change counts from the end of its interval. (date_trunc on a
       -- timestamp is about half the cost of date_trunc with a time zone, per row.)
       select h.seat_type,
              least((date_trunc(:unit, h.created_at at time zone 'UTC') at time zone 'UTC') + cast(:step as interval), b.last_at) as at,
              sum(case when h.holds then 1 else -1 end) as delta
       from seat_holding_changes h, bounds b
       where h.tenant_id = :tenantId and h.created_at >= b.first_end and h.created_at <= b.last_at
       group by 1, 2
     )
     select t.seat_type as "seatType", p.at,
            cast(sum(coalesce(c.delta, 0)) over (partition by t.seat_type order by p.at) as int) as used,
            coalesce(
              (select l.purchased_after from seat_ledger l
                where l.tenant_id = :tenantId and l.seat_type = t.seat_type and l.created_at <= p.at
                order by l.created_at desc, l.id desc limit 1),
              (select l.purchased_before from seat_ledger l
                where l.tenant_id = :tenantId and l.seat_type = t.seat_type and l.created_at > p.at
                order by l.created_at, l.id limit 1),
              (select s.purchased from seat_pools s where s.tenant_id = :tenantId and s.seat_type = t.seat_type),
              0
            ) as purchased
     from types t cross join points p
     left join changes c on c.seat_type = t.seat_type and c.at = p.at
     order by t.seat_type, p.at`,
    { tenantId, from, to, unit: interval, step: STEP[interval] },
  );
  const series = Object.fromEntries(SEAT_TYPES.map((type) => [type, [] as SeatHistoryPoint[]])) as Record<SeatType, SeatHistoryPoint[]>;
  for (const { seatType, at, purchased, used } of rows) series[seatType].push({ at, purchased, used });
  return series;
}

export type SeatHolder = { id: string; email: string; displayName: string; since: Date };

/** Who held a seat of this type at that instant, and since when: each user's last holding change up to then. */
export async function seatHolders(trx: Trx, tenantId: string, { seatType, at }: z.output<typeof seatHoldersInput>) {
  const { rows } = await trx.raw<{ rows: SeatHolder[] }>(
    `select u.id, u.email, u.display_name as "displayName", h.created_at as since
     from (
       select distinct on (user_id) user_id, holds, created_at
       from seat_holding_changes
       where tenant_id = :tenantId and seat_type = :seatType and created_at <= :at
       order by user_id, created_at desc, id desc
     ) h
     join users u on u.id = h.user_id
     where h.holds
     order by lower(u.display_name), u.id`,
    { tenantId, seatType, at },
  );
  return rows;
}
